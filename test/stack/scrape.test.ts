/**
 * scrapePrometheus against the REAL Prometheus binary scraping a real registry every second, and
 * against a closed port. Prometheus listens on a free port on 127.0.0.1 (never :9090, where a
 * system Prometheus may run) with a temporary TSDB, config and rules.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { alerts, createMetrics, instantQuery, rangeQuery, ready, rules, startMetricsServer, type McpMetrics, type MetricsServer } from '../../src/metrics/index.js';
import { scrapePrometheus, summarizeScrape, type PrometheusScrape } from '../../src/stack/scrape.js';
import { renderScenarioReport, resultSchema } from '../../src/report/index.js';
import { buildSampleResult } from '../report/sample-result.js';

const PROMETHEUS = '/usr/bin/prometheus';
const SCENARIO = 'prom "it" \\ one';
const TARGET = 'everything';

function unavailable(): string | undefined {
  try {
    accessSync(PROMETHEUS, constants.X_OK);
    return undefined;
  } catch (error) {
    return `${PROMETHEUS} is not installed or not executable (${(error as NodeJS.ErrnoException).code}): install Debian's prometheus package to run this test`;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 100 ms until it is true or `ms` passed (then fails with `what`). */
async function until(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${stderr ? `\nprometheus stderr:\n${stderr.slice(-2000)}` : ''}`);
    await sleep(100);
  }
}

const skipReason = unavailable();
let dir = '';
let prom: ChildProcess | undefined;
let stderr = '';
let promUrl = '';
let metrics: McpMetrics;
let server: MetricsServer;

/** Unix seconds of Prometheus' latest scrape of the job (0 before the first). */
async function lastScrape(): Promise<number> {
  const answer = await instantQuery(promUrl, 'max(timestamp(up{job="mcp-reliability"}))', { timeoutMs: 1000 });
  return answer.ok && answer.data.resultType === 'vector' ? Number(answer.data.result[0]?.value[1] ?? 0) : 0;
}

/** Waits until Prometheus has scraped `n` more times after now. */
async function scrapes(n: number, firstWithinMs = 5000): Promise<void> {
  let after = Date.now() / 1000;
  for (let i = 0; i < n; i++) {
    const since = after;
    await until(`a scrape after ${since}`, i === 0 ? firstWithinMs : 5000, async () => (await lastScrape()) > since);
    after = await lastScrape();
  }
}

describe('a real Prometheus scraping a real registry every second', () => {
before(async () => {
  if (skipReason) return;
  metrics = createMetrics({ scenario: SCENARIO, target: TARGET, clientProfile: 'resilient', version: '0.0.0-test' });
  server = await startMetricsServer(metrics.registry, 0);
  dir = mkdtempSync(join(tmpdir(), 'mcp-rel-prom-'));
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(dir, 'rules.yml'),
    [
      'groups:',
      '  - name: test',
      '    rules:',
      '      - record: mcp:requests:rate30s',
      '        expr: sum by (scenario, target, method, status) (rate(mcp_requests_total[30s]))',
      '      - record: test:many_to_many',
      '        expr: mcp_requests_total / on (scenario) mcp_requests_total',
      '      - alert: McpSessionDownNow',
      '        expr: mcp_session_up == 0',
      '        annotations:',
      '          summary: no session',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }',
      `rule_files: ["${join(dir, 'rules.yml')}"]`,
      'scrape_configs:',
      '  - job_name: mcp-reliability',
      `    static_configs: [{ targets: ["127.0.0.1:${server.port}"] }]`,
      '',
    ].join('\n'),
  );
  prom = spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  prom.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  await until('prometheus /-/ready', 15_000, async () => (await ready(promUrl, { timeoutMs: 500 })).ok);
  await scrapes(1, 15_000); // target discovery takes ~5 s after start
});

after(async () => {
  if (prom && prom.exitCode === null && prom.signalCode === null) {
    const exited = new Promise((resolve) => prom?.once('exit', resolve));
    prom.kill('SIGTERM');
    const timer = setTimeout(() => prom?.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const instant = (scrape: PrometheusScrape, name: string) => {
  const entry = scrape.instant.find((e) => e.name === name);
  assert.ok(entry, `instant entry ${name}`);
  assert.ok(entry.ok, `${name} failed: ${entry.ok ? '' : entry.error}`);
  return entry.result;
};
const value = (scrape: PrometheusScrape, name: string, labels: Record<string, string> = {}) =>
  instant(scrape, name).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

test('a real Prometheus: the scrape holds exactly what the registry recorded', { skip: skipReason }, async (t) => {
  if (skipReason) return t.skip(skipReason);
  const start = new Date(Date.now() - 1000);
  // Batch 1 creates the labelled series; batch 2 is what increase() can see.
  metrics.requests.inc({ method: 'tools/call', status: 'ok' }, 3);
  metrics.requests.inc({ method: 'tools/call', status: 'error' }, 1);
  metrics.disconnections.inc({ reason: 'transport-closed' });
  metrics.reconnectAttempts.inc(2);
  metrics.availability.set(0.75);
  metrics.toolsAvailable.set(3);
  for (let i = 0; i < 4; i++) metrics.requestDuration.observe({ method: 'tools/call' }, 0.02);
  await scrapes(2);
  metrics.requests.inc({ method: 'tools/call', status: 'ok' }, 4);
  metrics.requests.inc({ method: 'tools/call', status: 'error' }, 1);
  metrics.availability.set(7 / 9);
  for (let i = 0; i < 5; i++) metrics.requestDuration.observe({ method: 'tools/call' }, 0.02);
  await scrapes(2);
  const end = new Date();

  const began = Date.now();
  const scrape = await scrapePrometheus({ baseUrl: promUrl, scenario: SCENARIO, target: TARGET, start, end, settleMs: 5000 });
  assert.ok(Date.now() - began < 6000, 'bounded');
  assert.equal(scrape.reachable, true);
  assert.equal(scrape.selector, 'scenario="prom \\"it\\" \\\\ one",target="everything"', 'label values escaped for PromQL');
  assert.ok(new Date(scrape.window.evaluatedAt) >= end);

  // Run-to-date counters and gauges: exact.
  assert.equal(value(scrape, 'requests_by_status', { status: 'ok' }), 7);
  assert.equal(value(scrape, 'requests_by_status', { status: 'error' }), 2);
  assert.equal(value(scrape, 'disconnections_by_reason', { reason: 'transport-closed' }), 1);
  assert.equal(value(scrape, 'reconnect_attempts'), 2);
  assert.equal(value(scrape, 'availability_ratio'), 7 / 9);
  assert.equal(value(scrape, 'tools_available'), 3);
  assert.equal(value(scrape, 'session_up'), 0);
  assert.ok(Math.abs((value(scrape, 'request_p95_seconds', { method: 'tools/call' }) ?? 0) - 0.02425) < 1e-9, 'p95 interpolated in the (10 ms, 25 ms] bucket');
  assert.deepEqual(instant(scrape, 'faults_by_kind'), []);
  assert.equal(value(scrape, 'scrape_up'), 1);
  assert.ok((value(scrape, 'scrapes') ?? 0) >= 3);
  // increase() over the window: extrapolated, but both series share their sample times (4 ok : 1 error).
  const okIncrease = value(scrape, 'requests_increase_by_status', { status: 'ok' }) ?? 0;
  const errorIncrease = value(scrape, 'requests_increase_by_status', { status: 'error' }) ?? 0;
  assert.ok(okIncrease > 0 && errorIncrease > 0, `increase ok ${okIncrease}, error ${errorIncrease}`);
  assert.ok(Math.abs(okIncrease / errorIncrease - 4) < 0.4, `ratio ${okIncrease / errorIncrease}`);
  // The loaded recording rule has data; the others are named as not loaded.
  assert.ok(instant(scrape, 'rule_requests_rate_last').length > 0);

  for (const name of ['request_rate', 'availability_ratio', 'session_up', 'request_p95_seconds']) {
    const entry = scrape.range.find((e) => e.name === name);
    assert.ok(entry?.ok, name);
    assert.ok(entry.result.length > 0 && (entry.result[0]?.points.length ?? 0) >= 2, `${name} has points: ${JSON.stringify(entry)}`);
    assert.ok(entry.result[0]?.points.every(([ts]) => ts >= start.getTime() / 1000 - 1 && ts <= new Date(scrape.window.evaluatedAt).getTime() / 1000 + 1));
  }
  const availabilityPoints = scrape.range.find((e) => e.name === 'availability_ratio');
  assert.ok(availabilityPoints?.ok && availabilityPoints.result[0]?.labels.scenario === SCENARIO, 'labels kept');

  assert.ok(scrape.alerts.some((a) => a.name === 'McpSessionDownNow' && a.state === 'firing' && a.summary === 'no session'), JSON.stringify(scrape.alerts));
  const broken = scrape.rules.find((r) => r.name === 'test:many_to_many');
  assert.equal(broken?.health, 'err');
  assert.match(broken?.lastError ?? '', /many-to-many/);

  const notLoaded = scrape.missing.find((l) => l.startsWith('recording rules not loaded'));
  assert.ok(notLoaded, scrape.missing.join('\n'));
  assert.match(notLoaded, /mcp:availability:ratio_rate30s/);
  assert.doesNotMatch(notLoaded, /mcp:requests:rate30s/);
  assert.deepEqual(scrape.missing.filter((l) => l !== notLoaded), [], 'nothing else is missing');

  const summary = summarizeScrape(scrape, 'test-results/prom/prometheus.json');
  assert.deepEqual(summary.requests, { ok: 7, error: 2, timeout: 0, unavailable: 0, total: 9 });
  assert.deepEqual(summary.disconnections, { total: 1, byReason: { 'transport-closed': 1 } });
  assert.deepEqual(summary.faults, { total: 0, byKind: {} });
  assert.deepEqual(summary.alerts.firing, ['McpSessionDownNow']);
  assert.deepEqual(summary.alerts.firedDuringRun, ['McpSessionDownNow']);
  assert.deepEqual(summary.ruleProblems.map((r) => r.name), ['test:many_to_many']);
  const ajv = new Ajv2020.default({ allErrors: true, strict: true, allowUnionTypes: true });
  const validate = ajv.compile(resultSchema);
  const result = { ...buildSampleResult().result, prometheus: summary };
  assert.ok(validate(JSON.parse(JSON.stringify(result))), ajv.errorsText(validate.errors));
  assert.match(renderScenarioReport(result), /\| requests ok \/ error \/ timeout \/ unavailable \| +7 \/ 2 \/ 0 \/ 0 \|/);
  assert.ok(JSON.stringify(scrape).length < 200_000, 'bounded document');
});

test('a real Prometheus: a scenario it never saw is named in missing; a bad query is an error entry', { skip: skipReason }, async (t) => {
  if (skipReason) return t.skip(skipReason);
  const end = new Date();
  const scrape = await scrapePrometheus({ baseUrl: promUrl, scenario: 'never-ran', start: new Date(end.getTime() - 5000), end, extraQueries: [{ name: 'bad', query: 'sum((' }] });
  assert.equal(scrape.reachable, true);
  assert.deepEqual(instant(scrape, 'requests_by_status'), [], 'no data is an empty result, not an error');
  assert.match(scrape.missing[0] ?? '', /^no samples for mcp_requests_total\{scenario="never-ran"\} in the window \(the simulator may not have been scraped\); nor for mcp_availability_ratio, /);
  const bad = scrape.instant.find((e) => e.name === 'bad');
  assert.ok(bad && !bad.ok);
  assert.match(bad.error, /^HTTP 400: bad_data: .*parse error/);
  assert.ok(scrape.missing.some((l) => /^query bad failed: HTTP 400: bad_data/.test(l)));
  const summary = summarizeScrape(scrape, 'p.json');
  assert.equal(summary.requests, null);
  assert.equal(summary.scrapeTarget.up, 1, 'the job itself is scraped');

  const direct = await instantQuery(promUrl, 'rate(mcp_requests_total[5m]', { timeoutMs: 2000 });
  assert.ok(!direct.ok && direct.kind === 'http' && direct.status === 400 && direct.errorType === 'bad_data', JSON.stringify(direct));
  const range = await rangeQuery(promUrl, 'up', { start: new Date(end.getTime() - 3000), end, stepSeconds: 1 });
  assert.ok(range.ok && range.data.result.length === 1);
  assert.ok((await alerts(promUrl)).ok);
  assert.ok((await rules(promUrl)).ok);
});

});

test('an unreachable Prometheus: reachable false, every query an error, missing says so, nothing throws', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const end = new Date();
  const scrape = await scrapePrometheus({ baseUrl: `${url}/`, scenario: 'x', start: new Date(end.getTime() - 60_000), end });
  assert.equal(scrape.reachable, false);
  assert.equal(scrape.url, url);
  assert.ok(scrape.instant.length >= 10 && scrape.range.length === 4);
  for (const entry of [...scrape.instant, ...scrape.range]) {
    assert.ok(!entry.ok && /^not queried: prometheus unreachable at http:\/\/127\.0\.0\.1:\d+: connection refused/.test(entry.error), entry.name);
  }
  assert.deepEqual(scrape.missing, [`prometheus unreachable at ${url}: connection refused — no metrics, alerts or rules could be read`]);
  const summary = summarizeScrape(scrape, 'test-results/x/prometheus.json');
  assert.equal(summary.reachable, false);
  assert.match(renderScenarioReport({ ...buildSampleResult().result, prometheus: summary }), /\*\*Prometheus was not reachable\*\* at `http:\/\/127\.0\.0\.1:\d+`/);

  for (const answer of [await instantQuery(url, 'up'), await rangeQuery(url, 'up', { start: end, end, stepSeconds: 1 }), await alerts(url), await rules(url), await ready(url)]) {
    assert.ok(!answer.ok && answer.kind === 'network', JSON.stringify(answer));
    assert.match(answer.error, new RegExp(`^connection refused to ${url} \\(GET /(api/v1/\\w+|-/ready)\\)$`));
  }
});

test('not Prometheus: HTTP errors, non-JSON answers and timeouts are typed errors', async () => {
  let hold: (() => void) | undefined;
  const http: Server = createHttpServer((req, res) => {
    if (req.url?.startsWith('/-/ready')) return void res.writeHead(503).end('Service Unavailable');
    if (req.url?.startsWith('/api/v1/rules')) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>');
    if (req.url?.startsWith('/api/v1/alerts')) return void (hold = () => res.end());
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  try {
    assert.deepEqual(await ready(url), { ok: false, kind: 'http', status: 503, error: 'HTTP 503: Service Unavailable' });
    assert.deepEqual(await instantQuery(url, 'up'), { ok: false, kind: 'http', status: 404, error: 'HTTP 404: not found' });
    const html = await rules(url);
    assert.ok(!html.ok && html.kind === 'invalid' && html.error === `not Prometheus API JSON from ${url} (/api/v1/rules): <html>hi</html>`, JSON.stringify(html));
    const slow = await alerts(url, { timeoutMs: 200 });
    assert.deepEqual(slow, { ok: false, kind: 'timeout', error: `timed out after 200 ms waiting for ${url} (GET /api/v1/alerts)` });
    // Reachable but not ready: the scrape goes on and says so.
    const scrape = await scrapePrometheus({ baseUrl: url, scenario: 'x', start: new Date(Date.now() - 1000), end: new Date(), timeoutMs: 300 });
    assert.equal(scrape.reachable, true);
    assert.match(scrape.missing[0] ?? '', /is not ready \(\/-\/ready: HTTP 503: Service Unavailable\)/);
    assert.ok(scrape.instant.every((e) => !e.ok && e.error === 'HTTP 404: not found'));
  } finally {
    hold?.();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }
});

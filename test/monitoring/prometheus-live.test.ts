/**
 * The real Prometheus (Debian's /usr/bin/prometheus) with monitoring/prometheus: it scrapes a real
 * mcp-reliability /metrics endpoint, every rule evaluates with health ok, and every Prometheus
 * query of the Grafana dashboard runs and returns data. Prometheus listens on 127.0.0.1 on a free
 * port (never 9090: a system Prometheus may own it) and is stopped in `after`.
 *
 * Differences from the compose stack, all in a temporary copy of prometheus.yml: the two scrape
 * targets point at this test's endpoints, rule_files at the copied rules, and rules are evaluated
 * every 1s instead of 5s so that the test takes seconds (the rules do not depend on the interval).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetrics, startMetricsServer, type McpMetrics, type MetricsServer } from '../../src/metrics/index.js';
import { loadRules, readText, stagePrometheus } from './monitoring-files.js';

const probe = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
const skip = probe.error || probe.status !== 0 ? `prometheus not installed: ${probe.error?.message ?? probe.stderr} (apt-get install prometheus)` : false;
if (skip) console.warn(`\n*** monitoring: SKIPPING the live Prometheus test: ${skip} ***\n`);

// Typically 8-11 s here: Prometheus applies discovered targets on a 5 s tick, then scrapes at a
// jittered offset within the 2 s interval, and rates need two scrapes. The deadline leaves room for
// a loaded machine; the time taken is reported as a diagnostic.
const DEADLINE_MS = 20_000;
let dir = '';
let prometheus: ChildProcess | undefined;
let prometheusLog = '';
let endpoint: MetricsServer | undefined;
let ticker: NodeJS.Timeout | undefined;
let base = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A run in progress: every metric the dashboard shows has a value, and requests keep coming. */
function exercise(metrics: McpMetrics): NodeJS.Timeout {
  metrics.connections.inc({ status: 'success' }, 2);
  metrics.connections.inc({ status: 'failure' });
  metrics.disconnections.inc({ reason: 'transport-closed' });
  metrics.reconnectAttempts.inc();
  metrics.sessionDuration.observe(12);
  metrics.handshakeDuration.observe(0.05);
  metrics.recovery.observe(1.5);
  metrics.toolsAvailable.set(12);
  metrics.toolDrift.inc({ change: 'added' });
  metrics.protocolViolations.inc({ kind: 'stdout-non-json' });
  metrics.healthCheckFailures.inc();
  metrics.serverRss.set(80e6);
  metrics.containerMemory.set({ service: 'mcp-server' }, 64e6);
  metrics.containerCpu.set({ service: 'mcp-server' }, 0.25);
  metrics.faults.inc({ kind: 'latency' });
  metrics.faultActive.set({ kind: 'latency' }, 1);
  metrics.faultMttr.observe({ kind: 'latency' }, 0.8);
  metrics.availability.set(1);
  metrics.sessionUp.set(1);
  return setInterval(() => {
    for (const method of ['tools/call', 'ping']) {
      metrics.requests.inc({ method, status: 'ok' });
      metrics.requestDuration.observe({ method }, 0.02);
    }
    metrics.requests.inc({ method: 'tools/call', status: 'error' });
    metrics.reconnectAttempts.inc();
  }, 100);
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${base}${path}`);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? res.status}`);
  return body.data;
}

async function until<T>(what: string, check: () => Promise<T | undefined>, deadline: number): Promise<T> {
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}\nprometheus log:\n${prometheusLog.slice(-3000)}`);
}

before(async () => {
  if (skip) return;
  const metrics = createMetrics({ scenario: 'monitoring-live', target: 'everything', clientProfile: 'claude-code', version: '0.0.0-test' });
  ticker = exercise(metrics);
  endpoint = await startMetricsServer(metrics.registry, 0, '127.0.0.1');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  dir = mkdtempSync(join(tmpdir(), 'mcp-prometheus-live-'));
  const config = stagePrometheus(dir, (c) => {
    c.global.evaluation_interval = '1s';
    for (const job of c.scrape_configs) {
      const target = job.job_name === 'mcp-reliability' ? `127.0.0.1:${endpoint?.port}` : `127.0.0.1:${port}`;
      for (const sc of job.static_configs) sc.targets = [target];
    }
  });
  prometheus = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => (prometheusLog = (prometheusLog + chunk.toString()).slice(-20_000));
  prometheus.stdout?.on('data', keep);
  prometheus.stderr?.on('data', keep);
});

after(async () => {
  if (ticker) clearInterval(ticker);
  const child = prometheus;
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  await endpoint?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('real Prometheus: scrapes the simulator, evaluates every rule with health ok, runs every dashboard query', { skip, timeout: 40_000 }, async (t) => {
  const started = Date.now();
  const deadline = started + DEADLINE_MS;
  await until('/-/ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), deadline);

  interface Targets {
    activeTargets: { labels: { job: string }; health: string; lastError: string }[];
  }
  const targets = await until(
    'the mcp-reliability target up',
    async () => {
      const data = await getJson<Targets>('/api/v1/targets');
      return data.activeTargets.some((a) => a.labels.job === 'mcp-reliability' && a.health === 'up') ? data : undefined;
    },
    deadline,
  );
  assert.deepEqual(targets.activeTargets.map((a) => a.labels.job).sort(), ['mcp-reliability', 'prometheus']);
  // The self-scrape runs every 5s and may not have happened yet; it must not have failed.
  for (const a of targets.activeTargets) assert.notEqual(a.health, 'down', `${a.labels.job}: ${a.lastError}`);

  interface Rules {
    groups: { name: string; file: string; rules: { name: string; health: string; lastError?: string; lastEvaluation: string }[] }[];
  }
  const rules = await until(
    'every rule evaluated with health ok',
    async () => {
      const data = await getJson<Rules>('/api/v1/rules');
      const all = data.groups.flatMap((g) => g.rules);
      const bad = all.filter((r) => r.health !== 'ok');
      if (bad.some((r) => r.health === 'err')) throw new Error(`rules in error: ${JSON.stringify(bad)}`);
      return all.length > 0 && bad.length === 0 ? data : undefined;
    },
    deadline,
  );
  assert.deepEqual(rules.groups.map((g) => g.name).sort(), ['mcp-reliability-alerts', 'mcp-reliability-recording']);
  const loaded = rules.groups.flatMap((g) => g.rules.map((r) => r.name)).sort();
  assert.deepEqual(loaded, loadRules().map(({ rule }) => rule.record ?? rule.alert ?? '').sort(), 'Prometheus loaded exactly the rules in the files');

  // Grafana's substitutions with "All" selected: allValue .*, and $__rate_interval at its 8s floor (4 x 2s).
  const dashboard = JSON.parse(readText('grafana/dashboards/mcp-reliability.json')) as {
    panels: { title: string; targets?: { refId: string; expr?: string; datasource?: { uid?: string } }[] }[];
    annotations: { list: { name: string; target?: { expr?: string } }[] };
  };
  const queries = [
    ...dashboard.panels.flatMap((p) => (p.targets ?? []).filter((t) => t.datasource?.uid === 'prometheus').map((t) => ({ what: `${p.title} ${t.refId}`, expr: t.expr ?? '' }))),
    ...dashboard.annotations.list.map((a) => ({ what: `annotation ${a.name}`, expr: a.target?.expr ?? '' })),
  ].map(({ what, expr }) => ({ what, expr: expr.replaceAll('$scenario', '.*').replaceAll('$target', '.*').replaceAll('$__rate_interval', '8s') }));
  assert.ok(queries.length > 20);
  // ALERTS has data only while an alert fires; this healthy run fires none.
  const mayBeEmpty = (expr: string) => expr.startsWith('ALERTS');
  const empty = await until(
    'every dashboard query to return data',
    async () => {
      const missing: string[] = [];
      for (const q of queries) {
        const data = await getJson<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent(q.expr)}`);
        if (data.result.length === 0 && !mayBeEmpty(q.expr)) missing.push(`${q.what}: ${q.expr}`);
      }
      return missing.length === 0 ? missing : undefined;
    },
    deadline,
  ).catch((error: Error) => error);
  assert.ok(Array.isArray(empty), String(empty));

  const recorded = await getJson<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
    `/api/v1/query?query=${encodeURIComponent('mcp:requests:rate30s{method="tools/call", status="ok"}')}`,
  );
  assert.equal(recorded.result[0]?.metric.scenario, 'monitoring-live');
  assert.ok(Number(recorded.result[0]?.value[1]) > 0, 'tools/call requests are being counted');
  t.diagnostic(`Prometheus ready, scraping and evaluating within ${Date.now() - started} ms`);
});

/**
 * The Compose stack end to end on a real Docker engine, from images built offline on this machine
 * (tools/offline-images.sh): `mcp-reliability stack` brings up server-everything, Prometheus and
 * the simulator, runs connection-stability with the server's container paused in the middle,
 * scrapes Prometheus before teardown, and leaves no container, network or volume behind. Then
 * `run-mcp-reliability-tests.sh --no-cleanup` leaves the stack up with Prometheus answering.
 * Without an engine the tests skip loudly, with the reason.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ScenarioResult } from '../../src/report/result.js';
import { dockerClient, engineAvailable, projectContainers } from '../../src/stack/docker.js';
import { detectCompose } from '../../src/stack/compose.js';
import { freePort } from '../../src/net/ready.js';

const run = promisify(execFile);
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const FIXTURE = join(ROOT, 'test/fixtures/scenarios-stack/connection-stability-pause.json');
const TIMEOUT = 15 * 60_000;

interface Prep {
  skip?: string;
  imagesEnv?: string;
}

async function prepare(work: string): Promise<Prep> {
  const engine = await engineAvailable();
  if (!engine.ok) return { skip: `no Docker engine answers (${engine.reason}): .ci/run installs docker.io and starts dockerd as root` };
  try {
    await detectCompose();
  } catch (err) {
    return { skip: (err as Error).message };
  }
  for (const bin of ['busybox', 'prometheus']) {
    try {
      await run('sh', ['-c', `command -v ${bin}`]);
    } catch {
      return { skip: `${bin} is not installed: tools/offline-images.sh needs it (Debian's ${bin === 'busybox' ? 'busybox-static' : 'prometheus'} package)` };
    }
  }
  await run('npm', ['run', '--silent', 'build'], { cwd: ROOT, maxBuffer: 16 << 20 });
  const imagesEnv = join(work, 'offline-images.env');
  await run(join(ROOT, 'tools/offline-images.sh'), ['--env-file', imagesEnv], { cwd: ROOT, maxBuffer: 16 << 20 });
  return { imagesEnv };
}

/** Run a command to its end; output kept for assertion messages. */
function runToEnd(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('close', (code) => resolvePromise({ code, output }));
  });
}

async function leftovers(project: string): Promise<string[]> {
  const docker = dockerClient();
  const label = { label: [`com.docker.compose.project=${project}`] };
  const containers = (await projectContainers(docker, project)).map((c) => `container ${c.Names.join(',')}`);
  const networks = (await docker.listNetworks({ filters: label })).map((n) => `network ${n.Name}`);
  const volumes = ((await docker.listVolumes({ filters: label })).Volumes ?? []).map((v) => `volume ${v.Name}`);
  return [...containers, ...networks, ...volumes];
}

async function ports(): Promise<Record<string, string>> {
  return {
    MCP_SERVER_PORT: String(await freePort()),
    PROMETHEUS_PORT: String(await freePort()),
    SIMULATOR_METRICS_PORT: String(await freePort()),
    GRAFANA_PORT: String(await freePort()),
    LOKI_PORT: String(await freePort()),
  };
}

async function composeDown(project: string): Promise<void> {
  const cli = await detectCompose();
  await run(cli.command, [...cli.prefix, '-f', join(ROOT, 'docker-compose.mcp-reliability.yml'), '-p', project, 'down', '-v', '--remove-orphans', '--timeout', '2'], { cwd: ROOT, env: { ...process.env, MCP_RELIABILITY_OUT: tmpdir() } }).catch(() => undefined);
}

describe('the Compose stack on a real Docker engine', { timeout: TIMEOUT, concurrency: false }, () => {
  const work = mkdtempSync(join(tmpdir(), 'mcpr-stack-'));
  const projects: string[] = [];
  let prep: Prep = {};
  before(async () => {
    prep = await prepare(work);
    if (prep.skip) process.stderr.write(`\n*** SKIPPING the Compose stack tests: ${prep.skip} ***\n\n`);
  });
  after(async () => {
    for (const p of projects) await composeDown(p);
  });

  test('stack: up from offline images, 30 s of connection-stability with a container pause, Prometheus scraped before teardown, nothing left', async (t) => {
    if (prep.skip) return t.skip(prep.skip);
    const project = `mcpr-e2e-${process.pid}`;
    projects.push(project);
    const out = join(work, 'out');
    const env = { ...process.env, ...(await ports()) };
    const r = await runToEnd(process.execPath, [join(ROOT, 'lib/cli/main.js'), 'stack', '--scenario', FIXTURE, '--duration', '30s', '--project', project, '--images-env', prep.imagesEnv!, '--out', out], env);
    t.diagnostic(r.output.split('\n').filter((l) => l.startsWith('stack:')).join('\n'));
    assert.equal(r.code, 0, r.output);

    const slug = 'connection-stability-pause';
    const result = JSON.parse(readFileSync(join(out, 'test-results', slug, 'result.json'), 'utf8')) as ScenarioResult;
    assert.equal(result.verdict, 'pass', JSON.stringify(result.slos.filter((s) => !s.passed)));
    assert.equal(result.schemaVersion, '1.5.0');
    assert.equal(result.target.name, 'stack-everything');
    assert.ok(result.totals.requests >= 10, `requests: ${result.totals.requests}`);

    // The pause happened to the container, the client noticed it and came back.
    const pause = result.faults.windows.find((w) => w.kind === 'pause');
    assert.ok(pause, `fault windows: ${JSON.stringify(result.faults.windows)}`);
    assert.equal(pause.endedBy, 'lifted');
    assert.ok(pause.mttdMs !== null && pause.mttdMs <= 10_000, `MTTD ${pause.mttdMs} (${pause.detectedBy})`);
    assert.ok(pause.mttrMs !== null, 'recovered after the unpause');
    assert.ok(pause.phases && pause.phases.during.errors + pause.phases.during.timeouts + pause.phases.during.unavailable > 0, 'requests during the pause failed');

    // Memory came from the container's stats.
    assert.ok(result.memory && result.memory.samples >= 5, `memory: ${JSON.stringify(result.memory)}`);
    assert.ok(result.memory.peakRssBytes > 1 << 20);

    // Prometheus was queried before teardown: its answers are in the result, prometheus.json and the report.
    assert.ok(result.prometheus, 'result.prometheus');
    assert.equal(result.prometheus.reachable, true, JSON.stringify(result.prometheus.missing));
    // The simulator lingers with its final metrics, so Prometheus' last scrape holds the run's final counts exactly.
    assert.deepEqual(
      result.prometheus.requests && [result.prometheus.requests.ok, result.prometheus.requests.error, result.prometheus.requests.timeout],
      [result.totals.ok, result.totals.errors, result.totals.timeouts],
    );
    assert.equal(result.prometheus.faults?.byKind.pause, 1);
    const scrape = JSON.parse(readFileSync(join(out, 'test-results', slug, 'prometheus.json'), 'utf8')) as { reachable: boolean; instant: { name: string; ok: boolean; result?: unknown[] }[] };
    assert.equal(scrape.reachable, true);
    const requests = scrape.instant.find((q) => /request/.test(q.name) && q.ok && Array.isArray(q.result) && q.result.length > 0);
    assert.ok(requests, `no request series in prometheus.json: ${JSON.stringify(scrape.instant.map((q) => [q.name, q.ok]))}`);
    const report = readFileSync(join(out, 'reports', `${slug}.md`), 'utf8');
    assert.match(report, /Prometheus/);
    assert.ok(existsSync(join(out, 'reports', 'junit.xml')));

    // Every service has a log file with something in it.
    for (const service of ['mcp-server', 'claude-simulator', 'prometheus']) {
      const path = join(out, 'logs', `${service}.log`);
      assert.ok(existsSync(path) && statSync(path).size > 0, `${path} is missing or empty`);
    }
    assert.match(readFileSync(join(out, 'logs', 'claude-simulator.log'), 'utf8'), /connection-stability-pause/);

    assert.deepEqual(await leftovers(project), [], 'nothing of the project is left');
  });

  test('stack with a stdio server behind the byte pipe: tcp target, a container kill and restart, logs followed across it', async (t) => {
    if (prep.skip) return t.skip(prep.skip);
    const project = `mcpr-e2e-stdio-${process.pid}`;
    projects.push(project);
    const out = join(work, 'stdio');
    const env = { ...process.env, ...(await ports()) };
    const args = ['stack', '--scenario', join(ROOT, 'test/fixtures/scenarios-stack/stdio-pipe-kill.json'), '--duration', '15s', '--project', project, '--images-env', prep.imagesEnv!, '--out', out];
    args.push('--server-command', 'mcp-reliability pipe --listen 0.0.0.0:3001 -- mcp-server-everything stdio', '--target', 'tcp://mcp-server:3001');
    const r = await runToEnd(process.execPath, [join(ROOT, 'lib/cli/main.js'), ...args], env);
    assert.equal(r.code, 0, r.output);
    const result = JSON.parse(readFileSync(join(out, 'test-results', 'stdio-pipe-kill', 'result.json'), 'utf8')) as ScenarioResult;
    assert.equal(result.target.transport, 'tcp');
    assert.equal(result.target.serverName, 'mcp-servers/everything');
    const kill = result.faults.windows.find((w) => w.kind === 'kill');
    assert.ok(kill, JSON.stringify(result.faults));
    assert.equal(kill.endedBy, 'restarted');
    assert.ok(kill.mttrMs !== null, 'the client came back after the container restart');
    assert.ok((result.disconnections.byReason['transport-closed'] ?? 0) >= 1, JSON.stringify(result.disconnections.byReason));
    // Nothing wrong on the wire; the stdio checks' only finding is the SDK's silence on a malformed line (info).
    assert.deepEqual(result.violations.filter((v) => v.severity !== 'info'), []);
    assert.deepEqual(result.violations.map((v) => v.kind), ['parse-error-unanswered']);
    // One log file for the service, followed across the restart: both pipe connections are in it.
    const serverLog = readFileSync(join(out, 'logs', 'mcp-server.log'), 'utf8');
    assert.match(serverLog, /pipe #1 .*connected/);
    assert.ok((serverLog.match(/pipe: listening on 0\.0\.0\.0:3001/g) ?? []).length >= 2, `the restarted container's log is followed too:\n${serverLog.slice(-2000)}`);
    assert.deepEqual(await leftovers(project), []);
  });

  test('SIGINT during the run: the simulator writes what it measured, the stack is torn down, exit 130', async (t) => {
    if (prep.skip) return t.skip(prep.skip);
    const project = `mcpr-e2e-int-${process.pid}`;
    projects.push(project);
    const out = join(work, 'interrupted');
    const env = { ...process.env, ...(await ports()) };
    const child = spawn(process.execPath, [join(ROOT, 'lib/cli/main.js'), 'stack', '--duration', '120s', '--project', project, '--images-env', prep.imagesEnv!, '--out', out], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolvePromise) => child.once('close', resolvePromise));
    // Building the simulator image comes first: on a loaded two-core machine it can take minutes (a wait, not a timing assertion).
    for (let i = 0; i < 3600 && !output.includes('stack: running'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(output, /stack: running/);
    await new Promise((r) => setTimeout(r, 8000)); // some requests made
    child.kill('SIGINT');
    assert.equal(await exited, 130, output);
    const result = JSON.parse(readFileSync(join(out, 'test-results', 'connection-stability', 'result.json'), 'utf8')) as ScenarioResult;
    assert.ok(result.totals.requests > 0, 'what was measured before the signal is written');
    assert.ok(result.notes?.some((n) => /interrupted/.test(n)), JSON.stringify(result.notes));
    assert.ok(result.run.durationMs < 60_000, `stopped early: ${result.run.durationMs} ms`);
    assert.ok(result.prometheus, 'Prometheus is still scraped before teardown');
    assert.deepEqual(await leftovers(project), [], output);
  });

  test('run-mcp-reliability-tests.sh --no-cleanup leaves the stack up with Prometheus answering', async (t) => {
    if (prep.skip) return t.skip(prep.skip);
    const project = `mcpr-e2e-keep-${process.pid}`;
    projects.push(project);
    const out = join(work, 'keep');
    const portEnv = await ports();
    const env = { ...process.env, ...portEnv, MCP_RELIABILITY_PROJECT: project, MCP_RELIABILITY_IMAGES_ENV: prep.imagesEnv! };
    const r = await runToEnd(join(ROOT, 'run-mcp-reliability-tests.sh'), ['--duration', '8', '--no-cleanup', '--out', out], env);
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.output}`);
    assert.ok(existsSync(join(out, 'test-results', 'connection-stability', 'result.json')), r.output);
    const ready = await fetch(`http://127.0.0.1:${portEnv.PROMETHEUS_PORT}/-/ready`);
    assert.equal(ready.status, 200);
    const up = (await (await fetch(`http://127.0.0.1:${portEnv.PROMETHEUS_PORT}/api/v1/query?query=${encodeURIComponent('last_over_time(mcp_requests_total[10m])')}`)).json()) as { data: { result: unknown[] } };
    // The simulator has exited (its series are stale now), but what Prometheus scraped of the run is still there.
    assert.ok(up.data.result.length > 0, 'Prometheus still holds the run');
    assert.notDeepEqual(await leftovers(project), []);
    await composeDown(project);
    assert.deepEqual(await leftovers(project), []);
  });
});

/**
 * A load split across two jobs, put back together: two half-rate shards (run --shard 1/2 and 2/2,
 * at the same time, against one real server) merged by `report` give the percentiles of one
 * histogram holding every request of both — checked against a histogram built here from every
 * request line of both runs' full event logs — and about the requests of one run of the whole load.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import type { MergedLoad } from '../../src/report/merge.js';
import type { ScenarioResult } from '../../src/report/result.js';
import { startEverything, type TestServer } from '../helpers/servers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SCENARIO = join(ROOT, 'test', 'fixtures', 'scenarios-run', 'split-load.json');

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const resultOf = (out: string, slug: string) => JSON.parse(readFileSync(join(out, 'test-results', slug, 'result.json'), 'utf8')) as ScenarioResult;

/** Every probe call's latency from a run's full (gzipped) event log. */
function probeLatencies(out: string, result: ScenarioResult): number[] {
  const lines = gunzipSync(readFileSync(join(out, result.logs.events!))).toString('utf8').trim().split('\n');
  return lines.map((l) => JSON.parse(l) as { type: string; role?: string; outcome?: string; ms: number }).filter((e) => e.type === 'request' && e.role === 'probe' && e.outcome !== 'unavailable').map((e) => e.ms);
}

describe('two half-rate shards merged', { timeout: 240_000 }, () => {
  let server: TestServer;
  const base = mkdtempSync(join(tmpdir(), 'mcpr-shards-'));
  const outs = { one: join(base, 'shard1'), two: join(base, 'shard2'), whole: join(base, 'whole') };

  before(async () => {
    server = await startEverything('streamable-http');
    const url = server.endpoint.url!;
    const common = ['run', '--scenario', SCENARIO, '--target', url, '--duration', '8s', '--progress', 'none', '--no-summary', '--no-checks', '--log-requests', 'all'];
    const [a, b] = await Promise.all([cli([...common, '--shard', '1/2', '--out', outs.one]), cli([...common, '--shard', '2/2', '--out', outs.two])]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const whole = await cli([...common, '--out', outs.whole]);
    assert.equal(whole.code, 0, whole.stderr);
  });
  after(() => server?.stop());

  test('each shard ran its share: half the workers and the rate, its own seed of the family, its own file names', () => {
    const one = resultOf(outs.one, 'split-load.shard1of2');
    const two = resultOf(outs.two, 'split-load.shard2of2');
    assert.deepEqual(one.run.shard, { index: 1, count: 2, baseSeed: 1 });
    assert.deepEqual(two.run.shard, { index: 2, count: 2, baseSeed: 1 });
    assert.notEqual(one.run.seed, two.run.seed);
    // The request floor was halved for each: 40/s over 8 s → 160 each, not 320.
    for (const r of [one, two]) assert.equal(r.slos.find((s) => s.id === 'minRequestRate')?.limit, 160, JSON.stringify(r.slos));
    // Paced at 50/s each (the initialize and the pings besides).
    for (const r of [one, two]) assert.ok(r.latency['role:probe']!.count >= 300 && r.latency['role:probe']!.count <= 420, `${r.latency['role:probe']!.count} probe calls`);
  });

  test('report merges the histograms exactly: the percentiles of every request of both shards, the SLOs judged again', async () => {
    const jsonPath = join(base, 'merged.json');
    const mdPath = join(base, 'report.md');
    const r = await cli(['report', outs.one, outs.two, '--json', jsonPath, '--out', mdPath]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(readFileSync(jsonPath, 'utf8')) as { kind: string; merged: MergedLoad[] };
    assert.equal(doc.kind, 'mcp-reliability-merged-loads');
    assert.equal(doc.merged.length, 1);
    const m = doc.merged[0]!;
    const one = resultOf(outs.one, 'split-load.shard1of2');
    const two = resultOf(outs.two, 'split-load.shard2of2');
    assert.deepEqual([m.present, m.missing, m.verdict], [[1, 2], [], 'pass']);
    assert.equal(m.totals.requests, one.totals.requests + two.totals.requests);

    // The reference: one histogram fed with every probe latency from both full event logs.
    const all = [...probeLatencies(outs.one, one), ...probeLatencies(outs.two, two)];
    const reference = new LatencyHistogram();
    for (const ms of all) reference.record(ms);
    const expected = reference.toStats(0, 0);
    const merged = m.latency['role:probe']!;
    assert.equal(merged.count - (merged.unavailable ?? 0), all.length);
    for (const p of ['p50', 'p90', 'p95', 'p99', 'max', 'mean'] as const) assert.equal(merged[p], expected[p], `${p}: merged ${merged[p]}, every request ${expected[p]}`);

    const p99 = m.slos.find((s) => s.id === 'latency.role:probe.p99')!;
    assert.deepEqual([p99.measured, p99.passed, p99.note], [merged.p99, true, 'merged over 2 shard(s)']);
    const floor = m.slos.find((s) => s.id === 'minRequestRate')!;
    assert.deepEqual([floor.limit, floor.measured], [320, m.totals.requests]);

    const md = readFileSync(mdPath, 'utf8');
    assert.match(md, /^## MCP reliability: PASS/m);
    assert.match(md, /\| split-load +\| `resilient` +\| +2\/2 \|/);

    // Against one run of the whole load: about the same requests (the rate is paced), latency side by side.
    const whole = resultOf(outs.whole, 'split-load');
    const ratio = m.totals.requests / whole.totals.requests;
    assert.ok(ratio > 0.9 && ratio < 1.1, `merged ${m.totals.requests} vs one run ${whole.totals.requests}`);
    const w = whole.latency['role:probe']!;
    process.stderr.write(`merged 2×50/s: ${m.totals.requests} requests, p50 ${merged.p50} p95 ${merged.p95} p99 ${merged.p99} ms; one run at 100/s: ${whole.totals.requests} requests, p50 ${w.p50} p95 ${w.p95} p99 ${w.p99} ms\n`);
  });

  test('a missing shard: the load is not judged (verdict error, exit 3), the note says which', async () => {
    const jsonPath = join(base, 'half.json');
    const r = await cli(['report', outs.one, '--json', jsonPath]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /^## MCP reliability: \*\*ERROR\*\*/m);
    const m = (JSON.parse(readFileSync(jsonPath, 'utf8')) as { merged: MergedLoad[] }).merged[0]!;
    assert.deepEqual([m.present, m.missing, m.verdict], [[1], [2], 'error']);
    assert.match(m.notes.join('\n'), /shard\(s\) 2\/2 missing/);
  });

  test('report refuses what is not a result, naming the file and the pointer (exit 2)', async () => {
    const none = await cli(['report', join(base, 'nowhere')]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /nowhere: no such file or folder/);
    const notResult = await cli(['report', join(ROOT, 'package.json')]);
    assert.equal(notResult.code, 2);
    assert.match(notResult.stderr, /package\.json: not a valid mcp-reliability result at \//);
  });
});

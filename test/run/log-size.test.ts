/**
 * The event log's size follows the run's length in intervals, not its request count: a 5-minute
 * high-load run (five times the requests) writes no more than 1.2 × the 1-minute run's log, and the
 * sampled log still holds every request that failed (a blackhole makes the same failures in both).
 * The two runs go at the same time against their own servers (the embedded default), so the test
 * takes five minutes, not six.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScenarioResult } from '../../src/report/result.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SCENARIO = join(ROOT, 'test', 'fixtures', 'scenarios-run', 'log-load.json');

function run(duration: string, out: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const args = ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'run', '--scenario', SCENARIO, '--duration', duration, '--out', out, '--progress', 'none', '--no-summary', '--no-checks'];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

interface Line {
  type: string;
  outcome?: string;
  requests?: number;
  abandoned?: boolean;
  replayed?: boolean;
}

function read(out: string) {
  const result = JSON.parse(readFileSync(join(out, 'test-results', 'log-load', 'result.json'), 'utf8')) as ScenarioResult;
  const path = join(out, result.logs.events!);
  const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
  return { result, bytes: statSync(path).size, lines };
}

test('a 5-minute high-load run logs no more than 1.2 × the 1-minute run, and every failed request', { timeout: 480_000 }, async () => {
  const base = mkdtempSync(join(tmpdir(), 'mcpr-logsize-'));
  const [short, long] = await Promise.all([run('60s', join(base, 'short')), run('300s', join(base, 'long'))]);
  assert.equal(short.code, 0, short.stderr);
  assert.equal(long.code, 0, long.stderr);
  const a = read(join(base, 'short'));
  const b = read(join(base, 'long'));
  assert.ok(b.result.totals.requests >= 4 * a.result.totals.requests, `five times the requests: ${a.result.totals.requests} → ${b.result.totals.requests}`);
  const ratio = b.bytes / a.bytes;
  process.stderr.write(`event log: 1 min ${a.bytes} bytes for ${a.result.totals.requests} requests, 5 min ${b.bytes} bytes for ${b.result.totals.requests} requests: ${ratio.toFixed(3)} ×\n`);
  assert.ok(ratio <= 1.2, `5-min log ${b.bytes} bytes vs 1-min ${a.bytes}: ${ratio.toFixed(3)} ×`);

  for (const { result, lines } of [a, b]) {
    const failed = result.totals.requests - result.totals.ok;
    assert.ok(result.totals.timeouts >= 8, `the blackhole made the calls in flight time out: ${JSON.stringify(result.totals)}`);
    const logged = lines.filter((l) => l.type === 'request' && l.outcome !== 'ok');
    assert.equal(logged.length, failed, `every failed request is in the log (${JSON.stringify(result.totals)})`);
    assert.equal(lines.filter((l) => l.type === 'requests-interval').reduce((n, l) => n + (l.requests ?? 0), 0), result.totals.requests, 'the interval lines count every request');
    assert.equal(result.logs.requests?.requestsLogged, lines.filter((l) => l.type === 'request').length);
    assert.equal(result.faults.windows.length, 1, 'one blackhole');
    assert.ok((result.timeSeries?.points.length ?? 0) >= 110, `about 120 points: ${result.timeSeries?.points.length}`);
  }
});

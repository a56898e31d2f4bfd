import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { EventLog, SLOWEST_PER_INTERVAL } from '../../src/run/event-log.js';
import { intervalFor, TIMESERIES_POINTS, TimeSeriesRecorder } from '../../src/run/timeseries.js';
import type { RecordedEvent } from '../../src/run/recorder-types.js';
import type { RequestOutcome } from '../../src/session/types.js';

const T0 = Date.UTC(2026, 11, 2, 12, 0, 0);

test('the interval follows the duration: about 120 points for 20 s, 1 min, 5 min and 1 h', () => {
  assert.equal(intervalFor(20_000), 200);
  assert.equal(intervalFor(60_000), 500);
  assert.equal(intervalFor(300_000), 2500);
  assert.equal(intervalFor(3_600_000), 30_000);
  assert.equal(intervalFor(1_000), 100, 'at least 100 ms');
  for (const d of [20_000, 60_000, 300_000, 3_600_000]) assert.ok(Math.ceil(d / intervalFor(d)) <= TIMESERIES_POINTS);
});

test('time series: counts and percentiles per interval, holes filled with empty points, a fixed size past the cap', () => {
  const closed: number[] = [];
  const ts = new TimeSeriesRecorder(T0, 10_000, (p) => closed.push(p.offsetMs));
  assert.equal(ts.intervalMs, 100);
  // Interval 0: 98 fast ok, one error, one slow timeout; interval 3: one unavailable only.
  for (let i = 0; i < 98; i++) ts.record(T0 + i, 10, 'ok');
  ts.record(T0 + 98, 20, 'error');
  ts.record(T0 + 99, 1000, 'timeout');
  ts.record(T0 + 350, 0, 'unavailable');
  ts.record(T0 + 420, 30, 'tool-error');
  const s = ts.summary();
  assert.deepEqual(s.points.map((p) => p.offsetMs), [0, 100, 200, 300, 400]);
  assert.deepEqual(closed, [0, 100, 200, 300, 400]);
  const [first, gap, , outage, last] = s.points;
  assert.deepEqual({ ...first }, { offsetMs: 0, requests: 100, ok: 98, errors: 1, timeouts: 1, toolErrors: 0, unavailable: 0, availabilityPercent: 98, p50: 10, p95: 10, p99: 20, max: 1000 });
  assert.deepEqual({ requests: gap!.requests, availabilityPercent: gap!.availabilityPercent, p95: gap!.p95 }, { requests: 0, availabilityPercent: null, p95: 0 });
  assert.deepEqual({ requests: outage!.requests, unavailable: outage!.unavailable, availabilityPercent: outage!.availabilityPercent, max: outage!.max }, { requests: 1, unavailable: 1, availabilityPercent: 0, max: 0 });
  assert.deepEqual({ toolErrors: last!.toolErrors, availabilityPercent: last!.availabilityPercent, p50: last!.p50 }, { toolErrors: 1, availabilityPercent: 100, p50: 30 });

  const long = new TimeSeriesRecorder(T0, 10_000);
  for (let i = 0; i < 1000; i++) long.record(T0 + i * 100, 5, 'ok'); // runs 10× past its duration
  const capped = long.summary();
  assert.equal(capped.points.length, 160);
  assert.equal(capped.omittedPoints, 840);
});

function request(at: number, ms: number, outcome: RequestOutcome, extra: Partial<Extract<RecordedEvent, { type: 'request' }>> = {}): RecordedEvent {
  return { type: 'request', at, method: 'tools/call', tool: 'echo', ms, outcome, ...extra };
}

/** Drive an event log the way the runner does: each event to the log, each request to the series. */
function drive(mode: 'sampled' | 'all', events: RecordedEvent[]) {
  const dir = mkdtempSync(join(tmpdir(), 'mcpr-eventlog-'));
  const log = new EventLog(join(dir, 'events.ndjson'), mode, (t) => t.replaceAll('s3cret', '***'), T0, 100);
  const ts = new TimeSeriesRecorder(T0, 10_000, (p) => log.interval(p));
  for (const e of events) {
    log.write(e);
    if (e.type === 'request') ts.record(e.at, e.ms, e.outcome);
  }
  ts.flush();
  return { log, dir };
}

test('sampled: every request that did not simply succeed in full, the slowest five successes per interval, one interval line each', async () => {
  const events: RecordedEvent[] = [{ type: 'connected', at: T0, session: 0 } as RecordedEvent];
  // Two intervals of 200 successes each (latency i % 50 ms), plus failures of every kind.
  for (let k = 0; k < 2; k++) for (let i = 0; i < 200; i++) events.push(request(T0 + k * 100 + i / 4, (i * 7) % 50, 'ok'));
  events.push(request(T0 + 150, 3, 'error', { error: 'boom s3cret' }), request(T0 + 151, 5000, 'timeout', { abandoned: true }), request(T0 + 152, 0, 'unavailable'), request(T0 + 153, 4, 'tool-error'));
  events.push(request(T0 + 154, 2, 'ok', { replayed: true }));
  events.sort((a, b) => a.at - b.at);
  const { log, dir } = drive('sampled', events);
  const stats = await log.end();
  const lines = readFileSync(join(dir, 'events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const requests = lines.filter((l) => l.type === 'request');
  const intervals = lines.filter((l) => l.type === 'requests-interval');
  assert.equal(lines.filter((l) => l.type === 'connected').length, 1, 'other events in full');
  assert.deepEqual(intervals.map((l) => [l.offsetMs, l.requests, l.intervalMs]), [[0, 200, 100], [100, 205, 100]]);
  const failed = requests.filter((l) => l.outcome !== 'ok' || l.replayed);
  assert.deepEqual(failed.map((l) => l.outcome).sort(), ['error', 'ok', 'timeout', 'tool-error', 'unavailable']);
  assert.equal(failed.find((l) => l.outcome === 'error')?.error, 'boom ***', 'redacted');
  const slowest = requests.filter((l) => l.outcome === 'ok' && !l.replayed);
  assert.equal(slowest.length, 2 * SLOWEST_PER_INTERVAL);
  assert.ok(slowest.every((l) => (l.ms as number) >= 45), `the slowest: ${slowest.map((l) => l.ms).join(',')}`);
  assert.deepEqual(stats, { mode: 'sampled', requestsLogged: requests.length, requests: 405, slowestPerInterval: SLOWEST_PER_INTERVAL, bytes: statSync(join(dir, 'events.ndjson')).size });
});

test('all: every request, gzipped to events.ndjson.gz, no interval lines', async () => {
  const events: RecordedEvent[] = [];
  for (let i = 0; i < 500; i++) events.push(request(T0 + i, 1 + (i % 9), i % 100 === 0 ? 'error' : 'ok'));
  const { log, dir } = drive('all', events);
  assert.equal(log.path, join(dir, 'events.ndjson.gz'));
  const stats = await log.end();
  const lines = gunzipSync(readFileSync(log.path)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
  assert.equal(lines.length, 500);
  assert.ok(lines.every((l) => l.type === 'request'));
  assert.equal(stats.requestsLogged, 500);
  assert.equal(stats.bytes, statSync(log.path).size, 'the size on disk');
});

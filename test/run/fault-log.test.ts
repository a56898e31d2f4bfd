/** Fault windows in the Recorder: MTTD and MTTR as defined, before/during/after phases, metrics, bounded memory. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createMetrics } from '../../src/metrics/index.js';
import { Recorder, type RecordedEvent } from '../../src/run/recorder.js';
import { MAX_PHASED_WINDOWS } from '../../src/run/fault-log.js';
import { parseExposition, sampleValue } from '../metrics/exposition.js';
import { buildFaultSample, F0 } from '../report/fault-sample.js';

test('each window: kind, source, offsets, held, how it ended', () => {
  const { windows, total, byKind, noticed, recovered, skipped, proxy } = buildFaultSample().result.faults;
  assert.equal(total, 4);
  assert.deepEqual(byKind, { latency: 1, pause: 1, kill: 1, blackhole: 1 });
  assert.deepEqual(
    windows.map((w) => [w.index, w.kind, w.family, w.source, w.startOffsetMs, w.heldMs, w.endedBy]),
    [
      [1, 'latency', 'network', '/steps/3', 2000, 2000, 'lifted'],
      [2, 'pause', 'process', '/steps/5', 6000, 1000, 'lifted'],
      [3, 'kill', 'process', '/steps/7/faults/1', 8500, 500, 'restarted'],
      [4, 'blackhole', 'network', '/steps/9', 12_000, 8000, 'run-end'],
    ],
  );
  assert.equal(windows[0]?.id, 'lat');
  assert.equal(windows[0]?.startedAt, '2026-02-01T10:00:02.000Z');
  assert.deepEqual([noticed, recovered], [2, 2]);
  assert.deepEqual(skipped, [{ source: '/steps/11', kind: 'idle-cut', reason: 'target x uses stdio' }]);
  assert.deepEqual(proxy, { listen: '127.0.0.1:4000', upstream: '127.0.0.1:3000' });
});

test('MTTD: the first failure in flight during the fault (a ping timeout), or an unexpected disconnection; null when never', () => {
  const w = buildFaultSample().result.faults.windows;
  assert.deepEqual([w[0]?.mttdMs, w[0]?.detectedBy], [null, null], 'latency: nothing failed');
  assert.deepEqual([w[1]?.mttdMs, w[1]?.detectedBy], [800, 'ping timeout'], 'pause: the ping sent at +5.8 s timed out at +6.8 s');
  assert.deepEqual([w[2]?.mttdMs, w[2]?.detectedBy], [10, 'tools/call error'], 'kill: the request sent at +8.5 s failed 10 ms later');
  assert.equal(w[3]?.mttdMs, null, 'blackhole: no traffic, never noticed');
});

test('MTTR: from the end to the first successful request completing after it; null when none, or when the run ended it', () => {
  const w = buildFaultSample().result.faults.windows;
  // latency ends at +4 s; the request sent at +3.9 s completes at +4.01 s (110 ms).
  assert.equal(w[0]?.mttrMs, 10);
  // pause ends at +7 s; the requests held by it complete 5 ms later.
  assert.equal(w[1]?.mttrMs, 5);
  assert.equal(w[2]?.mttrMs, null, 'kill: every request after the restart failed');
  assert.equal(w[3]?.mttrMs, null, 'blackhole: ended by the end of the run');
});

test('phases: before since the previous boundary, during the window, after until the next fault start; by the time a request was sent', () => {
  const [latency, pause] = buildFaultSample().result.faults.windows;
  const near = (value: number | undefined, expected: number) => assert.ok(Math.abs((value ?? Number.NaN) - expected) <= expected * 0.01, `${value} ≈ ${expected} (2 significant digits)`);
  const { before, during, after } = latency!.phases!;
  assert.deepEqual([before.durationMs, before.requests, before.errors, before.timeouts, before.unavailable], [2000, 20, 0, 0, 0]);
  near(before.p50, 10);
  near(before.p99, 10);
  assert.deepEqual([during.durationMs, during.requests], [2000, 20]);
  near(during.p50, 110);
  near(during.p95, 110);
  // After: until the pause started, with the ping sent at +5.8 s that timed out (1000 ms) as the slowest.
  assert.deepEqual([after.durationMs, after.requests, after.timeouts], [2000, 21, 1]);
  near(after.p50, 10);
  near(after.p99, 1000);
  // The after of one fault is the before of the next.
  assert.deepEqual(pause?.phases?.before, after);
  assert.equal(pause?.phases?.during.requests, 10);
  assert.ok((pause?.phases?.during.p50 ?? 0) >= 500, 'requests held by the pause take until its end');
});

test('metrics: mcp_faults_total{kind}, mcp_fault_active{kind} back to 0, mcp_fault_mttr_seconds observed per recovery', async () => {
  const exposition = parseExposition(await buildFaultSample().metrics.registry.metrics());
  assert.equal(sampleValue(exposition, 'mcp_faults_total', { kind: 'pause' }), 1);
  for (const kind of ['latency', 'pause', 'kill', 'blackhole']) assert.equal(sampleValue(exposition, 'mcp_fault_active', { kind }), 0, kind);
  assert.equal(sampleValue(exposition, 'mcp_fault_mttr_seconds_count', { kind: 'pause' }), 1);
  assert.equal(sampleValue(exposition, 'mcp_fault_mttr_seconds_bucket', { kind: 'pause', le: '0.01' }), 1);
  assert.equal(exposition.types.get('mcp_fault_active'), 'gauge');
});

test('promtool check metrics accepts the exposition with the fault metrics', async (t) => {
  if (spawnSync('promtool', ['--version']).error) {
    t.skip('promtool not installed: apt-get install prometheus');
    return;
  }
  const text = await buildFaultSample().metrics.registry.metrics();
  assert.match(text, /^# TYPE mcp_fault_mttr_seconds histogram$/m);
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  assert.equal(`${check.stdout}${check.stderr}`.trim(), '', 'promtool printed lint findings');
});

test('while a fault is active its gauge is 1', async () => {
  const metrics = createMetrics({ scenario: 's', target: 't' });
  const recorder = new Recorder({ metrics, now: () => F0 });
  recorder.onEvent({ type: 'fault-started', at: F0, window: 1, kind: 'pause', family: 'process', description: 'p', source: '/steps/1' });
  assert.equal(sampleValue(parseExposition(await metrics.registry.metrics()), 'mcp_fault_active', { kind: 'pause' }), 1);
});

test('constant memory: the first 100 windows carry phases, later ones only their numbers; the count goes on', () => {
  const events: RecordedEvent[] = [];
  for (let i = 0; i < 130; i++) {
    const t = F0 + i * 1000;
    events.push(
      { type: 'fault-started', at: t, window: i + 1, kind: 'reset', family: 'network', description: 'reset', source: '/steps/2/faults/0' },
      { type: 'request', at: t + 10, method: 'ping', ms: 5, outcome: 'ok' },
      { type: 'fault-ended', at: t + 100, window: i + 1, kind: 'reset', endedBy: 'lifted' },
      { type: 'request', at: t + 150, method: 'ping', ms: 5, outcome: 'ok' },
    );
  }
  const { result } = buildFaultSampleFrom(events);
  assert.equal(result.faults.total, 130);
  assert.equal(result.faults.windows.length, 130);
  assert.equal(result.faults.windows.filter((w) => w.phases !== null).length, MAX_PHASED_WINDOWS);
  assert.ok(result.faults.windows.every((w) => w.mttrMs === 50));
});

function buildFaultSampleFrom(events: RecordedEvent[]) {
  return buildFaultSample({ minRequests: 1 }, events);
}

test('a symptom after the next fault started is that fault\'s, even within the grace after the first one ended', () => {
  const t = (ms: number) => F0 + ms;
  const events: RecordedEvent[] = [
    { type: 'fault-started', at: t(0), window: 1, kind: 'loss', family: 'network', description: 'loss', source: '/steps/1' },
    { type: 'fault-ended', at: t(1000), window: 1, kind: 'loss', endedBy: 'lifted' },
    { type: 'fault-started', at: t(1200), window: 2, kind: 'reset', family: 'network', description: 'reset', source: '/steps/2' },
    { type: 'disconnected', at: t(1201), reason: 'transport-closed', detail: 'reset', expected: false },
    { type: 'fault-ended', at: t(1202), window: 2, kind: 'reset', endedBy: 'lifted' },
    { type: 'request', at: t(1500), method: 'ping', ms: 5, outcome: 'ok' },
  ];
  const [loss, reset] = buildFaultSample({ minRequests: 1 }, events).result.faults.windows;
  assert.equal(loss?.mttdMs, null, 'the disconnection came 201 ms after the loss ended (within its 1 s grace), but after the reset started');
  assert.deepEqual([reset?.mttdMs, reset?.detectedBy], [1, 'disconnected: transport-closed']);
});

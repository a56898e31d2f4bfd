import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../../src/metrics/index.js';
import { Recorder } from '../../src/run/recorder.js';
import { MAX_RECORDS, MAX_SAMPLE_CHARS, truncateSample } from '../../src/run/stats.js';
import { buildSampleResult, T0 } from '../report/sample-result.js';
import { parseExposition, sampleValue } from '../metrics/exposition.js';

const close = (actual: number, expected: number, relative = 0.001) =>
  assert.ok(Math.abs(actual - expected) <= Math.abs(expected) * relative, `${actual} ≈ ${expected}`);

test('totals, availability and error rate over every request (pings and unavailable included)', () => {
  const { result } = buildSampleResult();
  assert.deepEqual(result.totals, { requests: 14, ok: 10, errors: 1, timeouts: 1, unavailable: 2, toolErrors: 0, availabilityPercent: 71.4286, errorRatePercent: 14.2857, toolErrorRatePercent: 0 });
});

test('latency per method, tool and role; unavailable requests carry no sample', () => {
  const { latency, handshake } = buildSampleResult().result;
  assert.deepEqual(Object.keys(latency), ['ping', 'role:probe', 'tool:echo', 'tools/call']);
  const call = latency['tools/call'];
  assert.ok(call);
  assert.equal(call.count, 12);
  assert.equal(call.unavailable, 2);
  assert.equal(call.errors, 1);
  assert.equal(call.timeouts, 1);
  close(call.max, 5000);
  const probe = latency['role:probe'];
  assert.ok(probe);
  assert.equal(probe.count, 8);
  close(probe.p50, 12);
  close(probe.max, 40);
  assert.equal(latency['tool:echo']?.count, 12);
  assert.equal(latency.ping?.count, 2);
  assert.equal(handshake?.count, 3);
  close(handshake?.max ?? 0, 80);
});

test('connections, disconnection records with recovery matched per session, reconnects', () => {
  const { connections, disconnections, reconnects, target } = buildSampleResult().result;
  assert.deepEqual(connections, { attempts: 4, succeeded: 3, failed: 1 });
  assert.equal(disconnections.total, 3);
  assert.equal(disconnections.unexpected, 2);
  assert.deepEqual(disconnections.byReason, { 'transport-closed': 1, 'ping-timeout': 1, 'client-disconnect': 1 });
  assert.deepEqual(disconnections.records, [
    { at: new Date(T0 + 1000).toISOString(), reason: 'transport-closed', detail: 'socket hang up', expected: false, recoveredAfterMs: 1500, attempts: 2, recoveredBy: 'client' },
    { at: new Date(T0 + 3000).toISOString(), reason: 'ping-timeout', detail: 'no pong in 5000 ms', expected: false, recoveredAfterMs: null, attempts: 1 },
    { at: new Date(T0 + 4000).toISOString(), reason: 'client-disconnect', detail: 'scenario step', expected: true, recoveredAfterMs: null, attempts: 0 },
  ]);
  assert.equal(reconnects.attempts, 3);
  assert.equal(reconnects.recovered, 1);
  assert.equal(reconnects.gaveUp, 1);
  close(reconnects.timeToRecoverMs?.max ?? 0, 1500);
  assert.deepEqual(target, { name: 'everything', transport: 'streamable-http', source: 'targets/everything.json', serverName: 'everything', serverVersion: '1.2.3', protocolVersion: '2025-06-18' });
});

test('a recovered event closes the oldest open disconnection of its own session', () => {
  const recorder = new Recorder({ metrics: createMetrics({ scenario: 's', target: 't' }), now: () => T0 });
  const connected = { type: 'connected', at: T0, handshakeMs: 5, protocolVersion: 'v', serverName: 'n', serverVersion: '1', reconnect: false } as const;
  recorder.onEvent({ ...connected, session: 1 });
  recorder.onEvent({ ...connected, session: 2 });
  recorder.onEvent({ type: 'disconnected', at: T0 + 10, reason: 'transport-closed', detail: 'a', expected: false, session: 1 });
  recorder.onEvent({ type: 'disconnected', at: T0 + 20, reason: 'process-exit', detail: 'b', expected: false, session: 2 });
  recorder.onEvent({ type: 'disconnected', at: T0 + 30, reason: 'ping-timeout', detail: 'c', expected: false, session: 1 });
  recorder.onEvent({ type: 'recovered', at: T0 + 40, afterMs: 111, attempts: 1, reason: 'process-exit', session: 2 });
  recorder.onEvent({ type: 'recovered', at: T0 + 50, afterMs: 222, attempts: 3, reason: 'transport-closed', session: 1 });
  const result = recorder.buildResult(meta());
  assert.deepEqual(result.disconnections.records.map((r) => [r.detail, r.recoveredAfterMs, r.attempts]), [['a', 222, 3], ['b', 111, 1], ['c', null, 0]]);
});

test('a scripted disconnect + reconnect does not absorb the recovery of a later unexpected disconnect', () => {
  const recorder = new Recorder({ metrics: createMetrics({ scenario: 's', target: 't' }), now: () => T0 });
  const connected = { type: 'connected', at: T0, handshakeMs: 5, protocolVersion: 'v', serverName: 'n', serverVersion: '1' } as const;
  recorder.onEvent({ ...connected, reconnect: false });
  recorder.onEvent({ type: 'disconnected', at: T0 + 10, reason: 'client-disconnect', detail: 'step', expected: true });
  recorder.onEvent({ ...connected, at: T0 + 20, reconnect: true });
  recorder.onEvent({ type: 'disconnected', at: T0 + 30, reason: 'transport-closed', detail: 'killed', expected: false });
  recorder.onEvent({ type: 'recovered', at: T0 + 90, afterMs: 60, attempts: 1, reason: 'transport-closed' });
  const result = recorder.buildResult(meta());
  assert.deepEqual(result.disconnections.records.map((r) => [r.reason, r.recoveredAfterMs]), [['client-disconnect', null], ['transport-closed', 60]]);
  assert.equal(result.reconnects.timeToRecoverMs?.count, 1);
});

test("recovering from the scenario's own graceful disconnect is recorded but kept out of time-to-recover", async () => {
  const metrics = createMetrics({ scenario: 's', target: 't' });
  const recorder = new Recorder({ metrics, now: () => T0 });
  const connected = { type: 'connected', at: T0, handshakeMs: 5, protocolVersion: 'v', serverName: 'n', serverVersion: '1' } as const;
  recorder.onEvent({ ...connected, reconnect: false });
  recorder.onEvent({ type: 'disconnected', at: T0 + 10, reason: 'client-disconnect', detail: 'step', expected: true });
  recorder.onEvent({ ...connected, at: T0 + 5000, reconnect: true });
  recorder.onEvent({ type: 'recovered', at: T0 + 5010, afterMs: 5000, attempts: 1, reason: 'client-disconnect' });
  const result = recorder.buildResult(meta());
  assert.equal(result.disconnections.records[0]?.recoveredAfterMs, 5000);
  assert.equal(result.reconnects.recovered, 1);
  assert.equal(result.reconnects.timeToRecoverMs, null);
  assert.equal(sampleValue(parseExposition(await metrics.registry.metrics()), 'mcp_recovery_seconds_count'), 0);
});

test('disconnection records are capped; the totals keep counting', () => {
  const recorder = new Recorder({ metrics: createMetrics({ scenario: 's', target: 't' }), now: () => T0 });
  for (let i = 0; i < MAX_RECORDS + 5; i++) recorder.onEvent({ type: 'disconnected', at: T0 + i, reason: 'transport-closed', detail: `#${i}`, expected: false });
  const result = recorder.buildResult({ ...meta(), expect: { recoverWithinSeconds: 1 } });
  assert.equal(result.disconnections.total, MAX_RECORDS + 5);
  assert.equal(result.disconnections.records.length, MAX_RECORDS);
  assert.equal(result.disconnections.omittedRecords, 5);
  assert.match(result.slos[0]?.note ?? '', /first 1000 disconnections checked; 5 more were not recorded/);
});

test('tool list: initial, final and drift', () => {
  const { tools } = buildSampleResult().result;
  assert.deepEqual(tools.initial, ['add', 'echo', 'get-sum']);
  assert.deepEqual(tools.final, ['echo', 'get-sum']);
  assert.deepEqual(tools.drift, [{ at: new Date(T0 + 2510).toISOString(), added: [], removed: ['add'] }]);
});

test('state checks and violation samples (capped at 5 per kind, truncated to 200 characters)', () => {
  const { stateChecks, violations } = buildSampleResult().result;
  assert.deepEqual(stateChecks, { passed: 1, failed: 1, details: ['expected 42, got undefined'] });
  assert.equal(violations.length, 2);
  const [stdout, lost] = violations;
  assert.equal(stdout?.kind, 'stdout-non-json');
  assert.equal(stdout?.count, 6);
  assert.equal(stdout?.samples.length, 5);
  assert.equal(stdout?.samples[0], 'log 0 | with `tick` and <b>html</b> & more');
  assert.equal(lost?.kind, 'session-lost-400');
  assert.equal(Array.from(lost?.samples[0] ?? '').length, MAX_SAMPLE_CHARS);
  assert.ok(lost?.samples[0]?.endsWith('…'));
  assert.equal(truncateSample('short'), 'short');
  assert.equal(Array.from(truncateSample('😀'.repeat(300))).length, MAX_SAMPLE_CHARS);
});

test('memory: start, peak, end and least-squares growth per minute and per 1000 requests', () => {
  const { memory } = buildSampleResult().result;
  const MiB = 1024 * 1024;
  assert.deepEqual(memory, { samples: 5, startRssBytes: 100 * MiB, peakRssBytes: 104 * MiB, endRssBytes: 104 * MiB, growthBytesPerMinute: 2 * MiB, growthBytesPer1000Requests: 2 * MiB });
});

test('run metadata, verdict from the SLOs, and the error verdict', () => {
  const { result } = buildSampleResult();
  assert.equal(result.run.startedAt, new Date(T0).toISOString());
  assert.equal(result.run.endedAt, new Date(T0 + 120_000).toISOString());
  assert.equal(result.run.durationMs, 120_000);
  assert.equal(result.verdict, 'fail');
  assert.ok(result.slos.length > 0);
  const errored = buildSampleResult(undefined, 'proxy failed to start').result;
  assert.equal(errored.verdict, 'error');
  assert.equal(errored.error, 'proxy failed to start');
});

test('metrics follow the events', async () => {
  const { metrics } = buildSampleResult();
  const exposition = parseExposition(await metrics.registry.metrics());
  const v = (name: string, labels: Record<string, string> = {}) => sampleValue(exposition, name, labels);
  assert.equal(v('mcp_connections_total', { status: 'success' }), 3);
  assert.equal(v('mcp_connections_total', { status: 'failure' }), 1);
  assert.equal(v('mcp_disconnections_total', { reason: 'ping-timeout' }), 1);
  assert.equal(v('mcp_reconnect_attempts_total'), 3);
  assert.equal(v('mcp_requests_total', { method: 'tools/call', status: 'unavailable' }), 2);
  assert.equal(v('mcp_requests_total', { method: 'tools/call', status: 'ok' }), 8);
  assert.equal(v('mcp_request_duration_seconds_count', { method: 'tools/call' }), 10);
  assert.equal(v('mcp_session_duration_seconds_count'), 3);
  close(v('mcp_session_duration_seconds_sum'), 0.95 + 1.6 + 0.05);
  assert.equal(v('mcp_protocol_violations_total', { kind: 'stdout-non-json' }), 6);
  assert.equal(v('mcp_tool_drift_events_total', { change: 'removed' }), 1);
  assert.equal(v('mcp_recovery_seconds_count'), 1);
  assert.equal(v('mcp_handshake_duration_seconds_count'), 3);
  assert.equal(v('mcp_tools_available'), 2);
  close(v('mcp_availability_ratio'), 10 / 14);
  assert.equal(v('mcp_server_rss_bytes'), 104 * 1024 * 1024);
  assert.equal(v('mcp_session_up'), 0);
  assert.equal(v('mcp_health_check_failures_total'), 0);
});

test('snapshot and session_up follow the session live', async () => {
  let clock = T0;
  const metrics = createMetrics({ scenario: 's', target: 't' });
  const recorder = new Recorder({ metrics, now: () => clock });
  const up = async () => sampleValue(parseExposition(await metrics.registry.metrics()), 'mcp_session_up');
  recorder.onEvent({ type: 'connected', at: T0, handshakeMs: 5, protocolVersion: 'v', serverName: 'n', serverVersion: '1', reconnect: false });
  assert.equal(await up(), 1);
  recorder.onEvent({ type: 'request', at: T0, method: 'ping', ms: 3, outcome: 'timeout' });
  recorder.onEvent({ type: 'disconnected', at: T0, reason: 'ping-timeout', detail: '', expected: false });
  assert.equal(await up(), 0);
  recorder.onEvent({ type: 'reconnecting', at: T0, attempt: 1, delayMs: 10 });
  recorder.onEvent({ type: 'connected', at: T0, handshakeMs: 5, protocolVersion: 'v', serverName: 'n', serverVersion: '1', reconnect: true });
  recorder.onEvent({ type: 'recovered', at: T0, afterMs: 20, attempts: 1, reason: 'ping-timeout' });
  recorder.onEvent({ type: 'request', at: T0, method: 'tools/call', ms: 3, outcome: 'ok' });
  assert.equal(await up(), 1);
  clock = T0 + 5000;
  assert.deepEqual(recorder.snapshot(), { elapsedMs: 5000, requests: 2, errors: 1, availabilityPercent: 50, reconnectAttempts: 1, disconnections: 1, sessionUp: true });
  assert.equal(sampleValue(parseExposition(await metrics.registry.metrics()), 'mcp_health_check_failures_total'), 1);
  recorder.finish();
  assert.equal(await up(), 0);
  assert.equal(recorder.snapshot().sessionUp, false);
});

test('no requests: availability and error rate are null, not 100 %', () => {
  const recorder = new Recorder({ metrics: createMetrics({ scenario: 's', target: 't' }), now: () => T0 });
  const result = recorder.buildResult(meta());
  assert.equal(result.totals.availabilityPercent, null);
  assert.equal(result.totals.errorRatePercent, null);
  assert.equal(result.handshake, null);
  assert.equal(result.memory, null);
  assert.equal(result.verdict, 'fail');
});

function meta() {
  return {
    scenario: { name: 's', description: '', source: '<inline>' },
    target: { name: 't', transport: 'stdio', source: '<inline>' },
    client: { profile: 'p', description: '', assumptions: [] },
    expect: { availability: 99 },
    requestedDurationMs: 1000,
    seed: 1,
    toolVersion: '0.0.0',
  };
}

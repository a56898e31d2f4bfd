import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateSlos, verdictOf } from '../../src/run/slo.js';
import type { ScenarioResult, SloResult } from '../../src/report/result.js';
import { buildSampleResult } from '../report/sample-result.js';

const sample = (): ScenarioResult => buildSampleResult().result;
const byId = (slos: SloResult[], id: string): SloResult => {
  const found = slos.find((s) => s.id === id);
  assert.ok(found, `no SLO ${id} in ${slos.map((s) => s.id).join(', ')}`);
  return found;
};

test('one SloResult per limit, in the order of expect', () => {
  const slos = sample().slos;
  assert.deepEqual(slos.map((s) => s.id), [
    'availability',
    'errorRate',
    'latency.tools/call.p50',
    'latency.tools/call.p95',
    'latency.role:probe.p99',
    'latency.tool:missing.p95',
    'recoverWithinSeconds',
    'toolListStable',
    'stateVerified',
    'maxProtocolViolations',
    'maxUnexpectedDisconnections',
    'minRequests',
    'maxMemoryGrowthMiBPerMinute',
  ]);
});

test('pass and fail with measured value, limit, comparator and unit', () => {
  const slos = sample().slos;
  assert.deepEqual(byId(slos, 'availability'), { id: 'availability', description: byId(slos, 'availability').description, measured: 71.4286, limit: 60, comparator: '>=', unit: '%', passed: true });
  const errorRate = byId(slos, 'errorRate');
  assert.equal(errorRate.measured, 14.2857);
  assert.equal(errorRate.passed, false);
  assert.equal(byId(slos, 'latency.tools/call.p95').passed, true);
  const p99 = byId(slos, 'latency.role:probe.p99');
  assert.equal(p99.passed, false);
  assert.equal(p99.unit, 'ms');
  assert.equal(p99.comparator, '<=');
  assert.ok(typeof p99.measured === 'number' && p99.measured > 39);
  const memory = byId(slos, 'maxMemoryGrowthMiBPerMinute');
  assert.equal(memory.measured, 2);
  assert.equal(memory.passed, true);
  assert.equal(byId(slos, 'minRequests').measured, 14);
  // 6 error findings; the 7th, an older protocol version, is info and not counted by a plain number.
  assert.equal(byId(slos, 'maxProtocolViolations').measured, 6);
  assert.equal(byId(slos, 'maxUnexpectedDisconnections').measured, 2);
});

test('no data is a failure with a note, never a silent pass', () => {
  const slos = sample().slos;
  const missing = byId(slos, 'latency.tool:missing.p95');
  assert.equal(missing.passed, false);
  assert.equal(missing.measured, null);
  assert.equal(missing.note, 'no calls to tool missing were made');

  const empty = buildSampleResult({ availability: 1 }).result;
  const noCalls = evaluateSlos({ latency: { 'tools/list': { p95: 100 } } }, empty);
  assert.deepEqual(noCalls.map((s) => [s.passed, s.note]), [[false, 'no tools/list requests were made']]);

  const noRequests = { ...empty, totals: { requests: 0, ok: 0, errors: 0, timeouts: 0, unavailable: 0, availabilityPercent: null, errorRatePercent: null } };
  const availability = evaluateSlos({ availability: 99 }, noRequests);
  assert.equal(availability[0]?.passed, false);
  assert.equal(availability[0]?.note, 'no requests were made');

  const noMemory = evaluateSlos({ maxMemoryGrowthMiBPerMinute: 1 }, { ...empty, memory: null });
  assert.equal(noMemory[0]?.passed, false);
  assert.match(noMemory[0]?.note ?? '', /no server memory samples/);

  const noState = evaluateSlos({ stateVerified: true }, { ...empty, stateChecks: { passed: 0, failed: 0, details: [] } });
  assert.deepEqual([noState[0]?.passed, noState[0]?.note], [false, 'no verify-state step ran']);

  const nothing = evaluateSlos({}, empty);
  assert.equal(nothing.length, 1);
  assert.equal(nothing[0]?.passed, false);
  assert.equal(verdictOf(nothing), 'fail');
});

test('all requests unavailable: latency is not measured and the SLO fails', () => {
  const result = sample();
  const onlyUnavailable = { ...result, latency: { 'tools/call': { count: 3, errors: 0, timeouts: 0, unavailable: 3, p50: 0, p90: 0, p95: 0, p99: 0, max: 0, mean: 0 } } };
  const [slo] = evaluateSlos({ latency: { 'tools/call': { p99: 100 } } }, onlyUnavailable);
  assert.equal(slo?.passed, false);
  assert.equal(slo?.measured, null);
  assert.match(slo?.note ?? '', /all 3 tools\/call requests were unavailable/);
});

test('recoverWithinSeconds names the disconnection that never recovered', () => {
  const recover = byId(sample().slos, 'recoverWithinSeconds');
  assert.equal(recover.passed, false);
  assert.equal(recover.measured, 1.5);
  assert.match(recover.note ?? '', /1 of 2 disconnections never recovered by the client: ping-timeout at 2025-01-02T03:04:08.000Z \(1 reconnect attempt\)/);
});

test('recoverWithinSeconds: graceful client disconnects do not count; slow recovery fails; none passes with a note', () => {
  const result = sample();
  const records = result.disconnections.records;
  const recovered = { ...result, disconnections: { ...result.disconnections, records: records.filter((r) => r.reason !== 'ping-timeout') } };
  assert.equal(evaluateSlos({ recoverWithinSeconds: 2 }, recovered)[0]?.passed, true);
  const slow = evaluateSlos({ recoverWithinSeconds: 1 }, recovered)[0];
  assert.equal(slow?.passed, false);
  assert.match(slow?.note ?? '', /1 of 1 recoveries were too slow/);
  const graceful = { ...result, disconnections: { ...result.disconnections, records: records.filter((r) => r.reason === 'client-disconnect') } };
  const none = evaluateSlos({ recoverWithinSeconds: 1 }, graceful)[0];
  assert.deepEqual([none?.passed, none?.measured, none?.note], [true, null, 'no disconnections to recover from']);
});

test('toolListStable and stateVerified report what changed / what failed', () => {
  const slos = sample().slos;
  const tools = byId(slos, 'toolListStable');
  assert.deepEqual([tools.passed, tools.measured, tools.limit, tools.comparator], [false, false, true, '==']);
  assert.match(tools.note ?? '', /removed add/);
  const state = byId(slos, 'stateVerified');
  assert.equal(state.passed, false);
  assert.match(state.note ?? '', /1 of 2 state checks failed; first: expected 42, got undefined/);
});

test('verdictOf: pass only when every SLO passed', () => {
  const ok: SloResult = { id: 'a', description: '', measured: 1, limit: 1, comparator: '<=', unit: '', passed: true };
  assert.equal(verdictOf([ok, ok]), 'pass');
  assert.equal(verdictOf([ok, { ...ok, passed: false }]), 'fail');
  assert.equal(verdictOf([]), 'fail');
  assert.equal(buildSampleResult({ availability: 50, minRequests: 1 }).result.verdict, 'pass');
});

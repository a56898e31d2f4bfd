/** faultRecoverWithinSeconds and faultDetectWithinSeconds on a scripted run: failures name the fault; what cannot be judged is noted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateSlos } from '../../src/run/slo.js';
import type { ScenarioResult, SloResult } from '../../src/report/result.js';
import { buildFaultSample } from '../report/fault-sample.js';

const byId = (slos: SloResult[], id: string): SloResult => {
  const found = slos.find((s) => s.id === id);
  assert.ok(found, id);
  return found;
};

test('faultRecoverWithinSeconds: worst MTTR measured; a fault never recovered from fails by name; one ended by the run is not judged', () => {
  const slo = byId(buildFaultSample().result.slos, 'faultRecoverWithinSeconds');
  assert.equal(slo.passed, false);
  assert.equal(slo.measured, 0.01, 'worst of 10 ms (latency) and 5 ms (pause)');
  assert.deepEqual([slo.limit, slo.comparator, slo.unit], [5, '<=', 's']);
  assert.equal(
    slo.note,
    '1 of 3 faults never recovered from: #3 kill (/steps/7/faults/1, started at +8.5 s); not judged: #4 blackhole (/steps/9, started at +12.0 s) was still active at the end of the run',
  );
});

test('faultDetectWithinSeconds: noticed faults within the limit; a disruptive fault held past the limit and never noticed fails; degradations are not required', () => {
  const slo = byId(buildFaultSample().result.slos, 'faultDetectWithinSeconds');
  assert.equal(slo.passed, false);
  assert.equal(slo.measured, 0.8);
  assert.equal(slo.note, '1 never noticed although held longer than 5 s: #4 blackhole (/steps/9, started at +12.0 s); not noticed, not required: #1 latency');
  const tight = byId(evaluateSlos({ faultDetectWithinSeconds: 0.5 }, buildFaultSample().result), 'faultDetectWithinSeconds');
  assert.match(tight.note ?? '', /^1 noticed too late: #2 pause \(\/steps\/5, started at \+6\.0 s\) after 0\.80 s \(ping timeout\)/);
});

test('a limit longer than the time left after a fault: not judged; generous limits pass', () => {
  const { result } = buildFaultSample();
  const generous = byId(evaluateSlos({ faultRecoverWithinSeconds: 12 }, result), 'faultRecoverWithinSeconds');
  // The kill ended at +9 s, the run at +20 s: 11 s < 12 s, so it cannot be held against the server.
  assert.equal(generous.passed, true);
  assert.match(generous.note ?? '', /not judged: #3 kill .* was lifted less than 12 s before the run ended; #4 blackhole/);
  assert.equal(byId(evaluateSlos({ faultDetectWithinSeconds: 10 }, result), 'faultDetectWithinSeconds').passed, true, 'the blackhole was held 8 s < 10 s');
});

test('no fault injected: both pass with a note', () => {
  const empty: ScenarioResult = { ...buildFaultSample().result, faults: { total: 0, byKind: {}, noticed: 0, recovered: 0, windows: [], skipped: [], proxy: null } };
  for (const slo of evaluateSlos({ faultRecoverWithinSeconds: 1, faultDetectWithinSeconds: 1 }, empty)) {
    assert.deepEqual([slo.passed, slo.measured, slo.note], [true, null, 'no fault was injected']);
  }
});

test('recoverWithinSeconds: a disconnection the run ended too soon after is not judged', () => {
  const { result } = buildFaultSample({ recoverWithinSeconds: 5 });
  const slo = byId(result.slos, 'recoverWithinSeconds');
  // The ping-timeout disconnection at +6.8 s never recovered (no reconnect in the script) and the run went on 13 s: judged, fails.
  assert.equal(slo.passed, false);
  const late = byId(evaluateSlos({ recoverWithinSeconds: 15 }, result), 'recoverWithinSeconds');
  assert.equal(late.passed, true);
  assert.match(late.note ?? '', /^not judged: 1 disconnection less than 15 s before the run ended \(ping-timeout\)$/);
});

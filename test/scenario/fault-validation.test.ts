/** Fault steps in scenarios: bad parameters are rejected before anything starts, with pointers, expectations and hints. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAULT_KINDS } from '../../src/chaos/index.js';
import { shippedScenariosDir, validateScenario, type ValidationIssue } from '../../src/scenario/index.js';
import { faultFields } from '../../src/scenario/fault-issues.js';

type Issue = Omit<ValidationIssue, 'file'>;

function issues(steps: unknown[], expect: Record<string, unknown> = { availability: 99 }): Issue[] {
  return validateScenario({ name: 't', expect, steps: [{ action: 'connect' }, ...steps] }, 'inline.json').issues.map(({ file: _file, ...rest }) => rest);
}

const one = (steps: unknown[], expect?: Record<string, unknown>): Issue => {
  const found = issues(steps, expect);
  assert.equal(found.length, 1, JSON.stringify(found, null, 1));
  return found[0]!;
};

test('valid fault, fault-stop and chaos steps give a plan', () => {
  const { plan, issues: found } = validateScenario(
    {
      name: 't',
      expect: { faultRecoverWithinSeconds: 5, faultDetectWithinSeconds: 5 },
      steps: [
        { action: 'connect' },
        { action: 'soak', background: true, interval: 500, steps: [{ action: 'call-tool', role: 'probe' }] },
        { action: 'fault', id: 'lat', fault: { kind: 'latency', latencyMs: 100, jitterMs: 50 }, duration: 5000 },
        { action: 'fault', id: 'drop', fault: { kind: 'reset' }, optional: true },
        { action: 'fault-stop', id: 'drop' },
        { action: 'fault-stop' },
        { action: 'chaos', fraction: 0.5, interval: 8000, hold: 3000, background: true, faults: [{ kind: 'pause' }, { kind: 'loss', percent: 5 }] },
      ],
    },
    '<inline>',
  );
  assert.deepEqual(found, []);
  assert.equal(plan?.scenario.steps[2]?.fault?.kind, 'latency');
});

test('loss above 100 %: pointer to the field, the validator words, the fields, a hint', () => {
  assert.deepEqual(one([{ action: 'fault', fault: { kind: 'loss', percent: 150 } }]), {
    pointer: '/steps/1/fault/percent',
    message: 'loss fault: percent must be at most 100 % (got 150)',
    expected: 'the fields of a loss fault: direction, scope, percent, initialRtoMs, mssBytes',
    hint: 'a percentage from 0 to 100: 5 means 5 % of segments are lost (and retransmitted)',
  });
});

test('a negative rate, a negative time, jitter above latency', () => {
  const rate = one([{ action: 'fault', fault: { kind: 'bandwidth', bytesPerSecond: -5 } }]);
  assert.equal(rate.pointer, '/steps/1/fault/bytesPerSecond');
  assert.equal(rate.message, 'bandwidth fault: bytesPerSecond must be greater than 0 bytes/s (got -5)');
  const time = one([{ action: 'chaos', interval: 1000, hold: 500, faults: [{ kind: 'reset' }, { kind: 'kill', restartAfterMs: -1 }] }]);
  assert.equal(time.pointer, '/steps/1/faults/1/restartAfterMs');
  assert.match(time.message, /^kill fault: restartAfterMs must be at least 0 ms \(got -1\)$/);
  assert.match(time.hint ?? '', /time in milliseconds/);
  const jitter = one([{ action: 'fault', fault: { kind: 'latency', latencyMs: 10, jitterMs: 20 } }]);
  assert.equal(jitter.pointer, '/steps/1/fault/jitterMs');
  assert.match(jitter.message, /jitterMs \(20\) must not exceed latencyMs \(10\)/);
});

test('unknown kind: the schema lists every kind and suggests the closest', () => {
  assert.deepEqual(one([{ action: 'fault', fault: { kind: 'latncy', latencyMs: 5 } }]), {
    pointer: '/steps/1/fault/kind',
    message: `"kind" must be one of ${FAULT_KINDS.join(', ')}, got the string "latncy"`,
    expected: `one of ${FAULT_KINDS.join(', ')}`,
    hint: 'did you mean "latency"?',
  });
});

test('unknown and missing fault fields; a fault step without a fault', () => {
  const found = issues([{ action: 'fault', fault: { kind: 'idle-cut', idleMS: 500 } }]);
  assert.deepEqual(
    found.map((i) => [i.pointer, i.message, i.hint]),
    [
      ['/steps/1/fault/idleMs', 'idle-cut fault: idleMs is required', 'an idle-cut fault takes direction, scope, idleMs, rst'],
      ['/steps/1/fault/idleMS', 'idle-cut fault: unknown field "idleMS" (known: kind, direction, scope, idleMs, rst)', 'did you mean "idleMs"?'],
    ],
  );
  assert.equal(one([{ action: 'fault', duration: 10 }]).message, 'a "fault" step needs "fault"');
  assert.equal(one([{ action: 'fault', fault: { kind: 'pause', x: 1 } }]).pointer, '/steps/1/fault/x');
});

test('chaos: hold must be shorter than interval; all three of faults, interval, hold are required', () => {
  const hold = one([{ action: 'chaos', interval: 1000, hold: 1000, faults: [{ kind: 'reset' }] }]);
  assert.equal(hold.pointer, '/steps/1/hold');
  assert.match(hold.message, /hold \(1000 ms\) must be shorter than interval \(1000 ms\)/);
  assert.deepEqual(
    issues([{ action: 'chaos', faults: [{ kind: 'reset' }] }]).map((i) => i.message),
    ['a "chaos" step needs "interval"', 'a "chaos" step needs "hold"'],
  );
});

test('fault ids: fault-stop names a fault step (with a suggestion); ids are unique', () => {
  assert.deepEqual(one([{ action: 'fault', id: 'lat', fault: { kind: 'reset' } }, { action: 'fault-stop', id: 'lta' }]), {
    pointer: '/steps/2/id',
    message: 'no fault step has the id "lta"',
    expected: 'one of "lat"',
    hint: 'did you mean "lat"?',
  });
  const dup = one([
    { action: 'fault', id: 'x', fault: { kind: 'reset' } },
    { action: 'fault', id: 'x', fault: { kind: 'blackhole' } },
  ]);
  assert.equal(dup.pointer, '/steps/2/id');
  assert.equal(dup.message, 'fault id "x" is already used by /steps/1');
});

test('fault steps inside parallel, background on a step that cannot run in the background, fields a fault step ignores', () => {
  assert.match(one([{ action: 'parallel', count: 2, steps: [{ action: 'fault', fault: { kind: 'reset' } }] }]).message, /a "fault" step cannot run inside parallel/);
  const bg = one([{ action: 'call-tool', role: 'probe', background: true }]);
  assert.equal(bg.pointer, '/steps/1/background');
  assert.equal(bg.hint, 'remove it; "background" is used by soak, load, chaos');
  assert.equal(one([{ action: 'fault', fault: { kind: 'reset' }, hold: 5 }]).pointer, '/steps/1/hold');
});

test('fault SLOs need a fault or chaos step', () => {
  assert.deepEqual(one([{ action: 'call-tool', role: 'probe' }], { faultRecoverWithinSeconds: 5 }), {
    pointer: '/expect/faultRecoverWithinSeconds',
    message: '"faultRecoverWithinSeconds" needs a fault or chaos step, and the scenario has none',
    expected: 'at least one {"action": "fault", ...} or {"action": "chaos", ...} step',
    hint: 'add e.g. {"action": "fault", "fault": {"kind": "reset"}, "duration": 0}, or remove "faultRecoverWithinSeconds"',
  });
  assert.equal(one([{ action: 'fault', fault: { kind: 'reset' } }], { faultDetectWithinSeconds: 0 }).message, '"faultDetectWithinSeconds" must be > 0, got 0');
});

test('the schema enumerates exactly the fault kinds the code knows, and every kind has its fields', () => {
  const schema = JSON.parse(readFileSync(join(shippedScenariosDir(), 'scenario.schema.json'), 'utf8')) as { $defs: { fault: { properties: { kind: { enum: string[] } }; description: string } } };
  assert.deepEqual(schema.$defs.fault.properties.kind.enum, [...FAULT_KINDS]);
  for (const kind of FAULT_KINDS) {
    assert.ok(schema.$defs.fault.description.includes(kind), `the fault description mentions ${kind}`);
    for (const field of faultFields(kind).filter((f) => f !== 'direction' && f !== 'scope')) assert.ok(schema.$defs.fault.description.includes(field), `${kind}.${field} is documented`);
  }
});

/** Each bad fixture has exactly one defect; the issue it produces is asserted in full. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatIssues, loadScenarioFile, type ValidationIssue } from '../../src/scenario/index.js';

function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/scenarios/${name}.json`, import.meta.url));
}

async function issuesOf(name: string): Promise<ValidationIssue[]> {
  const { plan, issues } = await loadScenarioFile(fixture(name));
  assert.equal(plan, undefined, `${name} must not produce a plan`);
  return issues;
}

function expectOne(name: string, issue: Omit<ValidationIssue, 'file'>): () => Promise<void> {
  return async () => {
    assert.deepEqual(await issuesOf(name), [{ file: relative(process.cwd(), fixture(name)), ...issue }]);
  };
}

const ACTIONS =
  'one of connect, initialize, call-tool, list-tools, ping, repeat, parallel, wait, verify-state, disconnect, force-disconnect, reconnect, soak, load, fault, fault-stop, chaos';

test('JSON syntax error: line and column of the trailing comma', async () => {
  const issues = await issuesOf('syntax-error');
  assert.deepEqual(issues, [
    {
      file: relative(process.cwd(), fixture('syntax-error')),
      pointer: '',
      message: "invalid JSON: trailing comma before ']'",
      hint: 'JSON allows no comma after the last item: remove it',
      line: 6,
      column: 25,
    },
  ]);
  assert.match(formatIssues(issues), /^test\/fixtures\/scenarios\/syntax-error\.json:6:25: invalid JSON: trailing comma before '\]'\n {2}hint: /);
});

test(
  'unknown action: did-you-mean and the list of actions',
  expectOne('unknown-action', {
    pointer: '/steps/2/action',
    message: 'unknown action "call-tol"',
    expected: ACTIONS,
    hint: 'did you mean "call-tool"?',
    line: 7,
    column: 7,
  }),
);

test(
  'wrong type: count "ten"',
  expectOne('wrong-type', {
    pointer: '/steps/1/count',
    message: '"count" must be an integer ≥ 1, got the string "ten"',
    expected: 'an integer ≥ 1',
    hint: 'write a number without quotes, e.g. "count": 10',
    line: 6,
    column: 47,
  }),
);

test(
  'missing field: repeat without steps',
  expectOne('missing-steps', {
    pointer: '/steps/1',
    message: 'a "repeat" step needs "steps"',
    expected: '"steps": a non-empty array of steps',
    hint: 'add e.g. "steps": [{"action": "call-tool", "role": "probe"}]',
    line: 6,
    column: 5,
  }),
);

test(
  'missing field: no expect shows a minimal example',
  expectOne('missing-expect', {
    pointer: '',
    message: 'missing required property "expect"',
    expected:
      '"expect": an object with at least one of availability, errorRate, toolErrorRate, latency, recoverWithinSeconds, toolListStable, stateVerified, maxProtocolViolations, maxSessionExpiries, maxLostToSessionExpiry, maxUnexpectedDisconnections, minRequests, minRequestRate, maxMemoryGrowthMiBPerMinute, faultRecoverWithinSeconds, faultDetectWithinSeconds, regression',
    hint: 'add e.g. "expect": {"availability": 99}',
    line: 1,
    column: 1,
  }),
);

test(
  'negative count: must be ≥ 1',
  expectOne('negative-count', {
    pointer: '/steps/1/count',
    message: '"count" must be ≥ 1, got -3',
    expected: 'an integer ≥ 1',
    hint: 'to skip the step, remove it',
    line: 6,
    column: 27,
  }),
);

test(
  'unknown tool role: did-you-mean and the roles',
  expectOne('unknown-role', {
    pointer: '/steps/1/role',
    message: 'unknown role "prob"',
    expected: 'one of probe, work, state-write, state-read',
    hint: 'did you mean "probe"?',
    line: 6,
    column: 30,
  }),
);

test(
  'unknown placeholder: points at the string, suggests the known one',
  expectOne('unknown-placeholder', {
    pointer: '/steps/1/steps/0/params/message',
    message: 'unknown placeholder "{{idx}}"',
    expected: 'one of {{index}}, {{iteration}}, {{timestamp}}, {{marker}}',
    hint: 'did you mean "{{index}}"?',
    line: 9,
    column: 70,
  }),
);

test(
  'tool and role both set: one issue, not ajv cascade',
  expectOne('tool-and-role', {
    pointer: '/steps/1',
    message: '"tool" and "role" are mutually exclusive',
    expected: 'either "tool" (a tool name) or "role" (resolved by the target profile)',
    hint: 'remove "role" to call "echo" by name, or remove "tool" to let the target profile pick the "probe" tool',
    line: 6,
    column: 5,
  }),
);

test(
  'unknown property typo: names it and suggests the closest key',
  expectOne('typo-property', {
    pointer: '/steps/1/cont',
    message: 'unknown property "cont"',
    expected: 'one of action, description, tool, role, params, count, interval, duration, steps, fraction, concurrency, rate, timeout, id, fault, faults, hold, optional, background',
    hint: 'did you mean "count"?',
    line: 6,
    column: 47,
  }),
);

test(
  'soak nested (through a repeat) inside a soak',
  expectOne('nested-soak', {
    pointer: '/steps/1/steps/0/steps/0/action',
    message: 'a soak cannot run inside another soak',
    expected: 'soak steps outside any other soak',
    hint: 'the outer soak already repeats its steps until time is up; use "repeat" for the inner loop',
    line: 8,
    column: 63,
  }),
);

test('a seed-format file with an expect block loads, with literal tools and no roles', async () => {
  const { plan, issues } = await loadScenarioFile(fixture('seed-format'));
  assert.deepEqual(issues, []);
  assert.ok(plan);
  assert.equal(plan.source, fixture('seed-format'));
  assert.deepEqual(plan.rolesUsed, []);
  assert.equal(plan.scenario.steps.length, 10);
});

/** validateScenario on documents built inline: ajv noise collapsed, semantic checks, the Plan. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateScenario, type ValidationIssue } from '../../src/scenario/index.js';

const ok = { name: 't', expect: { availability: 99 }, steps: [{ action: 'connect' }] };

function issues(doc: unknown): Omit<ValidationIssue, 'file'>[] {
  return validateScenario(doc, 'inline.json').issues.map(({ file, ...rest }) => {
    assert.equal(file, 'inline.json');
    return rest;
  });
}

function withSteps(...steps: unknown[]): unknown {
  return { ...ok, steps };
}

test('a valid document gives a plan (a copy) and no issues', () => {
  const doc = structuredClone({ ...ok, steps: [{ action: 'repeat', count: 2, steps: [{ action: 'call-tool', role: 'work' }, { action: 'load', role: 'probe' }] }] });
  const { plan, issues: found } = validateScenario(doc, '<inline>');
  assert.deepEqual(found, []);
  assert.ok(plan);
  assert.equal(plan.source, '<inline>');
  assert.deepEqual(plan.rolesUsed, ['probe', 'work']);
  doc.steps[0]!.count = 99;
  assert.equal(plan.scenario.steps[0]?.count, 2);
});

test('call-tool without tool or role: one issue instead of ajv four', () => {
  assert.deepEqual(issues(withSteps({ action: 'call-tool' })), [
    {
      pointer: '/steps/0',
      message: 'a "call-tool" step needs "tool" or "role"',
      expected: '"tool": a non-empty string, or "role": one of probe, work, state-write, state-read',
      hint: 'e.g. "tool": "echo" or "role": "probe"',
    },
  ]);
});

test('a step that is a bare string: one issue with the fix', () => {
  assert.deepEqual(issues(withSteps('connect')), [
    { pointer: '/steps/0', message: 'step 0 must be an object, got the string "connect"', expected: 'a step object, e.g. {"action": "connect"}', hint: 'write {"action": "connect"}' },
  ]);
});

test('the document must be an object', () => {
  assert.deepEqual(issues([]), [
    {
      pointer: '',
      message: 'the scenario must be an object, got an array',
      expected: 'a JSON object',
      hint: 'a scenario file holds one object: {"name": ..., "expect": {...}, "steps": [...]}',
    },
  ]);
});

test('expect with no keys', () => {
  const [issue] = issues({ ...ok, expect: {} });
  assert.equal(issue?.pointer, '/expect');
  assert.equal(issue?.message, '"expect" has no SLOs');
  assert.equal(issue?.hint, 'e.g. "expect": {"availability": 99}');
});

test('an SLO written at the top level is sent into expect', () => {
  const [issue] = issues({ ...ok, errorRate: 1 });
  assert.deepEqual(issue, {
    pointer: '/errorRate',
    message: 'unknown property "errorRate"',
    expected: 'one of $schema, name, description, expect, client, steps',
    hint: 'SLOs go inside "expect": "expect": {"errorRate": ...}',
  });
});

test('availability above 100 is a percentage problem', () => {
  const [issue] = issues({ ...ok, expect: { availability: 995 } });
  assert.deepEqual(issue, {
    pointer: '/expect/availability',
    message: '"availability" must be ≤ 100, got 995',
    expected: 'a number from 0 to 100 (percent)',
    hint: 'a percentage from 0 to 100: 99.5 means 99.5 %',
  });
});

test('a time written as "2s" is converted to milliseconds in the hint', () => {
  const [issue] = issues(withSteps({ action: 'wait', duration: '2s' }));
  assert.deepEqual(issue, {
    pointer: '/steps/0/duration',
    message: '"duration" must be an integer ≥ 0, got the string "2s"',
    expected: 'an integer ≥ 0 (milliseconds)',
    hint: 'times in scenario files are milliseconds: write 2000 instead of "2s"',
  });
});

test('latency keys: a method, role:<role> or tool:<name>', () => {
  const doc = { ...ok, steps: [{ action: 'call-tool', role: 'probe' }], expect: { latency: { 'tools/call': { p95: 1 }, 'role:probe': { p99: 2 }, 'tool:echo': { max: 3 }, probe: { p95: 1 }, toolz: { p95: 1 } } } };
  const expected = 'a method (tools/call, tools/list, ping, initialize), role:<role> (probe, work, state-write, state-read) or tool:<tool name>';
  assert.deepEqual(issues(doc), [
    { pointer: '/expect/latency/probe', message: 'unknown latency key "probe"', expected, hint: 'write "role:probe"' },
    { pointer: '/expect/latency/toolz', message: 'unknown latency key "toolz"', expected, hint: 'to limit one tool, write "tool:toolz"' },
  ]);
});

test('a latency limit for a role no step uses could never be measured', () => {
  const doc = { ...ok, steps: [{ action: 'call-tool', role: 'probe' }], expect: { latency: { 'role:work': { p95: 100 } } } };
  assert.deepEqual(issues(doc), [
    {
      pointer: '/expect/latency/role:work',
      message: 'no step uses role "work", so this limit could never be measured',
      expected: 'a latency key for a role the steps use: role:probe',
      hint: 'remove "role:work", or add a step with "role": "work"',
    },
  ]);
});

test('stateVerified needs a verify-state step', () => {
  const [issue] = issues({ ...ok, expect: { stateVerified: true } });
  assert.equal(issue?.pointer, '/expect/stateVerified');
  assert.equal(issue?.message, '"stateVerified" needs a verify-state step, and the scenario has none');
  assert.deepEqual(issues({ ...ok, expect: { stateVerified: true }, steps: [{ action: 'verify-state' }] }), []);
});

test('a field the action does not use is rejected, naming the actions that use it', () => {
  assert.deepEqual(issues(withSteps({ action: 'wait', duration: 10, count: 3 })), [
    {
      pointer: '/steps/0/count',
      message: '"count" has no effect on a "wait" step',
      expected: 'a "wait" step uses duration',
      hint: 'remove it; "count" is used by call-tool, list-tools, ping, repeat, parallel',
    },
  ]);
  assert.equal(issues(withSteps({ action: 'disconnect', timeout: 5 }))[0]?.expected, 'a "disconnect" step takes no fields besides action and description');
});

test('several problems are all reported, each once', () => {
  const found = issues(withSteps({ action: 'call-tol', role: 'prob', tool: 'x' }, { action: 'load' }));
  assert.deepEqual(
    found.map((i) => `${i.pointer} ${i.message}`),
    [
      '/steps/0 "tool" and "role" are mutually exclusive',
      '/steps/0/action unknown action "call-tol"',
      '/steps/0/role unknown role "prob"',
      '/steps/1 a "load" step needs "tool" or "role"',
    ],
  );
});

test('an unknown action with no close match suggests calling it as a tool', () => {
  const [issue] = issues(withSteps({ action: 'agent_spawn' }));
  assert.equal(issue?.hint, 'to call a tool, use {"action": "call-tool", "tool": "agent_spawn"}');
});

test('placeholders: known ones pass (marker too), unknown ones anywhere in params fail', () => {
  const params = { a: '{{index}}', b: ['x {{iteration}} {{timestamp}}', { c: '{{marker}}' }], d: { e: ['{{ foo }}'] } };
  assert.deepEqual(issues(withSteps({ action: 'call-tool', tool: 't', params })), [
    {
      pointer: '/steps/0/params/d/e/0',
      message: 'unknown placeholder "{{ foo }}"',
      expected: 'one of {{index}}, {{iteration}}, {{timestamp}}, {{marker}}',
      hint: 'placeholders: {{index}} is the parallel copy or load worker, {{iteration}} the repeat/soak iteration or call number, {{timestamp}} ms since the epoch (all numbers from 0), {{marker}} the last state-write marker',
    },
  ]);
});

test('rolesUsed: distinct, recursive, in TOOL_ROLES order', () => {
  const doc = withSteps(
    { action: 'call-tool', role: 'state-read' },
    { action: 'parallel', steps: [{ action: 'repeat', steps: [{ action: 'call-tool', role: 'work' }, { action: 'call-tool', role: 'state-read' }] }] },
    { action: 'load', role: 'probe' },
  );
  assert.deepEqual(validateScenario(doc, 'x').plan?.rolesUsed, ['probe', 'work', 'state-read']);
});

test('maxProtocolViolations takes a number (error findings) or limits per severity; anything else is one clear issue', () => {
  assert.deepEqual(issues({ ...ok, expect: { maxProtocolViolations: 0 } }), []);
  assert.deepEqual(issues({ ...ok, expect: { maxProtocolViolations: { error: 0, warning: 2 } } }), []);
  const expected = 'A whole number ≥ 0 (the limit on error findings) or an object with a limit per severity (error, warning, info).';
  for (const [value, got] of [
    [-1, '-1'],
    [{ errors: 0 }, 'an object'],
    [{}, 'an object'],
    ['none', 'the string "none"'],
  ] as const) {
    const found = issues({ ...ok, expect: { maxProtocolViolations: value } });
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.deepEqual(found[0], { pointer: '/expect/maxProtocolViolations', message: `"maxProtocolViolations" matches none of the allowed forms, got ${got}`, expected, hint: 'e.g. 0 or {"error": 0, "warning": 0}' });
  }
});

test('the SLOs for tool errors, session expiries and a request rate are known to the schema', () => {
  assert.deepEqual(issues({ ...ok, expect: { toolErrorRate: 1, maxSessionExpiries: 0, maxLostToSessionExpiry: 0, minRequestRate: 0.5 } }), []);
  assert.equal(issues({ ...ok, expect: { minRequestRate: 0 } })[0]?.pointer, '/expect/minRequestRate');
  assert.equal(issues({ ...ok, expect: { toolErrorRate: 101 } })[0]?.pointer, '/expect/toolErrorRate');
});

/** Resolving names, reading files, loadPlan's error, and the printed form of issues. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatIssues, listScenarios, loadPlan, loadScenarioFile, parseScenarioText, resolveScenario, ScenarioError } from '../../src/scenario/index.js';

const valid = { name: 'a', expect: { availability: 99 }, steps: [{ action: 'connect' }] };

async function scenariosDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-rel-scenarios-'));
  await writeFile(join(dir, 'alpha.json'), JSON.stringify(valid));
  await writeFile(join(dir, 'beta.json'), JSON.stringify({ ...valid, name: 'b', expect: {} }));
  await writeFile(join(dir, 'scenario.schema.json'), '{}');
  await writeFile(join(dir, 'notes.txt'), 'not a scenario');
  await mkdir(join(dir, 'sub'));
  return dir;
}

test('listScenarios: .json names without the schema, sorted; [] for a missing folder', async () => {
  const dir = await scenariosDir();
  assert.deepEqual(await listScenarios(dir), ['alpha', 'beta']);
  assert.deepEqual(await listScenarios(join(dir, 'nope')), []);
});

test('resolveScenario: a bare name, a path, an unknown name with a suggestion', async () => {
  const dir = await scenariosDir();
  assert.deepEqual(await resolveScenario('alpha', dir), { path: join(dir, 'alpha.json'), issues: [] });
  assert.deepEqual(await resolveScenario(join(dir, 'beta.json'), dir), { path: join(dir, 'beta.json'), issues: [] });
  const { path, issues } = await resolveScenario('alpah', dir);
  assert.equal(path, undefined);
  assert.deepEqual(issues, [{ file: dir, pointer: '', message: 'unknown scenario "alpah"', expected: 'one of alpha, beta', hint: 'did you mean "alpha"?' }]);
});

test('resolveScenario: a path that does not exist', async () => {
  const dir = await scenariosDir();
  const { issues } = await resolveScenario('./missing.json', dir);
  assert.deepEqual(issues, [{ file: './missing.json', pointer: '', message: 'scenario file not found', expected: 'an existing .json file, or a scenario name: one of alpha, beta' }]);
});

test('loadPlan: a plan for a good name; a ScenarioError with every issue for a bad file', async () => {
  const dir = await scenariosDir();
  const plan = await loadPlan('alpha', { scenariosDir: dir });
  assert.equal(plan.source, join(dir, 'alpha.json'));
  await assert.rejects(loadPlan('beta', { scenariosDir: dir }), (err: unknown) => {
    assert.ok(err instanceof ScenarioError);
    assert.deepEqual(
      err.issues.map((i) => [i.pointer, i.message]),
      [['/expect', '"expect" has no SLOs']],
    );
    assert.match(err.message, /^1 problem in .*beta\.json\n.*:1:\d+: \/expect: "expect" has no SLOs/);
    return true;
  });
  await assert.rejects(loadPlan('gamma', { scenariosDir: dir }), /unknown scenario "gamma"/);
});

test('loadScenarioFile: missing file and directory are issues, not exceptions', async () => {
  const dir = await scenariosDir();
  assert.deepEqual((await loadScenarioFile(join(dir, 'nope.json'))).issues.map((i) => i.message), ['scenario file not found']);
  assert.deepEqual((await loadScenarioFile(join(dir, 'sub'))).issues.map((i) => i.message), ['is a directory, not a scenario file']);
});

test('parseScenarioText: duplicate keys are reported where the second one is', () => {
  const text = '{\n  "name": "a",\n  "expect": {"availability": 99},\n  "steps": [{"action": "connect", "action": "ping"}]\n}';
  assert.deepEqual(parseScenarioText(text, 'dup.json').issues, [
    {
      file: 'dup.json',
      pointer: '/steps/0/action',
      message: 'duplicate property "action"',
      expected: 'each property once per object',
      hint: 'JSON keeps only the last one, silently: remove the other',
      line: 4,
      column: 35,
    },
  ]);
});

test('parseScenarioText: a byte order mark is fine; issues come out in document order', () => {
  assert.deepEqual(parseScenarioText(`\uFEFF${JSON.stringify(valid)}`, 'bom.json').issues, []);
  const text = '{\n  "steps": [{"action": "wiat"}],\n  "name": "",\n  "expect": {}\n}';
  assert.deepEqual(
    parseScenarioText(text, 'order.json').issues.map((i) => `${i.line}:${i.column} ${i.pointer}`),
    ['2:14 /steps/0/action', '3:3 /name', '4:3 /expect'],
  );
});

test('formatIssues: file:line:col, pointer, message, expected and hint; pointer left out for the document', () => {
  const text = formatIssues([
    { file: 'scenarios/bad.json', pointer: '/steps/2/action', message: 'unknown action "call-tol"', expected: 'one of connect, initialize', hint: 'did you mean "call-tool"?', line: 7, column: 18 },
    { file: 'x.json', pointer: '', message: 'missing required property "expect"' },
  ]);
  assert.equal(
    text,
    [
      'scenarios/bad.json:7:18: /steps/2/action: unknown action "call-tol"',
      '  expected: one of connect, initialize',
      '  hint: did you mean "call-tool"?',
      'x.json: missing required property "expect"',
    ].join('\n'),
  );
});

/** The shipped scenarios and the schema: valid, documented, and in step with types.ts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import {
  LATENCY_METHODS,
  STEP_ACTIONS,
  STEP_FIELDS,
  TOOL_ROLES,
  listScenarios,
  loadPlan,
  shippedScenariosDir,
  type Step,
} from '../../src/scenario/index.js';

const dir = shippedScenariosDir();
/** Just enough of a JSON Schema node to walk the scenario schema. */
interface SchemaNode {
  $ref?: string;
  description?: string;
  enum?: string[];
  pattern?: string;
  properties?: Record<string, SchemaNode>;
  propertyNames?: SchemaNode;
  $defs?: Record<string, SchemaNode>;
  [key: string]: unknown;
}

const schema = JSON.parse(readFileSync(join(dir, 'scenario.schema.json'), 'utf8')) as SchemaNode & { $defs: Record<string, SchemaNode> };
const defs = schema.$defs;

test('the shipped scenarios are exactly the four, and the schema is not listed', async () => {
  assert.deepEqual(await listScenarios(dir), ['connection-stability', 'high-load-stress', 'network-chaos', 'reconnection-resilience']);
});

const expectedRoles: Record<string, string[]> = {
  'connection-stability': ['probe', 'work'],
  'reconnection-resilience': ['probe', 'state-write'],
  'high-load-stress': ['probe'],
  'network-chaos': ['probe'],
};

for (const [name, roles] of Object.entries(expectedRoles)) {
  test(`${name} validates, names itself, points at the schema, judges protocol errors and tool errors, and guards with a request rate that follows the duration`, async () => {
    const plan = await loadPlan(name, { scenariosDir: dir });
    assert.equal(plan.scenario.name, name);
    assert.equal(plan.scenario.$schema, './scenario.schema.json');
    assert.equal(plan.source, join(dir, `${name}.json`));
    assert.deepEqual(plan.rolesUsed, roles);
    assert.ok((plan.scenario.description ?? '').length > 80, 'a real description');
    assert.equal(plan.scenario.expect.minRequests, undefined, 'a fixed count would not follow --duration');
    assert.ok((plan.scenario.expect.minRequestRate ?? 0) > 0);
    assert.equal(plan.scenario.expect.maxProtocolViolations, 0, 'every shipped scenario judges protocol errors');
    assert.equal(plan.scenario.expect.toolErrorRate, 1);
  });
}

test('the soaks of connection-stability and reconnection-resilience last the whole run', async () => {
  for (const name of ['connection-stability', 'reconnection-resilience']) {
    const plan = await loadPlan(name, { scenariosDir: dir });
    const soaks = plan.scenario.steps.filter((s: Step) => s.action === 'soak');
    assert.equal(soaks.length, 1, name);
    assert.equal(soaks[0]?.fraction, 1, name);
  }
});

test('high-load-stress: 10 x 20 bursts for 15 % of the run, then load with 10 in flight for 60 %: every phase follows --duration', async () => {
  const { scenario } = await loadPlan('high-load-stress', { scenariosDir: dir });
  const phase = scenario.steps.find((s) => s.action === 'soak' && s.fraction === 0.15);
  const burst = phase?.steps?.[0];
  assert.equal(burst?.action, 'parallel');
  assert.equal(burst?.count, 10);
  assert.equal(burst?.steps?.[0]?.action, 'repeat');
  assert.equal(burst?.steps?.[0]?.count, 20);
  const load = scenario.steps.find((s) => s.action === 'load');
  assert.deepEqual([load?.role, load?.concurrency, load?.fraction], ['probe', 10, 0.6]);
  assert.deepEqual(scenario.expect, { errorRate: 1, availability: 99, toolErrorRate: 1, latency: { 'role:probe': { p99: 2000 } }, maxProtocolViolations: 0, minRequestRate: 5 });
});

test('the schema is valid JSON Schema 2020-12 (checked against the meta-schema)', () => {
  const ajv = new Ajv2020({ strict: true, strictRequired: false, validateSchema: true });
  assert.equal(ajv.validateSchema(schema), true, JSON.stringify(ajv.errors));
  assert.doesNotThrow(() => ajv.compile(schema));
});

test('every property in the schema is described (directly or through its $ref)', () => {
  const missing: string[] = [];
  const visit = (node: SchemaNode, path: string): void => {
    for (const [key, prop] of Object.entries(node.properties ?? {})) {
      const target = typeof prop.$ref === 'string' ? defs[prop.$ref.replace('#/$defs/', '')] : prop;
      if (typeof (prop.description ?? target?.description) !== 'string') missing.push(`${path}/${key}`);
    }
    // `if` holds conditions, not properties a user writes.
    for (const [key, child] of Object.entries(node)) {
      if (key !== 'if' && child !== null && typeof child === 'object') visit(child as SchemaNode, `${path}/${key}`);
    }
  };
  visit(schema, '#');
  assert.deepEqual(missing, []);
});

test('the schema and types.ts agree on actions, roles, step fields and latency methods', () => {
  assert.deepEqual(defs.action?.enum, [...STEP_ACTIONS]);
  assert.deepEqual(defs.role?.enum, [...TOOL_ROLES]);
  assert.deepEqual(Object.keys(STEP_FIELDS), [...STEP_ACTIONS]);
  const stepKeys = Object.keys(defs.step?.properties ?? {}).sort();
  const tableKeys = [...new Set(['action', 'description', ...Object.values(STEP_FIELDS).flat()])].sort();
  assert.deepEqual(tableKeys, stepKeys);
  const pattern = new RegExp(defs.expect?.properties?.latency?.propertyNames?.pattern ?? 'missing pattern');
  for (const method of LATENCY_METHODS) assert.ok(pattern.test(method), method);
  for (const role of TOOL_ROLES) assert.ok(pattern.test(`role:${role}`), role);
  assert.ok(pattern.test('tool:echo'));
  assert.ok(!pattern.test('tools/cal'));
});

test('network-chaos: probes every 500 ms in the background, then latency 100 ± 50 ms, 5 % loss, a reset, a pause, then a seeded chaos schedule', async () => {
  const { scenario } = await loadPlan('network-chaos', { scenariosDir: dir });
  const traffic = scenario.steps.find((s) => s.action === 'soak');
  assert.deepEqual([traffic?.background, traffic?.interval, traffic?.fraction, traffic?.steps?.[0]?.role], [true, 500, undefined, 'probe']);
  const faults = scenario.steps.filter((s) => s.action === 'fault');
  assert.deepEqual(
    faults.map((s) => s.fault),
    [
      { kind: 'latency', latencyMs: 100, jitterMs: 50, direction: 'upstream' },
      { kind: 'loss', percent: 5 },
      { kind: 'reset' },
      { kind: 'pause' },
    ],
  );
  for (const f of faults) assert.equal(f.optional, undefined, 'a network scenario: its faults are not optional');
  const chaos = scenario.steps.find((s) => s.action === 'chaos');
  assert.deepEqual([chaos?.interval, chaos?.hold, chaos?.faults?.length], [8000, 3000, 4]);
  // The fixed timeline fits a 20 s run: baseline + holds + quiet gaps.
  const timeline = scenario.steps.filter((s) => s.action === 'wait' || s.action === 'fault').reduce((ms, s) => ms + (s.duration ?? 0), 0);
  assert.ok(timeline <= 18_000, `${timeline} ms`);
  assert.deepEqual(scenario.expect, { availability: 90, faultRecoverWithinSeconds: 10, faultDetectWithinSeconds: 5, recoverWithinSeconds: 10, toolErrorRate: 1, maxProtocolViolations: 0, minRequestRate: 1 });
});

test('reconnection-resilience: server-side faults besides client-side disconnects; network ones optional, the kill too (remote targets)', async () => {
  const { scenario } = await loadPlan('reconnection-resilience', { scenariosDir: dir });
  const round = scenario.steps.find((s) => s.action === 'soak')?.steps ?? [];
  assert.deepEqual(
    round.filter((s) => s.action === 'fault').map((s) => [s.fault?.kind, s.optional]),
    [
      ['kill', true],
      ['reset', true],
      ['idle-cut', true],
    ],
  );
  assert.ok(round.some((s) => s.action === 'disconnect') && round.some((s) => s.action === 'force-disconnect'));
  assert.equal(scenario.expect.faultRecoverWithinSeconds, 10);
});

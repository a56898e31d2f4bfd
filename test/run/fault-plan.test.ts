/** Faults × target, decided before anything starts: impossible faults are bad input; optional ones are skipped with a reason. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { formatIssues, loadPlan, ScenarioError, validateScenario, type Plan } from '../../src/scenario/index.js';
import { adhocTarget, resolveTarget, SCENARIOS_DIR } from '../../src/target/index.js';
import { planFaults } from '../../src/run/fault-plan.js';
import { applicablePlans, runSuite } from '../../src/run/suite.js';
import { getClientProfile } from '../../src/session/index.js';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';

function inline(steps: unknown[]): Plan {
  const { plan, issues } = validateScenario({ name: 'inline', expect: { minRequests: 1 }, steps: [{ action: 'connect' }, ...steps] }, '<inline>');
  assert.ok(plan, JSON.stringify(issues));
  return plan;
}

test('network-chaos against a stdio target: one issue per network fault, naming the pointer, the kind, the transport, with a hint', async () => {
  const plan = await loadPlan('network-chaos', { scenariosDir: SCENARIOS_DIR });
  const { issues, needsProxy } = planFaults(plan, await resolveTarget('everything-stdio'));
  assert.deepEqual(
    issues.map((i) => i.pointer),
    ['/steps/5/fault', '/steps/7/fault', '/steps/9/fault', '/steps/13/faults/0', '/steps/13/faults/1', '/steps/13/faults/2'],
  );
  const [first] = issues;
  assert.equal(first?.file, join('scenarios', 'network-chaos.json'));
  assert.equal(first?.message, '"latency" is a network fault, but target "everything-stdio" uses stdio: there is no connection for the chaos proxy to act on');
  assert.equal(first?.expected, 'a network target (streamable-http, sse or websocket)');
  assert.match(first?.hint ?? '', /^run this scenario against a network target, e\.g\. --target everything-http; or mark the step "optional": true/);
  assert.match(formatIssues(issues), /^scenarios\/network-chaos\.json: \/steps\/5\/fault: "latency" is a network fault, but target "everything-stdio" uses stdio/);
  assert.equal(needsProxy, false);
});

test('network-chaos against network targets: nothing to object to, and the proxy is needed', async () => {
  const plan = await loadPlan('network-chaos', { scenariosDir: SCENARIOS_DIR });
  for (const name of ['everything-http', 'everything-sse', 'everything-ws']) {
    const fp = planFaults(plan, await resolveTarget(name));
    assert.deepEqual(fp.issues, [], name);
    assert.equal(fp.needsProxy, true, name);
    assert.equal(fp.skipped.size, 0);
  }
});

test('reconnection-resilience on stdio: reset and idle-cut skipped (optional) with the reason; the kill runs; no proxy', async () => {
  const plan = await loadPlan('reconnection-resilience', { scenariosDir: SCENARIOS_DIR });
  const fp = planFaults(plan, await resolveTarget('everything-stdio'));
  assert.deepEqual(fp.issues, []);
  assert.deepEqual(
    [...fp.skipped].map(([step, s]) => [fp.pointers.get(step), s.kind]),
    [
      ['/steps/5/steps/15', 'reset'],
      ['/steps/5/steps/17', 'idle-cut'],
    ],
  );
  assert.match([...fp.skipped.values()][0]!.reason, /"reset" is a network fault, but target "everything-stdio" uses stdio/);
  assert.equal(fp.needsProxy, false);
  // A remote server (a URL nothing here started): the kill is skipped too, network faults run through the proxy.
  const remote = planFaults(plan, adhocTarget({ url: 'http://127.0.0.1:9/mcp' }));
  assert.deepEqual([...remote.skipped.values()].map((s) => s.kind), ['kill']);
  assert.match([...remote.skipped.values()][0]!.reason, /is remote \(streamable-http, not started by this tool\)/);
  assert.equal(remote.needsProxy, true);
});

test('process faults that do not fit the target, a TLS URL, and optional chaos lists that drop what cannot run', async () => {
  const http = await resolveTarget('everything-http');
  const stall = planFaults(inline([{ action: 'fault', fault: { kind: 'stdout-stall' } }]), http).issues;
  assert.equal(stall.length, 1);
  assert.match(stall[0]!.message, /^"stdout-stall" fault on target "everything-http" \(streamable-http\): acts on a stdio server's stdout/);
  const restart = planFaults(inline([{ action: 'fault', fault: { kind: 'restart' } }]), await resolveTarget('everything-stdio')).issues;
  assert.match(restart[0]!.message, /is a stdio target: each connection spawns its own server, so there is nothing to restart/);
  const tls = planFaults(inline([{ action: 'fault', fault: { kind: 'blackhole' } }]), adhocTarget({ url: 'https://example.test/mcp' })).issues;
  assert.match(tls[0]!.message, /is reached over TLS \(https:\/\/\)/);
  const chaos = inline([{ action: 'chaos', interval: 1000, hold: 100, optional: true, faults: [{ kind: 'latency', latencyMs: 5 }, { kind: 'pause' }, { kind: 'stdout-stall' }] }]);
  const onHttp = planFaults(chaos, http);
  assert.deepEqual([...onHttp.excluded.values()].map((m) => [...m.keys()]), [[2]]);
  assert.equal(onHttp.needsProxy, true);
  const onStdio = planFaults(chaos, await resolveTarget('everything-stdio'));
  assert.deepEqual([...onStdio.excluded.values()].map((m) => [...m.keys()]), [[0]]);
  assert.equal(onStdio.needsProxy, false);
});

test('runSuite: an impossible fault stops the suite before anything starts; the default set skips that scenario with a summary line', async () => {
  const plans = [await loadPlan('network-chaos', { scenariosDir: SCENARIOS_DIR }), await loadPlan(join(import.meta.dirname, '..', 'fixtures', 'scenarios-run', 'quick-pass.json'), { scenariosDir: SCENARIOS_DIR })];
  const target = await resolveTarget('everything-stdio');
  assert.deepEqual(applicablePlans(plans, target).runnable.map((p) => p.scenario.name), ['quick-pass']);
  const out = mkdtempSync(join(tmpdir(), 'mcpr-faultplan-'));
  const common = { plans, target, clients: [getClientProfile('resilient')], durationMs: 1500, seed: 1, outDir: out, signal: new AbortController().signal, toolVersion: 'test' };
  await assert.rejects(runSuite(common), (err: unknown) => err instanceof ScenarioError && err.issues.length === 6 && /uses stdio/.test(err.message));
  assert.equal(existsSync(join(out, 'logs')), false, 'nothing started');
  const outcome = await runSuite({ ...common, inapplicable: 'skip' });
  assert.deepEqual(outcome.results.map((r) => r.scenario.name), ['quick-pass']);
  assert.deepEqual(outcome.skipped.map((s) => s.scenario), ['network-chaos']);
  assert.match(outcome.skipped[0]!.reason, /^target everything-stdio \(stdio\) cannot have its latency, loss, reset faults: "latency" is a network fault, but target "everything-stdio" uses stdio/);
});

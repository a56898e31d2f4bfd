/** Container fault specs, pure: validation in words and as scenario issues with pointers, faults × container targets, tc arguments, the proxy fallback, memory restore. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CONTAINER_FAULT_KINDS, FAULT_KINDS, containerFault, faultFamily, validateContainerFault, validateProcessFault } from '../../src/chaos/index.js';
import { NO_LIMIT_BYTES, netemArgs, proxyFallbackSpecs, restoreUpdate } from '../../src/chaos/container/index.js';
import { validateScenario, type Plan, type ValidationIssue } from '../../src/scenario/index.js';
import { faultTargetProblem, planFaults } from '../../src/run/fault-plan.js';
import type { TargetProfile } from '../../src/target/types.js';

const stackTarget: TargetProfile = { name: 'stack-everything', transport: 'streamable-http', url: 'http://mcp-server:3001/mcp', container: { service: 'mcp-server', project: 'mcpr' }, roles: {} };
const localHttp: TargetProfile = { name: 'everything-http', transport: 'streamable-http', url: 'http://127.0.0.1:{{port}}/mcp', launch: { command: 'mcp-server-everything', args: ['streamableHttp'] }, roles: {} };
const remote: TargetProfile = { name: 'far-away', transport: 'streamable-http', url: 'http://example.test/mcp', roles: {} };
const stdio: TargetProfile = { name: 'everything-stdio', transport: 'stdio', launch: { command: 'mcp-server-everything' }, roles: {} };

type Issue = Omit<ValidationIssue, 'file'>;
function issues(steps: unknown[]): Issue[] {
  return validateScenario({ name: 't', expect: { availability: 99 }, steps: [{ action: 'connect' }, ...steps] }, 'inline.json').issues.map(({ file: _file, ...rest }) => rest);
}
function inline(steps: unknown[]): Plan {
  const { plan, issues: found } = validateScenario({ name: 'inline', expect: { minRequests: 1 }, steps: [{ action: 'connect' }, ...steps] }, '<inline>');
  assert.ok(plan, JSON.stringify(found));
  return plan;
}

describe('validateContainerFault', () => {
  test('accepts every kind with valid fields; the kinds are known to the schema list and count as server faults', () => {
    const valid = [
      { kind: 'stop' },
      { kind: 'stop', timeoutSeconds: 0 },
      { kind: 'network-disconnect' },
      { kind: 'network-disconnect', network: 'default' },
      { kind: 'memory-squeeze', memoryBytes: 6 * 1024 * 1024 },
      { kind: 'netem', latencyMs: 100 },
      { kind: 'netem', latencyMs: 100, jitterMs: 100, correlationPercent: 25 },
      { kind: 'netem', lossPercent: 5, device: 'eth0' },
    ];
    for (const spec of valid) assert.deepEqual(validateContainerFault(spec), [], JSON.stringify(spec));
    assert.deepEqual([...CONTAINER_FAULT_KINDS], ['stop', 'network-disconnect', 'memory-squeeze', 'netem']);
    assert.deepEqual(FAULT_KINDS.slice(-4), ['stop', 'network-disconnect', 'memory-squeeze', 'netem']);
    for (const kind of CONTAINER_FAULT_KINDS) assert.equal(faultFamily(kind), 'process', kind);
  });

  test('names the problem and the field: Docker minimum memory, types, ranges, unknown fields, nothing to emulate', () => {
    assert.deepEqual(validateContainerFault({ kind: 'memory-squeeze', memoryBytes: 1024 * 1024 }), [
      "memory-squeeze: memoryBytes must be at least 6291456 bytes (6 MiB, Docker's minimum memory limit) (got 1048576)",
    ]);
    assert.deepEqual(validateContainerFault({ kind: 'memory-squeeze' }), ['memory-squeeze: memoryBytes is required']);
    assert.deepEqual(validateContainerFault({ kind: 'memory-squeeze', memoryBytes: 7e6 + 0.5 }), ['memory-squeeze: memoryBytes must be a whole number of bytes (got 7000000.5)']);
    assert.deepEqual(validateContainerFault({ kind: 'stop', timeoutSeconds: -1 }), ['stop: timeoutSeconds must be at least 0 s (got -1)']);
    assert.deepEqual(validateContainerFault({ kind: 'network-disconnect', network: 'a b' }), ['network-disconnect: network must be a Docker network name (letters, digits, "_", ".", "-") (got "a b")']);
    assert.deepEqual(validateContainerFault({ kind: 'netem' }), ['netem: needs latencyMs or lossPercent (or both): nothing to emulate']);
    assert.deepEqual(validateContainerFault({ kind: 'netem', lossPercent: 120 }), ['netem: lossPercent must be at most 100 % (got 120)']);
    assert.deepEqual(validateContainerFault({ kind: 'netem', lossPercent: 1, jitterMs: 5 }), ['netem: jitterMs needs latencyMs: jitter varies a delay']);
    assert.match(validateContainerFault({ kind: 'netem', latencyMs: 10, jitterMs: 20 })[0]!, /jitterMs \(20\) must not exceed latencyMs \(10\)/);
    assert.deepEqual(validateContainerFault({ kind: 'stop', force: true }), ['stop: unknown field "force" (known: kind, timeoutSeconds)']);
    assert.match(validateContainerFault({ kind: 'freeze' })[0]!, /unknown container fault kind "freeze" \(known: stop, network-disconnect, memory-squeeze, netem\)/);
  });

  test('with a context: container-only kinds need a container target', () => {
    assert.deepEqual(validateContainerFault({ kind: 'stop' }, { container: true, target: 'stack' }), []);
    const [problem] = validateContainerFault({ kind: 'stop' }, { container: false, target: 'everything-http' });
    assert.match(problem!, /^stop: needs a container target: run the scenario in the Compose stack \(`mcp-reliability stack`\).*target "everything-http" has none$/);
  });

  test('process kinds on a container target count as local; stdout pipe faults stay stdio-only', () => {
    const ctx = { transport: 'streamable-http', local: false, container: true, target: 'stack' } as const;
    for (const kind of ['pause', 'kill', 'terminate', 'restart']) assert.deepEqual(validateProcessFault({ kind }, ctx), [], kind);
    assert.match(validateProcessFault({ kind: 'stdout-stall' }, ctx)[0]!, /acts on a stdio server's stdout, but target "stack" uses streamable-http/);
  });

  test('containerFault refuses invalid specs and kinds that do not act on a container, before touching Docker', () => {
    const ref = { service: 'mcp-server', project: 'none' };
    assert.throws(() => containerFault(ref, { kind: 'memory-squeeze', memoryBytes: 10 }), /invalid container fault: memory-squeeze: memoryBytes must be at least 6291456/);
    assert.throws(() => containerFault(ref, { kind: 'stdout-stall' } as never), /"stdout-stall" does not act on a container/);
    assert.throws(() => containerFault(ref, { kind: 'kill', restartAfterMs: -5 }), /invalid container fault: kill: restartAfterMs must be at least 0 ms/);
  });
});

describe('container faults in scenarios', () => {
  test('bad parameters become issues with JSON pointers and hints', () => {
    const [memory] = issues([{ action: 'fault', fault: { kind: 'memory-squeeze', memoryBytes: 1000 } }]);
    assert.equal(memory?.pointer, '/steps/1/fault/memoryBytes');
    assert.equal(memory?.message, "memory-squeeze fault: memoryBytes must be at least 6291456 bytes (6 MiB, Docker's minimum memory limit) (got 1000)");
    assert.match(memory?.hint ?? '', /Docker refuses limits below 6291456/);
    const [nothing] = issues([{ action: 'fault', fault: { kind: 'netem' } }]);
    assert.equal(nothing?.pointer, '/steps/1/fault');
    assert.match(nothing?.hint ?? '', /"latencyMs": 100/);
    const [unknown] = issues([{ action: 'chaos', interval: 1000, hold: 100, faults: [{ kind: 'pause' }, { kind: 'network-disconnect', netwrok: 'x' }] }]);
    assert.equal(unknown?.pointer, '/steps/1/faults/1/netwrok');
    assert.match(unknown?.hint ?? '', /network/);
    const [loss] = issues([{ action: 'fault', fault: { kind: 'netem', lossPercent: -1 } }]);
    assert.equal(loss?.pointer, '/steps/1/fault/lossPercent');
    assert.deepEqual(issues([{ action: 'fault', fault: { kind: 'netem', latencyMs: 50, jitterMs: 10, lossPercent: 1 }, duration: 1000 }]), []);
  });

  test('faultTargetProblem: container-only kinds need a container target; process kinds run on one', () => {
    for (const kind of CONTAINER_FAULT_KINDS) {
      const spec = kind === 'memory-squeeze' ? { kind, memoryBytes: 64 * 1024 * 1024 } : kind === 'netem' ? { kind, latencyMs: 10 } : { kind };
      assert.equal(faultTargetProblem(spec as never, stackTarget), undefined, kind);
      for (const target of [localHttp, remote, stdio]) {
        const problem = faultTargetProblem(spec as never, target);
        assert.ok(problem, `${kind} on ${target.name}`);
        assert.match(problem.message, new RegExp(`^"${kind}" fault on target "${target.name}" \\(${target.transport}\\): needs a container target: run the scenario in the Compose stack \\(\`mcp-reliability stack\`\\)`));
        assert.equal(problem.expected, 'a target with "container": {"service", "project"} (the server runs in a Compose service)');
        assert.match(problem.hint ?? '', /mcp-reliability stack.*"optional": true/);
      }
    }
    for (const kind of ['pause', 'kill', 'terminate', 'restart']) {
      assert.equal(faultTargetProblem({ kind } as never, stackTarget), undefined, kind);
      assert.match(faultTargetProblem({ kind } as never, remote)?.message ?? '', /is remote/);
    }
    assert.match(faultTargetProblem({ kind: 'partial-line' }, stackTarget)?.message ?? '', /^"partial-line" fault on target "stack-everything" \(streamable-http, in a container\): acts on a stdio server's stdout/);
    assert.equal(faultTargetProblem({ kind: 'latency', latencyMs: 5 }, stackTarget), undefined, 'network faults go through the proxy as before');
  });

  test('planFaults: optional container faults skipped elsewhere with the reason; netem asks for the proxy on container targets only', () => {
    const plan = inline([
      { action: 'fault', fault: { kind: 'stop' }, duration: 100, optional: true },
      { action: 'fault', fault: { kind: 'netem', latencyMs: 20 }, duration: 100, optional: true },
    ]);
    const onHttp = planFaults(plan, localHttp);
    assert.deepEqual(onHttp.issues, []);
    assert.deepEqual([...onHttp.skipped.values()].map((s) => s.kind), ['stop', 'netem']);
    assert.match([...onHttp.skipped.values()][0]!.reason, /needs a container target/);
    assert.equal(onHttp.needsProxy, false);
    const onStack = planFaults(plan, stackTarget);
    assert.equal(onStack.skipped.size, 0);
    assert.equal(onStack.needsProxy, true, 'netem may fall back to the proxy');
    assert.equal(planFaults(inline([{ action: 'fault', fault: { kind: 'stop' } }]), stackTarget).needsProxy, false);
    assert.equal(planFaults(plan, { ...stackTarget, url: 'https://mcp-server/mcp' }).needsProxy, false, 'no proxy in front of TLS');
    const required = planFaults(inline([{ action: 'fault', fault: { kind: 'memory-squeeze', memoryBytes: 64 * 1024 * 1024 } }]), remote);
    assert.equal(required.issues.length, 1);
    assert.equal(required.issues[0]!.pointer, '/steps/1/fault');
  });
});

describe('netem arguments, the proxy fallback, memory restore', () => {
  test('tc netem arguments', () => {
    assert.deepEqual(netemArgs({ kind: 'netem', latencyMs: 100 }), ['delay', '100ms']);
    assert.deepEqual(netemArgs({ kind: 'netem', latencyMs: 100, jitterMs: 20, lossPercent: 5, correlationPercent: 25 }), ['delay', '100ms', '20ms', '25%', 'loss', 'random', '5%', '25%']);
    assert.deepEqual(netemArgs({ kind: 'netem', lossPercent: 0.5 }), ['loss', 'random', '0.5%']);
  });

  test('the fallback shapes what the server sends, on the proxy', () => {
    assert.deepEqual(proxyFallbackSpecs({ kind: 'netem', latencyMs: 100, jitterMs: 20, lossPercent: 5, correlationPercent: 50 }), [
      { kind: 'latency', latencyMs: 100, jitterMs: 20, correlation: 0.5, direction: 'downstream' },
      { kind: 'loss', percent: 5, direction: 'downstream' },
    ]);
  });

  test('memory limits come back exactly where Docker allows, as "no limit" in effect where it does not', () => {
    assert.deepEqual(restoreUpdate({ memory: 256 * 1024 * 1024, memorySwap: 512 * 1024 * 1024 }), { Memory: 256 * 1024 * 1024, MemorySwap: 512 * 1024 * 1024 });
    assert.deepEqual(restoreUpdate({ memory: 0, memorySwap: 0 }), { Memory: NO_LIMIT_BYTES, MemorySwap: NO_LIMIT_BYTES });
    assert.deepEqual(restoreUpdate({ memory: 64 * 1024 * 1024, memorySwap: -1 }), { Memory: 64 * 1024 * 1024, MemorySwap: NO_LIMIT_BYTES });
  });
});

/** fault, fault-stop, chaos and background steps, on a fake fault runtime (no server): what starts, when, and what is lifted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forkRng } from '../../src/chaos/index.js';
import { validateScenario, type Step } from '../../src/scenario/index.js';
import type { FaultHandle, FaultRuntime, RunContext } from '../../src/run/context.js';
import { runClock } from '../../src/run/clock.js';
import { runSteps } from '../../src/run/interpreter.js';

interface Log {
  t: number;
  what: string;
}

function harness(steps: unknown[], opts: { durationMs?: number; skip?: (s: Step) => boolean; failStart?: boolean } = {}) {
  const { plan, issues } = validateScenario({ name: 't', expect: { minRequests: 1 }, steps }, '<inline>');
  assert.ok(plan, JSON.stringify(issues));
  const t0 = Date.now();
  const log: Log[] = [];
  const notes: string[] = [];
  let window = 0;
  const runtime: FaultRuntime = {
    pointerOf: (step) => `/steps/${plan.scenario.steps.indexOf(step)}`,
    isSkipped: (step) => opts.skip?.(step) ?? false,
    excludedOf: () => new Set(),
    chaosRng: forkRng(1, 'chaos'),
    start: async (spec, where) => {
      if (opts.failStart) throw new Error('injection broke');
      log.push({ t: Date.now() - t0, what: `start ${spec.kind} ${where.source}${where.id ? ` #${where.id}` : ''}` });
      return { window: ++window, kind: spec.kind, source: where.source, ...(where.id ? { id: where.id } : {}) };
    },
    lift: async (h: FaultHandle) => void log.push({ t: Date.now() - t0, what: `lift ${h.kind}` }),
    stopFromSteps: async (id) => void log.push({ t: Date.now() - t0, what: `stop ${id ?? 'all'}` }),
  };
  const ctx = {
    session: {} as RunContext['session'],
    rng: forkRng(1, 'steps'),
    roles: {},
    ...runClock(opts.durationMs ?? 60_000, { startedAt: t0 }),
    note: (text: string) => void notes.push(text),
    marker: { counter: 0, seed: 1 },
    faults: runtime,
  } satisfies RunContext;
  return { run: () => runSteps(plan.scenario.steps, ctx, { template: {}, deadline: ctx.hardDeadline }), log, notes, t0 };
}

const near = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) <= 60, `${what}: ${actual} ms, expected ~${expected}`);

test('a held fault lasts its duration, then is lifted; an unheld one stays until fault-stop names it', async () => {
  const h = harness([
    { action: 'fault', fault: { kind: 'latency', latencyMs: 5 }, duration: 200 },
    { action: 'fault', id: 'drop', fault: { kind: 'reset' } },
    { action: 'wait', duration: 100 },
    { action: 'fault-stop', id: 'drop' },
    { action: 'fault-stop' },
  ]);
  await h.run();
  assert.deepEqual(h.log.map((l) => l.what), ['start latency /steps/0', 'lift latency', 'start reset /steps/1 #drop', 'stop drop', 'stop all']);
  near(h.log[1]!.t, 200, 'lifted after its hold');
  near(h.log[3]!.t, 300, 'fault-stop after the wait');
});

test('background: traffic starts and the timeline goes on at once; the list waits for it', async () => {
  const h = harness([
    { action: 'chaos', background: true, duration: 450, interval: 200, hold: 50, faults: [{ kind: 'reset' }] },
    { action: 'fault', fault: { kind: 'pause' }, duration: 100 },
  ]);
  const started = Date.now();
  await h.run();
  near(Date.now() - started, 450, 'the list lasted as long as its background chaos step');
  assert.deepEqual(h.log.map((l) => l.what), ['start pause /steps/1', 'lift pause', 'start reset /steps/0/faults/0', 'lift reset', 'start reset /steps/0/faults/0', 'lift reset']);
  near(h.log[0]!.t, 0, 'the fault step did not wait for the background step');
  near(h.log[2]!.t, 200, 'first chaos draw after one interval');
  near(h.log[4]!.t, 400, 'second draw');
});

test('a skipped optional step injects nothing; a fault whose hold would outlast the run is not injected (noted)', async () => {
  const skipped = harness([{ action: 'fault', fault: { kind: 'reset' }, optional: true }], { skip: () => true });
  await skipped.run();
  assert.deepEqual(skipped.log, []);
  const late = harness([{ action: 'wait', duration: 100 }, { action: 'fault', fault: { kind: 'pause' }, duration: 5000 }, { action: 'fault', fault: { kind: 'reset' }, duration: 0 }], { durationMs: 1000 });
  await late.run();
  assert.deepEqual(late.log.map((l) => l.what), ['start reset /steps/2', 'lift reset']);
  assert.deepEqual(late.notes, ['fault pause at /steps/1 was not injected when its 5000 ms hold would have outlasted the run']);
});

test('a background step that fails makes the list fail once its other steps are done (no unhandled rejection)', async () => {
  const h = harness([{ action: 'chaos', background: true, duration: 100, interval: 50, hold: 10, faults: [{ kind: 'reset' }] }, { action: 'wait', duration: 150 }], { failStart: true });
  const started = Date.now();
  await assert.rejects(h.run(), /injection broke/);
  near(Date.now() - started, 150, 'the foreground wait still ran to its end');
});

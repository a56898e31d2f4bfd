/**
 * The same seed replays the same fault timeline: a chaos schedule run twice with seed 1 draws the
 * same faults at the same offsets (relative to the first, rounded to 500 ms: on a loaded machine a
 * timer may fire late, and a draw is 1.5 s from the next); seed 2 draws others.
 * The three runs go at once (network faults only, each run its own server and proxy).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFaultFixture } from './fault-harness.js';

test('a chaos schedule: same seed, same (kind, offset) sequence; another seed, another one', { timeout: 90_000 }, async (t) => {
  const [a, b, c] = await Promise.all([1, 1, 2].map((seed) => runFaultFixture('chaos', 'everything-http', 10_000, { seed })));
  const timeline = (run: typeof a) => {
    const windows = run!.result.faults.windows;
    const first = windows[0]?.startOffsetMs ?? 0;
    return windows.map((w) => [w.kind, Math.round((w.startOffsetMs - first) / 500) * 500, w.source] as const);
  };
  for (const run of [a, b, c]) t.diagnostic(`seed ${run!.result.run.seed}: ${timeline(run).map(([kind, at]) => `${kind}@+${at}`).join(' ')}`);
  assert.equal(timeline(a).length, 4, 'a fault every 1.5 s for the 7 s of the chaos step');
  assert.deepEqual(timeline(a), timeline(b));
  assert.deepEqual(timeline(a).map(([, at]) => at), timeline(a).map((_, i) => i * 1500), 'one fault every interval');
  assert.notDeepEqual(timeline(c).map(([kind]) => kind), timeline(a).map(([kind]) => kind));
  // Every window was lifted on time (held 0.5 s) and recovered from.
  for (const w of a!.result.faults.windows) {
    assert.equal(w.endedBy, 'lifted');
    assert.ok(w.heldMs !== null && Math.abs(w.heldMs - 500) < 100, `held ${w.heldMs} ms`);
  }
});

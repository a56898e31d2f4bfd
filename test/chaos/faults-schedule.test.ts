/** Chaos schedules (pure): seeded, deterministic, never overlapping, honouring exclusions and the length. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chaosSchedule, forkRng, validateChaosSchedule } from '../../src/chaos/index.js';

const base = { faultCount: 4, intervalMs: 8000, holdMs: 3000, lengthMs: 60_000 };

test('a draw every interval, the first after one interval, each held `hold`, all inside the length', () => {
  const draws = chaosSchedule({ ...base, rng: forkRng(1, 'chaos') });
  assert.deepEqual(draws.map((d) => d.atMs), [8000, 16_000, 24_000, 32_000, 40_000, 48_000, 56_000].filter((at) => at + 3000 <= 60_000));
  for (const d of draws) {
    assert.equal(d.holdMs, 3000);
    assert.ok(d.faultIndex >= 0 && d.faultIndex < 4);
  }
  // 56 s + 3 s hold ends at 59 s: fits; a 58.5 s schedule drops it.
  assert.equal(chaosSchedule({ ...base, lengthMs: 58_500, rng: forkRng(1, 'chaos') }).length, draws.length - 1);
  assert.deepEqual(chaosSchedule({ ...base, lengthMs: 10_000, rng: forkRng(1, 'chaos') }).length, 0, '8 s + 3 s does not fit in 10 s');
});

test('the same seed draws the same sequence; another seed a different one', () => {
  const kinds = (seed: number) => chaosSchedule({ ...base, lengthMs: 600_000, rng: forkRng(seed, 'chaos') }).map((d) => d.faultIndex);
  assert.deepEqual(kinds(1), kinds(1));
  assert.notDeepEqual(kinds(1), kinds(2));
  // Every fault of the list is drawn, each about a quarter of the time (74 draws: loose band).
  const counts = [0, 0, 0, 0];
  for (const i of kinds(7)) counts[i]! += 1;
  for (const c of counts) assert.ok(c >= 8 && c <= 30, counts.join(','));
});

test('excluded faults are never drawn; nothing allowed means no draw and no rng use', () => {
  const draws = chaosSchedule({ ...base, lengthMs: 600_000, rng: forkRng(3, 'chaos'), exclude: new Set([0, 2]) });
  assert.ok(draws.length > 50);
  assert.deepEqual([...new Set(draws.map((d) => d.faultIndex))].sort(), [1, 3]);
  let used = 0;
  const rng = () => (used++, 0.5);
  assert.deepEqual(chaosSchedule({ ...base, rng, exclude: new Set([0, 1, 2, 3]) }), []);
  assert.equal(used, 0);
});

test('a hold as long as the interval (overlapping faults) is refused in words', () => {
  assert.deepEqual(validateChaosSchedule({ intervalMs: 1000, holdMs: 1000, faultCount: 1 }), [
    'hold (1000 ms) must be shorter than interval (1000 ms), so that one fault is lifted before the next starts',
  ]);
  assert.match(validateChaosSchedule({ intervalMs: 0, holdMs: 0, faultCount: 0 }).join('\n'), /interval must be greater than 0 ms[\s\S]*at least one fault/);
  assert.throws(() => chaosSchedule({ ...base, holdMs: 9000, rng: forkRng(1, 'x') }), /invalid chaos schedule: hold \(9000 ms\) must be shorter/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadPlan } from '../../src/scenario/index.js';
import { parseShard, shardPlan, shardSeed, shareOf } from '../../src/scenario/shard.js';
import type { Plan, Step } from '../../src/scenario/types.js';

const SCENARIOS = join(import.meta.dirname, '..', '..', 'scenarios');

test('--shard k/N: parsed, and refused with what was expected', () => {
  assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
  assert.deepEqual(parseShard(' 1/1 '), { index: 1, count: 1 });
  for (const [text, message] of [
    ['3', /expected <index>\/<count>/],
    ['0/2', /index must be 1 to 2/],
    ['3/2', /index must be 1 to 2/],
    ['1/0', /count must be 1 to 256/],
    ['1/999', /count must be 1 to 256/],
    ['a/b', /expected <index>\/<count>/],
  ] as const) {
    const r = parseShard(text);
    assert.ok('error' in r && message.test(r.error), `${text}: ${JSON.stringify(r)}`);
  }
});

test("shares add up to the whole: workers split with the remainder to the first shards, rates in proportion", () => {
  assert.deepEqual([1, 2, 3].map((index) => shareOf(10, { index, count: 3 })), [4, 3, 3]);
  const plan: Plan = {
    source: 'inline.json',
    rolesUsed: ['probe'],
    scenario: {
      name: 'split',
      expect: { minRequests: 300, minRequestRate: 9, availability: 99 },
      steps: [
        { action: 'connect' },
        { action: 'load', role: 'probe', concurrency: 10, rate: 300 },
        { action: 'soak', steps: [{ action: 'load', role: 'probe', concurrency: 4 }, { action: 'call-tool', role: 'probe' }] },
      ],
    },
  };
  const shards = [1, 2, 3].map((index) => shardPlan(plan, { index, count: 3 }));
  for (const s of shards) assert.deepEqual(s.issues, []);
  const loads = shards.map((s) => [s.plan.scenario.steps[1]!, s.plan.scenario.steps[2]!.steps![0]!] as Step[]);
  assert.deepEqual(loads.map(([a]) => a!.concurrency), [4, 3, 3]);
  assert.equal(loads.reduce((n, [a]) => n + a!.rate!, 0), 300);
  assert.deepEqual(loads.map(([a]) => a!.rate), [120, 90, 90]);
  assert.deepEqual(loads.map(([, b]) => b!.concurrency), [2, 1, 1]);
  assert.deepEqual(shards.map((s) => s.plan.scenario.expect), [1, 2, 3].map(() => ({ minRequests: 100, minRequestRate: 3, availability: 99 })));
  assert.equal(plan.scenario.steps[1]!.concurrency, 10, 'the original plan is untouched');
  assert.equal(shardPlan(plan, { index: 1, count: 1 }).plan, plan, 'one shard is the whole plan');
});

test('a load that cannot be split, or no load at all: issues with file and pointer', async () => {
  const stable = await loadPlan('connection-stability', { scenariosDir: SCENARIOS });
  const none = shardPlan(stable, { index: 1, count: 2 });
  assert.equal(none.issues.length, 1);
  assert.match(none.issues[0]!.message, /no load step/);
  assert.equal(none.issues[0]!.pointer, '/steps');
  const high = await loadPlan('high-load-stress', { scenariosDir: SCENARIOS });
  const tooMany = shardPlan(high, { index: 1, count: 16 });
  assert.deepEqual(tooMany.issues.map((i) => [i.pointer, i.expected]), [['/steps/4/concurrency', 'an integer >= 16']]);
  assert.equal(tooMany.issues[0]!.file, high.source);
  assert.deepEqual(shardPlan(high, { index: 2, count: 2 }).issues, []);
});

test('shard seeds: one family — the same for the same seed and shard, different across shards and seeds', () => {
  const seeds = [1, 2, 3, 4].map((index) => shardSeed(1, { index, count: 4 }));
  assert.equal(new Set(seeds).size, 4);
  assert.deepEqual(seeds, [1, 2, 3, 4].map((index) => shardSeed(1, { index, count: 4 })));
  assert.notEqual(shardSeed(2, { index: 1, count: 4 }), seeds[0]);
  assert.equal(shardSeed(7, { index: 1, count: 1 }), 7);
});

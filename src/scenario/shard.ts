/**
 * A load split across jobs (`--shard <index>/<count>`, one matrix job per shard): each shard runs
 * the whole scenario with every `load` step's share — its `rate` divided by `count`, its
 * `concurrency` split so the shards' workers add up to the original — and the request floors
 * (`minRequests`, `minRequestRate`) divided the same way. Its seed is derived from the scenario's
 * seed and the index (the same family: shard k of seed s is the same run every time, and no two
 * shards draw the same schedule). Everything else (handshake, probes, faults) each shard does in
 * full. The report merges the shards' histograms exactly (report/merge.ts).
 */
import type { Plan, Step, ValidationIssue } from './types.js';

export interface ShardSpec {
  /** 1-based. */
  index: number;
  count: number;
}

/** The most shards a load may be split into (a matrix is at most 256 jobs). */
export const MAX_SHARDS = 256;

/** `2/3` → {index: 2, count: 3}; null with a reason when it is not that. */
export function parseShard(text: string): ShardSpec | { error: string } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return { error: `"${text}": expected <index>/<count>, e.g. 1/4 (index from 1 to count)` };
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) return { error: `"${text}": count must be 1 to ${MAX_SHARDS}` };
  if (index < 1 || index > count) return { error: `"${text}": index must be 1 to ${count}` };
  return { index, count };
}

/** The shard's seed: the scenario's seed mixed with the index (FNV-1a over `shard:<index>/<count>`). */
export function shardSeed(seed: number, shard: ShardSpec): number {
  if (shard.count === 1) return seed >>> 0;
  let h = seed >>> 0;
  for (const ch of `shard:${shard.index}/${shard.count}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

/** Shard `index` of `count` gets this many of `total` workers (the first `total % count` shards one more). */
export function shareOf(total: number, shard: ShardSpec): number {
  return Math.floor(total / shard.count) + (shard.index <= total % shard.count ? 1 : 0);
}

/** The plan with this shard's share of every load step; issues when a step cannot be split. */
export function shardPlan(plan: Plan, shard: ShardSpec): { plan: Plan; issues: ValidationIssue[] } {
  if (shard.count === 1) return { plan, issues: [] };
  const issues: ValidationIssue[] = [];
  let loads = 0;
  const split = (steps: Step[] | undefined, base: string): Step[] | undefined =>
    steps?.map((step, i) => {
      const pointer = `${base}/${i}`;
      const out: Step = { ...step, ...(step.steps ? { steps: split(step.steps, `${pointer}/steps`) } : {}) };
      if (step.action !== 'load') return out;
      loads += 1;
      const concurrency = step.concurrency ?? 10;
      if (concurrency < shard.count) {
        issues.push({ file: plan.source, pointer: `${pointer}/concurrency`, message: `concurrency ${concurrency}${step.concurrency === undefined ? ' (the default)' : ''} cannot be split across ${shard.count} shards: every shard needs at least one worker`, expected: `an integer >= ${shard.count}`, hint: `raise concurrency to a multiple of ${shard.count}, or use fewer shards` });
        return out;
      }
      out.concurrency = shareOf(concurrency, shard);
      if (step.rate !== undefined) out.rate = (step.rate * out.concurrency) / concurrency;
      return out;
    });
  const steps = split(plan.scenario.steps, '/steps') ?? [];
  if (loads === 0) issues.push({ file: plan.source, pointer: '/steps', message: `--shard ${shard.index}/${shard.count}: the scenario has no load step, so there is no load to split`, hint: 'shard only scenarios whose steps include an action: load; run the others whole' });
  const expect = plan.scenario.expect ? { ...plan.scenario.expect } : undefined;
  if (expect?.minRequests !== undefined) expect.minRequests = expect.minRequests / shard.count;
  if (expect?.minRequestRate !== undefined) expect.minRequestRate = expect.minRequestRate / shard.count;
  return { plan: { ...plan, scenario: { ...plan.scenario, steps, ...(expect ? { expect } : {}) } }, issues };
}

/**
 * One load split across jobs (`--shard k/N`), put back together (pure). The shards' counts add up;
 * their latency histograms (each result carries every sample as an HdrHistogram) are added, and
 * the percentiles read from the sum: exactly the percentiles of one histogram holding every
 * request of every shard. Percentiles are never averaged. The SLOs that judge the whole load
 * (availability, error rates, latency percentiles, request floors) are judged again on the merged
 * figures; the others (recovery, tool drift, findings, ...) are a shard's own and fail the merge
 * when they failed in any shard.
 */
import { LatencyHistogram } from '../metrics/histogram.js';
import type { LatencyStats, ScenarioResult, SloResult, Verdict } from './result.js';

export interface MergedLoad {
  scenario: string;
  client: string;
  target: string;
  /** Shards expected (the N of k/N), those present and those missing. */
  count: number;
  present: number[];
  missing: number[];
  baseSeed: number;
  verdict: Verdict;
  totals: ScenarioResult['totals'];
  /** The shards' request rates added (requests / run seconds of each). */
  requestsPerSecond: number;
  /** From the merged histograms; a key some shard has no histogram for is left out (noted). */
  latency: Record<string, LatencyStats>;
  slos: SloResult[];
  notes: string[];
}

/** SLO ids judged again on the merged figures. */
const WHOLE_LOAD = /^(availability|errorRate|toolErrorRate|minRequests|minRequestRate|latency\..+\.(p50|p90|p95|p99|max))$/;

const round4 = (v: number) => Math.round(v * 10_000) / 10_000;
const percent = (part: number, whole: number) => (whole === 0 ? null : round4((part / whole) * 100));

function groupKey(r: ScenarioResult): string {
  return JSON.stringify([r.scenario.name, r.client.profile, r.target.name, r.run.shard!.count, r.run.shard!.baseSeed]);
}

/** Split results into merged loads (results with a shard) and the others, in their order. */
export function mergeShards(results: readonly ScenarioResult[]): { merged: MergedLoad[]; single: ScenarioResult[] } {
  const groups = new Map<string, ScenarioResult[]>();
  const single: ScenarioResult[] = [];
  for (const r of results) {
    if (!r.run.shard) {
      single.push(r);
      continue;
    }
    const key = groupKey(r);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return { merged: [...groups.values()].map(mergeGroup), single };
}

function mergeGroup(all: ScenarioResult[]): MergedLoad {
  const first = all[0]!;
  const count = first.run.shard!.count;
  const notes: string[] = [];
  // One result per index (a re-run's artifact replaces the first attempt's upstream; a duplicate here is noted and left out).
  const byIndex = new Map<number, ScenarioResult>();
  for (const r of all) {
    if (byIndex.has(r.run.shard!.index)) notes.push(`shard ${r.run.shard!.index}/${count} appears twice: the second result was left out`);
    else byIndex.set(r.run.shard!.index, r);
  }
  const shards = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
  const present = shards.map((r) => r.run.shard!.index);
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) notes.push(`shard(s) ${missing.map((i) => `${i}/${count}`).join(', ')} missing: the merged figures hold ${present.length} of ${count} shares of the load, so the load is not judged`);

  const sum = (f: (r: ScenarioResult) => number | undefined) => shards.reduce((s, r) => s + (f(r) ?? 0), 0);
  const requests = sum((r) => r.totals.requests);
  const ok = sum((r) => r.totals.ok);
  const errors = sum((r) => r.totals.errors);
  const timeouts = sum((r) => r.totals.timeouts);
  const unavailable = sum((r) => r.totals.unavailable);
  const toolErrors = sum((r) => r.totals.toolErrors);
  const toolCalls = sum((r) => r.latency['tools/call']?.count);
  const totals: ScenarioResult['totals'] = {
    requests,
    ok,
    errors,
    timeouts,
    unavailable,
    toolErrors,
    availabilityPercent: percent(ok + toolErrors, requests),
    errorRatePercent: percent(errors + timeouts, requests),
    toolErrorRatePercent: percent(toolErrors, toolCalls),
  };
  const requestsPerSecond = round4(sum((r) => (r.run.durationMs > 0 ? (r.totals.requests * 1000) / r.run.durationMs : 0)));

  const latency: Record<string, LatencyStats> = {};
  const keys = [...new Set(shards.flatMap((r) => Object.keys(r.latency)))].sort();
  for (const key of keys) {
    const parts = shards.map((r) => r.latency[key]).filter((s): s is LatencyStats => s !== undefined);
    if (parts.some((s) => s.histogram === undefined)) {
      notes.push(`latency of ${key}: a shard's result has no histogram (written before schema 1.4.0), so it is not merged`);
      continue;
    }
    const h = new LatencyHistogram();
    for (const s of parts) h.addEncoded(s.histogram!);
    const partSum = (f: (s: LatencyStats) => number | undefined) => parts.reduce((n, s) => n + (f(s) ?? 0), 0);
    const sent = parts.filter((s) => s.count - (s.unavailable ?? 0) > 0);
    const stats = h.toStats(partSum((s) => s.errors), partSum((s) => s.timeouts), sent.length ? Math.max(...sent.map((s) => s.max)) : 0);
    latency[key] = {
      ...stats,
      count: partSum((s) => s.count),
      unavailable: partSum((s) => s.unavailable),
      ...(partSum((s) => s.toolErrors) ? { toolErrors: partSum((s) => s.toolErrors) } : {}),
      histogram: h.encode(),
    };
  }

  const slos = mergeSlos(shards, totals, latency);
  let verdict: Verdict = slos.every((s) => s.passed) ? 'pass' : 'fail';
  if (missing.length || shards.some((r) => r.verdict === 'error')) verdict = 'error';
  for (const r of shards.filter((s) => s.verdict === 'error')) notes.push(`shard ${r.run.shard!.index}/${count}: harness error: ${r.error ?? 'unknown'}`);
  return { scenario: first.scenario.name, client: first.client.profile, target: first.target.name, count, present, missing, baseSeed: first.run.shard!.baseSeed, verdict, totals, requestsPerSecond, latency, slos, notes };
}

function mergeSlos(shards: readonly ScenarioResult[], totals: ScenarioResult['totals'], latency: Record<string, LatencyStats>): SloResult[] {
  const ids = [...new Set(shards.flatMap((r) => r.slos.map((s) => s.id)))];
  return ids.map((id) => {
    const each = shards.map((r) => ({ r, slo: r.slos.find((s) => s.id === id) })).filter((x): x is { r: ScenarioResult; slo: SloResult } => x.slo !== undefined);
    const base = each[0]!.slo;
    if (!WHOLE_LOAD.test(id)) {
      const failed = each.filter((x) => !x.slo.passed);
      const worst = failed[0] ?? each[0]!;
      const which = failed.map((x) => `${x.r.run.shard!.index}/${x.r.run.shard!.count}`).join(', ');
      return { ...worst.slo, passed: failed.length === 0, note: failed.length ? `judged per shard: failed in shard ${which}${worst.slo.note ? ` (${worst.slo.note})` : ''}` : 'judged per shard: met in every shard' };
    }
    let measured: number | null;
    let limit = Number(base.limit);
    if (id === 'availability') measured = totals.availabilityPercent;
    else if (id === 'errorRate') measured = totals.errorRatePercent;
    else if (id === 'toolErrorRate') measured = totals.toolErrorRatePercent ?? null;
    else if (id === 'minRequests' || id === 'minRequestRate') {
      // Each shard's floor was its share: the whole load's floor is their sum.
      measured = totals.requests;
      limit = round4(each.reduce((n, x) => n + Number(x.slo.limit), 0));
    } else {
      const m = /^latency\.(.+)\.(p50|p90|p95|p99|max)$/.exec(id)!;
      const stats = latency[m[1]!];
      measured = stats && stats.count - (stats.unavailable ?? 0) > 0 ? stats[m[2] as 'p50'] : null;
    }
    const { note: _note, ...rest } = base;
    if (measured === null) return { ...rest, measured: null, limit, passed: false, note: 'nothing was measured in the merged shards' };
    const passed = base.comparator === '>=' ? measured >= limit : measured <= limit;
    return { ...rest, measured, limit, passed, note: `merged over ${each.length} shard(s)` };
  });
}

/**
 * What a comparison needs of one run of one scenario (pure): counts, every latency sample as an
 * HDR histogram per method, the fault windows' MTTD and MTTR by kind, reconnects, findings, the
 * server's memory slope. The shards of a split load (`--shard k/N`) make one run: their figures
 * are pooled exactly as the history of several baseline runs is (counts added, histograms added).
 */
import type { FindingSeverity } from '../session/findings.js';
import type { ScenarioResult } from '../report/result.js';
import { runSlug } from '../report/files.js';

export interface RunFigures {
  /** scenario × client profile, as the run's file names (`<scenario>[.<profile>]`). */
  key: string;
  scenario: string;
  profile: string;
  startedAt: string;
  durationMs: number;
  requests: number;
  /** Answered (ok and tool errors): what availability counts. */
  answered: number;
  /** Errors and timeouts: what the error rate counts. */
  failed: number;
  toolCalls: number;
  toolErrors: number;
  /** Methods (`tools/call`, `ping`, ...) with every sample's histogram; methods of a result without histograms are left out. */
  latency: Record<string, string[]>;
  /** Requests sent (not `unavailable`) per method: which method the time series mostly speaks for. */
  sent: Record<string, number>;
  /** The time series' percentiles per interval with requests sent (every method together). */
  intervals: { p50: number[]; p95: number[]; p99: number[] };
  /** By fault kind: the windows recorded, MTTD and MTTR of those that had one, how many were recovered from. */
  faults: Record<string, { windows: number; mttd: number[]; mttr: number[]; recovered: number }>;
  reconnects: number;
  unexpectedDisconnections: number;
  /** Findings by kind. */
  findings: Record<string, { severity: FindingSeverity; title: string; count: number }>;
  /** Server RSS slope, MiB per minute, when the run sampled its memory long enough to mean something. */
  memorySlope: number | null;
  /** The limits the scenario put on regressions (its `expect.regression`). */
  regression?: ScenarioResult['regression'];
}

/** Methods only: `tool:` and `role:` keys are other cuts of the same requests. */
const isMethod = (key: string) => !key.startsWith('tool:') && !key.startsWith('role:');

/** The memory slope is noise over a short run or a few samples (GC decides it). */
const MIN_MEMORY_SAMPLES = 20;
const MIN_MEMORY_RUN_MS = 60_000;

export function figuresOf(r: ScenarioResult): RunFigures {
  const latency: Record<string, string[]> = {};
  const sent: Record<string, number> = {};
  for (const [key, stats] of Object.entries(r.latency)) {
    if (!isMethod(key)) continue;
    sent[key] = stats.count - (stats.unavailable ?? 0);
    if (stats.histogram) latency[key] = [stats.histogram];
  }
  const points = (r.timeSeries?.points ?? []).filter((p) => p.requests - p.unavailable > 0);
  const intervals = { p50: points.map((p) => p.p50), p95: points.map((p) => p.p95), p99: points.map((p) => p.p99) };
  const faults: RunFigures['faults'] = {};
  for (const w of r.faults.windows) {
    if (w.endedBy === 'failed') continue;
    const f = (faults[w.kind] ??= { windows: 0, mttd: [], mttr: [], recovered: 0 });
    f.windows += 1;
    if (w.mttdMs !== null) f.mttd.push(w.mttdMs);
    if (w.mttrMs !== null) {
      f.mttr.push(w.mttrMs);
      f.recovered += 1;
    }
  }
  const findings: RunFigures['findings'] = {};
  for (const v of r.violations) findings[v.kind] = { severity: v.severity, title: v.title, count: v.count };
  const memory = r.memory;
  return {
    key: runSlug({ scenario: r.scenario, client: r.client }),
    scenario: r.scenario.name,
    profile: r.client.profile,
    startedAt: r.run.startedAt,
    durationMs: r.run.durationMs,
    requests: r.totals.requests,
    answered: r.totals.ok + (r.totals.toolErrors ?? 0),
    failed: r.totals.errors + r.totals.timeouts,
    toolCalls: r.latency['tools/call']?.count ?? 0,
    toolErrors: r.totals.toolErrors ?? 0,
    latency,
    sent,
    intervals,
    faults,
    reconnects: r.reconnects.attempts,
    unexpectedDisconnections: r.disconnections.unexpected,
    findings,
    memorySlope: memory && memory.samples >= MIN_MEMORY_SAMPLES && r.run.durationMs >= MIN_MEMORY_RUN_MS ? memory.growthBytesPerMinute / 2 ** 20 : null,
    ...(r.regression ? { regression: r.regression } : {}),
  };
}

/** Several runs (shards of one load, or the history of a baseline) as one: counts added, samples pooled. */
export function pool(runs: readonly RunFigures[]): RunFigures {
  const first = runs[0]!;
  const sum = (f: (r: RunFigures) => number) => runs.reduce((n, r) => n + f(r), 0);
  const latency: Record<string, string[]> = {};
  for (const r of runs) for (const [m, h] of Object.entries(r.latency)) (latency[m] ??= []).push(...h);
  const sent: Record<string, number> = {};
  for (const r of runs) for (const [m, n] of Object.entries(r.sent)) sent[m] = (sent[m] ?? 0) + n;
  const intervals = { p50: runs.flatMap((r) => r.intervals.p50), p95: runs.flatMap((r) => r.intervals.p95), p99: runs.flatMap((r) => r.intervals.p99) };
  const faults: RunFigures['faults'] = {};
  for (const r of runs) {
    for (const [kind, f] of Object.entries(r.faults)) {
      const into = (faults[kind] ??= { windows: 0, mttd: [], mttr: [], recovered: 0 });
      into.windows += f.windows;
      into.mttd.push(...f.mttd);
      into.mttr.push(...f.mttr);
      into.recovered += f.recovered;
    }
  }
  const findings: RunFigures['findings'] = {};
  for (const r of runs) {
    for (const [kind, f] of Object.entries(r.findings)) {
      const into = (findings[kind] ??= { ...f, count: 0 });
      into.count += f.count;
    }
  }
  const slopes = runs.map((r) => r.memorySlope).filter((s): s is number => s !== null);
  return {
    ...first,
    durationMs: sum((r) => r.durationMs),
    requests: sum((r) => r.requests),
    answered: sum((r) => r.answered),
    failed: sum((r) => r.failed),
    toolCalls: sum((r) => r.toolCalls),
    toolErrors: sum((r) => r.toolErrors),
    latency,
    sent,
    intervals,
    faults,
    reconnects: sum((r) => r.reconnects),
    unexpectedDisconnections: sum((r) => r.unexpectedDisconnections),
    findings,
    memorySlope: slopes.length ? slopes.reduce((a, b) => a + b, 0) / slopes.length : null,
  };
}

/**
 * The runs in `results`, by scenario × profile, oldest first. Shards of a split load are put back
 * together: the i-th result of each shard index is the i-th run (a folder holding two nightlies'
 * shards gives two runs).
 */
export function runsByKey(results: readonly ScenarioResult[]): Map<string, RunFigures[]> {
  const byKey = new Map<string, { whole: RunFigures[]; shards: Map<number, RunFigures[]> }>();
  const ordered = [...results].sort((a, b) => a.run.startedAt.localeCompare(b.run.startedAt));
  for (const r of ordered) {
    const f = figuresOf(r);
    const entry = byKey.get(f.key) ?? { whole: [], shards: new Map<number, RunFigures[]>() };
    byKey.set(f.key, entry);
    if (r.run.shard) entry.shards.set(r.run.shard.index, [...(entry.shards.get(r.run.shard.index) ?? []), f]);
    else entry.whole.push(f);
  }
  const out = new Map<string, RunFigures[]>();
  for (const [key, { whole, shards }] of byKey) {
    const runs = [...whole];
    const depth = Math.max(0, ...[...shards.values()].map((s) => s.length));
    for (let i = 0; i < depth; i++) {
      const parts = [...shards.values()].map((s) => s[i]).filter((f): f is RunFigures => f !== undefined);
      runs.push(pool(parts));
    }
    out.set(key, runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt)));
  }
  return out;
}

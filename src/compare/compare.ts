/**
 * Did the current runs get worse than the baseline? (pure) Per scenario × client profile and per
 * metric — availability, error rate, tool error rate, p50/p95/p99 per method, MTTD and MTTR per
 * fault kind, faults recovered from, reconnects, unexpected disconnections, findings, the server's
 * memory slope — the baseline's figure, the current one, the difference, and a verdict
 * `better | same | worse | unknown` with the method that decided it (stats.ts).
 *
 * A metric is `worse` only when all of these hold, so that noise does not cry wolf:
 * 1. the difference is beyond sampling noise (a confidence interval that excludes no change);
 * 2. it is at least the minimum effect (absolute and relative: a p95 from 2 to 3 ms is not news);
 * 3. with a baseline history (several baseline runs), the current figure is outside the range the
 *    baseline runs themselves spread over.
 * `better` is the mirror image. A finding kind the baseline never had is always `worse`, and a
 * fault kind the baseline always recovered from but the current run did not. `unknown`: no
 * baseline, or too few samples on one side.
 */
import type { RegressionLimits } from '../report/result.js';
import { pool, runsByKey, type RunFigures } from './figures.js';
import { mannWhitney, median, percentileEstimate, poissonRateTest, pooledHistogram, rateDifference, zFor, type PercentileEstimate } from './stats.js';
import type { ScenarioResult } from '../report/result.js';

export type MetricVerdict = 'better' | 'same' | 'worse' | 'unknown';

export interface MetricComparison {
  /** Stable id: `availability`, `errorRate`, `latency.tools/call.p95`, `mttr.reset`, `finding.stdout-non-json`, ... */
  id: string;
  label: string;
  unit: '%' | 'ms' | '/min' | 'MiB/min' | 'count' | 'windows';
  baseline: number | null;
  current: number | null;
  /** current − baseline (percentage points for `%`). */
  delta: number | null;
  verdict: MetricVerdict;
  /** How the verdict was reached, in words (the interval, the effect, the history). */
  method: string;
}

export interface ScenarioComparison {
  key: string;
  scenario: string;
  profile: string;
  /** Baseline runs of this scenario (more than one: a history, whose spread is taken into account). */
  baselineRuns: number;
  currentRuns: number;
  verdict: MetricVerdict;
  metrics: MetricComparison[];
  notes: string[];
}

export interface Comparison {
  kind: 'mcp-reliability-comparison';
  version: 1;
  verdict: MetricVerdict;
  scenarios: ScenarioComparison[];
  /** Scenario runs the baseline has and the current results do not. */
  onlyInBaseline: string[];
}

export const DEFAULT_REGRESSION_LIMITS: Required<Omit<RegressionLimits, 'ignore'>> & { ignore: string[] } = {
  confidence: 0.99,
  latencyRelative: 0.5,
  latencyAbsoluteMs: 10,
  ratePoints: 0.2,
  rateRelative: 0.5,
  recoveryRelative: 1,
  recoveryAbsoluteMs: 1000,
  memoryMiBPerMinute: 1,
  ignore: [],
};
type Limits = typeof DEFAULT_REGRESSION_LIMITS;

const PERCENTILES = [
  ['p50', 0.5],
  ['p95', 0.95],
  ['p99', 0.99],
] as const;

const r2 = (v: number) => Number(v.toPrecision(3));
const pct = (v: number) => Math.round(v * 1_000_000) / 10_000;

interface Judge {
  limits: Limits;
  z: number;
  base: RunFigures;
  history: RunFigures[];
  cur: RunFigures;
}

function metric(id: string, label: string, unit: MetricComparison['unit'], baseline: number | null, current: number | null, verdict: MetricVerdict, method: string): MetricComparison {
  return { id, label, unit, baseline, current, delta: baseline === null || current === null ? null : r2(current - baseline), verdict, method };
}

/** With a history, the current figure must lie outside the baseline runs' own range (higher is worse). */
function outsideHistory(values: readonly (number | null)[], current: number): { above: boolean; below: boolean; text: string } {
  const v = values.filter((x): x is number => x !== null);
  if (v.length < 2) return { above: true, below: true, text: '' };
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return { above: current > hi, below: current < lo, text: `; the ${v.length} baseline runs spread over ${r2(lo)}–${r2(hi)}` };
}

/** A failure fraction (higher is worse): Newcombe's interval of the difference, the minimum effect, the history. */
function rateMetric(j: Judge, id: string, label: string, of: (f: RunFigures) => [bad: number, total: number], show: (badFraction: number) => number): MetricComparison {
  const [kb, nb] = of(j.base);
  const [kc, nc] = of(j.cur);
  if (nb === 0 || nc === 0) return metric(id, label, '%', nb ? pct(show(kb / nb)) : null, nc ? pct(show(kc / nc)) : null, 'unknown', `no requests ${nb === 0 ? 'in the baseline' : 'in the current run'}`);
  const pb = kb / nb;
  const pc = kc / nc;
  const d = rateDifference(kc, nc, kb, nb, j.z);
  const minAbs = j.limits.ratePoints / 100;
  const rel = 1 + j.limits.rateRelative;
  const hist = outsideHistory(
    j.history.map((h) => {
      const [k, n] = of(h);
      return n ? k / n : null;
    }),
    pc,
  );
  let verdict: MetricVerdict = 'same';
  if (d.low > 0 && d.difference >= minAbs && pc >= rel * pb && hist.above) verdict = 'worse';
  else if (d.high < 0 && -d.difference >= minAbs && pb >= rel * pc && hist.below) verdict = 'better';
  const conf = Math.round(j.limits.confidence * 100);
  const method = `${kc}/${nc} vs ${kb}/${nb} failed; ${conf} % Newcombe interval of the difference ${pctPoints(d.low)} to ${pctPoints(d.high)} pp; worse needs the interval above 0, at least ${j.limits.ratePoints} pp and ${rel}× the baseline rate${hist.text}`;
  return metric(id, label, '%', pct(show(pb)), pct(show(pc)), verdict, method);
}

const pctPoints = (f: number) => `${f >= 0 ? '+' : ''}${r2(f * 100)}`;

function latencyMetrics(j: Judge): MetricComparison[] {
  const out: MetricComparison[] = [];
  const methods = [...new Set([...Object.keys(j.base.latency), ...Object.keys(j.cur.latency)])].sort();
  for (const m of methods) {
    const hb = j.base.latency[m];
    const hc = j.cur.latency[m];
    for (const [name, q] of PERCENTILES) {
      const id = `latency.${m}.${name}`;
      const label = `${name} ${m}`;
      if (!hb || !hc) {
        out.push(metric(id, label, 'ms', null, null, 'unknown', `no ${m} latency samples ${!hb ? 'in the baseline' : 'in the current run'}`));
        continue;
      }
      const eb = percentileEstimate(pooledHistogram(hb), q, j.z);
      const ec = percentileEstimate(pooledHistogram(hc), q, j.z);
      // A percentile neither side had the samples for (p99 of one initialize) was never measurable: not a metric.
      if (!eb && !ec) continue;
      if (!eb || !ec) {
        out.push(metric(id, label, 'ms', eb?.value ?? null, ec?.value ?? null, 'unknown', `too few samples for ${name} (${!eb ? 'baseline' : 'current'}: fewer than ${Math.ceil(3 / (1 - q))})`));
        continue;
      }
      const history = j.history.map((h) => (h.latency[m] ? (percentileEstimate(pooledHistogram(h.latency[m]), q, j.z)?.value ?? null) : null));
      out.push(latencyVerdict(j, { id, label, name, method: m }, eb, ec, history));
    }
  }
  return out;
}

/** The share of a run's sent requests that were `method`. */
const shareOf = (f: RunFigures, method: string) => {
  const total = Object.values(f.sent).reduce((a, b) => a + b, 0);
  return total ? (f.sent[method] ?? 0) / total : 0;
};

/**
 * Latency samples of one run are not independent: a stall of the machine or the server slows a
 * burst of requests at once, so with thousands of samples the intervals of two runs of the same
 * server on a busy machine are often disjoint. Where the time series speaks for the method (it
 * carries at least half of the requests sent), the intervals are the independent units instead:
 * their percentiles compared with a Mann–Whitney test, the effect read on the median interval as
 * well as on the whole run. Other methods (the pings of a load run) fall back to the histograms'
 * order-statistic intervals.
 */
function latencyVerdict(j: Judge, m: { id: string; label: string; name: 'p50' | 'p95' | 'p99'; method: string }, eb: PercentileEstimate, ec: PercentileEstimate, history: (number | null)[]): MetricComparison {
  const { latencyRelative: rel, latencyAbsoluteMs: abs } = j.limits;
  const hist = outsideHistory(history, ec.value);
  const alpha = 1 - j.limits.confidence;
  const conf = Math.round(j.limits.confidence * 100);
  const rose = (from: number, to: number) => to - from >= Math.max(abs, rel * from);
  const bars = `a rise of at least ${abs} ms and ${Math.round(rel * 100)} %`;
  const ib = j.base.intervals[m.name];
  const ic = j.cur.intervals[m.name];
  const mw = shareOf(j.base, m.method) >= 0.5 && shareOf(j.cur, m.method) >= 0.5 ? mannWhitney(ic, ib) : null;
  let verdict: MetricVerdict = 'same';
  let method: string;
  if (mw) {
    const mb = median(ib)!;
    const mc = median(ic)!;
    if (mw.higher < alpha && rose(eb.value, ec.value) && rose(mb, mc) && hist.above) verdict = 'worse';
    else if (mw.lower < alpha && rose(ec.value, eb.value) && rose(mc, mb) && hist.below) verdict = 'better';
    method = `${m.name} per interval over ${ic.length} vs ${ib.length} intervals (the time series: ${m.method} is most of the traffic), Mann–Whitney p = ${r2(Math.min(mw.higher, mw.lower))}, median interval ${r2(mb)} → ${r2(mc)} ms; worse needs p < ${r2(alpha)} and ${bars}, on the whole run and the median interval`;
  } else {
    if (ec.low > eb.high && rose(eb.value, ec.value) && hist.above) verdict = 'worse';
    else if (ec.high < eb.low && rose(ec.value, eb.value) && hist.below) verdict = 'better';
    method = `${m.name} from ${ec.samples} vs ${eb.samples} samples (HDR histograms); ${conf} % order-statistic intervals ${r2(ec.low)}–${r2(ec.high)} vs ${r2(eb.low)}–${r2(eb.high)} ms; worse needs disjoint intervals and ${bars}`;
  }
  return metric(m.id, m.label, 'ms', r2(eb.value), r2(ec.value), verdict, method + hist.text);
}

function faultMetrics(j: Judge): MetricComparison[] {
  const out: MetricComparison[] = [];
  const kinds = [...new Set([...Object.keys(j.base.faults), ...Object.keys(j.cur.faults)])].sort();
  const { recoveryRelative: rel, recoveryAbsoluteMs: abs } = j.limits;
  for (const kind of kinds) {
    const b = j.base.faults[kind];
    const c = j.cur.faults[kind];
    for (const which of ['mttd', 'mttr'] as const) {
      const id = `${which}.${kind}`;
      const label = `${which.toUpperCase()} ${kind}`;
      const sb = b?.[which] ?? [];
      const sc = c?.[which] ?? [];
      const mb = median(sb);
      const mc = median(sc);
      if (mb === null || mc === null) {
        out.push(metric(id, label, 'ms', mb, mc, 'unknown', `no ${which.toUpperCase()} measured ${mb === null ? 'in the baseline' : 'in the current run'} for ${kind} faults`));
        continue;
      }
      const hist = outsideHistory(
        j.history.map((h) => median(h.faults[kind]?.[which] ?? [])),
        mc,
      );
      let verdict: MetricVerdict = 'same';
      if (mc - mb >= Math.max(abs, rel * mb) && Math.min(...sc) > mb && hist.above) verdict = 'worse';
      else if (mb - mc >= Math.max(abs, rel * mc) && Math.max(...sc) < mb && hist.below) verdict = 'better';
      const method = `medians of ${sc.length} vs ${sb.length} fault window(s); worse needs every current window above the baseline median and a rise of at least ${abs} ms and ${Math.round(rel * 100)} %${hist.text}`;
      out.push(metric(id, label, 'ms', r2(mb), r2(mc), verdict, method));
    }
    if (b && c && b.windows > 0 && c.windows > 0) {
      const allB = b.recovered === b.windows;
      const allC = c.recovered === c.windows;
      const verdict: MetricVerdict = allB && !allC ? 'worse' : !allB && allC ? 'better' : 'same';
      out.push(metric(`recovered.${kind}`, `recovered from ${kind}`, 'windows', b.recovered / b.windows, c.recovered / c.windows, verdict, `${c.recovered}/${c.windows} vs ${b.recovered}/${b.windows} windows recovered from; a fault the baseline always recovered from and the current run did not is always worse`));
    }
  }
  return out;
}

/** Events per minute (higher is worse): the conditional binomial test of two Poisson rates, a minimum effect, the history. */
function countMetric(j: Judge, id: string, label: string, of: (f: RunFigures) => number): MetricComparison {
  const kb = of(j.base);
  const kc = of(j.cur);
  const tb = j.base.durationMs / 60_000;
  const tc = j.cur.durationMs / 60_000;
  if (tb <= 0 || tc <= 0) return metric(id, label, '/min', null, null, 'unknown', 'a run of no length');
  const rb = kb / tb;
  const rc = kc / tc;
  const alpha = 1 - j.limits.confidence;
  const test = poissonRateTest(kc, tc, kb, tb);
  const expected = kb * (tc / tb);
  const rel = 1 + j.limits.rateRelative;
  const hist = outsideHistory(
    j.history.map((h) => (h.durationMs > 0 ? of(h) / (h.durationMs / 60_000) : null)),
    rc,
  );
  let verdict: MetricVerdict = 'same';
  if (test.higher < alpha && rc >= rel * rb && kc - expected >= 2 && hist.above) verdict = 'worse';
  else if (test.lower < alpha && rb >= rel * rc && expected - kc >= 2 && hist.below) verdict = 'better';
  const method = `${kc} in ${r2(tc)} min vs ${kb} in ${r2(tb)} min; conditional binomial test of the two rates, p = ${r2(Math.min(test.higher, test.lower))}; worse needs p < ${r2(alpha)}, ${rel}× the baseline rate and 2 more than expected${hist.text}`;
  return metric(id, label, '/min', r2(rb), r2(rc), verdict, method);
}

function findingMetrics(j: Judge, baselineKinds: Set<string>): MetricComparison[] {
  const kinds = [...new Set([...baselineKinds, ...Object.keys(j.cur.findings)])].sort();
  return kinds.map((kind) => {
    const b = j.base.findings[kind];
    const c = j.cur.findings[kind];
    const title = (c ?? b)!.title;
    const severity = (c ?? b)!.severity;
    if (c && !baselineKinds.has(kind)) return metric(`finding.${kind}`, `${severity}: ${title}`, 'count', 0, c.count, 'worse', 'a new finding: the baseline never had it');
    if (!c) return metric(`finding.${kind}`, `${severity}: ${title}`, 'count', b?.count ?? 0, 0, 'better', 'gone: the baseline had it, the current run did not');
    return metric(`finding.${kind}`, `${severity}: ${title}`, 'count', b?.count ?? 0, c.count, 'same', 'seen in the baseline too (counts follow the run length)');
  });
}

function memoryMetric(j: Judge): MetricComparison {
  const mb = j.base.memorySlope;
  const mc = j.cur.memorySlope;
  const id = 'memory.slope';
  const label = 'server memory slope';
  if (mb === null || mc === null) return metric(id, label, 'MiB/min', mb === null ? null : r2(mb), mc === null ? null : r2(mc), 'unknown', 'needs a run of at least a minute with the server memory sampled (a local server or --container) on both sides');
  const lim = j.limits.memoryMiBPerMinute;
  const hist = outsideHistory(
    j.history.map((h) => h.memorySlope),
    mc,
  );
  const verdict: MetricVerdict = mc - mb >= lim && hist.above ? 'worse' : mb - mc >= lim && hist.below ? 'better' : 'same';
  return metric(id, label, 'MiB/min', r2(mb), r2(mc), verdict, `least-squares RSS slopes; worse needs a rise of at least ${lim} MiB/min${hist.text}`);
}

function limitsFor(cur: RunFigures): Limits {
  return { ...DEFAULT_REGRESSION_LIMITS, ...(cur.regression ?? {}) } as Limits;
}

function ignored(id: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? id.startsWith(p.slice(0, -1)) : id === p));
}

function compareScenario(key: string, history: RunFigures[], currentRuns: RunFigures[]): ScenarioComparison {
  const cur = pool(currentRuns);
  const notes: string[] = [];
  if (currentRuns.length > 1) notes.push(`${currentRuns.length} current runs pooled`);
  const base = { key, scenario: cur.scenario, profile: cur.profile, baselineRuns: history.length, currentRuns: currentRuns.length };
  if (history.length === 0) return { ...base, verdict: 'unknown', metrics: [], notes: [...notes, 'no baseline run of this scenario'] };
  const limits = limitsFor(cur);
  const j: Judge = { limits, z: zFor(limits.confidence), base: pool(history), history, cur };
  const baselineKinds = new Set(history.flatMap((h) => Object.keys(h.findings)));
  const all = [
    rateMetric(j, 'availability', 'availability', (f) => [f.requests - f.answered, f.requests], (bad) => 1 - bad),
    rateMetric(j, 'errorRate', 'error rate', (f) => [f.failed, f.requests], (bad) => bad),
    rateMetric(j, 'toolErrorRate', 'tool error rate', (f) => [f.toolErrors, f.toolCalls], (bad) => bad),
    ...latencyMetrics(j),
    ...faultMetrics(j),
    countMetric(j, 'reconnects', 'reconnects', (f) => f.reconnects),
    countMetric(j, 'unexpectedDisconnections', 'unexpected disconnections', (f) => f.unexpectedDisconnections),
    ...findingMetrics(j, baselineKinds),
    memoryMetric(j),
  ];
  const metrics = all.filter((m) => !ignored(m.id, limits.ignore));
  if (metrics.length < all.length) notes.push(`not judged (expect.regression.ignore): ${all.filter((m) => ignored(m.id, limits.ignore)).map((m) => m.id).join(', ')}`);
  return { ...base, verdict: overall(metrics.map((m) => m.verdict)), metrics, notes };
}

/** worse if anything is worse; else better if anything is; same if anything was judged; unknown if nothing was. */
export function overall(verdicts: readonly MetricVerdict[]): MetricVerdict {
  if (verdicts.includes('worse')) return 'worse';
  if (verdicts.includes('better')) return 'better';
  return verdicts.includes('same') ? 'same' : 'unknown';
}

export function compareResults(baseline: readonly ScenarioResult[], current: readonly ScenarioResult[]): Comparison {
  const b = runsByKey(baseline);
  const c = runsByKey(current);
  const scenarios = [...c.entries()].sort(([x], [y]) => x.localeCompare(y)).map(([key, runs]) => compareScenario(key, b.get(key) ?? [], runs));
  const onlyInBaseline = [...b.keys()].filter((k) => !c.has(k)).sort();
  return { kind: 'mcp-reliability-comparison', version: 1, verdict: overall(scenarios.map((s) => s.verdict)), scenarios, onlyInBaseline };
}

/** The metrics that got worse, across scenarios (the headline). */
export function regressions(cmp: Comparison): { scenario: ScenarioComparison; metric: MetricComparison }[] {
  return cmp.scenarios.flatMap((s) => s.metrics.filter((m) => m.verdict === 'worse').map((m) => ({ scenario: s, metric: m })));
}

/**
 * The statistics behind the regression verdicts (pure). Each answers "could this difference be
 * sampling noise?" for one kind of figure:
 *
 * - a rate (failed requests / requests): Wilson score intervals, and Newcombe's hybrid score
 *   interval for the difference of two rates (Newcombe 1998, method 10), which stays right at 0
 *   failures and for small counts, where the normal approximation does not;
 * - a latency percentile: the distribution-free confidence interval of a quantile from order
 *   statistics (the ranks n·q ± z·√(n·q·(1−q))), read off the run's HDR histogram, which holds
 *   every sample;
 * - a count per unit of time (reconnects, unexpected disconnections): the conditional binomial test
 *   of two Poisson rates (given k₁ + k₂ events, k₁ ~ Binomial(k₁ + k₂, t₁ / (t₁ + t₂)) when the
 *   rates are equal).
 *
 * Sampling noise is not all the noise: shared CI machines move latency by tens of percent between
 * runs, and fault-driven failures come in bursts. So compare.ts also asks for a minimum effect size
 * and, when the baseline has history, for the current run to fall outside the history's range.
 */
import { errorFunction, probit } from 'simple-statistics';
import { LatencyHistogram } from '../metrics/histogram.js';

/** The two-sided normal quantile for a confidence level (0.99 → 2.576). */
export function zFor(confidence: number): number {
  return probit(1 - (1 - confidence) / 2);
}

/** Wilson score interval of k successes out of n, as fractions; [0, 1] when n is 0. */
export function wilson(k: number, n: number, z: number): [number, number] {
  if (n <= 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * Newcombe's hybrid score interval for p₁ − p₂ (k₁/n₁ − k₂/n₂), as fractions: built from each
 * rate's Wilson interval, so it needs no normal approximation of the difference.
 */
export function rateDifference(k1: number, n1: number, k2: number, n2: number, z: number): { difference: number; low: number; high: number } {
  const p1 = k1 / n1;
  const p2 = k2 / n2;
  const [l1, u1] = wilson(k1, n1, z);
  const [l2, u2] = wilson(k2, n2, z);
  const d = p1 - p2;
  return {
    difference: d,
    low: d - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
    high: d + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
  };
}

/** A percentile with its confidence interval, in ms, from a run's histogram. */
export interface PercentileEstimate {
  value: number;
  low: number;
  high: number;
  samples: number;
}

/**
 * Percentile q (0..1) of the samples in `histogram` with its order-statistic confidence
 * interval. Null when there are too few samples for the percentile to mean anything: fewer than
 * `minTail` expected above it (n·(1−q) < minTail, e.g. p99 from 200 samples).
 */
export function percentileEstimate(histogram: LatencyHistogram, q: number, z: number, minTail = 3): PercentileEstimate | null {
  const n = histogram.count;
  if (n === 0 || n * (1 - q) < minTail) return null;
  const spread = z * Math.sqrt(n * q * (1 - q));
  const lowRank = Math.max(1, Math.floor(n * q - spread));
  const highRank = Math.min(n, Math.ceil(n * q + spread) + 1);
  const at = (rank: number) => histogram.percentile((100 * rank) / n);
  return { value: histogram.percentile(100 * q), low: at(lowRank), high: at(highRank), samples: n };
}

/** A histogram holding the samples of every encoded histogram given (HDR histograms add exactly). */
export function pooledHistogram(encoded: readonly string[]): LatencyHistogram {
  const h = new LatencyHistogram();
  for (const e of encoded) h.addEncoded(e);
  return h;
}

/** P(X ≥ k) for X ~ Binomial(n, p), summed exactly (the counts here are small). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  // log P(X = i) by the recurrence P(i+1) = P(i) · (n−i)/(i+1) · p/(1−p), from P(0) = (1−p)^n.
  let logP = n * Math.log1p(-p);
  const step = Math.log(p) - Math.log1p(-p);
  let tail = 0;
  for (let i = 0; i <= n; i++) {
    if (i >= k) tail += Math.exp(logP);
    logP += Math.log(n - i) - Math.log(i + 1) + step;
  }
  return Math.min(1, tail);
}

/**
 * One-sided p-values that the event rate of (k1 events in t1) is higher, or lower, than that of
 * (k2 in t2): the conditional binomial test of two Poisson rates.
 */
export function poissonRateTest(k1: number, t1: number, k2: number, t2: number): { higher: number; lower: number } {
  const n = k1 + k2;
  if (n === 0 || t1 <= 0 || t2 <= 0) return { higher: 1, lower: 1 };
  const p = t1 / (t1 + t2);
  return { higher: binomialUpperTail(k1, n, p), lower: binomialUpperTail(k2, n, 1 - p) };
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * One-sided p-values of the Mann–Whitney U test that the values in `a` tend to be higher, or
 * lower, than those in `b` (normal approximation with the tie correction; fine from about 8
 * values a side). Null when a side has fewer than 8 values.
 */
export function mannWhitney(a: readonly number[], b: readonly number[]): { higher: number; lower: number } | null {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 < 8 || n2 < 8) return null;
  const all = [...a.map((v) => ({ v, a: true })), ...b.map((v) => ({ v, a: false }))].sort((x, y) => x.v - y.v);
  const n = n1 + n2;
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j) / 2 + 1;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    for (let k = i; k <= j; k++) if (all[k]!.a) rankSumA += rank;
    i = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { higher: 1, lower: 1 };
  const sd = Math.sqrt(variance);
  // Φ from the error function: simple-statistics' table CDF stops at 3 decimals.
  const phi = (x: number) => 0.5 * (1 + errorFunction(x / Math.SQRT2));
  // Continuity correction of a half toward the mean.
  return { higher: 1 - phi((u - mean - 0.5) / sd), lower: phi((u - mean + 0.5) / sd) };
}

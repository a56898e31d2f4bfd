/** The statistics behind the regression verdicts, against published values and exact sums. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyHistogram } from '../../src/metrics/histogram.js';
import { binomialUpperTail, mannWhitney, median, percentileEstimate, poissonRateTest, rateDifference, wilson, zFor } from '../../src/compare/stats.js';

const Z95 = 1.959964;
const close = (a: number, b: number, eps = 1e-4) => assert.ok(Math.abs(a - b) <= eps, `${a} ≈ ${b}`);

test("Newcombe's hybrid score interval matches his Table II (method 10)", () => {
  // Newcombe, Statistics in Medicine 17 (1998) 873-890: 56/70 − 48/80, 9/10 − 3/10, 5/56 − 0/29.
  for (const [k1, n1, k2, n2, lo, hi] of [
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [5, 56, 0, 29, -0.0381, 0.1926],
  ] as const) {
    const d = rateDifference(k1, n1, k2, n2, Z95);
    close(d.low, lo);
    close(d.high, hi);
  }
});

test('Wilson interval: 0 of n is [0, z²/(n+z²)]; z for 95 % and 99 %', () => {
  const [lo, hi] = wilson(0, 10, Z95);
  assert.equal(lo, 0);
  close(hi, Z95 ** 2 / (10 + Z95 ** 2));
  close(zFor(0.95), 1.96, 0.01);
  close(zFor(0.99), 2.576, 0.01);
});

test('binomial tail and the Poisson rate test are exact sums', () => {
  close(binomialUpperTail(8, 10, 0.5), 56 / 1024, 1e-12);
  assert.equal(binomialUpperTail(0, 10, 0.3), 1);
  assert.equal(binomialUpperTail(11, 10, 0.3), 0);
  // 10 events against 2 in the same time: P(X ≥ 10 | 12, ½) = 79/4096.
  close(poissonRateTest(10, 1, 2, 1).higher, 79 / 4096, 1e-12);
  assert.deepEqual(poissonRateTest(0, 1, 0, 1), { higher: 1, lower: 1 });
});

test('Mann–Whitney: separated samples are significant one way, identical ones are not; too few values: null', () => {
  const low = [1, 2, 3, 4, 5, 6, 7, 8];
  const high = [9, 10, 11, 12, 13, 14, 15, 16];
  const p = mannWhitney(high, low)!;
  assert.ok(p.higher < 0.001 && p.lower > 0.99, JSON.stringify(p));
  const same = mannWhitney(low, low)!;
  assert.ok(same.higher > 0.4 && same.lower > 0.4);
  assert.equal(mannWhitney([1, 2, 3], low), null);
  // All ties: no evidence either way.
  assert.deepEqual(mannWhitney(Array(10).fill(5), Array(10).fill(5)), { higher: 1, lower: 1 });
});

test('a percentile estimate brackets the value and widens with fewer samples; too few for p99: null', () => {
  const big = new LatencyHistogram();
  const small = new LatencyHistogram();
  for (let i = 1; i <= 10_000; i++) big.record(i / 100);
  for (let i = 1; i <= 400; i++) small.record(i / 4);
  const e = percentileEstimate(big, 0.95, 2.576)!;
  assert.ok(e.low <= e.value && e.value <= e.high);
  close(e.value, 95, 0.1);
  const s = percentileEstimate(small, 0.95, 2.576)!;
  assert.ok((s.high - s.low) / s.value > (e.high - e.low) / e.value, 'fewer samples, a wider interval');
  const few = new LatencyHistogram();
  for (let i = 0; i < 200; i++) few.record(1);
  assert.equal(percentileEstimate(few, 0.99, 2.576), null);
  assert.ok(percentileEstimate(few, 0.5, 2.576));
  assert.equal(median([]), null);
  assert.equal(median([3, 1, 2, 10]), 2.5);
});

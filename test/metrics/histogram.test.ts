import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyBook, LatencyHistogram } from '../../src/metrics/index.js';

test('percentiles, max and mean are within the 3-significant-digit resolution', () => {
  const h = new LatencyHistogram();
  for (let ms = 1; ms <= 1000; ms++) h.record(ms);
  assert.equal(h.count, 1000);
  assert.ok(Math.abs(h.percentile(50) - 500) <= 0.5, `p50 ${h.percentile(50)}`);
  assert.ok(Math.abs(h.percentile(99) - 990) <= 1, `p99 ${h.percentile(99)}`);
  assert.ok(Math.abs(h.max - 1000) <= 1, `max ${h.max}`);
  assert.ok(Math.abs(h.mean - 500.5) <= 0.5, `mean ${h.mean}`);
});

test('sub-millisecond values keep microsecond resolution; out-of-range values are clamped', () => {
  const h = new LatencyHistogram();
  h.record(0.25);
  assert.equal(h.percentile(100), 0.25);
  h.record(-3);
  h.record(Number.NaN);
  h.record(5 * 3_600_000); // five hours: clamped to one hour
  assert.equal(h.count, 4);
  assert.ok(Math.abs(h.max - 3_600_000) / 3_600_000 < 0.001, `max ${h.max}`);
});

test('an empty histogram reports zeros', () => {
  const stats = new LatencyHistogram().toStats(0, 0);
  assert.deepEqual(stats, { count: 0, errors: 0, timeouts: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0, mean: 0 });
});

test('memory does not grow with the number of values (1e6 values)', () => {
  const h = new LatencyHistogram();
  let seed = 1;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 10_000; i++) h.record(random() * 60_000);
  const footprint = h.estimatedFootprintInBytes;
  assert.ok(footprint > 0 && footprint < 200_000, `footprint ${footprint}`);
  for (let i = 0; i < 990_000; i++) h.record(random() * 3_600_000);
  assert.equal(h.count, 1_000_000);
  assert.equal(h.estimatedFootprintInBytes, footprint);
});

test('LatencyBook counts unavailable requests without a latency sample', () => {
  const book = new LatencyBook();
  book.record('tools/call', 10, 'ok');
  book.record('tools/call', 30, 'error');
  book.record('tools/call', 5000, 'timeout');
  book.record('tools/call', 0, 'unavailable');
  book.record('ping', 1, 'ok');
  const stats = book.stats('tools/call');
  assert.ok(stats);
  assert.equal(stats.count, 4);
  assert.equal(stats.unavailable, 1);
  assert.equal(stats.errors, 1);
  assert.equal(stats.timeouts, 1);
  assert.ok(Math.abs(stats.p50 - 30) / 30 < 0.001, `p50 ${stats.p50}`);
  assert.ok(Math.abs(stats.max - 5000) <= 5);
  assert.deepEqual(Object.keys(book.toRecord()), ['ping', 'tools/call']);
  assert.equal(book.stats('nope'), undefined);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../src/scenario/index.js';

test('parseDuration: units, compounds, plain seconds', () => {
  const cases: [string | number, number][] = [
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['1800', 1_800_000],
    ['1500ms', 1500],
    ['2.5s', 2500],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['90 s', 90_000],
    [' 10M ', 600_000],
    ['0', 0],
    [60, 60_000],
    [0.5, 500],
  ];
  for (const [input, ms] of cases) assert.equal(parseDuration(input), ms, String(input));
});

test('parseDuration: clear errors', () => {
  for (const bad of ['', 'abc', '10x', '1.5.5s', '-5s', 's', '10 20', '1h-30m']) {
    assert.throws(() => parseDuration(bad), { message: `invalid duration ${JSON.stringify(bad)}: expected a duration like 90s, 30m, 1h or a number of seconds` }, bad);
  }
  assert.throws(() => parseDuration(-1), { message: 'invalid duration -1: expected a duration like 90s, 30m, 1h or a number of seconds' });
  assert.throws(() => parseDuration(Number.NaN), /invalid duration NaN/);
});

test('formatDuration: short human forms', () => {
  const cases: [number, string][] = [
    [0, '0ms'],
    [250, '250ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [45_000, '45s'],
    [59_960, '1m'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [5_400_000, '1h30m'],
    [3_605_000, '1h0m5s'],
  ];
  for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, String(ms));
});

test('formatDuration output parses back to the same value (to the shown precision)', () => {
  for (const ms of [0, 999, 1000, 1500, 45_000, 90_000, 3_600_000, 5_400_000, 3_605_000, 86_400_000]) {
    assert.equal(parseDuration(formatDuration(ms)), ms, String(ms));
  }
});

/**
 * Regression verdicts on real results: short runs of one load scenario against a stdio server,
 * three times as it is and twice with a handicap (50 ms more per call; 1 call in 50 failing).
 * The same server compared with itself must give no `worse` (nor `better`) anywhere — the
 * false-alarm rate over every pair is printed — and each handicap must be `worse` on its own
 * metrics and not on the others. The runs happen in three rounds, so that the same-server runs
 * see different moments of a busy machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareResults, regressions, renderComparison, type Comparison } from '../../src/compare/index.js';
import { readResults } from '../../src/report/index.js';
import type { ScenarioResult } from '../../src/report/result.js';
import { quietRun, ROOT, runCli } from '../helpers/cli.js';

const SCENARIO = join(ROOT, 'test', 'fixtures', 'scenarios-run', 'compare-load.json');
const SERVER = join(ROOT, 'test', 'fixtures', 'servers', 'tunable-stdio.mjs');
async function run(out: string, serverArgs: string): Promise<string> {
  const r = await quietRun(out, ['--scenario', SCENARIO, '--target', `node ${SERVER} ${serverArgs}`.trim(), '--role', 'probe=echo:{"message":"hi"}', '--duration', '8s']);
  assert.equal(r.code, 0, r.stderr);
  return out;
}

const results = (dir: string): ScenarioResult[] => readResults([dir]).results;
const judged = (c: Comparison) => c.scenarios.flatMap((s) => s.metrics).filter((m) => m.verdict !== 'unknown');
const verdictOf = (c: Comparison, id: string) => c.scenarios[0]!.metrics.find((m) => m.id === id)?.verdict;

test('the same server twice is `same` everywhere; 50 ms more latency and a 2 % error rate are `worse` on their metrics', { timeout: 180_000 }, async () => {
  const base = mkdtempSync(join(tmpdir(), 'mcpr-compare-'));
  const dir = (n: string) => join(base, n);
  await Promise.all([run(dir('same1'), ''), run(dir('slow'), '--delay-ms 50')]);
  await Promise.all([run(dir('same2'), ''), run(dir('failing'), '--error-every 50')]);
  await run(dir('same3'), '');

  const same = [dir('same1'), dir('same2'), dir('same3')].map(results);
  const pairs: Comparison[] = [compareResults(same[0]!, same[1]!), compareResults(same[1]!, same[0]!), compareResults(same[0]!, same[2]!), compareResults(same[1]!, same[2]!), compareResults([...same[0]!, ...same[1]!], same[2]!)];
  const metrics = pairs.flatMap(judged);
  const alarms = metrics.filter((m) => m.verdict === 'worse' || m.verdict === 'better');
  process.stderr.write(`same server, ${pairs.length} comparisons: ${alarms.length} of ${metrics.length} judged metrics not 'same' (false-alarm rate ${((alarms.length / metrics.length) * 100).toFixed(1)} %)\n`);
  assert.deepEqual(
    alarms.map((m) => `${m.id}: ${m.verdict} (${m.method})`),
    [],
  );
  assert.ok(metrics.length >= pairs.length * 8, `availability, error rates, latency, reconnects were judged: ${metrics.length}`);
  for (const p of pairs) assert.equal(p.verdict, 'same');
  const history = pairs.at(-1)!;
  assert.equal(history.scenarios[0]!.baselineRuns, 2);
  assert.match(history.scenarios[0]!.metrics.find((m) => m.id === 'latency.tools/call.p95')!.method, /the 2 baseline runs spread over/);

  const slow = compareResults(same[0]!, results(dir('slow')));
  assert.equal(slow.verdict, 'worse');
  for (const id of ['latency.tools/call.p50', 'latency.tools/call.p95', 'latency.tools/call.p99']) assert.equal(verdictOf(slow, id), 'worse', id);
  for (const id of ['availability', 'errorRate', 'toolErrorRate']) assert.equal(verdictOf(slow, id), 'same', id);
  const p50 = slow.scenarios[0]!.metrics.find((m) => m.id === 'latency.tools/call.p50')!;
  assert.ok(p50.delta! >= 45 && p50.delta! <= 60, `p50 rose by the 50 ms: ${p50.delta}`);
  // Against a history of two runs too.
  assert.equal(verdictOf(compareResults([...same[0]!, ...same[1]!], results(dir('slow'))), 'latency.tools/call.p95'), 'worse');

  const failing = compareResults(same[0]!, results(dir('failing')));
  assert.equal(failing.verdict, 'worse');
  for (const id of ['availability', 'errorRate']) assert.equal(verdictOf(failing, id), 'worse', id);
  for (const id of ['latency.tools/call.p50', 'latency.tools/call.p95']) assert.equal(verdictOf(failing, id), 'same', id);
  const err = failing.scenarios[0]!.metrics.find((m) => m.id === 'errorRate')!;
  assert.ok(err.current! > 1.5 && err.current! < 2.5, `about 2 % of requests failed: ${err.current}`);
  assert.deepEqual(
    regressions(failing).map((r) => r.metric.id),
    ['availability', 'errorRate'],
  );

  const md = renderComparison(slow);
  assert.match(md.split('\n')[0]!, /^\*\*Compared with the baseline: WORSE\*\* — p50 tools\/call in `compare-load` \(.+ → .+ ms, \+.+ ms\)/);
  assert.match(md, /\| p95 tools\/call \| +[\d.]+ ms \| +[\d.]+ ms \| +\+[\d.]+ ms \| \*\*worse\*\* \|/);
  assert.match(md, /<details><summary>compare-load: all \d+ metrics and how each was judged<\/summary>/);
  assert.match(renderComparison(pairs[0]!).split('\n')[0]!, /no regression/);

  // The CLI: exit 1 on a regression, 0 with --fail-on never and when nothing got worse; the JSON holds every metric.
  const json = join(base, 'cmp.json');
  const worse = await runCli(['compare', '--baseline', dir('same1'), '--current', dir('failing'), '--json', json]);
  assert.equal(worse.code, 1, worse.stderr);
  assert.match(worse.stdout, /Compared with the baseline: WORSE/);
  assert.ok(existsSync(json));
  const doc = JSON.parse(readFileSync(json, 'utf8')) as Comparison;
  assert.equal(doc.kind, 'mcp-reliability-comparison');
  assert.equal(doc.verdict, 'worse');
  assert.equal((await runCli(['compare', '-b', dir('same1'), '-c', dir('failing'), '--fail-on', 'never'])).code, 0);
  assert.equal((await runCli(['compare', '-b', dir('same1'), '-b', dir('same2'), '-c', dir('same3')])).code, 0);
});

test('compare: bad input names the flag or the file (exit 2)', async () => {
  const none = await runCli(['compare', '--current', ROOT]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--baseline is required/);
  const bad = mkdtempSync(join(tmpdir(), 'mcpr-compare-bad-'));
  const missing = await runCli(['compare', '--baseline', bad, '--current', bad]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no result\.json under/);
});

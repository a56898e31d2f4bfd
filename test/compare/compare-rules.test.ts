/**
 * The comparison's rules that do not need a timing run: results built by the real Recorder from
 * scripted histories (test/report/*-sample.ts), then changed the way a regressed server changes them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareResults, renderComparison } from '../../src/compare/index.js';
import type { ScenarioResult } from '../../src/report/result.js';
import { buildFaultSample } from '../report/fault-sample.js';
import { buildSampleResult } from '../report/sample-result.js';

const clone = (r: ScenarioResult): ScenarioResult => structuredClone(r);
const find = (r: ReturnType<typeof compareResults>, id: string) => r.scenarios[0]!.metrics.find((m) => m.id === id);

test('a finding the baseline never had is always worse; one that is gone is better; a common one is same', () => {
  const base = buildSampleResult().result;
  const cur = clone(base);
  const [first, ...rest] = cur.violations;
  cur.violations = [...rest, { ...first!, kind: 'response-to-notification', title: 'a response to a notification' }];
  const cmp = compareResults([base], [cur]);
  assert.equal(find(cmp, 'finding.response-to-notification')?.verdict, 'worse');
  assert.equal(find(cmp, `finding.${first!.kind}`)?.verdict, 'better');
  for (const v of rest) assert.equal(find(cmp, `finding.${v.kind}`)?.verdict, 'same');
  assert.equal(cmp.verdict, 'worse');
  assert.match(renderComparison(cmp).split('\n')[0]!, /WORSE.*a response to a notification/);
});

test('a fault kind the baseline always recovered from and the current run did not is worse; MTTR per kind is compared', () => {
  const base = buildFaultSample().result;
  const cur = clone(base);
  for (const w of cur.faults.windows) if (w.kind === 'pause') w.mttrMs = null;
  const cmp = compareResults([base], [cur]);
  const pause = find(cmp, 'recovered.pause')!;
  assert.equal(pause.verdict, 'worse');
  assert.match(pause.method, /0\/1 vs 1\/1 windows recovered from/);
  assert.equal(find(cmp, 'mttr.pause')?.verdict, 'unknown');
  assert.equal(find(cmp, 'mttr.latency')?.verdict, 'same');

  const slower = clone(base);
  for (const w of slower.faults.windows) if (w.kind === 'latency' && w.mttrMs !== null) w.mttrMs += 5000;
  assert.equal(find(compareResults([base], [slower]), 'mttr.latency')?.verdict, 'worse');
});

test("the scenario's expect.regression: ignored metrics are not judged, and a tighter bar is the current run's", () => {
  const base = buildFaultSample().result;
  const slower = clone(base);
  for (const w of slower.faults.windows) if (w.kind === 'latency' && w.mttrMs !== null) w.mttrMs += 500;
  assert.equal(find(compareResults([base], [slower]), 'mttr.latency')?.verdict, 'same', 'half a second is under the default 1 s');
  slower.regression = { recoveryAbsoluteMs: 100, recoveryRelative: 0.1, ignore: ['latency.*'] };
  const cmp = compareResults([base], [slower]);
  assert.equal(find(cmp, 'mttr.latency')?.verdict, 'worse');
  assert.equal(
    cmp.scenarios[0]!.metrics.filter((m) => m.id.startsWith('latency.')).length,
    0,
  );
  assert.match(cmp.scenarios[0]!.notes.join(' '), /not judged \(expect\.regression\.ignore\): latency\./);
});

test('no baseline for a scenario: unknown, and scenarios only in the baseline are listed', () => {
  const a = buildSampleResult().result;
  const b = clone(a);
  b.scenario.name = 'other';
  const cmp = compareResults([b], [a]);
  assert.equal(cmp.verdict, 'unknown');
  assert.equal(cmp.scenarios[0]!.verdict, 'unknown');
  assert.deepEqual(cmp.onlyInBaseline, [`other.${a.client.profile}`]);
  assert.match(renderComparison(cmp), /no scenario run here has a baseline/);
});

test('the shards of a split load are one run: counts added before comparing', () => {
  const whole = buildSampleResult().result;
  const shard = (index: number): ScenarioResult => {
    const s = clone(whole);
    s.run.shard = { index, count: 2, baseSeed: 1 };
    return s;
  };
  const cmp = compareResults([whole], [shard(1), shard(2)]);
  assert.equal(cmp.scenarios.length, 1);
  assert.equal(cmp.scenarios[0]!.currentRuns, 1);
  const availability = find(cmp, 'availability')!;
  assert.match(availability.method, new RegExp(`/${whole.totals.requests * 2} vs .+/${whole.totals.requests} failed`));
});

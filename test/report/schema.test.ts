import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';
import { resultSchema, RESULT_SCHEMA_VERSION, summarizeScrape } from '../../src/report/index.js';
import { createMetrics } from '../../src/metrics/index.js';
import { Recorder } from '../../src/run/recorder.js';
import { buildSampleResult, T0 } from './sample-result.js';
import { sampleScrape, unreachableScrape } from './prometheus-sample.js';

const ajv = new Ajv2020.default({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(resultSchema);
const problems = () => ajv.errorsText(validate.errors, { separator: '\n' });

test('the schema pins the versions it reads: the current one first, and 1.4.0 (1.5.0 only adds)', () => {
  assert.deepEqual(resultSchema.properties.schemaVersion.enum, [RESULT_SCHEMA_VERSION, '1.4.0']);
  const { result } = buildSampleResult();
  assert.ok(validate(JSON.parse(JSON.stringify({ ...result, schemaVersion: '1.4.0' }))), problems());
  assert.equal(validate({ ...result, schemaVersion: '1.3.0' }), false);
});

test('a real built result validates against result.schema.json', () => {
  const { result } = buildSampleResult();
  assert.ok(validate(JSON.parse(JSON.stringify(result))), problems());
});

test('notes added by the runner validate', () => {
  const { result } = buildSampleResult();
  assert.ok(validate(JSON.parse(JSON.stringify({ ...result, notes: ['roles inferred from the server tools: probe=echo'] }))), problems());
});

test('an error result and an empty run validate too', () => {
  assert.ok(validate(JSON.parse(JSON.stringify(buildSampleResult(undefined, 'harness broke').result))), problems());
  const empty = new Recorder({ metrics: createMetrics({ scenario: 's', target: 't' }), now: () => T0 }).buildResult({
    scenario: { name: 's', description: '', source: '<inline>' },
    target: { name: 't', transport: 'stdio', source: '<inline>' },
    client: { profile: 'p', description: '', assumptions: [] },
    expect: { minRequests: 1 },
    requestedDurationMs: 0,
    seed: 0,
    toolVersion: '0.0.0',
  });
  assert.ok(validate(JSON.parse(JSON.stringify(empty))), problems());
});

test('the schema rejects what the type forbids', () => {
  const { result } = buildSampleResult();
  const { totals: _totals, ...missingTotals } = result;
  assert.equal(validate(missingTotals), false);
  assert.equal(validate({ ...result, verdict: 'maybe' }), false);
  assert.equal(validate({ ...result, unknownField: 1 }), false);
  assert.equal(validate({ ...result, verdict: 'error', error: undefined }), false, 'verdict error requires error');
  assert.equal(validate({ ...result, run: { ...result.run, startedAt: 'yesterday' } }), false);
});

test('schema 1.2.0+: a result with a prometheus section validates (reachable and unreachable); the section is closed', () => {
  assert.equal(RESULT_SCHEMA_VERSION, '1.5.0');
  const { result } = buildSampleResult();
  const prometheus = summarizeScrape(sampleScrape(), 'test-results/flaky/prometheus.json');
  assert.ok(validate(JSON.parse(JSON.stringify({ ...result, prometheus }))), problems());
  assert.ok(validate(JSON.parse(JSON.stringify({ ...result, prometheus: summarizeScrape(unreachableScrape(), 'test-results/flaky/prometheus.json') }))), problems());
  assert.equal(validate(JSON.parse(JSON.stringify({ ...result, prometheus: { ...prometheus, extra: 1 } }))), false);
  assert.equal(validate(JSON.parse(JSON.stringify({ ...result, prometheus: { ...prometheus, requests: { ...prometheus.requests, ok: -1 } } }))), false);
  const { missing: _missing, ...withoutMissing } = prometheus;
  assert.equal(validate(JSON.parse(JSON.stringify({ ...result, prometheus: withoutMissing }))), false);
});

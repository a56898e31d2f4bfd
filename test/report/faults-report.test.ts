/** The faults section of the Result (schema 1.1.0) and the report's fault timeline. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';
import { renderJUnit, renderScenarioReport, resultSchema, RESULT_SCHEMA_VERSION } from '../../src/report/index.js';
import { buildFaultSample } from './fault-sample.js';

const ajv = new Ajv2020.default({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(resultSchema);

test('schema 1.1.0+: a result with faults validates; the faults section is required and closed', () => {
  assert.match(RESULT_SCHEMA_VERSION, /^1\.([1-9]\d*)\.0$/);
  const { result } = buildFaultSample();
  assert.ok(validate(JSON.parse(JSON.stringify(result))), ajv.errorsText(validate.errors));
  const { faults: _faults, ...withoutFaults } = result;
  assert.equal(validate(withoutFaults), false);
  assert.equal(validate({ ...result, faults: { ...result.faults, extra: 1 } }), false);
  assert.equal(validate({ ...result, faults: { ...result.faults, windows: [{ ...result.faults.windows[0], endedBy: 'maybe' }] } }), false);
});

test('the report names every fault with start, held, MTTD, MTTR and before/during/after stats', () => {
  const md = renderScenarioReport(buildFaultSample().result);
  const section = md.split('## Faults\n\n')[1]?.split('\n## ')[0] ?? '';
  assert.match(section, /^4 faults injected \(`blackhole` ×1, `kill` ×1, `latency` ×1, `pause` ×1\); noticed by the client: 2; recovered from: 2\. Network faults through the chaos proxy on `127\.0\.0\.1:4000` \(relaying to `127\.0\.0\.1:3000`\)\./);
  const rows = section.split('\n').filter((l) => /^\| +\d+ \|/.test(l));
  assert.equal(rows.length, 4);
  const cells = rows.map((r) => r.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim()));
  assert.deepEqual(cells[0]?.slice(0, 6), ['1', '`latency` latency 100 ms (`/steps/3`)', '+2.0 s', '2.0 s', 'not noticed', '10.0 ms']);
  assert.match(cells[0]?.[6] ?? '', /^10\.0 ms \/ 10\.0 ms \/ 10\.0 ms · 0 err \/ 20 req$/);
  assert.match(cells[0]?.[7] ?? '', /^110\.\d ms \/ 110\.\d ms \/ 110\.\d ms · 0 err \/ 20 req$/);
  assert.deepEqual(cells[1]?.slice(4, 6), ['800.0 ms (`ping timeout`)', '5.00 ms']);
  assert.deepEqual(cells[2]?.slice(3, 6), ['0.5 s (until the server was back)', '10.0 ms (`tools/call error`)', '**never**']);
  assert.deepEqual(cells[3]?.slice(3, 6), ['8.0 s (until the run ended)', 'not noticed', '— (run ended)']);
  assert.match(section, /_MTTD: from the fault's start to the first symptom/);
  assert.match(section, /- Skipped optional `idle-cut` fault at `\/steps\/11`: target x uses stdio/);
  // The SLOs name the faults in JUnit too.
  assert.match(renderJUnit([buildFaultSample().result]), /<failure message="measured 0\.01 s, limit ≤ 5 s: 1 of 3 faults never recovered from: #3 kill/);
});

test('a run without faults says so', () => {
  const { result } = buildFaultSample({ minRequests: 1 }, []);
  assert.match(renderScenarioReport(result), /## Faults\n\nNo faults were injected\.\n\n- Skipped optional `idle-cut`/);
});

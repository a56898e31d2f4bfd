/** The Result's `prometheus` section (schema 1.2.0): summarizeScrape and the report's "What Prometheus saw". */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderScenarioReport, summarizeScrape } from '../../src/report/index.js';
import { buildSampleResult } from './sample-result.js';
import { sampleScrape, unreachableScrape } from './prometheus-sample.js';

const FILE = 'test-results/flaky/prometheus.json';
const section = (md: string) => md.split('## What Prometheus saw\n\n')[1]?.split('\n## ')[0];

test('summarizeScrape: run-to-date counters, absent statuses are 0, NaN stays null, alerts and rule problems by name', () => {
  const s = summarizeScrape(sampleScrape(), FILE);
  assert.equal(s.reachable, true);
  assert.equal(s.file, FILE);
  assert.deepEqual(s.requests, { ok: 10, error: 1, timeout: 1, unavailable: 0, total: 12 });
  assert.equal(s.availabilityRatio, 0.7142857);
  assert.deepEqual(s.disconnections, { total: 2, byReason: { 'transport-closed': 1, 'ping-timeout': 1 } });
  assert.equal(s.reconnectAttempts, 3);
  assert.deepEqual(s.requestP95Seconds, { 'tools/call': 0.02425, ping: null });
  assert.deepEqual(s.faults, { total: 0, byKind: {} }, 'requests were scraped, so no fault series means none injected');
  assert.deepEqual(s.scrapeTarget, { job: 'mcp-reliability', up: 1, minUp: 0, scrapes: 60 });
  assert.deepEqual(s.alerts, { firing: ['McpTargetDown'], pending: ['McpAvailabilityBelowSlo'], firedDuringRun: ['McpReconnectStorm', 'McpTargetDown'] });
  assert.deepEqual(s.ruleProblems, [{ name: 'mcp:availability:ratio_rate30s', type: 'recording', health: 'err', lastError: 'many-to-many matching not allowed | <b>' }]);
  assert.equal(s.missing.length, 2);

  const none = summarizeScrape(unreachableScrape(), FILE);
  assert.equal(none.reachable, false);
  assert.equal(none.requests, null);
  assert.equal(none.disconnections, null, 'without request samples, no disconnection series is not evidence of zero');
  assert.equal(none.faults, null);
  assert.deepEqual(none.requestP95Seconds, {});
});

test('the report shows what Prometheus saw next to what the run measured', () => {
  const { result } = buildSampleResult();
  const plain = renderScenarioReport(result);
  assert.doesNotMatch(plain, /What Prometheus saw/, 'no section without a prometheus summary');
  const md = renderScenarioReport({ ...result, prometheus: summarizeScrape(sampleScrape(), FILE) });
  assert.ok(md.startsWith(plain.trimEnd()), 'the other sections are unchanged');
  const body = section(md) ?? '';
  assert.match(body, /^Read from `http:\/\/127\.0\.0\.1:9090` over the run \(2025-01-02T03:04:05\.000Z → 2025-01-02T03:06:05\.000Z, instant values at 2025-01-02T03:06:08\.000Z\); full answers in `test-results\/flaky\/prometheus\.json`\./);
  const row = (name: string) => body.split('\n').find((l) => l.startsWith(`| ${name}`))?.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
  assert.deepEqual(row('requests ok'), ['requests ok / error / timeout / unavailable', '10 / 1 / 1 / 0', '10 / 1 / 1 / 2']);
  assert.deepEqual(row('availability'), ['availability', '71.43 %', '71.43 %']);
  assert.deepEqual(row('disconnections'), ['disconnections', '2 (`ping-timeout` ×1, `transport-closed` ×1)', '3']);
  assert.deepEqual(row('p95 latency `tools/call`'), ['p95 latency `tools/call`', '24.3 ms', '5.00 s']);
  assert.deepEqual(row('p95 latency `ping`'), ['p95 latency `ping`', 'no data (NaN)', '2.00 ms']);
  assert.deepEqual(row('session up'), ['session up at the end', 'no', '—']);
  assert.deepEqual(row('scrapes of job'), ['scrapes of job `mcp-reliability`', '60, up at the end, some failed', '—']);
  assert.match(body, /^- Firing alerts: `McpTargetDown`; pending: `McpAvailabilityBelowSlo`; fired at some point during the run: `McpReconnectStorm`, `McpTargetDown`$/m);
  assert.match(body, /^- Rule `mcp:availability:ratio_rate30s` \(recording\) is unhealthy: many-to-many matching not allowed \\\| \\<b\\>$/m);
  assert.match(body, /^- Missing: query rule\\_availability\\_worst failed: HTTP 422: execution: query timed out$/m);
  for (const line of body.split('\n').filter((l) => l.startsWith('|'))) assert.equal(line.split(/(?<!\\)\|/).length, 5, line);
});

test('an unreachable Prometheus is said plainly, with what is missing', () => {
  const { result } = buildSampleResult();
  const body = section(renderScenarioReport({ ...result, prometheus: summarizeScrape(unreachableScrape(), FILE) }, { headingLevel: 2 }).replace(/^### /gm, '## ')) ?? '';
  assert.equal(
    body.trim(),
    [
      '**Prometheus was not reachable** at `http://127.0.0.1:9999` when the run ended: nothing was read from it (no metrics, alerts or rules).',
      '',
      '- Missing: prometheus unreachable at http://127.0.0.1:9999: connection refused — no metrics, alerts or rules could be read',
    ].join('\n'),
  );
});

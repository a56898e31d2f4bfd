import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createMetrics, SEED_METRIC_NAMES } from '../../src/metrics/index.js';
import { parseExposition, sampleValue } from './exposition.js';

function exercised() {
  const metrics = createMetrics({ scenario: 'smoke', target: 'everything', clientProfile: 'claude-code', version: '0.1.0' });
  metrics.connections.inc({ status: 'success' });
  metrics.connections.inc({ status: 'failure' });
  metrics.disconnections.inc({ reason: 'transport-closed' });
  metrics.reconnectAttempts.inc();
  metrics.requests.inc({ method: 'tools/call', status: 'ok' });
  metrics.requestDuration.observe({ method: 'tools/call' }, 0.012);
  metrics.sessionDuration.observe(12);
  metrics.protocolViolations.inc({ kind: 'stdout-non-json' });
  metrics.recovery.observe(1.5);
  metrics.toolDrift.inc({ change: 'removed' });
  metrics.handshakeDuration.observe(0.05);
  metrics.serverRss.set(123456789);
  metrics.availability.set(0.99);
  metrics.sessionUp.set(1);
  metrics.toolsAvailable.set(3);
  metrics.healthCheckFailures.inc();
  return metrics;
}

test('the six seed metric names are exposed exactly, with the seed types', async () => {
  const { types } = parseExposition(await exercised().registry.metrics());
  const expectedTypes: Record<(typeof SEED_METRIC_NAMES)[number], string> = {
    mcp_connections_total: 'counter',
    mcp_disconnections_total: 'counter',
    mcp_reconnect_attempts_total: 'counter',
    mcp_requests_total: 'counter',
    mcp_request_duration_seconds: 'histogram',
    mcp_session_duration_seconds: 'histogram',
  };
  for (const name of SEED_METRIC_NAMES) assert.equal(types.get(name), expectedTypes[name], name);
  assert.deepEqual([...SEED_METRIC_NAMES].sort(), Object.keys(expectedTypes).sort());
});

test('every metric has help text and every sample carries scenario and target', async () => {
  const exposition = parseExposition(await exercised().registry.metrics());
  assert.ok(exposition.types.size >= 16, `expected at least 16 metrics, got ${exposition.types.size}`);
  for (const [name] of exposition.types) assert.ok((exposition.help.get(name) ?? '').length > 10, `help for ${name}`);
  assert.ok(exposition.samples.length > 0);
  for (const sample of exposition.samples) {
    assert.equal(sample.labels.scenario, 'smoke', `${sample.name} scenario label`);
    assert.equal(sample.labels.target, 'everything', `${sample.name} target label`);
  }
});

test('seed labels: status, reason, method; run info carries client profile and version', async () => {
  const exposition = parseExposition(await exercised().registry.metrics());
  assert.equal(sampleValue(exposition, 'mcp_connections_total', { status: 'failure' }), 1);
  assert.equal(sampleValue(exposition, 'mcp_disconnections_total', { reason: 'transport-closed' }), 1);
  assert.equal(sampleValue(exposition, 'mcp_requests_total', { method: 'tools/call', status: 'ok' }), 1);
  assert.equal(sampleValue(exposition, 'mcp_request_duration_seconds_count', { method: 'tools/call' }), 1);
  assert.equal(sampleValue(exposition, 'mcp_request_duration_seconds_bucket', { method: 'tools/call', le: '0.001' }), 0);
  assert.equal(sampleValue(exposition, 'mcp_request_duration_seconds_bucket', { method: 'tools/call', le: '60' }), 1);
  assert.equal(sampleValue(exposition, 'mcp_run_info', { client_profile: 'claude-code', version: '0.1.0', scenario: 'smoke' }), 1);
});

test('each createMetrics call has its own registry (no cross-run leakage)', async () => {
  const a = createMetrics({ scenario: 'a', target: 't' });
  const b = createMetrics({ scenario: 'b', target: 't' });
  a.reconnectAttempts.inc(5);
  const exposition = parseExposition(await b.registry.metrics());
  assert.equal(sampleValue(exposition, 'mcp_reconnect_attempts_total'), 0);
});

test('promtool check metrics accepts the exposition', async (t) => {
  const which = spawnSync('promtool', ['--version']);
  if (which.error) {
    t.skip('promtool not installed: apt-get install prometheus');
    return;
  }
  const text = await exercised().registry.metrics();
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(check.status, 0, `promtool check metrics failed:\n${check.stdout}${check.stderr}`);
  assert.equal(`${check.stdout}${check.stderr}`.trim(), '', 'promtool printed lint findings');
});

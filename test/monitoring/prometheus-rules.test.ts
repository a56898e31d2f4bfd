/**
 * monitoring/prometheus as data: the scrape contract of the compose stack, the four alerts with
 * their thresholds named, and every expression using only series the registry defines (or rules
 * record). Runs without promtool.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SEED_METRIC_NAMES } from '../../src/metrics/index.js';
import {
  CONTAINER_RULES_DIR,
  PROMETHEUS_DIR,
  PROMETHEUS_SERIES,
  loadRules,
  metricNamesIn,
  readYaml,
  recordingRuleNames,
  registrySeriesNames,
  type PrometheusConfig,
} from './monitoring-files.js';

const ALERTS: Record<string, { severity: string; threshold: RegExp; description: RegExp }> = {
  McpTargetDown: { severity: 'critical', threshold: /== 0\b/, description: /== 0\) for more than \d+s/ },
  McpReconnectStorm: { severity: 'warning', threshold: />\s*0\.5\b/, description: /0\.5\/s threshold/ },
  McpAvailabilityBelowSlo: { severity: 'critical', threshold: /<\s*0\.99\b/, description: /below the 99% SLO/ },
  McpLatencyP95OverSlo: { severity: 'warning', threshold: />\s*1\b/, description: /above the 1s SLO/ },
};

test('prometheus.yml: scrapes the simulator every 2s and itself, loads the mounted rules', () => {
  const config = readYaml<PrometheusConfig>('prometheus/prometheus.yml');
  assert.equal(config.global.scrape_interval, '5s');
  assert.equal(config.global.evaluation_interval, '5s');
  assert.deepEqual(config.rule_files, [`${CONTAINER_RULES_DIR}*.yml`]);
  const jobs = new Map(config.scrape_configs.map((job) => [job.job_name, job]));
  const simulator = jobs.get('mcp-reliability');
  assert.ok(simulator, 'job mcp-reliability');
  assert.equal(simulator.scrape_interval, '2s');
  assert.deepEqual(simulator.static_configs.flatMap((c) => c.targets), ['claude-simulator:9464']);
  // A target label `service` would turn the container metrics' own `service` label into exported_service.
  for (const c of simulator.static_configs) assert.equal(c.labels?.service, undefined);
  assert.deepEqual(jobs.get('prometheus')?.static_configs.flatMap((c) => c.targets), ['localhost:9090']);
});

test('metricNamesIn finds selected series, not functions, labels, keywords or numbers', () => {
  assert.deepEqual(metricNamesIn('histogram_quantile(0.95, sum by (le, method) (rate(mcp_request_duration_seconds_bucket{method="tools/call"}[30s])))'), [
    'mcp_request_duration_seconds_bucket',
  ]);
  assert.deepEqual(metricNamesIn('min by (scenario, target) (mcp_availability_ratio) < 0.99\nand on (scenario, target)\nsum by (scenario, target) (mcp_requests_total) > 0'), [
    'mcp_availability_ratio',
    'mcp_requests_total',
  ]);
  assert.deepEqual(metricNamesIn('mcp:reconnect_attempts:rate30s > 1e3 or vector(0) unless up{job="x"} offset 5m'), ['mcp:reconnect_attempts:rate30s', 'up']);
  assert.deepEqual(metricNamesIn('sum(rate(mcp_requets_total{status=~"ok|error"}[$__rate_interval])) / ignoring(status) group_left sum(x_total)'), [
    'mcp_requets_total',
    'x_total',
  ]);
});

test('the registry defines the seed names and the container metrics this folder relies on', async () => {
  const names = await registrySeriesNames();
  for (const name of [...SEED_METRIC_NAMES, 'mcp_container_memory_bytes', 'mcp_container_cpu_usage_ratio', 'mcp_fault_active', 'mcp_session_up']) {
    assert.ok(names.has(name), `${name} is not defined in src/metrics/registry.ts`);
  }
  assert.ok(names.has('mcp_request_duration_seconds_bucket'), 'histograms are listed with their _bucket series');
});

test('rules: every expression uses only registry series, recorded rules or Prometheus-made series', async () => {
  const known = new Set([...(await registrySeriesNames()), ...recordingRuleNames(), ...PROMETHEUS_SERIES]);
  const rules = loadRules();
  assert.ok(rules.length > 0);
  for (const { rule } of rules) {
    const used = metricNamesIn(rule.expr);
    assert.ok(used.length > 0, `${rule.record ?? rule.alert}: no series found in ${rule.expr}`);
    for (const name of used) assert.ok(known.has(name), `${rule.record ?? rule.alert} uses ${name}, which neither the registry nor a recording rule defines`);
  }
});

test('recording rules: level:metric:operation names, 30s windows, scenario and target kept', () => {
  const recording = loadRules().filter(({ rule }) => rule.record);
  assert.ok(recording.length >= 8, `expected the reliability signals recorded, found ${recording.length}`);
  const names = recording.map(({ rule }) => rule.record as string);
  assert.equal(new Set(names).size, names.length, 'recording rule names are unique');
  for (const want of ['mcp:requests:rate30s', 'mcp:request_errors:ratio_rate30s', 'mcp:availability:ratio_rate30s', 'mcp:request_duration_seconds:p95_rate30s', 'mcp:reconnect_attempts:rate30s', 'mcp:disconnections:rate30s']) {
    assert.ok(names.includes(want), `recording rule ${want}`);
  }
  for (const { rule } of recording) {
    assert.match(rule.record as string, /^mcp:[a-z_]+:[a-z0-9_]+$/, `${rule.record}: level:metric:operation`);
    for (const window of rule.expr.matchAll(/\[([^\]]+)\]/g)) assert.equal(window[1], '30s', `${rule.record}: window ${window[1]}, expected 30s (the name says rate30s)`);
    assert.match(rule.record as string, /_rate30s$|:rate30s$/, `${rule.record}: the name carries the window`);
    assert.match(rule.expr, /by \(scenario, target\b/, `${rule.record}: keeps scenario and target`);
  }
});

test('alerts: the four alerts exist, with for, severity, summary and a description naming the threshold', () => {
  const alerting = loadRules().filter(({ rule }) => rule.alert);
  const byName = new Map<string, typeof alerting>();
  for (const entry of alerting) byName.set(entry.rule.alert as string, [...(byName.get(entry.rule.alert as string) ?? []), entry]);
  assert.deepEqual([...byName.keys()].sort(), Object.keys(ALERTS).sort());
  for (const [name, want] of Object.entries(ALERTS)) {
    for (const { rule } of byName.get(name) ?? []) {
      assert.match(rule.for ?? '', /^\d+s$/, `${name}: for`);
      assert.equal(rule.labels?.severity, want.severity, `${name}: severity`);
      assert.ok((rule.annotations?.summary ?? '').length > 10, `${name}: summary`);
      assert.match(rule.expr, want.threshold, `${name}: threshold in the expression`);
      assert.match(rule.annotations?.description ?? '', want.description, `${name}: the description names the threshold`);
      assert.ok((rule.annotations?.description ?? '').includes(`more than ${rule.for}`), `${name}: the description names its for (${rule.for})`);
    }
  }
  const targetDown = (byName.get('McpTargetDown') ?? []).map(({ rule }) => rule.expr);
  assert.deepEqual(targetDown.sort(), ['mcp_session_up == 0', 'up{job="mcp-reliability"} == 0']);
  const latency = byName.get('McpLatencyP95OverSlo')?.[0]?.rule.expr ?? '';
  assert.match(latency, /method="tools\/call"/);
});

test('promtool unit tests cover every alert, each with a firing and a silent case', () => {
  interface UnitTests {
    rule_files: string[];
    group_eval_order?: string[];
    tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
  }
  const files = readdirSync(join(PROMETHEUS_DIR, 'tests')).filter((f) => f.endsWith('.yml'));
  const fires = new Set<string>();
  const silent = new Set<string>();
  for (const file of files) {
    const unit = readYaml<UnitTests>(`prometheus/tests/${file}`);
    assert.deepEqual(unit.rule_files, ['../rules/recording.yml', '../rules/alerts.yml'], `${file}: rule_files`);
    // Without an order promtool evaluates groups in map order: alerts could read stale recordings.
    assert.deepEqual(unit.group_eval_order, ['mcp-reliability-recording', 'mcp-reliability-alerts'], `${file}: group_eval_order`);
    for (const t of unit.tests) {
      for (const a of t.alert_rule_test ?? []) {
        if (a.exp_alerts.length > 0) fires.add(a.alertname);
        else if (/\bstays? silent\b/.test(t.name)) silent.add(a.alertname);
      }
    }
  }
  for (const alert of Object.keys(ALERTS)) {
    assert.ok(fires.has(alert), `${alert}: no unit test expects it to fire`);
    assert.ok(silent.has(alert), `${alert}: no "stays silent" unit test`);
  }
});

/**
 * monitoring/grafana as data (Grafana itself is not installable here; it runs in the compose stack
 * on GitHub): provisioning points at the right URLs and uids, and the dashboard queries only series
 * that exist, with every panel on a provisioned data source, the template variables, and faults as
 * annotations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEED_METRIC_NAMES } from '../../src/metrics/index.js';
import { PROMETHEUS_SERIES, metricNamesIn, readText, readYaml, recordingRuleNames, registrySeriesNames } from './monitoring-files.js';

interface DataSourceRef {
  type?: string;
  uid?: string;
}
interface Target {
  refId: string;
  expr?: string;
  datasource?: DataSourceRef;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: DataSourceRef;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  datasource?: DataSourceRef;
  definition?: string;
  query: string | { query: string };
  includeAll?: boolean;
}
interface Annotation {
  name: string;
  datasource?: DataSourceRef;
  enable: boolean;
  expr?: string;
  target?: { expr?: string };
  titleFormat?: string;
  tagKeys?: string;
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
  annotations: { list: Annotation[] };
}

const DATASOURCE_TYPES: Record<string, string> = { prometheus: 'prometheus', loki: 'loki' };
const dashboard = JSON.parse(readText('grafana/dashboards/mcp-reliability.json')) as Dashboard;
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
const promExprs = queryPanels.flatMap((p) => (p.targets ?? []).filter((t) => t.datasource?.uid === 'prometheus').map((t) => ({ panel: p.title, expr: t.expr ?? '' })));
const lokiExprs = queryPanels.flatMap((p) => (p.targets ?? []).filter((t) => t.datasource?.uid === 'loki').map((t) => ({ panel: p.title, expr: t.expr ?? '' })));
const variableQuery = (v: Variable): string => (typeof v.query === 'string' ? v.query : v.query.query);

/** The selector inside label_values(selector, label). */
function labelValuesSelector(query: string): string {
  const m = /^label_values\((.+),\s*([a-zA-Z_]\w*)\)$/.exec(query.trim());
  assert.ok(m, `not a label_values(metric, label) query: ${query}`);
  return m[1] as string;
}

test('datasources: Prometheus (default) and Loki, by uid, at their compose addresses', () => {
  interface Provisioned {
    apiVersion: number;
    datasources: { name: string; uid: string; type: string; url: string; access: string; isDefault?: boolean }[];
  }
  const { apiVersion, datasources } = readYaml<Provisioned>('grafana/provisioning/datasources/datasources.yml');
  assert.equal(apiVersion, 1);
  const byUid = new Map(datasources.map((d) => [d.uid, d]));
  assert.deepEqual([...byUid.keys()].sort(), ['loki', 'prometheus']);
  assert.equal(byUid.get('prometheus')?.type, 'prometheus');
  assert.equal(byUid.get('prometheus')?.url, 'http://prometheus:9090');
  assert.equal(byUid.get('prometheus')?.isDefault, true);
  assert.equal(byUid.get('loki')?.type, 'loki');
  assert.equal(byUid.get('loki')?.url, 'http://loki:3100');
  assert.notEqual(byUid.get('loki')?.isDefault, true);
  for (const d of datasources) assert.equal(d.access, 'proxy', `${d.uid}: Grafana's backend reaches it on the compose network`);
});

test('dashboard provider: files from /var/lib/grafana/dashboards', () => {
  interface Providers {
    apiVersion: number;
    providers: { name: string; type: string; options: { path: string } }[];
  }
  const { apiVersion, providers } = readYaml<Providers>('grafana/provisioning/dashboards/dashboards.yml');
  assert.equal(apiVersion, 1);
  assert.equal(providers.length, 1);
  assert.equal(providers[0]?.type, 'file');
  assert.equal(providers[0]?.options.path, '/var/lib/grafana/dashboards');
});

test('dashboard: uid, schema version, unique panel ids, panels inside the 24-column grid', () => {
  assert.equal(dashboard.uid, 'mcp-reliability');
  assert.ok(dashboard.title.length > 0);
  assert.ok(dashboard.schemaVersion >= 36 && dashboard.schemaVersion <= 41, `schemaVersion ${dashboard.schemaVersion}`);
  const ids = dashboard.panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  for (const p of dashboard.panels) {
    assert.ok(p.gridPos.x >= 0 && p.gridPos.w > 0 && p.gridPos.x + p.gridPos.w <= 24, `${p.title}: gridPos ${JSON.stringify(p.gridPos)}`);
  }
  assert.ok(queryPanels.length >= 20, `expected a real dashboard, found ${queryPanels.length} panels`);
});

test('dashboard: every panel and query names its data source by uid: prometheus or loki', () => {
  for (const p of queryPanels) {
    const uid = p.datasource?.uid ?? '';
    assert.ok(uid in DATASOURCE_TYPES, `${p.title}: datasource uid ${JSON.stringify(p.datasource)}`);
    assert.equal(p.datasource?.type, DATASOURCE_TYPES[uid], `${p.title}: datasource type`);
    assert.ok((p.targets ?? []).length > 0, `${p.title}: has queries`);
    for (const t of p.targets ?? []) {
      assert.deepEqual(t.datasource, p.datasource, `${p.title} ${t.refId}: query datasource`);
      assert.ok((t.expr ?? '').trim().length > 0, `${p.title} ${t.refId}: expression`);
    }
  }
});

test('dashboard: every series queried exists in the registry or is recorded by a rule', async () => {
  const known = new Set([...(await registrySeriesNames()), ...recordingRuleNames(), ...PROMETHEUS_SERIES]);
  for (const { panel, expr } of promExprs) {
    const used = metricNamesIn(expr);
    assert.ok(used.length > 0, `${panel}: no series in ${expr}`);
    for (const name of used) assert.ok(known.has(name), `${panel}: ${name} is neither in src/metrics/registry.ts nor a recording rule`);
  }
});

test('dashboard: the six seed metrics, and every signal the brief lists, have a panel', () => {
  const used = new Set(promExprs.flatMap(({ expr }) => metricNamesIn(expr)).map((n) => n.replace(/_(bucket|sum|count)$/, '')));
  for (const seed of SEED_METRIC_NAMES) assert.ok(used.has(seed), `seed metric ${seed} has no panel`);
  for (const name of [
    'mcp_tools_available',
    'mcp_session_up',
    'mcp_availability_ratio',
    'mcp_protocol_violations_total',
    'mcp_container_memory_bytes',
    'mcp_container_cpu_usage_ratio',
    'mcp_server_rss_bytes',
    'mcp_fault_active',
  ]) {
    assert.ok(used.has(name), `${name} has no panel`);
  }
  const latency = promExprs.filter(({ expr }) => expr.includes('mcp_request_duration_seconds_bucket')).map(({ expr }) => expr);
  for (const q of ['0.50', '0.95', '0.99']) {
    assert.ok(latency.some((e) => e.startsWith(`histogram_quantile(${q},`) && /by \(le\b|by \(le,/.test(e)), `request latency p${q.slice(2)} via histogram_quantile by le`);
  }
});

test('dashboard: mcp_* selectors filter on the scenario and target variables', () => {
  for (const { panel, expr } of promExprs) {
    for (const m of expr.matchAll(/\b(mcp[_:][\w:]*)(\{[^}]*\})?/g)) {
      const matchers = m[2] ?? '';
      assert.ok(matchers.includes('scenario=~"$scenario"') && matchers.includes('target=~"$target"'), `${panel}: ${m[1]} without the $scenario/$target filter`);
    }
  }
});

test('dashboard: template variables scenario and target come from label_values of a registry metric', async () => {
  const names = await registrySeriesNames();
  const vars = new Map(dashboard.templating.list.map((v) => [v.name, v]));
  for (const name of ['scenario', 'target']) {
    const v = vars.get(name);
    assert.ok(v, `variable ${name}`);
    assert.equal(v.type, 'query');
    assert.equal(v.datasource?.uid, 'prometheus');
    assert.equal(v.includeAll, true, `${name}: All selects every run`);
    const query = variableQuery(v);
    assert.match(query, new RegExp(`, ${name}\\)$`));
    for (const metric of metricNamesIn(labelValuesSelector(query))) assert.ok(names.has(metric), `${name}: ${metric} not in the registry`);
  }
  assert.match(variableQuery(vars.get('target') as Variable), /scenario=~"\$scenario"/, 'target depends on the chosen scenario');
});

test('dashboard: injected faults are annotations from mcp_fault_active, titled by kind', () => {
  const faults = dashboard.annotations.list.filter((a) => a.datasource?.uid === 'prometheus' && (a.target?.expr ?? a.expr ?? '').includes('mcp_fault_active'));
  assert.equal(faults.length, 1, 'one fault annotation');
  const [fault] = faults as [Annotation];
  assert.equal(fault.enable, true);
  assert.match(fault.target?.expr ?? '', /mcp_fault_active\{[^}]*\}\) > 0$/);
  assert.equal(fault.expr, fault.target?.expr, 'legacy expr (Grafana < 10) and target.expr agree');
  assert.match(fault.titleFormat ?? '', /\{\{kind\}\}/);
  assert.match(fault.tagKeys ?? '', /\bkind\b/);
  for (const a of dashboard.annotations.list) assert.ok((a.datasource?.uid ?? '') in DATASOURCE_TYPES, `${a.name}: datasource uid`);
});

test('dashboard: Loki log panels select by the labels Promtail sets', () => {
  interface Promtail {
    scrape_configs: { relabel_configs: { target_label?: string }[] }[];
  }
  const promtail = readYaml<Promtail>('promtail/promtail-config.yml');
  const labels = new Set(promtail.scrape_configs.flatMap((s) => s.relabel_configs.flatMap((r) => (r.target_label ? [r.target_label] : []))));
  assert.ok(lokiExprs.length >= 1, 'a Loki logs panel');
  assert.ok(
    queryPanels.some((p) => p.type === 'logs' && p.datasource?.uid === 'loki'),
    'a logs panel on Loki',
  );
  for (const { panel, expr } of lokiExprs) {
    const selector = /^\{([^}]*)\}/.exec(expr.trim());
    assert.ok(selector, `${panel}: LogQL stream selector in ${expr}`);
    for (const m of (selector[1] as string).matchAll(/([a-zA-Z_]\w*)\s*(=~|!~|!=|=)/g)) {
      assert.ok(labels.has(m[1] as string), `${panel}: label ${m[1]} is not one Promtail sets (${[...labels].join(', ')})`);
    }
  }
  assert.ok(lokiExprs.some(({ expr }) => /project=~"\.\+"/.test(expr)), 'one panel shows every service of the project');
});

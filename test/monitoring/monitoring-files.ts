/**
 * Shared by the monitoring/ tests: where the files are, how to read them, which metric names exist
 * (from the real registry), which names a PromQL expression uses, and how to stage the Prometheus
 * config outside its container paths.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { createMetrics } from '../../src/metrics/index.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const MONITORING = join(REPO, 'monitoring');
export const PROMETHEUS_DIR = join(MONITORING, 'prometheus');
export const RULE_FILES = ['recording.yml', 'alerts.yml'].map((f) => join(PROMETHEUS_DIR, 'rules', f));
/** Where the compose file mounts monitoring/prometheus/rules/ inside the Prometheus container. */
export const CONTAINER_RULES_DIR = '/etc/prometheus/rules/';

export function readText(relativeToMonitoring: string): string {
  return readFileSync(join(MONITORING, relativeToMonitoring), 'utf8');
}

export function readYaml<T = unknown>(relativeToMonitoring: string): T {
  return parse(readText(relativeToMonitoring)) as T;
}

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}
export interface RuleFile {
  groups: RuleGroup[];
}

export function loadRules(): { file: string; group: RuleGroup; rule: Rule }[] {
  const out: { file: string; group: RuleGroup; rule: Rule }[] = [];
  for (const file of ['recording.yml', 'alerts.yml']) {
    const parsed = readYaml<RuleFile>(`prometheus/rules/${file}`);
    for (const group of parsed.groups) for (const rule of group.rules) out.push({ file, group, rule });
  }
  return out;
}

export function recordingRuleNames(): Set<string> {
  return new Set(loadRules().flatMap(({ rule }) => (rule.record ? [rule.record] : [])));
}

/**
 * Every series name the simulator can expose, from a real registry: each metric's name, and for
 * histograms the _bucket, _sum and _count series Prometheus stores.
 */
export async function registrySeriesNames(): Promise<Set<string>> {
  const metrics = createMetrics({ scenario: 'monitoring-test', target: 'registry' });
  const names = new Set<string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
  }
  return names;
}

/** Series Prometheus makes itself (scrape health, alert state), which rules and panels may use. */
export const PROMETHEUS_SERIES = new Set(['up', 'ALERTS', 'ALERTS_FOR_STATE']);

const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan']);

/**
 * The series names a PromQL expression selects: identifiers left after removing strings, label
 * matchers, range/subquery brackets and grouping label lists, that are not functions (followed by
 * a parenthesis), keywords or numbers. Good enough for the expressions in this repository; it is
 * tested against tricky cases in prometheus-rules.test.ts.
 */
export function metricNamesIn(expr: string): string[] {
  let s = expr.replace(/#.*$/gm, ' ');
  s = s.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  s = s.replace(/\{[^}]*\}/g, ' ');
  s = s.replace(/\[[^\]]*\]/g, ' ');
  s = s.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of s.matchAll(/(?<![\w:.$])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()/g)) {
    const name = m[1] as string;
    if (!PROMQL_KEYWORDS.has(name.toLowerCase())) names.add(name);
  }
  return [...names].sort();
}

/** promtool from PATH (Debian's prometheus package), or why it cannot be used. */
export function promtool(): { ok: true; version: string } | { ok: false; reason: string } {
  const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (probe.error) return { ok: false, reason: `${probe.error.message} (apt-get install prometheus provides /usr/bin/promtool)` };
  if (probe.status !== 0) return { ok: false, reason: `promtool --version exited ${probe.status}: ${probe.stderr}` };
  return { ok: true, version: (probe.stdout || probe.stderr).split('\n')[0] ?? '' };
}

export function run(command: string, args: string[], cwd = REPO): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

export interface PrometheusConfig {
  global: Record<string, unknown>;
  rule_files: string[];
  scrape_configs: { job_name: string; scrape_interval?: string; static_configs: { targets: string[]; labels?: Record<string, string> }[] }[];
}

/**
 * Copies prometheus.yml, rules/ and tests/ into `dir`, with the config's rule_files pointing at the
 * copy. prometheus.yml names its rules by their container path (/etc/prometheus/rules/*.yml, as the
 * compose file mounts them). On this machine that glob matches nothing, and `promtool check config`
 * then reports SUCCESS without looking at any rule; pointing it at real files makes the config check
 * load and check the rules the config will load in the container. `edit` may change the copy further.
 */
export function stagePrometheus(dir: string, edit: (config: PrometheusConfig) => void = () => {}): string {
  const config = readYaml<PrometheusConfig>('prometheus/prometheus.yml');
  config.rule_files = config.rule_files.map((pattern) => {
    if (!pattern.startsWith(CONTAINER_RULES_DIR)) throw new Error(`rule_files entry ${pattern} is not under ${CONTAINER_RULES_DIR}`);
    return join(dir, 'rules', pattern.slice(CONTAINER_RULES_DIR.length));
  });
  edit(config);
  mkdirSync(dir, { recursive: true });
  cpSync(join(PROMETHEUS_DIR, 'rules'), join(dir, 'rules'), { recursive: true });
  cpSync(join(PROMETHEUS_DIR, 'tests'), join(dir, 'tests'), { recursive: true });
  const path = join(dir, 'prometheus.yml');
  writeFileSync(path, stringify(config));
  return path;
}

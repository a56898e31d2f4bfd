/**
 * Reads what Prometheus holds about one run — before the stack is torn down — into a bounded
 * `PrometheusScrape` document (written as `test-results/<run>/prometheus.json`; the Result carries
 * `summarizeScrape(scrape, relPath)`). Never throws for a Prometheus-side problem: an unreachable
 * Prometheus, a failing query or a missing series becomes an entry and a line in `missing`.
 *
 * Counters are read as run-to-date values (`last_over_time` over the window: every run has a fresh
 * registry, so they are exact), next to `increase()` over the window (extrapolated by Prometheus).
 * Instant queries are evaluated, and range queries end, shortly after the run's end (see
 * `graceSeconds`, `settleMs`) so the final scrape counts.
 */
import { alerts, instantQuery, rangeQuery, ready, rules, sampleValue } from '../metrics/prometheus-api.js';
import type { PromInstantData, PromLabels, PromRangeData, PromResult, PromRuleGroup } from '../metrics/prometheus-api.js';
import { SCRAPE_LIMITS, SCRAPE_QUERY as Q } from '../report/prometheus-scrape.js';
import type { PrometheusScrape, ScrapeAlert, ScrapeInstantEntry, ScrapeRangeEntry, ScrapeRangeSeries, ScrapeRule, ScrapeSample } from '../report/prometheus-scrape.js';

export type { PrometheusScrape } from '../report/prometheus-scrape.js';
export { summarizeScrape } from '../report/prometheus-scrape.js';

export interface ScrapeOptions {
  /** Prometheus' base URL, e.g. `http://127.0.0.1:9090`. */
  baseUrl: string;
  /** The `scenario` label of the run. */
  scenario: string;
  /** The `target` label; when given, queries match it too. */
  target?: string;
  start: Date;
  end: Date;
  /** Range query resolution (default: the window / 600, at least 1 s). */
  stepSeconds?: number;
  /** Per-request timeout (default 5000 ms). */
  timeoutMs?: number;
  /** Scrape job of the simulated client (default `mcp-reliability`). */
  job?: string;
  /** Instant queries are evaluated, and range queries end, at min(now, end + graceSeconds) (default 15). */
  graceSeconds?: number;
  /** Wait up to this long for Prometheus to scrape `job` after `end` (default 5000; 0 = don't wait). */
  settleMs?: number;
  /** More instant queries, recorded like the others (an empty answer is not reported missing). */
  extraQueries?: { name: string; query: string; description?: string }[];
  now?: () => Date;
}

interface Ctx {
  sel: string;
  win: string;
  rate: string;
  job: string;
  alertSel: string;
}

interface InstantSpec {
  name: string;
  description: string;
  /** How `missing` names it. */
  metric: (c: Ctx) => string;
  query: (c: Ctx) => string;
  /** Empty answer: `missing` (say so), `none` (nothing happened: fine), or a recording rule's name. */
  empty: 'missing' | 'none' | { rule: string };
  hint?: string;
}

const NOT_SCRAPED = 'the simulator may not have been scraped';

/** The query set, defined once. */
const INSTANT: InstantSpec[] = [
  { name: Q.requests, description: 'requests by status, run to date (last scraped counter values)', metric: (c) => `mcp_requests_total{${c.sel}}`, query: (c) => `sum by (status) (last_over_time(mcp_requests_total{${c.sel}}[${c.win}]))`, empty: 'missing', hint: NOT_SCRAPED },
  { name: Q.requestsIncrease, description: 'requests by status, increase over the window (extrapolated)', metric: (c) => `mcp_requests_total{${c.sel}}`, query: (c) => `sum by (status) (increase(mcp_requests_total{${c.sel}}[${c.win}]))`, empty: 'missing', hint: NOT_SCRAPED },
  { name: Q.availability, description: 'availability ratio (0..1), last value', metric: (c) => `mcp_availability_ratio{${c.sel}}`, query: (c) => `last_over_time(mcp_availability_ratio{${c.sel}}[${c.win}])`, empty: 'missing' },
  { name: Q.disconnections, description: 'disconnections by reason, run to date', metric: (c) => `mcp_disconnections_total{${c.sel}}`, query: (c) => `sum by (reason) (last_over_time(mcp_disconnections_total{${c.sel}}[${c.win}]))`, empty: 'none' },
  { name: Q.reconnects, description: 'reconnect attempts, run to date', metric: (c) => `mcp_reconnect_attempts_total{${c.sel}}`, query: (c) => `sum(last_over_time(mcp_reconnect_attempts_total{${c.sel}}[${c.win}]))`, empty: 'missing' },
  { name: Q.p95, description: 'request latency p95 over the run by method, seconds (histogram, run to date)', metric: (c) => `mcp_request_duration_seconds_bucket{${c.sel}}`, query: (c) => `histogram_quantile(0.95, sum by (method, le) (last_over_time(mcp_request_duration_seconds_bucket{${c.sel}}[${c.win}])))`, empty: 'missing', hint: 'no request was sent, or the histogram was not scraped' },
  { name: Q.toolsAvailable, description: 'tools in the last tools/list answer', metric: (c) => `mcp_tools_available{${c.sel}}`, query: (c) => `last_over_time(mcp_tools_available{${c.sel}}[${c.win}])`, empty: 'missing' },
  { name: Q.sessionUp, description: 'session up (1) or down (0), last value', metric: (c) => `mcp_session_up{${c.sel}}`, query: (c) => `last_over_time(mcp_session_up{${c.sel}}[${c.win}])`, empty: 'missing' },
  { name: Q.faults, description: 'faults injected by kind, run to date', metric: (c) => `mcp_faults_total{${c.sel}}`, query: (c) => `sum by (kind) (last_over_time(mcp_faults_total{${c.sel}}[${c.win}]))`, empty: 'none' },
  { name: Q.up, description: 'scrape target up, last value', metric: (c) => `up{job="${c.job}"}`, query: (c) => `last_over_time(up{job="${c.job}"}[${c.win}])`, empty: 'missing', hint: 'Prometheus has no such scrape job, or did not scrape it in the window' },
  { name: Q.upMin, description: 'scrape target up, lowest value in the window (0: a scrape failed)', metric: (c) => `up{job="${c.job}"}`, query: (c) => `min_over_time(up{job="${c.job}"}[${c.win}])`, empty: 'missing' },
  { name: Q.scrapes, description: 'scrapes of the target in the window', metric: (c) => `up{job="${c.job}"}`, query: (c) => `count_over_time(up{job="${c.job}"}[${c.win}])`, empty: 'missing' },
  { name: Q.alertsFired, description: 'alerts that were firing at some point in the window', metric: () => 'ALERTS', query: (c) => `max by (alertname) (max_over_time(ALERTS{alertstate="firing"${c.alertSel}}[${c.win}]))`, empty: 'none' },
  { name: 'rule_requests_rate_last', description: 'recording rule: requests/s by method and status, last value', metric: (c) => `mcp:requests:rate30s{${c.sel}}`, query: (c) => `last_over_time(mcp:requests:rate30s{${c.sel}}[${c.win}])`, empty: { rule: 'mcp:requests:rate30s' } },
  { name: 'rule_availability_worst', description: 'recording rule: lowest 30 s availability in the window', metric: (c) => `mcp:availability:ratio_rate30s{${c.sel}}`, query: (c) => `min_over_time(mcp:availability:ratio_rate30s{${c.sel}}[${c.win}])`, empty: { rule: 'mcp:availability:ratio_rate30s' } },
  { name: 'rule_request_p95_worst', description: 'recording rule: highest 30 s p95 latency by method in the window, seconds', metric: (c) => `mcp:request_duration_seconds:p95_rate30s{${c.sel}}`, query: (c) => `max_over_time(mcp:request_duration_seconds:p95_rate30s{${c.sel}}[${c.win}])`, empty: { rule: 'mcp:request_duration_seconds:p95_rate30s' } },
  { name: 'rule_reconnect_rate_peak', description: 'recording rule: peak reconnect attempts/s (30 s rate)', metric: (c) => `mcp:reconnect_attempts:rate30s{${c.sel}}`, query: (c) => `max_over_time(mcp:reconnect_attempts:rate30s{${c.sel}}[${c.win}])`, empty: { rule: 'mcp:reconnect_attempts:rate30s' } },
  { name: 'rule_disconnection_rate_peak', description: 'recording rule: peak disconnections/s by reason (30 s rate)', metric: (c) => `mcp:disconnections:rate30s{${c.sel}}`, query: (c) => `max_over_time(mcp:disconnections:rate30s{${c.sel}}[${c.win}])`, empty: { rule: 'mcp:disconnections:rate30s' } },
];

const RANGE: { name: string; description: string; query: (c: Ctx) => string }[] = [
  { name: 'request_rate', description: 'requests/s by status', query: (c) => `sum by (status) (rate(mcp_requests_total{${c.sel}}[${c.rate}]))` },
  { name: Q.availability, description: 'availability ratio (0..1), run to date', query: (c) => `mcp_availability_ratio{${c.sel}}` },
  { name: Q.sessionUp, description: 'session up (1) or down (0)', query: (c) => `mcp_session_up{${c.sel}}` },
  { name: Q.p95, description: 'request latency p95 by method, seconds', query: (c) => `histogram_quantile(0.95, sum by (method, le) (rate(mcp_request_duration_seconds_bucket{${c.sel}}[${c.rate}])))` },
];

/** Reads the run's metrics, alerts and rules from Prometheus into a bounded document. */
export async function scrapePrometheus(options: ScrapeOptions): Promise<PrometheusScrape> {
  const now = options.now ?? (() => new Date());
  const url = options.baseUrl.replace(/\/+$/, '');
  const job = options.job ?? 'mcp-reliability';
  const timeoutMs = options.timeoutMs;
  const start = options.start;
  const end = new Date(Math.max(options.end.getTime(), start.getTime()));
  const windowSec = Math.max(1, Math.ceil((end.getTime() - start.getTime()) / 1000));
  const step = Math.max(options.stepSeconds ?? Math.ceil(windowSec / SCRAPE_LIMITS.pointsPerSeries), Math.ceil(windowSec / 11_000), 1);
  const rateSec = Math.max(10, 4 * step);
  const missing: string[] = [];

  const readiness = await ready(url, { timeoutMs });
  const reachable = readiness.ok || readiness.kind === 'http';
  if (!readiness.ok && readiness.kind === 'http') missing.push(`prometheus at ${url} is not ready (/-/ready: ${readiness.error}); its answers may be incomplete`);
  if (reachable && options.settleMs !== 0) missing.push(...(await settle(url, job, end, options.settleMs ?? 5000, timeoutMs)));

  const evaluatedAt = new Date(Math.max(end.getTime(), Math.min(now().getTime(), end.getTime() + (options.graceSeconds ?? 15) * 1000)));
  const ctx: Ctx = {
    sel: matchers({ scenario: options.scenario, ...(options.target !== undefined ? { target: options.target } : {}) }),
    win: `${Math.max(1, Math.ceil((evaluatedAt.getTime() - start.getTime()) / 1000))}s`,
    rate: `${rateSec}s`,
    job: escapeString(job),
    alertSel: `,scenario=~"${escapeString(`(${escapeRegex(options.scenario)})?`)}"${options.target !== undefined ? `,target=~"${escapeString(`(${escapeRegex(options.target)})?`)}"` : ''}`,
  };
  const base = {
    url,
    scrapedAt: now().toISOString(),
    window: { start: start.toISOString(), end: end.toISOString(), evaluatedAt: evaluatedAt.toISOString(), stepSeconds: step, rateWindowSeconds: rateSec },
    selector: ctx.sel,
    job,
  };
  const instantSpecs = [...INSTANT.map((s) => ({ ...s, query: s.query(ctx) })), ...(options.extraQueries ?? []).map((x) => ({ name: x.name, description: x.description ?? 'extra query', query: x.query, metric: () => x.query, empty: 'none' as const }))];
  const rangeSpecs = RANGE.map((s) => ({ ...s, query: s.query(ctx) }));

  if (!reachable) {
    const error = `not queried: prometheus unreachable at ${url}: ${readiness.error}`;
    return {
      ...base,
      reachable: false,
      instant: instantSpecs.map((s) => ({ name: s.name, description: s.description, query: s.query, ok: false, error })),
      range: rangeSpecs.map((s) => ({ name: s.name, description: s.description, query: s.query, ok: false, error })),
      alerts: [],
      rules: [],
      missing: [`prometheus unreachable at ${url}: ${shortReason(readiness.error)} — no metrics, alerts or rules could be read`],
    };
  }

  const [instant, range, alertAnswer, ruleAnswer] = await Promise.all([
    Promise.all(instantSpecs.map(async (s): Promise<ScrapeInstantEntry> => toInstantEntry(s, await instantQuery(url, s.query, { time: evaluatedAt, timeoutMs })))),
    Promise.all(rangeSpecs.map(async (s): Promise<ScrapeRangeEntry> => toRangeEntry(s, await rangeQuery(url, s.query, { start, end: evaluatedAt, stepSeconds: step, timeoutMs })))),
    alerts(url, { timeoutMs }),
    rules(url, { timeoutMs }),
  ]);

  const ruleList = ruleAnswer.ok ? flattenRules(ruleAnswer.data) : [];
  if (!ruleAnswer.ok) missing.push(`rules could not be read from ${url}: ${ruleAnswer.error}`);
  if (!alertAnswer.ok) missing.push(`alerts could not be read from ${url}: ${alertAnswer.error}`);
  const ours = (labels: PromLabels) => (labels.scenario === undefined || labels.scenario === options.scenario) && (options.target === undefined || labels.target === undefined || labels.target === options.target);
  const alertList: ScrapeAlert[] = (alertAnswer.ok ? alertAnswer.data : [])
    .filter((a) => ours(a.labels))
    .map((a) => ({ name: a.labels.alertname ?? '', state: a.state, labels: a.labels, ...(a.activeAt ? { activeAt: a.activeAt } : {}), value: sampleValue(a.value), ...(a.annotations?.summary ? { summary: a.annotations.summary } : {}) }))
    .sort((a, b) => compare(`${a.state} ${a.name} ${labelKey(a.labels)}`, `${b.state} ${b.name} ${labelKey(b.labels)}`));

  missing.push(...missingLines(instantSpecs, instant, range, ctx, ruleAnswer.ok ? new Set(ruleList.filter((r) => r.type === 'recording').map((r) => r.name)) : undefined));
  return {
    ...base,
    reachable: true,
    instant,
    range,
    alerts: alertList.slice(0, SCRAPE_LIMITS.alerts),
    ...(alertList.length > SCRAPE_LIMITS.alerts ? { omittedAlerts: alertList.length - SCRAPE_LIMITS.alerts } : {}),
    rules: ruleList.slice(0, SCRAPE_LIMITS.rules),
    ...(ruleList.length > SCRAPE_LIMITS.rules ? { omittedRules: ruleList.length - SCRAPE_LIMITS.rules } : {}),
    missing,
  };
}

/** Waits (bounded) until Prometheus has scraped `job` at or after `end`; says so when it has not. */
async function settle(url: string, job: string, end: Date, settleMs: number, timeoutMs: number | undefined): Promise<string[]> {
  const deadline = Date.now() + settleMs;
  const query = `max(timestamp(up{job="${escapeString(job)}"}))`;
  for (;;) {
    const answer = await instantQuery(url, query, { timeoutMs });
    const last = answer.ok && answer.data.resultType === 'vector' ? sampleValue(answer.data.result[0]?.value[1] ?? '') : null;
    if (last === null) return []; // no such job (reported with the up queries) or a failing query (reported with its entry)
    if (last * 1000 >= end.getTime()) return [];
    if (Date.now() >= deadline) return [`Prometheus had not scraped job ${job} since the run ended (waited ${settleMs} ms): the last values may miss the run's final seconds`];
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(1, deadline - Date.now()))));
  }
}

function missingLines(specs: (Omit<InstantSpec, 'query'> & { query: string })[], instant: ScrapeInstantEntry[], range: ScrapeRangeEntry[], ctx: Ctx, loadedRules: Set<string> | undefined): string[] {
  const lines: string[] = [];
  const said = new Set<string>();
  const empty = (e: ScrapeInstantEntry | ScrapeRangeEntry | undefined) => e?.ok === true && e.result.length === 0;
  const primaryEmpty = empty(instant.find((e) => e.name === Q.requests));
  const notLoaded: string[] = [];
  specs.forEach((spec, i) => {
    const entry = instant[i];
    if (!entry) return;
    if (!entry.ok) {
      lines.push(`query ${spec.name} failed: ${entry.error}`);
      return;
    }
    if (entry.result.length > 0 || spec.empty === 'none') return;
    const metric = spec.metric(ctx);
    if (typeof spec.empty === 'object') {
      if (loadedRules === undefined || primaryEmpty) return; // rules unreadable, or nothing scraped at all: said elsewhere
      if (!loadedRules.has(spec.empty.rule)) notLoaded.push(spec.empty.rule);
      else if (!said.has(metric)) lines.push(`no samples for ${metric} in the window (the rule is loaded but evaluated to nothing for this run)`);
      said.add(metric);
      return;
    }
    if (said.has(metric)) return;
    said.add(metric);
    if (primaryEmpty && spec.name !== Q.requests && metric.startsWith('mcp_')) return; // folded into the first line
    lines.push(`no samples for ${metric} in the window (${spec.hint ?? 'the simulator did not expose it, or it was not scraped'})`);
  });
  if (primaryEmpty) {
    const others = [...new Set(specs.filter((s) => s.name !== Q.requests && s.empty === 'missing').map((s) => s.metric(ctx).split('{')[0] ?? ''))].filter((m) => m.startsWith('mcp_') && m !== 'mcp_requests_total');
    const at = lines.findIndex((l) => l.startsWith(`no samples for mcp_requests_total`));
    if (at >= 0) lines[at] = `${lines[at]}; nor for ${others.join(', ')}`;
  }
  if (notLoaded.length > 0) lines.push(`recording rules not loaded in Prometheus (their queries are empty): ${notLoaded.join(', ')}`);
  for (const entry of range) {
    if (!entry.ok) lines.push(`range query ${entry.name} failed: ${entry.error}`);
    else if (entry.result.length === 0 && !primaryEmpty) lines.push(`no range data for ${entry.name} over the run window (${entry.query})`);
  }
  return lines;
}

function toInstantEntry(spec: { name: string; description: string; query: string }, answer: PromResult<PromInstantData>): ScrapeInstantEntry {
  const head = { name: spec.name, description: spec.description, query: spec.query };
  if (!answer.ok) return { ...head, ok: false, error: answer.error };
  const d = answer.data;
  const raw: { metric: PromLabels; value: string }[] =
    d.resultType === 'vector' ? d.result.map((s) => ({ metric: s.metric, value: s.value[1] })) : d.resultType === 'matrix' ? d.result.map((s) => ({ metric: s.metric, value: s.values.at(-1)?.[1] ?? 'NaN' })) : [{ metric: {}, value: d.result[1] }];
  const samples: ScrapeSample[] = raw
    .map((s) => {
      const value = sampleValue(s.value);
      return { labels: s.metric, value, ...(value === null ? { note: `Prometheus answered ${s.value}` } : {}) };
    })
    .sort((a, b) => compare(labelKey(a.labels), labelKey(b.labels)));
  return { ...head, ok: true, result: samples.slice(0, SCRAPE_LIMITS.seriesPerQuery), ...capped(samples.length), ...(answer.warnings ? { warnings: answer.warnings } : {}) };
}

function toRangeEntry(spec: { name: string; description: string; query: string }, answer: PromResult<PromRangeData>): ScrapeRangeEntry {
  const head = { name: spec.name, description: spec.description, query: spec.query };
  if (!answer.ok) return { ...head, ok: false, error: answer.error };
  const series: ScrapeRangeSeries[] = answer.data.result
    .map((s) => {
      const all = s.values.map(([t, v]): [number, number | null] => [t, sampleValue(v)]);
      const nonFinite = all.filter(([, v]) => v === null).length;
      const points = downsample(all, SCRAPE_LIMITS.pointsPerSeries);
      return { labels: s.metric, points, ...(nonFinite > 0 ? { nonFinitePoints: nonFinite } : {}), ...(points.length < all.length ? { downsampledFrom: all.length } : {}) };
    })
    .sort((a, b) => compare(labelKey(a.labels), labelKey(b.labels)));
  return { ...head, ok: true, result: series.slice(0, SCRAPE_LIMITS.seriesPerQuery), ...capped(series.length), ...(answer.warnings ? { warnings: answer.warnings } : {}) };
}

/** `connection refused to http://… (GET /-/ready)` → `connection refused` (the URL is said once). */
function shortReason(error: string): string {
  return error.replace(/^connection refused to .*$/, 'connection refused').replace(/^(timed out after \d+ ms) waiting for .*$/, '$1');
}

function capped(total: number): { omittedSeries?: number } {
  return total > SCRAPE_LIMITS.seriesPerQuery ? { omittedSeries: total - SCRAPE_LIMITS.seriesPerQuery } : {};
}

function downsample<T>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  return Array.from({ length: max }, (_, i) => points[Math.round((i * (points.length - 1)) / (max - 1))] as T);
}

function flattenRules(groups: PromRuleGroup[]): ScrapeRule[] {
  return groups.flatMap((g) =>
    g.rules.map((r) => ({ name: r.name, type: r.type, group: g.name, health: r.health, ...(r.lastError ? { lastError: r.lastError } : {}) })),
  );
}

/** `scenario="a",target="b"`, values escaped for a PromQL string. */
function matchers(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${escapeString(v)}"`)
    .join(',');
}

function escapeString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function labelKey(labels: PromLabels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

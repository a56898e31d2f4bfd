/**
 * The `prometheus.json` document (what Prometheus held about one run, read by src/stack/scrape.ts
 * before the stack is torn down) and its compact summary for the Result (pure: no I/O).
 *
 * Values are numbers; NaN and ±Inf become null with a note. Each query keeps at most
 * SCRAPE_LIMITS.seriesPerQuery series (sorted by labels) and each range series at most
 * SCRAPE_LIMITS.pointsPerSeries points (evenly downsampled); `omittedSeries` / `downsampledFrom`
 * say when a cap applied.
 */
import type { PrometheusSummary } from './result.js';

export const SCRAPE_LIMITS = { seriesPerQuery: 50, pointsPerSeries: 600, alerts: 50, rules: 200 } as const;

/** Names of the queries the summary reads (the query set itself is in src/stack/scrape.ts). */
export const SCRAPE_QUERY = {
  requests: 'requests_by_status',
  requestsIncrease: 'requests_increase_by_status',
  availability: 'availability_ratio',
  disconnections: 'disconnections_by_reason',
  reconnects: 'reconnect_attempts',
  p95: 'request_p95_seconds',
  toolsAvailable: 'tools_available',
  sessionUp: 'session_up',
  faults: 'faults_by_kind',
  up: 'scrape_up',
  upMin: 'scrape_up_min',
  scrapes: 'scrapes',
  alertsFired: 'alerts_fired_during_run',
} as const;

export type ScrapeLabels = Record<string, string>;

export interface ScrapeSample {
  labels: ScrapeLabels;
  /** null when Prometheus answered NaN or ±Inf (see note). */
  value: number | null;
  note?: string;
}

export interface ScrapeRangeSeries {
  labels: ScrapeLabels;
  /** `[unix seconds, value]`; value null where Prometheus answered NaN or ±Inf. */
  points: [number, number | null][];
  /** Points whose value was NaN or ±Inf (kept as null). */
  nonFinitePoints?: number;
  /** Prometheus returned this many points; `points` keeps an even selection of them. */
  downsampledFrom?: number;
}

interface EntryBase {
  name: string;
  description: string;
  query: string;
}

export type ScrapeInstantEntry = EntryBase &
  ({ ok: true; result: ScrapeSample[]; omittedSeries?: number; warnings?: string[] } | { ok: false; error: string });

export type ScrapeRangeEntry = EntryBase &
  ({ ok: true; result: ScrapeRangeSeries[]; omittedSeries?: number; warnings?: string[] } | { ok: false; error: string });

export interface ScrapeAlert {
  name: string;
  state: 'pending' | 'firing' | 'inactive';
  labels: ScrapeLabels;
  activeAt?: string;
  value: number | null;
  summary?: string;
}

export interface ScrapeRule {
  name: string;
  type: 'recording' | 'alerting';
  group: string;
  health: 'ok' | 'err' | 'unknown';
  lastError?: string;
}

export interface PrometheusScrape {
  /** Prometheus' base URL. */
  url: string;
  scrapedAt: string;
  /**
   * The run's window. Instant queries are evaluated at `evaluatedAt` (the end plus a short grace, so
   * the final scrape after the run counts) over `[evaluatedAt - start]`; range queries cover start..evaluatedAt.
   */
  window: { start: string; end: string; evaluatedAt: string; stepSeconds: number; rateWindowSeconds: number };
  /** The label matchers every mcp_* query carries, e.g. `scenario="smoke",target="everything"`. */
  selector: string;
  /** The scrape job of the simulated client (for `up`). */
  job: string;
  /** False when no HTTP answer came back from Prometheus (then every entry is an error). */
  reachable: boolean;
  instant: ScrapeInstantEntry[];
  range: ScrapeRangeEntry[];
  /** Active alerts for this scenario (and alerts without a scenario label). */
  alerts: ScrapeAlert[];
  omittedAlerts?: number;
  rules: ScrapeRule[];
  omittedRules?: number;
  /** What could not be had, in words. */
  missing: string[];
}

/** The Result's compact view of a scrape; `file` is the relative path of the full prometheus.json. */
export function summarizeScrape(scrape: PrometheusScrape, file: string): PrometheusSummary {
  const entry = (name: string) => {
    const e = scrape.instant.find((i) => i.name === name);
    return e?.ok && e.result.length > 0 ? e.result : null;
  };
  const values = (name: string) => (entry(name) ?? []).map((r) => r.value).filter((v): v is number => v !== null);
  const single = (name: string) => values(name)[0] ?? null;
  const lowest = (name: string) => (values(name).length ? Math.min(...values(name)) : null);
  const byLabel = (name: string, label: string): Record<string, number> | null => {
    const rows = entry(name);
    if (!rows) return null;
    const out: Record<string, number> = {};
    for (const r of rows) if (r.value !== null) out[r.labels[label] ?? ''] = (out[r.labels[label] ?? ''] ?? 0) + r.value;
    return out;
  };
  const statuses = byLabel(SCRAPE_QUERY.requests, 'status');
  const seen = statuses !== null; // the simulator's request counters were scraped: absent labelled series mean zero
  const sum = (byKey: Record<string, number>) => Object.values(byKey).reduce((a, b) => a + b, 0);
  const reasons = byLabel(SCRAPE_QUERY.disconnections, 'reason') ?? (seen ? {} : null);
  const kinds = byLabel(SCRAPE_QUERY.faults, 'kind') ?? (seen ? {} : null);
  const p95: Record<string, number | null> = {};
  for (const r of entry(SCRAPE_QUERY.p95) ?? []) p95[r.labels.method ?? ''] = r.value;
  const activeNames = (state: string) => unique(scrape.alerts.filter((a) => a.state === state).map((a) => a.name));
  return {
    url: scrape.url,
    reachable: scrape.reachable,
    window: { start: scrape.window.start, end: scrape.window.end, evaluatedAt: scrape.window.evaluatedAt, stepSeconds: scrape.window.stepSeconds },
    requests: statuses
      ? { ok: statuses.ok ?? 0, error: statuses.error ?? 0, timeout: statuses.timeout ?? 0, unavailable: statuses.unavailable ?? 0, total: sum(statuses) }
      : null,
    availabilityRatio: single(SCRAPE_QUERY.availability),
    disconnections: reasons ? { total: sum(reasons), byReason: reasons } : null,
    reconnectAttempts: single(SCRAPE_QUERY.reconnects),
    requestP95Seconds: p95,
    sessionUp: single(SCRAPE_QUERY.sessionUp),
    toolsAvailable: single(SCRAPE_QUERY.toolsAvailable),
    faults: kinds ? { total: sum(kinds), byKind: kinds } : null,
    scrapeTarget: {
      job: scrape.job,
      up: lowest(SCRAPE_QUERY.up),
      minUp: lowest(SCRAPE_QUERY.upMin),
      scrapes: entry(SCRAPE_QUERY.scrapes) ? values(SCRAPE_QUERY.scrapes).reduce((a, b) => a + b, 0) : null,
    },
    alerts: {
      firing: activeNames('firing'),
      pending: activeNames('pending'),
      firedDuringRun: unique((entry(SCRAPE_QUERY.alertsFired) ?? []).map((r) => r.labels.alertname ?? '')),
    },
    ruleProblems: scrape.rules
      .filter((r) => r.health === 'err')
      .slice(0, 20)
      .map((r) => ({ name: r.name, type: r.type, health: r.health, ...(r.lastError ? { lastError: r.lastError } : {}) })),
    missing: scrape.missing,
    file,
  };
}

function unique(names: string[]): string[] {
  return [...new Set(names.filter((n) => n !== ''))].sort();
}

/**
 * A small client for Prometheus' HTTP API (https://prometheus.io/docs/prometheus/latest/querying/api/):
 * instant and range queries, active alerts, rules and readiness, over Node's global `fetch`.
 *
 * Every call resolves to `{ ok: true, data }` or `{ ok: false, kind, error }` — it never throws for
 * a Prometheus-side problem (connection refused, timeout, HTTP or API error, a body that is not the
 * API's JSON). `error` says what failed and where, e.g. `connection refused to
 * http://127.0.0.1:9090 (GET /api/v1/query)` or `HTTP 400: bad_data: 1:5: parse error: ...`.
 * Sample values stay the strings Prometheus sends (`"0.5"`, `"NaN"`, `"+Inf"`); `sampleValue`
 * converts one.
 */

export const DEFAULT_PROMETHEUS_TIMEOUT_MS = 5000;

/** network: no HTTP answer (refused, DNS, reset); timeout; http: a non-2xx answer; api: `status: error`; invalid: not the API's JSON. */
export type PromErrorKind = 'network' | 'timeout' | 'http' | 'api' | 'invalid';

export type PromResult<T> =
  | { ok: true; data: T; warnings?: string[] }
  | { ok: false; kind: PromErrorKind; error: string; status?: number; errorType?: string };

export type PromLabels = Record<string, string>;
/** `[unix seconds, value as Prometheus wrote it]`. */
export type PromSamplePair = [number, string];

export interface PromVectorSample {
  metric: PromLabels;
  value: PromSamplePair;
}

export interface PromMatrixSeries {
  metric: PromLabels;
  values: PromSamplePair[];
}

export type PromInstantData =
  | { resultType: 'vector'; result: PromVectorSample[] }
  | { resultType: 'matrix'; result: PromMatrixSeries[] }
  | { resultType: 'scalar' | 'string'; result: PromSamplePair };

export interface PromRangeData {
  resultType: 'matrix';
  result: PromMatrixSeries[];
}

export interface PromAlert {
  labels: PromLabels;
  annotations: PromLabels;
  state: 'pending' | 'firing' | 'inactive';
  activeAt?: string;
  value: string;
}

export interface PromRule {
  type: 'recording' | 'alerting';
  name: string;
  query: string;
  health: 'ok' | 'err' | 'unknown';
  lastError?: string;
  labels?: PromLabels;
  /** Alerting rules only. */
  state?: string;
  alerts?: PromAlert[];
}

export interface PromRuleGroup {
  name: string;
  file: string;
  interval?: number;
  rules: PromRule[];
}

export interface InstantQueryOptions {
  /** Evaluation time (default: Prometheus' now). */
  time?: Date;
  timeoutMs?: number;
}

export interface RangeQueryOptions {
  start: Date;
  end: Date;
  stepSeconds: number;
  timeoutMs?: number;
}

export interface RequestOptions {
  timeoutMs?: number;
}

export function instantQuery(baseUrl: string, promql: string, options: InstantQueryOptions = {}): Promise<PromResult<PromInstantData>> {
  const params = new URLSearchParams({ query: promql });
  if (options.time) params.set('time', unixSeconds(options.time));
  return apiGet<PromInstantData>(baseUrl, `/api/v1/query?${params}`, options.timeoutMs, isInstantData);
}

export function rangeQuery(baseUrl: string, promql: string, options: RangeQueryOptions): Promise<PromResult<PromRangeData>> {
  const params = new URLSearchParams({ query: promql, start: unixSeconds(options.start), end: unixSeconds(options.end), step: `${options.stepSeconds}` });
  return apiGet<PromRangeData>(baseUrl, `/api/v1/query_range?${params}`, options.timeoutMs, (d) => isObject(d) && d.resultType === 'matrix' && Array.isArray(d.result));
}

/** Active (pending and firing) alerts: `/api/v1/alerts`. */
export async function alerts(baseUrl: string, options: RequestOptions = {}): Promise<PromResult<PromAlert[]>> {
  const answer = await apiGet<{ alerts: PromAlert[] }>(baseUrl, '/api/v1/alerts', options.timeoutMs, (d) => isObject(d) && Array.isArray(d.alerts));
  return answer.ok ? { ...answer, data: answer.data.alerts } : answer;
}

/** Recording and alerting rules with their health: `/api/v1/rules`. */
export async function rules(baseUrl: string, options: RequestOptions = {}): Promise<PromResult<PromRuleGroup[]>> {
  const answer = await apiGet<{ groups: PromRuleGroup[] }>(baseUrl, '/api/v1/rules', options.timeoutMs, (d) => isObject(d) && Array.isArray(d.groups));
  return answer.ok ? { ...answer, data: answer.data.groups } : answer;
}

/** `/-/ready`: ok once Prometheus serves queries (HTTP 503 while it starts or replays its WAL). */
export async function ready(baseUrl: string, options: RequestOptions = {}): Promise<PromResult<{ message: string }>> {
  const answer = await request(baseUrl, '/-/ready', options.timeoutMs);
  if (!answer.ok) return answer;
  if (answer.status < 200 || answer.status > 299) return httpError(answer.status, answer.body);
  return { ok: true, data: { message: answer.body.trim() } };
}

/** A sample value as a number; null for NaN, ±Inf and anything that is not a number. */
export function sampleValue(value: string): number | null {
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function unixSeconds(date: Date): string {
  return (date.getTime() / 1000).toFixed(3);
}

type Raw = { ok: true; status: number; body: string } | { ok: false; kind: 'network' | 'timeout'; error: string };

async function request(baseUrl: string, path: string, timeoutMs = DEFAULT_PROMETHEUS_TIMEOUT_MS): Promise<Raw> {
  const base = baseUrl.replace(/\/+$/, '');
  const where = `${base} (GET ${path.split('?')[0]})`;
  let url: URL;
  try {
    url = new URL(`${base}${path}`);
  } catch {
    return { ok: false, kind: 'network', error: `invalid Prometheus URL ${JSON.stringify(baseUrl)}: expected e.g. http://127.0.0.1:9090` };
  }
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json, text/plain' } });
    return { ok: true, status: res.status, body: await res.text() };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return { ok: false, kind: 'timeout', error: `timed out after ${timeoutMs} ms waiting for ${where}` };
    const code = e.cause?.code;
    if (code === 'ECONNREFUSED') return { ok: false, kind: 'network', error: `connection refused to ${where}` };
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { ok: false, kind: 'network', error: `cannot resolve the host of ${where} (${code})` };
    const detail = e.cause?.message ?? e.message;
    return { ok: false, kind: 'network', error: `cannot reach ${where}: ${code ? `${code}: ` : ''}${detail}` };
  }
}

async function apiGet<T>(baseUrl: string, path: string, timeoutMs: number | undefined, shapeOk: (data: unknown) => boolean): Promise<PromResult<T>> {
  const answer = await request(baseUrl, path, timeoutMs);
  if (!answer.ok) return answer;
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    if (answer.status < 200 || answer.status > 299) return httpError(answer.status, answer.body);
    return { ok: false, kind: 'invalid', error: `not Prometheus API JSON from ${baseUrl} (${path.split('?')[0]}): ${snippet(answer.body)}` };
  }
  if (isObject(body) && body.status === 'error') {
    const errorType = typeof body.errorType === 'string' ? body.errorType : 'error';
    const message = typeof body.error === 'string' ? body.error : 'no error message';
    const http = answer.status < 200 || answer.status > 299;
    return { ok: false, kind: http ? 'http' : 'api', error: `${http ? `HTTP ${answer.status}: ` : ''}${errorType}: ${message}`, status: answer.status, errorType };
  }
  if (answer.status < 200 || answer.status > 299) return httpError(answer.status, answer.body);
  if (!isObject(body) || body.status !== 'success' || !shapeOk(body.data)) {
    return { ok: false, kind: 'invalid', error: `unexpected answer from ${baseUrl} (${path.split('?')[0]}): ${snippet(answer.body)}` };
  }
  const warnings = Array.isArray(body.warnings) ? body.warnings.map(String) : undefined;
  return { ok: true, data: body.data as T, ...(warnings?.length ? { warnings } : {}) };
}

function httpError(status: number, body: string): PromResult<never> {
  return { ok: false, kind: 'http', status, error: `HTTP ${status}${body.trim() ? `: ${snippet(body)}` : ''}` };
}

function isInstantData(data: unknown): boolean {
  if (!isObject(data)) return false;
  if (data.resultType === 'vector' || data.resultType === 'matrix') return Array.isArray(data.result);
  return (data.resultType === 'scalar' || data.resultType === 'string') && Array.isArray(data.result) && data.result.length === 2;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

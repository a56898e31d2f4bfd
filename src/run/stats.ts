/**
 * Bounded running summaries for the Recorder: an online least-squares line, a memory-trend
 * summary built on it, protocol-violation counts with a few truncated samples, and the
 * disconnection log. Memory use does not grow with the number of values added (the
 * disconnection log keeps at most MAX_RECORDS records and counts the rest).
 */
import type { DisconnectionRecord, MemorySummary, ScenarioResult, ViolationSummary } from '../report/result.js';
import type { DisconnectReason } from '../session/types.js';
import { FINDINGS, FINDING_SEVERITIES, type FindingSeverity } from '../session/findings.js';

export const MAX_SAMPLES_PER_VIOLATION_KIND = 5;
export const MAX_SAMPLE_CHARS = 200;
/** Disconnection and drift records kept in the Result (totals keep counting past it). */
export const MAX_RECORDS = 1000;

/** Ordinary least-squares slope of y over x, updated one point at a time (Welford-style). */
export class OnlineRegression {
  private n = 0;
  private meanX = 0;
  private meanY = 0;
  /** Σ (x - meanX)². */
  private sxx = 0;
  /** Σ (x - meanX)(y - meanY). */
  private sxy = 0;

  add(x: number, y: number): void {
    this.n += 1;
    const dx = x - this.meanX;
    this.meanX += dx / this.n;
    this.meanY += (y - this.meanY) / this.n;
    this.sxx += dx * (x - this.meanX);
    this.sxy += dx * (y - this.meanY);
  }

  get count(): number {
    return this.n;
  }

  /** dy/dx; 0 with fewer than two distinct x values. */
  get slope(): number {
    return this.n < 2 || this.sxx === 0 ? 0 : this.sxy / this.sxx;
  }
}

/** Server RSS over time and over requests: start, peak, end and two least-squares slopes. */
export class MemoryTrend {
  private readonly perMinute = new OnlineRegression();
  private readonly per1000Requests = new OnlineRegression();
  private startAt: number | undefined;
  private startRss = 0;
  private peakRss = 0;
  private endRss = 0;

  add(atMs: number, rssBytes: number, requestsSoFar: number): void {
    if (this.startAt === undefined) {
      this.startAt = atMs;
      this.startRss = rssBytes;
    }
    this.peakRss = Math.max(this.peakRss, rssBytes);
    this.endRss = rssBytes;
    this.perMinute.add((atMs - this.startAt) / 60_000, rssBytes);
    this.per1000Requests.add(requestsSoFar / 1000, rssBytes);
  }

  /** null until the first sample. */
  summary(): MemorySummary | null {
    if (this.perMinute.count === 0) return null;
    return {
      samples: this.perMinute.count,
      startRssBytes: this.startRss,
      peakRssBytes: this.peakRss,
      endRssBytes: this.endRss,
      growthBytesPerMinute: Math.round(this.perMinute.slope),
      growthBytesPer1000Requests: Math.round(this.per1000Requests.slope),
    };
  }
}

/** Count per finding kind (with its severity and spec citation from the catalog), plus the first MAX_SAMPLES_PER_VIOLATION_KIND samples, truncated; first seen first. */
export class ViolationLog {
  private readonly byKind = new Map<ViolationSummary['kind'], ViolationSummary>();

  add(kind: ViolationSummary['kind'], sample: string, source: 'traffic' | 'check' = 'traffic'): void {
    let summary = this.byKind.get(kind);
    if (!summary) {
      const info = FINDINGS[kind];
      summary = { kind, severity: info.severity, title: info.title, spec: { ...info.spec }, count: 0, bySource: { traffic: 0, check: 0 }, samples: [] };
      this.byKind.set(kind, summary);
    }
    summary.count += 1;
    summary.bySource[source] += 1;
    if (summary.samples.length < MAX_SAMPLES_PER_VIOLATION_KIND) summary.samples.push(truncateSample(sample));
  }

  /** Errors first, then warnings, then info; within a severity, first seen first. */
  summaries(): ViolationSummary[] {
    const order = (s: ViolationSummary) => FINDING_SEVERITIES.indexOf(s.severity);
    return [...this.byKind.values()].sort((a, b) => order(a) - order(b)).map((v) => ({ ...v, spec: { ...v.spec }, bySource: { ...v.bySource }, samples: [...v.samples] }));
  }

  bySeverity(): Record<FindingSeverity, number> {
    const out: Record<FindingSeverity, number> = { error: 0, warning: 0, info: 0 };
    for (const v of this.byKind.values()) out[v.severity] += v.count;
    return out;
  }
}

/** At most MAX_SAMPLE_CHARS characters (code points), the last one `…` when cut. */
export function truncateSample(text: string): string {
  const chars = Array.from(text.slice(0, MAX_SAMPLE_CHARS * 2 + 2));
  return chars.length <= MAX_SAMPLE_CHARS ? chars.join('') : `${chars.slice(0, MAX_SAMPLE_CHARS - 1).join('')}…`;
}

/**
 * Disconnections by reason, with one record each (up to MAX_RECORDS), matched to recoveries per
 * session: `recovered` closes the oldest open disconnection of its session with the same reason
 * (else the oldest); reconnect attempts count against the session's latest one.
 */
export class DisconnectionLog {
  private total = 0;
  private unexpected = 0;
  private readonly byReason: Partial<Record<DisconnectReason, number>> = {};
  private readonly records: DisconnectionRecord[] = [];
  /** Unrecovered disconnections per session, oldest first. */
  private readonly open = new Map<number, DisconnectionRecord[]>();

  add(session: number, record: Omit<DisconnectionRecord, 'recoveredAfterMs' | 'attempts'>): void {
    this.total += 1;
    if (!record.expected) this.unexpected += 1;
    this.byReason[record.reason] = (this.byReason[record.reason] ?? 0) + 1;
    const full: DisconnectionRecord = { ...record, detail: truncateSample(record.detail), recoveredAfterMs: null, attempts: 0 };
    if (this.records.length < MAX_RECORDS) this.records.push(full);
    this.openOf(session).push(full);
  }

  reconnecting(session: number, attempt: number): void {
    const latest = this.openOf(session).at(-1);
    if (latest) latest.attempts = Math.max(latest.attempts, attempt);
  }

  /** The record this recovery closed, if any. */
  recovered(session: number, reason: DisconnectReason, afterMs: number, attempts: number, by: 'client' | 'scenario' = 'client'): DisconnectionRecord | undefined {
    const open = this.openOf(session);
    const sameReason = open.findIndex((r) => r.reason === reason);
    const [record] = open.splice(sameReason >= 0 ? sameReason : 0, 1);
    if (record) {
      record.recoveredAfterMs = afterMs;
      record.attempts = Math.max(record.attempts, attempts);
      record.recoveredBy = by;
    }
    return record;
  }

  get count(): number {
    return this.total;
  }

  summary(): ScenarioResult['disconnections'] {
    const summary: ScenarioResult['disconnections'] = { total: this.total, byReason: { ...this.byReason }, unexpected: this.unexpected, records: this.records.map((r) => ({ ...r })) };
    if (this.total > this.records.length) summary.omittedRecords = this.total - this.records.length;
    return summary;
  }

  private openOf(session: number): DisconnectionRecord[] {
    let open = this.open.get(session);
    if (!open) this.open.set(session, (open = []));
    return open;
  }
}

export function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

export function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : (part / whole) * 100;
}

/** Four decimals: enough for 99.9999 % and short in JSON. */
export function round4(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10_000) / 10_000;
}

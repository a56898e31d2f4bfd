/**
 * Bounded running summaries of session-level events for the Recorder: session expiries (with
 * observed lifetimes, renewals, replayed and lost requests), requests abandoned at the run's hard
 * end, and the requests the server sent the client. Memory does not grow with the run's length.
 */
import { LatencyHistogram } from '../metrics/histogram.js';
import type { SessionExpiriesSummary, SessionExpiryRecord, UnansweredRequest } from '../report/result.js';
import { iso, MAX_RECORDS } from './stats.js';

/** Unanswered requests listed by name in the result (the count goes on). */
export const MAX_UNANSWERED_SAMPLES = 20;

export class ExpiryLog {
  private total = 0;
  private renewed = 0;
  private replayed = 0;
  private lost = 0;
  private readonly byStatus: Record<string, number> = {};
  private readonly lifetimes = new LatencyHistogram();
  private readonly records: SessionExpiryRecord[] = [];
  /** The latest expiry of each session still waiting for a fresh session. */
  private readonly open = new Map<number, SessionExpiryRecord>();

  expired(session: number, at: number, status: number, lifetimeMs: number | null): void {
    this.total += 1;
    this.byStatus[String(status)] = (this.byStatus[String(status)] ?? 0) + 1;
    if (lifetimeMs !== null) this.lifetimes.record(lifetimeMs);
    const record: SessionExpiryRecord = { at: iso(at), status, lifetimeMs, renewedAfterMs: null };
    if (this.records.length < MAX_RECORDS) this.records.push(record);
    this.open.set(session, record);
  }

  renewal(session: number, afterMs: number): void {
    this.renewed += 1;
    const record = this.open.get(session);
    if (record) record.renewedAfterMs = Math.round(afterMs);
    this.open.delete(session);
  }

  request(flags: { replayed?: true; lostToExpiry?: true }): void {
    if (flags.replayed) this.replayed += 1;
    if (flags.lostToExpiry) this.lost += 1;
  }

  get count(): number {
    return this.total;
  }

  get lostRequests(): number {
    return this.lost;
  }

  summary(): SessionExpiriesSummary {
    return {
      total: this.total,
      byStatus: { ...this.byStatus },
      renewed: this.renewed,
      replayed: this.replayed,
      lostRequests: this.lost,
      lifetimeMs: this.lifetimes.count > 0 ? this.lifetimes.toStats(0, 0) : null,
      records: this.records.map((r) => ({ ...r })),
    };
  }
}

export class UnansweredLog {
  private count = 0;
  private readonly samples: UnansweredRequest[] = [];

  add(e: { at: number; ms: number; method: string; tool?: string; role?: string }): void {
    this.count += 1;
    if (this.samples.length < MAX_UNANSWERED_SAMPLES) {
      this.samples.push({ method: e.method, ...(e.tool ? { tool: e.tool } : {}), ...(e.role ? { role: e.role } : {}), sentAt: iso(e.at - e.ms), waitedMs: Math.round(e.ms) });
    }
  }

  summary(): { count: number; samples: UnansweredRequest[] } {
    return { count: this.count, samples: this.samples.map((s) => ({ ...s })) };
  }
}

export class ServerRequestLog {
  private readonly byMethod = new Map<string, { count: number; answers: Record<string, number> }>();

  add(method: string, answer: string): void {
    let entry = this.byMethod.get(method);
    if (!entry) {
      // A server that sends a request per call must not grow this map without bound.
      if (this.byMethod.size >= 50) return;
      this.byMethod.set(method, (entry = { count: 0, answers: {} }));
    }
    entry.count += 1;
    if (entry.answers[answer] !== undefined || Object.keys(entry.answers).length < 10) entry.answers[answer] = (entry.answers[answer] ?? 0) + 1;
  }

  summary(): Record<string, { count: number; answers: Record<string, number> }> {
    return Object.fromEntries([...this.byMethod].sort(([a], [b]) => a.localeCompare(b)).map(([m, e]) => [m, { count: e.count, answers: { ...e.answers } }]));
  }
}

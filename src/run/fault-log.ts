/**
 * Fault windows as the Recorder sees them: each fault's start and end (fault events from the
 * FaultController), the first symptom the client showed after it started (MTTD), the first
 * successful request after it ended (MTTR), and the before/during/after phases (fault-phases.ts).
 *
 * Definitions (also in FaultWindowRecord):
 * - MTTD: from the fault's start to the first unexpected `disconnected` event no later than the
 *   client's ping timeout after the fault's end, or to the completion of the first request that
 *   failed or timed out and was in flight at some moment of the fault (sent before its end,
 *   completed after its start). `unavailable` requests (never sent) are not symptoms. Once the
 *   fault has ended, a symptom after the next fault's start belongs to that next fault only.
 * - MTTR: from the fault's end to the completion of the first answered request after it (a
 *   result or a tool error: the server is up; initialize excluded, so a lost session counts once
 *   it has re-initialized and answered). A session expiry is a symptom like a disconnection.
 *   Windows ended by the run's end or a failed injection are not recovered from.
 *
 * Bounded: the first MAX_RECORDS windows are kept (the first MAX_PHASED with phases); later ones
 * are counted, and their metrics observed, but not recorded.
 */
import type { FaultFamily } from '../chaos/index.js';
import type { McpMetrics } from '../metrics/registry.js';
import type { FaultEndReason, FaultWindowRecord, FaultsSummary } from '../report/result.js';
import { isAnswered, type SessionEvent } from '../session/types.js';
import { PhaseTimeline, type WindowPhases } from './fault-phases.js';
import { MAX_RECORDS } from './stats.js';

/** Windows recorded with before/during/after phases (each ~3 × 14 KB at most). */
export const MAX_PHASED_WINDOWS = 100;
/** After this long past a window's end, a late failure no longer counts as noticing it. */
const LATE_SYMPTOM_MS = 60_000;

/** What the FaultController reports; written to events.ndjson like the session's events. */
export type FaultEvent =
  | { type: 'fault-started'; at: number; window: number; kind: string; family: FaultFamily; description: string; source: string; id?: string }
  | { type: 'fault-ended'; at: number; window: number; kind: string; endedBy: FaultEndReason; error?: string }
  | { type: 'fault-action'; at: number; window: number; kind: string; action: string; detail: string };

export function isFaultEvent(e: { type: string }): e is FaultEvent {
  return e.type === 'fault-started' || e.type === 'fault-ended' || e.type === 'fault-action';
}

interface Tracked {
  record: FaultWindowRecord | null;
  kind: string;
  start: number;
  end: number | null;
  endedBy: FaultEndReason | null;
  phases: WindowPhases | null;
  recovered?: boolean;
  /** The start of the first fault that started after this one ended: later symptoms are that fault's. */
  nextStartAt?: number;
}

export interface FaultLogOptions {
  metrics: McpMetrics;
  runStartedAt: number;
  /** The client's ping timeout: how long after a fault's end a disconnection can still be its doing. */
  disconnectGraceMs: number;
}

const RECOVERABLE: readonly (FaultEndReason | null)[] = ['lifted', 'restarted', 'one-shot'];

export class FaultLog {
  private readonly timeline: PhaseTimeline;
  /** Windows still waiting for their end, their first symptom or their recovery. */
  private readonly watching = new Map<number, Tracked>();
  private readonly records: { record: FaultWindowRecord; phases: WindowPhases | null }[] = [];
  private readonly byKind: Record<string, number> = {};
  private total = 0;

  constructor(private readonly opts: FaultLogOptions) {
    this.timeline = new PhaseTimeline(opts.runStartedAt);
  }

  onFaultEvent(e: FaultEvent): void {
    if (e.type === 'fault-started') this.started(e);
    else if (e.type === 'fault-ended') this.ended(e);
  }

  /** Every session event: requests feed the phases and MTTR, failures and disconnections MTTD. */
  observe(e: SessionEvent): void {
    if (e.type === 'request') {
      this.timeline.record(e.at - e.ms, e.ms, e.outcome);
      if (e.outcome === 'error' || e.outcome === 'timeout') this.symptom(e.at, e.at - e.ms, `${e.method} ${e.outcome}`);
      else if (isAnswered(e.outcome) && e.method !== 'initialize') this.success(e.at);
    } else if (e.type === 'disconnected' && !e.expected) {
      this.symptom(e.at, null, `disconnected: ${e.reason}`);
    } else if (e.type === 'session-expired') {
      this.symptom(e.at, null, `session expired (HTTP ${e.status})`);
    }
  }

  summary(endedAt: number): FaultsSummary {
    const windows = this.records.map(({ record, phases }) => ({
      ...record,
      phases: phases ? { before: phases.before.stats(endedAt), during: phases.during.stats(endedAt), after: (phases.after ?? phases.during).stats(endedAt) } : null,
    }));
    const summary: FaultsSummary = {
      total: this.total,
      byKind: { ...this.byKind },
      noticed: windows.filter((w) => w.mttdMs !== null).length,
      recovered: windows.filter((w) => w.mttrMs !== null).length,
      windows,
      skipped: [],
      proxy: null,
    };
    if (this.total > windows.length) summary.omittedWindows = this.total - windows.length;
    return summary;
  }

  private started(e: Extract<FaultEvent, { type: 'fault-started' }>): void {
    for (const w of this.watching.values()) if (w.end !== null && w.nextStartAt === undefined) w.nextStartAt = e.at;
    this.total += 1;
    this.byKind[e.kind] = (this.byKind[e.kind] ?? 0) + 1;
    this.opts.metrics.faults.inc({ kind: e.kind });
    this.opts.metrics.faultActive.inc({ kind: e.kind });
    const keep = this.records.length < MAX_RECORDS;
    const phases = this.timeline.started(e.at, keep && this.records.length < MAX_PHASED_WINDOWS);
    let record: FaultWindowRecord | null = null;
    if (keep) {
      record = {
        index: e.window,
        kind: e.kind,
        family: e.family,
        description: e.description,
        source: e.source,
        ...(e.id !== undefined ? { id: e.id } : {}),
        startedAt: new Date(e.at).toISOString(),
        startOffsetMs: Math.max(0, e.at - this.opts.runStartedAt),
        endedAt: null,
        heldMs: null,
        endedBy: null,
        mttdMs: null,
        detectedBy: null,
        mttrMs: null,
        phases: null,
      };
      this.records.push({ record, phases });
    }
    // Beyond the recorded windows, only a bounded number are followed (for the MTTR metric).
    if (record || this.watching.size < MAX_RECORDS) this.watching.set(e.window, { record, kind: e.kind, start: e.at, end: null, endedBy: null, phases });
  }

  private ended(e: Extract<FaultEvent, { type: 'fault-ended' }>): void {
    const w = this.watching.get(e.window);
    if (w && w.end !== null) return;
    this.opts.metrics.faultActive.dec({ kind: e.kind });
    if (!w) {
      this.timeline.ended(e.at, null);
      return;
    }
    w.end = e.at;
    w.endedBy = e.endedBy;
    this.timeline.ended(e.at, w.phases);
    if (w.record) {
      w.record.endedAt = new Date(e.at).toISOString();
      w.record.heldMs = Math.max(0, e.at - w.start);
      w.record.endedBy = e.endedBy;
      if (e.error !== undefined) w.record.error = e.error;
    }
    if (this.settled(w, e.at)) this.watching.delete(e.window);
  }

  /** A failure at `at`; `sentAt` for a request (null: a disconnection). Counts for every window it may belong to. */
  private symptom(at: number, sentAt: number | null, what: string): void {
    for (const [key, w] of this.watching) {
      const superseded = w.nextStartAt !== undefined && at >= w.nextStartAt;
      if (w.record && w.record.mttdMs === null && w.endedBy !== 'failed' && at >= w.start && !superseded) {
        const end = w.end ?? Number.POSITIVE_INFINITY;
        if (sentAt !== null ? sentAt <= end : at <= end + this.opts.disconnectGraceMs) {
          w.record.mttdMs = at - w.start;
          w.record.detectedBy = what;
        }
      }
      if (this.settled(w, at)) this.watching.delete(key);
    }
  }

  private success(at: number): void {
    for (const [key, w] of this.watching) {
      if (w.end !== null && at >= w.end && RECOVERABLE.includes(w.endedBy) && !w.recovered) {
        w.recovered = true;
        const mttr = at - w.end;
        this.opts.metrics.faultMttr.observe({ kind: w.kind }, mttr / 1000);
        if (w.record) w.record.mttrMs = mttr;
      }
      if (this.settled(w, at)) this.watching.delete(key);
    }
  }

  /** Nothing more can happen to this window: ended, recovered (or not recoverable), noticed (or too late for it). */
  private settled(w: Tracked, now: number): boolean {
    if (w.end === null) return false;
    const recoveryDone = w.recovered || !RECOVERABLE.includes(w.endedBy);
    const detectionDone = !w.record || w.record.mttdMs !== null || w.endedBy === 'failed' || now > w.end + LATE_SYMPTOM_MS;
    return recoveryDone && detectionDone;
  }
}

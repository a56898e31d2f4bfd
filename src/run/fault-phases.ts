/**
 * Before / during / after statistics around fault windows, in constant memory: each phase is one
 * small histogram (2 significant digits, ~14 KB, created on its first request) plus counters.
 *
 * The run's timeline is cut at every fault boundary (a start or an end). "before" of a fault is
 * the stretch from the previous boundary (or the run's start) to its start; "during" is its own
 * window; "after" is the stretch from its end to the next boundary that is a fault start (or the
 * run's end). With faults one after another, the after of one is the before of the next: the same
 * accumulator, counted once. A request belongs to the phase in which it was *sent* (its event time
 * minus its latency), so a request held up by a fault counts where it felt it, even when it
 * completes after the boundary. Only stretches some window refers to are kept; the rest is dropped.
 */
import { LatencyHistogram } from '../metrics/histogram.js';
import type { FaultPhaseStats } from '../report/result.js';
import type { RequestOutcome } from '../session/types.js';

/** A phase stops taking late requests this long after it closed (requests longer than that still count in the run's totals). */
const LATE_REQUEST_MS = 120_000;

export class PhaseAcc {
  to = Number.POSITIVE_INFINITY;
  /** Windows that show this stretch; unreferenced stretches are dropped at the next boundary. */
  refs = 0;
  private histogram: LatencyHistogram | undefined;
  private readonly counts = { requests: 0, errors: 0, timeouts: 0, unavailable: 0 };

  constructor(readonly from: number) {}

  covers(sentAt: number): boolean {
    return sentAt >= this.from && sentAt < this.to;
  }

  record(ms: number, outcome: RequestOutcome): void {
    this.counts.requests += 1;
    if (outcome === 'unavailable') {
      this.counts.unavailable += 1;
      return;
    }
    if (outcome === 'error') this.counts.errors += 1;
    if (outcome === 'timeout') this.counts.timeouts += 1;
    (this.histogram ??= new LatencyHistogram({ significantDigits: 2 })).record(ms);
  }

  /** `endFallback`: where a phase still open ends (the run's end). */
  stats(endFallback: number): FaultPhaseStats {
    const end = Number.isFinite(this.to) ? this.to : endFallback;
    const h = this.histogram;
    const p = (q: number) => (h ? Math.round(h.percentile(q) * 1000) / 1000 : 0);
    return { durationMs: Math.max(0, Math.round(end - this.from)), ...this.counts, p50: p(50), p95: p(95), p99: p(99) };
  }
}

export interface WindowPhases {
  before: PhaseAcc;
  during: PhaseAcc;
  after: PhaseAcc | null;
}

/** The cut timeline: the open stretch since the last boundary, and every referenced phase that may still get requests. */
export class PhaseTimeline {
  private segment: PhaseAcc;
  private live: PhaseAcc[] = [];

  constructor(runStartedAt: number) {
    this.segment = new PhaseAcc(runStartedAt);
  }

  /** A fault started at `at`; `keep` false: the window is not recorded in full, only the timeline is cut. */
  started(at: number, keep: boolean): WindowPhases | null {
    const before = this.cut(at);
    if (!keep) return null;
    const during = new PhaseAcc(at);
    this.ref(before);
    this.ref(during);
    return { before, during, after: null };
  }

  /** A fault ended at `at`: closes its during phase and opens its after phase. */
  ended(at: number, phases: WindowPhases | null): void {
    this.cut(at);
    if (!phases) return;
    phases.during.to = at;
    phases.after = this.segment;
    this.ref(this.segment);
  }

  /** One request, by the time it was sent. */
  record(sentAt: number, ms: number, outcome: RequestOutcome): void {
    if (this.segment.covers(sentAt)) this.segment.record(ms, outcome);
    for (const acc of this.live) if (acc !== this.segment && acc.covers(sentAt)) acc.record(ms, outcome);
  }

  /** Closes the open stretch at the boundary and starts the next one; returns the closed stretch. */
  private cut(at: number): PhaseAcc {
    const closed = this.segment;
    closed.to = at;
    this.segment = new PhaseAcc(at);
    this.live = this.live.filter((acc) => acc.refs > 0 && acc.to > at - LATE_REQUEST_MS);
    return closed;
  }

  private ref(acc: PhaseAcc): void {
    acc.refs += 1;
    if (!this.live.includes(acc)) this.live.push(acc);
  }
}

/**
 * The run over time, in a fixed number of intervals whatever its length: per interval the requests
 * answered in it (by completion time), its errors, timeouts, tool errors and unavailable ones,
 * availability and latency percentiles. The interval is the run's duration / POINTS (rounded up to
 * 100 ms, at least 100 ms), so a 20 s run and a 1 h run both give about POINTS points, and an
 * interval in which nothing completed is there with zero requests (the series has no holes).
 * Requests complete in time order, so one small histogram is open at a time and reused: memory
 * does not grow with the run.
 */
import * as hdr from 'hdr-histogram-js';
import type { TimeSeries, TimeSeriesPoint } from '../report/result.js';
import type { RequestOutcome } from '../session/types.js';

/** About this many points per run (a run that goes on past its duration adds a few). */
export const TIMESERIES_POINTS = 120;
/** Points kept at most (a run that overran its duration by far). */
const MAX_POINTS = TIMESERIES_POINTS + 40;

export type { TimeSeries, TimeSeriesPoint };

export function intervalFor(durationMs: number): number {
  return Math.max(100, Math.ceil(durationMs / TIMESERIES_POINTS / 100) * 100);
}

const round2 = (v: number) => Number(v.toPrecision(2));

type Counts = Pick<TimeSeriesPoint, 'requests' | 'ok' | 'errors' | 'timeouts' | 'toolErrors' | 'unavailable'>;
const emptyCounts = (): Counts => ({ requests: 0, ok: 0, errors: 0, timeouts: 0, toolErrors: 0, unavailable: 0 });

export class TimeSeriesRecorder {
  readonly intervalMs: number;
  private readonly points: TimeSeriesPoint[] = [];
  private omitted = 0;
  private readonly histogram = hdr.build({ bitBucketSize: 32, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 2, useWebAssembly: false });
  private open: { index: number; counts: Counts } | null = null;
  /** The first interval not yet emitted. */
  private next = 0;

  constructor(
    private readonly startedAt: number,
    durationMs: number,
    /** Called with each interval when it closes (the event log writes it). */
    private readonly onClose?: (point: TimeSeriesPoint) => void,
  ) {
    this.intervalMs = intervalFor(durationMs);
  }

  /** One request, by the time it completed (epoch ms). */
  record(at: number, ms: number, outcome: RequestOutcome): void {
    const index = Math.max(0, Math.floor((at - this.startedAt) / this.intervalMs));
    if (this.open && index > this.open.index) this.close();
    if (!this.open || index > this.open.index) {
      // Intervals in which nothing completed (a server that answered nothing for a while) are points too.
      while (this.next < index) this.emit(this.next, emptyCounts(), false);
      this.open = { index, counts: emptyCounts() };
    }
    const c = this.open.counts;
    c.requests += 1;
    if (outcome === 'ok') c.ok += 1;
    else if (outcome === 'error') c.errors += 1;
    else if (outcome === 'timeout') c.timeouts += 1;
    else if (outcome === 'tool-error') c.toolErrors += 1;
    else c.unavailable += 1;
    if (outcome !== 'unavailable') this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  /** Close the open interval (at the run's end; idempotent). */
  flush(): void {
    if (this.open) this.close();
  }

  summary(): TimeSeries {
    this.flush();
    return { intervalMs: this.intervalMs, points: this.points.map((p) => ({ ...p })), ...(this.omitted ? { omittedPoints: this.omitted } : {}) };
  }

  private close(): void {
    const open = this.open!;
    this.open = null;
    this.emit(open.index, open.counts, this.histogram.totalCount > 0);
    this.histogram.reset();
  }

  private emit(index: number, c: Counts, sent: boolean): void {
    this.next = index + 1;
    const ms = (q: number) => (sent ? round2(this.histogram.getValueAtPercentile(q) / 1000) : 0);
    const point: TimeSeriesPoint = {
      offsetMs: index * this.intervalMs,
      ...c,
      availabilityPercent: c.requests ? Math.round(((c.ok + c.toolErrors) / c.requests) * 1_000_000) / 10_000 : null,
      p50: ms(50),
      p95: ms(95),
      p99: ms(99),
      max: sent ? round2(this.histogram.maxValue / 1000) : 0,
    };
    if (this.points.length < MAX_POINTS) this.points.push(point);
    else this.omitted += 1;
    this.onClose?.(point);
  }
}

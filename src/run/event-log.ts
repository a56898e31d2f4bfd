/**
 * The run's event log (logs/<run>/events.ndjson): one JSON line per event, with an ISO time.
 * Every event that is not a request is written in full, at once. Requests, by default (`sampled`):
 * every one that did not simply succeed (an error, a timeout, a tool error, unavailable, abandoned,
 * replayed, lost to a session expiry) in full, the slowest few successful ones of each interval,
 * and one `requests-interval` line per interval with its counts and percentiles (the result's time
 * series). Intervals follow the run's length (timeseries.ts), so a healthy server's log keeps about
 * the same size whether the run lasts a minute or an hour. `all` writes every request, gzipped
 * (events.ndjson.gz): for debugging.
 */
import { createWriteStream, statSync, type WriteStream } from 'node:fs';
import { createGzip, type Gzip } from 'node:zlib';
import type { RecordedEvent } from './recorder-types.js';
import type { TimeSeriesPoint } from './timeseries.js';

export type RequestLogMode = 'sampled' | 'all';

/** Successful requests kept per interval in sampled mode: the slowest ones. */
export const SLOWEST_PER_INTERVAL = 5;

type RequestEvent = Extract<RecordedEvent, { type: 'request' }>;

export interface EventLogStats {
  mode: RequestLogMode;
  /** Request lines written, and requests made. */
  requestsLogged: number;
  requests: number;
  slowestPerInterval: number;
  /** The file's size on disk (compressed, in `all` mode). */
  bytes: number;
}

function line(e: RecordedEvent | (TimeSeriesPoint & { type: 'requests-interval'; at: number; intervalMs: number })): string {
  return `${JSON.stringify({ time: new Date(e.at).toISOString(), ...e })}\n`;
}

export class EventLog {
  readonly path: string;
  private readonly file: WriteStream;
  private readonly gzip: Gzip | undefined;
  private readonly slowest: RequestEvent[] = [];
  private requests = 0;
  private requestsLogged = 0;
  private bytes = 0;

  constructor(
    basePath: string,
    readonly mode: RequestLogMode,
    private readonly redact: (text: string) => string,
    private readonly startedAt: number,
    private readonly intervalMs: number,
  ) {
    this.path = mode === 'all' ? `${basePath}.gz` : basePath;
    this.file = createWriteStream(this.path);
    // A full disk must not crash the run: the log stops, the result is still written.
    this.file.on('error', () => undefined);
    if (mode === 'all') {
      this.gzip = createGzip();
      this.gzip.pipe(this.file);
    }
  }

  write(e: RecordedEvent): void {
    if (e.type !== 'request') return this.out(line(e));
    this.requests += 1;
    if (this.mode === 'all' || e.outcome !== 'ok' || e.abandoned || e.replayed || e.lostToExpiry) {
      this.requestsLogged += 1;
      this.out(line(e));
      return;
    }
    // Keep the slowest few successes of the interval (a tiny sorted buffer).
    if (this.slowest.length < SLOWEST_PER_INTERVAL) this.slowest.push(e);
    else if (e.ms > this.slowest[this.slowest.length - 1]!.ms) this.slowest[this.slowest.length - 1] = e;
    else return;
    this.slowest.sort((a, b) => b.ms - a.ms);
  }

  /** An interval of the time series closed: its slowest successes, then its counts and percentiles. */
  interval(point: TimeSeriesPoint): void {
    if (this.mode === 'all') return;
    for (const e of this.slowest.sort((a, b) => a.at - b.at)) {
      this.requestsLogged += 1;
      this.out(line(e));
    }
    this.slowest.length = 0;
    this.out(line({ type: 'requests-interval', at: this.startedAt + point.offsetMs, intervalMs: this.intervalMs, ...point }));
  }

  async end(): Promise<EventLogStats> {
    await new Promise<void>((resolve) => {
      if (this.file.closed || this.file.destroyed) return resolve();
      this.file.once('close', () => resolve());
      if (this.gzip) this.gzip.end();
      else this.file.end();
    });
    const onDisk = statSync(this.path, { throwIfNoEntry: false })?.size ?? this.bytes;
    return { mode: this.mode, requestsLogged: this.requestsLogged, requests: this.requests, slowestPerInterval: SLOWEST_PER_INTERVAL, bytes: onDisk };
  }

  private out(text: string): void {
    const safe = this.redact(text);
    this.bytes += Buffer.byteLength(safe);
    if (this.gzip) this.gzip.write(safe);
    else this.file.write(safe);
  }
}

/**
 * Constant-memory latency recording on HdrHistogram.
 *
 * Values are kept in microseconds (1 µs .. 1 h, 3 significant digits by default) in a fixed-size
 * Int32 counts array (~95 KB per histogram; ~13 KB with 2 digits, as the per-fault phase stats
 * use), allocated once: memory does not grow with the number of values recorded. Values above
 * one hour are clamped to one hour.
 */
import * as hdr from 'hdr-histogram-js';
import type { LatencyStats } from '../report/result.js';

const LOWEST_MICROS = 1;
const HIGHEST_MICROS = 3_600_000_000;

export class LatencyHistogram {
  private readonly histogram: hdr.Histogram;

  /** `significantDigits`: 3 (default, 0.1 % resolution) or 2 (1 %, a seventh of the memory). */
  constructor(options: { significantDigits?: 2 | 3 } = {}) {
    this.histogram = hdr.build({
      bitBucketSize: 32,
      autoResize: false,
      lowestDiscernibleValue: LOWEST_MICROS,
      highestTrackableValue: HIGHEST_MICROS,
      numberOfSignificantValueDigits: options.significantDigits ?? 3,
      useWebAssembly: false,
    });
  }

  /** Record one latency in milliseconds (negative or non-finite values count as 0). */
  record(ms: number): void {
    const micros = Number.isFinite(ms) && ms > 0 ? Math.round(ms * 1000) : 0;
    this.histogram.recordValue(Math.min(micros, HIGHEST_MICROS));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /**
   * Value at percentile p (0..100), in ms; 0 when empty. HdrHistogram answers with the upper edge
   * of the value's bucket; it is capped at the largest recorded value so that p99 never exceeds max.
   */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    return Math.min(this.histogram.getValueAtPercentile(p), this.histogram.maxValue) / 1000;
  }

  /** Largest recorded value in ms (exact to the histogram's resolution); 0 when empty. */
  get max(): number {
    return this.count === 0 ? 0 : this.histogram.maxValue / 1000;
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.histogram.mean / 1000;
  }

  /**
   * Every sample, as HdrHistogram's V2 compressed encoding in base64 (the format other HdrHistogram
   * libraries read): histograms of several runs merge exactly ({@link mergeEncoded}).
   */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.histogram);
  }

  /** Add the samples of an encoded histogram (from {@link encode}) to this one. */
  addEncoded(encoded: string): void {
    this.histogram.add(hdr.decodeFromCompressedBase64(encoded, 32, false));
  }

  /** Bytes the histogram holds; constant for its lifetime. */
  get estimatedFootprintInBytes(): number {
    return this.histogram.estimatedFootprintInBytes;
  }

  /**
   * Summary for the Result. `count` is the number of latency samples recorded here; the
   * {@link LatencyBook} overrides it with all requests, including those never sent.
   */
  toStats(errors: number, timeouts: number, maxMs?: number): LatencyStats {
    // A merged histogram knows its maximum only to its bucket's edge; the runs' own maximum is exact.
    const max = maxMs ?? this.max;
    const at = (p: number) => round3(Math.min(this.percentile(p), max));
    return {
      count: this.count,
      errors,
      timeouts,
      p50: at(50),
      p90: at(90),
      p95: at(95),
      p99: at(99),
      max: round3(max),
      mean: round3(this.mean),
    };
  }
}

/** Milliseconds rounded to the microsecond, so results stay short and deterministic. */
function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

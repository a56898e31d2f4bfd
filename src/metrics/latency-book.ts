/**
 * Latency histograms keyed by what a report groups on (`tools/call`, `tool:echo`, `role:probe`),
 * with per-outcome counts. A key's histogram is created on first use and never grows after.
 */
import type { RequestOutcome } from '../session/types.js';
import type { LatencyStats } from '../report/result.js';
import { LatencyHistogram } from './histogram.js';

interface KeyedLatency {
  histogram: LatencyHistogram;
  requests: number;
  errors: number;
  timeouts: number;
  unavailable: number;
  toolErrors: number;
}

export class LatencyBook {
  private readonly entries = new Map<string, KeyedLatency>();

  /**
   * Count one request under `key`. `unavailable` requests were never sent (the session was down):
   * they count, but carry no latency sample, so they cannot pull the percentiles down.
   */
  record(key: string, ms: number, outcome: RequestOutcome): void {
    const entry = this.entry(key);
    entry.requests += 1;
    if (outcome === 'unavailable') {
      entry.unavailable += 1;
      return;
    }
    if (outcome === 'error') entry.errors += 1;
    if (outcome === 'timeout') entry.timeouts += 1;
    if (outcome === 'tool-error') entry.toolErrors += 1;
    entry.histogram.record(ms);
  }

  keys(): string[] {
    return [...this.entries.keys()].sort();
  }

  stats(key: string): LatencyStats | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    return {
      ...entry.histogram.toStats(entry.errors, entry.timeouts),
      count: entry.requests,
      unavailable: entry.unavailable,
      ...(entry.toolErrors ? { toolErrors: entry.toolErrors } : {}),
      histogram: entry.histogram.encode(),
    };
  }

  /** All keys, sorted, so serialized results are deterministic. */
  toRecord(): Record<string, LatencyStats> {
    const out: Record<string, LatencyStats> = {};
    for (const key of this.keys()) {
      const stats = this.stats(key);
      if (stats) out[key] = stats;
    }
    return out;
  }

  private entry(key: string): KeyedLatency {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { histogram: new LatencyHistogram(), requests: 0, errors: 0, timeouts: 0, unavailable: 0, toolErrors: 0 };
      this.entries.set(key, entry);
    }
    return entry;
  }
}

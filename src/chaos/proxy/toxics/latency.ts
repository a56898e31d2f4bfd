/**
 * latency: each chunk (and each FIN/RST) is held for a delay drawn uniformly in
 * [latencyMs − jitterMs, latencyMs + jitterMs] — uniform, like toxiproxy, so the bounds are hard
 * bounds a test can rely on. With `correlation` c (0..1) the delay is c·previous + (1−c)·fresh
 * draw, as netem correlates: a convex mix, so it stays inside the same bounds. Delays count from
 * the chunk's arrival and never let a later chunk overtake an earlier one (ReleaseQueue).
 */
import { performance } from 'node:perf_hooks';
import { ReleaseQueue } from '../release-queue.js';
import type { Stage, StageContext, Toxic } from '../types.js';

export interface LatencyOptions {
  latencyMs: number;
  jitterMs?: number;
  correlation?: number;
}

export function latency({ latencyMs, jitterMs = 0, correlation = 0 }: LatencyOptions): Toxic {
  const low = Math.max(0, latencyMs - jitterMs);
  const high = latencyMs + jitterMs;
  return {
    kind: 'latency',
    describe: () =>
      `latency ${latencyMs}${jitterMs > 0 ? `±${jitterMs}` : ''} ms${correlation > 0 ? ` (correlation ${correlation})` : ''}`,
    stage(ctx: StageContext): Stage {
      const queue = new ReleaseQueue(ctx.emit);
      let previous: number | undefined;
      return {
        push(item) {
          const fresh = low + (high - low) * ctx.rng();
          const delay = previous === undefined ? fresh : correlation * previous + (1 - correlation) * fresh;
          previous = delay;
          ctx.decide('delay', delay);
          queue.push(item, performance.now() + delay);
        },
        stop(flush) {
          if (flush) queue.flush();
          else queue.clear();
        },
      };
    },
  };
}

/**
 * bandwidth: at most `bytesPerSecond` per connection and direction, by token bucket. The bucket
 * holds `burstBytes` (default 20 ms worth of bytes, at least 1) and starts full, so a transfer of
 * N bytes takes at least (N − burst) / rate seconds. Chunks are cut to what the bucket allows;
 * what waits stays queued in order, and the pipe's high-water mark pauses the sender meanwhile.
 */
import { performance } from 'node:perf_hooks';
import { isEnd, type Item, type Stage, type StageContext, type Toxic } from '../types.js';

export interface BandwidthOptions {
  bytesPerSecond: number;
  burstBytes?: number;
}

export function bandwidth({ bytesPerSecond, burstBytes }: BandwidthOptions): Toxic {
  const burst = Math.max(1, Math.round(burstBytes ?? bytesPerSecond * 0.02));
  return {
    kind: 'bandwidth',
    describe: () => `bandwidth ${bytesPerSecond} B/s per connection (burst ${burst} B)`,
    stage(ctx: StageContext): Stage {
      const queue: Item[] = [];
      let tokens = burst;
      let refilledAt = performance.now();
      let timer: NodeJS.Timeout | undefined;

      const refill = () => {
        const now = performance.now();
        tokens = Math.min(burst, tokens + ((now - refilledAt) * bytesPerSecond) / 1000);
        refilledAt = now;
      };
      const pump = () => {
        timer = undefined;
        refill();
        while (queue.length > 0) {
          const head = queue[0]!;
          if (isEnd(head)) {
            queue.shift();
            ctx.emit(head);
            continue;
          }
          // Wait until the bucket covers the head (or a full burst of it): no dribbling single bytes.
          const want = Math.min(head.length, burst);
          if (tokens < want) break;
          const n = Math.min(head.length, Math.floor(tokens));
          tokens -= n;
          if (n === head.length) queue.shift();
          else queue[0] = head.subarray(n);
          ctx.emit(n === head.length ? head : head.subarray(0, n));
        }
        const head = queue[0];
        if (head !== undefined && timer === undefined) {
          const want = isEnd(head) ? 0 : Math.min(head.length, burst);
          timer = setTimeout(pump, Math.max(1, ((want - tokens) * 1000) / bytesPerSecond));
        }
      };
      return {
        push(item) {
          queue.push(item);
          if (timer === undefined) pump();
        },
        stop(flush) {
          if (timer !== undefined) clearTimeout(timer);
          timer = undefined;
          const held = queue.splice(0);
          if (flush) for (const item of held) ctx.emit(item);
        },
      };
    },
  };
}

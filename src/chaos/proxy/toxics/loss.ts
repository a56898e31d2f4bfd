/**
 * loss: packet loss as a TCP stream experiences it. TCP never loses bytes: a lost segment is
 * retransmitted and everything behind it waits (head-of-line blocking). Model: each chunk read
 * from the sender is cut into segments of at most MSS bytes (1460 B by default; a small JSON-RPC
 * message is one segment, as it is on the wire with Nagle off); each segment is lost with
 * probability p on its first transmission and, independently, on each retransmission. A segment
 * lost k times in a row is delivered RTO·(1 + 2 + … + 2^(k−1)) after it arrived — initial RTO
 * 200 ms (Linux's minimum), doubled per consecutive loss (exponential backoff, capped at 120 s),
 * back to the initial RTO for the next segment — and all later bytes wait behind it. After 15
 * consecutive losses (Linux's tcp_retries2) TCP gives up: the connection is aborted with an RST.
 * Pessimistic on purpose: every loss costs a full RTO (no fast retransmit, SACK or tail-loss
 * probe); SYN and ACK losses are not modelled. A loopback read may merge several small writes,
 * which then count as one segment (slightly fewer losses under pipelined small writes).
 */
import { performance } from 'node:perf_hooks';
import { ReleaseQueue } from '../release-queue.js';
import { RST, isEnd, type Stage, type StageContext, type Toxic } from '../types.js';

export interface LossOptions {
  /** Per-segment loss probability in percent (0..100). */
  percent: number;
  initialRtoMs?: number;
  mssBytes?: number;
}

const MAX_RTO_MS = 120_000;
const MAX_RETRIES = 15;

/** Stall (ms) for one segment, or undefined when TCP would give up; draws until a transmission gets through. */
export function drawStall(rng: () => number, p: number, initialRtoMs: number): { stall: number; losses: number } | undefined {
  let stall = 0;
  let rto = initialRtoMs;
  let losses = 0;
  while (rng() < p) {
    losses += 1;
    if (losses > MAX_RETRIES) return undefined;
    stall += rto;
    rto = Math.min(rto * 2, MAX_RTO_MS);
  }
  return { stall, losses };
}

export function loss({ percent, initialRtoMs = 200, mssBytes = 1460 }: LossOptions): Toxic {
  const p = percent / 100;
  return {
    kind: 'loss',
    describe: () => `loss ${percent}% (TCP retransmission stalls, RTO ${initialRtoMs} ms, MSS ${mssBytes} B)`,
    stage(ctx: StageContext): Stage {
      const queue = new ReleaseQueue(ctx.emit);
      let offset = 0; // stream bytes seen so far in this direction (for the decision log)
      let dead = false; // TCP gave up: an RST is scheduled, later bytes never arrive
      return {
        push(item) {
          if (dead) {
            if (!isEnd(item)) ctx.discard(item.length);
            return;
          }
          const now = performance.now();
          if (isEnd(item)) {
            queue.push(item, now);
            return;
          }
          let cut = 0; // start of the piece not yet queued
          let releaseAt = now;
          for (let pos = 0; pos < item.length; pos += mssBytes) {
            const outcome = drawStall(ctx.rng, p, initialRtoMs);
            if (outcome !== undefined && outcome.stall === 0) continue;
            if (pos > cut) queue.push(item.subarray(cut, pos), releaseAt);
            cut = pos;
            if (outcome === undefined) {
              ctx.decide('timeout', 0, offset + pos);
              ctx.discard(item.length - pos);
              dead = true;
              queue.push(RST, now + totalBackoff(initialRtoMs));
              return;
            }
            ctx.decide('stall', outcome.stall, offset + pos);
            releaseAt = now + outcome.stall;
          }
          if (cut < item.length) queue.push(cut === 0 ? item : item.subarray(cut), releaseAt);
          offset += item.length;
        },
        stop(flush) {
          if (flush) queue.flush();
          else queue.clear();
        },
      };
    },
  };
}

/** Time TCP spends retransmitting one segment before giving up (all MAX_RETRIES backoffs). */
function totalBackoff(initialRtoMs: number): number {
  let total = 0;
  for (let i = 0, rto = initialRtoMs; i <= MAX_RETRIES; i++, rto = Math.min(rto * 2, MAX_RTO_MS)) total += rto;
  return total;
}

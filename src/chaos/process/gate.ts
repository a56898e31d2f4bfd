/**
 * One stream through the stdout valve: it takes the server's stdout chunks and hands them on to
 * what the session reads, as the valve's current mode says — at once, later, or when released —
 * never out of order. Queued bytes are capped like a pipe: above the cap the server's stdout is
 * no longer read, so its writes back up.
 */
import { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { StdoutValveMode } from '../../contracts.js';

/** The valve as a gate sees it. */
export interface GateHost {
  readonly current: StdoutValveMode;
  /** A delay for the next chunk in `delay` mode (ms). */
  drawDelay(): number;
  /** The stream is over: stop counting this gate. */
  forget(gate: Gate): void;
}

const NEWLINE = 0x0a;
const HELD = Number.POSITIVE_INFINITY;
/** Above this many queued bytes the server's stdout is no longer read, so its writes back up as into a full pipe. */
const QUEUE_LIMIT_BYTES = 1024 * 1024;

/** A queued chunk (null: the end of the stream) and when it may leave (performance.now() ms; HELD = until released). */
interface Entry {
  chunk: Buffer | null;
  at: number;
}

export class Gate {
  readonly out: Readable;
  private queue: Entry[] = [];
  private queuedBytes = 0;
  /** The source is paused because the queue is over QUEUE_LIMIT_BYTES. */
  private throttled = false;
  private timer: NodeJS.Timeout | undefined;
  /** The current `cut` mode has cut this stream (the newline and everything after are held). */
  cut = false;
  private done = false;

  constructor(
    private readonly source: Readable,
    private readonly valve: GateHost,
  ) {
    this.out = new Readable({
      read: () => {
        if (!this.throttled) this.source.resume();
      },
    });
    source.on('data', (chunk: Buffer) => this.accept(chunk));
    source.once('end', () => this.accept(null));
    source.once('error', (err) => this.out.destroy(err));
    this.out.once('close', () => this.finish());
  }

  get pendingChunks(): number {
    return this.queue.filter((e) => e.chunk !== null).length;
  }

  get pendingBytes(): number {
    return this.queuedBytes;
  }

  /** Release everything queued now, in order, and forget the cut (the mode changes). */
  releaseAll(): void {
    this.cut = false;
    const now = performance.now();
    for (const e of this.queue) e.at = now;
    this.flush();
  }

  private accept(chunk: Buffer | null): void {
    const mode = this.valve.current;
    const now = performance.now();
    if (mode.kind === 'open') return this.enqueue(chunk, now);
    if (mode.kind === 'hold') return this.enqueue(chunk, HELD);
    if (mode.kind === 'delay') return this.enqueue(chunk, now + this.valve.drawDelay());
    // cut: pass bytes up to the next newline, then hold from the newline on.
    if (this.cut || chunk === null) return this.enqueue(chunk, this.cut ? HELD : now);
    const nl = chunk.indexOf(NEWLINE);
    if (nl === -1) return this.enqueue(chunk, now);
    if (nl > 0) this.enqueue(chunk.subarray(0, nl), now);
    this.cut = true;
    this.enqueue(chunk.subarray(nl), HELD);
  }

  private enqueue(chunk: Buffer | null, at: number): void {
    const tail = this.queue[this.queue.length - 1];
    const when = tail ? Math.max(at, tail.at) : at;
    if (!tail && when <= performance.now()) return this.deliver(chunk);
    this.queue.push({ chunk, at: when });
    this.queuedBytes += chunk?.length ?? 0;
    if (this.queuedBytes >= QUEUE_LIMIT_BYTES && !this.throttled) {
      this.throttled = true;
      this.source.pause();
    }
    this.arm();
  }

  private deliver(chunk: Buffer | null): void {
    if (this.out.destroyed) return;
    if (chunk === null) {
      this.out.push(null);
      this.finish();
    } else if (!this.out.push(chunk)) this.source.pause();
  }

  private arm(): void {
    const head = this.queue[0];
    if (this.timer !== undefined || head === undefined || head.at === HELD) return;
    // Never early: a timer that fires before the due time (libuv's cached clock) is re-armed.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, Math.max(1, Math.ceil(head.at - performance.now())));
  }

  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0]!.at <= now) {
      const { chunk } = this.queue.shift()!;
      this.queuedBytes -= chunk?.length ?? 0;
      this.deliver(chunk);
    }
    if (this.throttled && this.queuedBytes < QUEUE_LIMIT_BYTES) {
      this.throttled = false;
      if (this.out.readableLength < this.out.readableHighWaterMark) this.source.resume();
    }
    this.arm();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    if (this.queue.length === 0 || this.out.destroyed) {
      clearTimeout(this.timer);
      this.queue = [];
      this.queuedBytes = 0;
    }
    this.valve.forget(this);
  }
}


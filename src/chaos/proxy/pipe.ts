/**
 * One direction of a proxied connection: bytes read from `source` go through a chain of toxic
 * stages and are written to `sink`. With an empty chain a chunk is written straight through, as
 * `stream.pipe` would (no copies, no timers). Backpressure: the source is paused while the sink's
 * buffer is full or while the chain holds more than `highWaterMark` bytes (like a TCP window:
 * a sender facing a slow or delayed path stalls instead of filling our memory).
 */
import type { Socket } from 'node:net';
import { isEnd, type Direction, type DirectionStats, type Item, type Stage, type StreamEnd } from './types.js';

interface Link {
  readonly id: string;
  readonly stage: Stage;
}

export class DirectionPipe {
  private links: Link[] = [];
  /** Bytes inside the chain (pushed in, not yet written to the sink nor discarded). */
  private held = 0;
  private sinkBlocked = false;
  private sourcePaused = false;
  private stopped = false;

  constructor(
    readonly direction: Direction,
    private readonly source: Socket,
    private readonly sink: Socket,
    private readonly stats: DirectionStats,
    private readonly onEnd: (end: StreamEnd) => void,
    private readonly highWaterMark: number,
  ) {
    sink.on('drain', () => {
      this.sinkBlocked = false;
      this.updateFlow();
    });
  }

  /** A chunk read from the source. */
  input(chunk: Buffer): void {
    this.stats.received += chunk.length;
    if (this.stopped) {
      this.stats.discarded += chunk.length;
      return;
    }
    const first = this.links[0];
    if (first === undefined) {
      this.deliver(chunk);
      return;
    }
    this.held += chunk.length;
    first.stage.push(chunk);
    this.updateFlow();
  }

  /** The source ended (FIN) or failed (RST): the end travels through the chain behind the bytes. */
  inputEnd(end: StreamEnd): void {
    if (this.stopped) return;
    const first = this.links[0];
    if (first === undefined) this.deliver(end);
    else first.stage.push(end);
  }

  addStage(id: string, make: (emit: (item: Item) => void, discard: (n: number) => void) => Stage): void {
    if (this.stopped) return;
    const stage = make(
      (item) => this.forward(id, item),
      (n) => this.discard(n),
    );
    this.links.push({ id, stage });
  }

  /** Remove a toxic's stage; what it holds is handed on first, so nothing is reordered. */
  removeStage(id: string): void {
    const link = this.links.find((l) => l.id === id);
    if (link === undefined) return;
    link.stage.stop(true);
    this.links = this.links.filter((l) => l !== link);
    this.updateFlow();
  }

  /** The connection is gone: drop whatever the chain holds and clear the stages' timers. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const link of this.links) link.stage.stop(false);
    this.links = [];
    this.held = 0;
  }

  private forward(fromId: string, item: Item): void {
    if (this.stopped) return;
    const index = this.links.findIndex((l) => l.id === fromId);
    if (index < 0) return; // a stage that was already removed has nothing more to say
    const next = this.links[index + 1];
    if (next !== undefined) {
      next.stage.push(item);
      return;
    }
    if (!isEnd(item)) this.held -= item.length;
    this.deliver(item);
    this.updateFlow();
  }

  private discard(bytes: number): void {
    this.held -= bytes;
    this.stats.discarded += bytes;
    this.updateFlow();
  }

  private deliver(item: Item): void {
    if (isEnd(item)) {
      this.onEnd(item);
      return;
    }
    if (this.sink.destroyed || this.sink.writableEnded) {
      this.stats.discarded += item.length;
      return;
    }
    this.stats.delivered += item.length;
    if (!this.sink.write(item)) {
      this.sinkBlocked = true;
      this.updateFlow();
    }
  }

  private updateFlow(): void {
    const shouldPause = this.sinkBlocked || this.held > this.highWaterMark;
    if (shouldPause && !this.sourcePaused) {
      this.sourcePaused = true;
      this.source.pause();
    } else if (!shouldPause && this.sourcePaused) {
      this.sourcePaused = false;
      this.source.resume();
    }
  }
}

/**
 * An ordered release queue: items leave at their release time, but never before an item pushed
 * earlier (release times are made monotonic), so a short delay drawn for a later chunk cannot let
 * it overtake an earlier one — TCP delivers in order, whatever the path does to single packets.
 * One timer at a time, armed for the head only.
 */
import { performance } from 'node:perf_hooks';
import type { Item } from './types.js';

/** Timers fire on libuv's cached clock and can run up to ~1 ms early against performance.now(). */
const EARLY_TOLERANCE_MS = 1;

interface Entry {
  readonly item: Item;
  readonly at: number;
}

export class ReleaseQueue {
  private entries: Entry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last = 0;

  constructor(private readonly emit: (item: Item) => void) {}

  /** The release time of the latest item pushed (performance.now() clock). */
  get lastReleaseAt(): number {
    return this.last;
  }

  /** Release `item` at `at` (performance.now() ms), or later if an earlier item leaves later. */
  push(item: Item, at: number): void {
    this.last = Math.max(this.last, at);
    if (this.entries.length === 0 && this.last <= performance.now()) {
      this.emit(item);
      return;
    }
    this.entries.push({ item, at: this.last });
    this.arm();
  }

  /** Hand on everything now, in order (the toxic was removed). */
  flush(): void {
    this.disarm();
    const entries = this.entries;
    this.entries = [];
    for (const e of entries) this.emit(e.item);
  }

  /** Drop everything (the connection is gone). */
  clear(): void {
    this.disarm();
    this.entries = [];
  }

  private arm(): void {
    const head = this.entries[0];
    if (this.timer !== undefined || head === undefined) return;
    this.timer = setTimeout(this.release, Math.max(0, head.at - performance.now()));
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly release = (): void => {
    this.timer = undefined;
    const now = performance.now() + EARLY_TOLERANCE_MS;
    let n = 0;
    while (n < this.entries.length && this.entries[n]!.at <= now) n++;
    const due = this.entries.splice(0, n);
    for (const e of due) this.emit(e.item);
    this.arm();
  };
}

/**
 * A server's log file that stops growing: the first HEAD_BYTES are written as they come; past
 * them, only the most recent TAIL_BYTES are kept (in memory) and written at the end, after a line
 * saying how much was left out. A server that logs every request (the SDK's example logs each
 * body) would otherwise write gigabytes in an hour-long run: too big for an artifact, and disk
 * time taken from the server under test.
 *
 * The tail is one fixed buffer used as a ring, the chunks copied into it, not a list of the chunks
 * themselves: a pipe hands over a Buffer per write, and a server that writes a short line per
 * request (server-everything's 26-byte "Received MCP POST request") made the last 2 MiB some
 * 78 000 Buffers, each with its own ArrayBuffer: about 15 MiB of heap and 34 MiB of RSS for 2 MiB
 * of text, held to the end of the run (the 30-minute memory bench's step). The ring costs its
 * bytes, once. It holds TAIL_BYTES and up to 4 KiB more, so that the tail written starts at the
 * beginning of a line (the last TAIL_BYTES, extended back to their first line's start).
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export const HEAD_BYTES = 8 << 20;
export const TAIL_BYTES = 2 << 20;

const NEWLINE = 0x0a;
/** The ring holds this much more than the tail (at most the tail's size again), so that the tail can start on a line. */
const LINE_SLACK = 4096;

export class CappedLog {
  private readonly file: WriteStream;
  private written = 0;
  /** The ring (tailMax and a line's slack), allocated when the head is full. */
  private tail: Buffer | null = null;
  private readonly ringSize: number;
  /** Bytes held in the ring (up to ringSize), and where the next byte goes. */
  private tailBytes = 0;
  private tailPos = 0;
  private dropped = 0;
  /** The last byte left out (the one before the ring's oldest): the tail starts mid-line unless it is a newline. */
  private lastDropped = NEWLINE;
  private ended = false;

  constructor(
    path: string,
    private readonly head = HEAD_BYTES,
    private readonly tailMax = TAIL_BYTES,
  ) {
    this.ringSize = tailMax > 0 ? tailMax + Math.min(LINE_SLACK, tailMax) : 0;
    mkdirSync(dirname(path), { recursive: true });
    this.file = createWriteStream(path, { flags: 'a' });
    // An unwritable log (a full disk, a path that went away) must not crash the tester: the server still runs.
    this.file.on('error', () => undefined);
  }

  write(data: Buffer | string): void {
    if (this.ended) return;
    let chunk = typeof data === 'string' ? Buffer.from(data) : data;
    if (this.written < this.head) {
      const room = this.head - this.written;
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.file.write(part);
      this.written += part.length;
      if (part.length === chunk.length) return;
      chunk = chunk.subarray(part.length);
    }
    this.keep(chunk);
  }

  /** Copy `chunk` into the ring; the oldest bytes it overwrites are counted as left out. */
  private keep(chunk: Buffer): void {
    const max = this.ringSize;
    if (max <= 0) {
      this.dropped += chunk.length;
      return;
    }
    const ring = (this.tail ??= Buffer.allocUnsafe(max));
    if (chunk.length >= max) {
      // Only its last `max` bytes can stay: everything held before, and the rest of it, are left out.
      this.dropped += this.tailBytes + chunk.length - max;
      if (chunk.length > max) this.lastDropped = chunk[chunk.length - max - 1]!;
      else if (this.tailBytes > 0) this.lastDropped = ring[(this.tailPos - 1 + max) % max]!; // the newest byte held
      chunk.copy(ring, 0, chunk.length - max);
      this.tailBytes = max;
      this.tailPos = 0;
      return;
    }
    const over = this.tailBytes + chunk.length - max;
    if (over > 0) {
      // The ring is full from here on: its `over` oldest bytes are overwritten (read before the copy).
      const oldest = this.tailBytes < max ? 0 : this.tailPos;
      this.dropped += over;
      this.lastDropped = ring[(oldest + over - 1) % max]!;
    }
    this.tailBytes = Math.min(max, this.tailBytes + chunk.length);
    const first = Math.min(chunk.length, max - this.tailPos);
    chunk.copy(ring, this.tailPos, 0, first);
    if (first < chunk.length) chunk.copy(ring, 0, first);
    this.tailPos = (this.tailPos + chunk.length) % max;
  }

  /** Write the kept tail and close the file; resolves when it is closed. */
  end(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      let tail = this.orderedTail();
      const extra = tail.length - this.tailMax;
      if (this.dropped > 0 && extra > 0) {
        // The last tailMax bytes, from the start of their first line when it is within the slack.
        const nl = tail.lastIndexOf(NEWLINE, extra - 1);
        const start = nl !== -1 ? nl + 1 : this.lastDropped === NEWLINE ? 0 : extra;
        this.dropped += start;
        tail = tail.subarray(start);
      }
      if (this.dropped > 0) this.file.write(`\n[mcp-reliability: ${this.dropped} bytes of this log left out here (it keeps the first ${this.head} and the last ${this.tailMax} or so bytes)]\n`);
      if (tail.length > 0) this.file.write(tail);
      this.tail = null;
      this.tailBytes = 0;
      this.closed = new Promise<void>((resolve) => {
        this.file.once('close', () => resolve());
        this.file.once('error', () => resolve());
        this.file.end();
      });
    }
    return this.closed;
  }

  private closed: Promise<void> = Promise.resolve();

  /** The ring's bytes, oldest first. */
  private orderedTail(): Buffer {
    const ring = this.tail;
    if (!ring || this.tailBytes === 0) return Buffer.alloc(0);
    // Not full yet: it starts at 0. Full: the oldest byte is where the next one goes.
    if (this.tailBytes < this.ringSize || this.tailPos === 0) return ring.subarray(0, this.tailBytes);
    return Buffer.concat([ring.subarray(this.tailPos), ring.subarray(0, this.tailPos)]);
  }
}

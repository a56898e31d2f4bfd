/**
 * A server's log file that stops growing: the first HEAD_BYTES are written as they come; past
 * them, only the most recent TAIL_BYTES are kept (in memory, a bounded ring of chunks) and written
 * at the end, after a line saying how much was left out. A server that logs every request (the
 * SDK's example logs each body) would otherwise write gigabytes in an hour-long run: too big for
 * an artifact, and disk time taken from the server under test.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export const HEAD_BYTES = 8 << 20;
export const TAIL_BYTES = 2 << 20;

export class CappedLog {
  private readonly file: WriteStream;
  private written = 0;
  private readonly tail: Buffer[] = [];
  private tailBytes = 0;
  private dropped = 0;
  private ended = false;

  constructor(
    path: string,
    private readonly head = HEAD_BYTES,
    private readonly tailMax = TAIL_BYTES,
  ) {
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
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tailBytes - this.tail[0]!.length >= this.tailMax) {
      const old = this.tail.shift()!;
      this.tailBytes -= old.length;
      this.dropped += old.length;
    }
  }

  /** Write the kept tail and close the file; resolves when it is closed. */
  end(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      if (this.dropped > 0) this.file.write(`\n[mcp-reliability: ${this.dropped} bytes of this log left out here (it keeps the first ${this.head} and the last ${this.tailMax} or so bytes)]\n`);
      for (const chunk of this.tail) this.file.write(chunk);
      this.tail.length = 0;
      this.closed = new Promise<void>((resolve) => {
        this.file.once('close', () => resolve());
        this.file.once('error', () => resolve());
        this.file.end();
      });
    }
    return this.closed;
  }

  private closed: Promise<void> = Promise.resolve();
}

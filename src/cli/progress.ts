/** The live progress line on a terminal, plain periodic lines otherwise. */
import { formatDuration } from '../scenario/index.js';

export interface Progress {
  scenario: string;
  clientProfile: string;
  elapsedMs: number;
  remainingMs: number;
  requests: number;
  errors: number;
  availabilityPercent: number | null;
  reconnects: number;
}

export function progressLine(p: Progress): string {
  const avail = p.availabilityPercent === null ? '—' : `${p.availabilityPercent.toFixed(2)}%`;
  return (
    `${p.scenario} [${p.clientProfile}] ${formatDuration(p.elapsedMs)} elapsed, ${formatDuration(Math.max(0, p.remainingMs))} left` +
    ` | requests ${p.requests} | errors ${p.errors} | availability ${avail} | reconnects ${p.reconnects}`
  );
}

export interface ProgressSink {
  update(p: Progress): void;
  done(): void;
}

export function createProgressSink(mode: 'auto' | 'tty' | 'plain' | 'none', stream: NodeJS.WriteStream = process.stderr, plainEveryMs = 10_000): ProgressSink {
  const tty = mode === 'tty' || (mode === 'auto' && stream.isTTY === true);
  if (mode === 'none') return { update: () => undefined, done: () => undefined };
  if (tty) {
    let shown = false;
    return {
      update(p) {
        const line = progressLine(p);
        const width = stream.columns ?? 120;
        stream.write(`\r\x1b[2K${line.slice(0, width - 1)}`);
        shown = true;
      },
      done() {
        if (shown) stream.write('\n');
        shown = false;
      },
    };
  }
  let last = 0;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < plainEveryMs) return;
      last = now;
      stream.write(`${progressLine(p)}\n`);
    },
    done() {
      last = 0;
    },
  };
}

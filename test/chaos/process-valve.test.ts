/** The stdout valve on plain streams: pass-through, delay without reordering, hold, cut mid-line, future streams. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { createStdoutValve } from '../../src/chaos/process/index.js';

interface Received {
  at: number;
  text: string;
}

function collect(out: Readable): { got: Received[]; text: () => string; ended: Promise<unknown> } {
  const got: Received[] = [];
  out.on('data', (c: Buffer) => got.push({ at: performance.now(), text: c.toString('utf8') }));
  return { got, text: () => got.map((g) => g.text).join(''), ended: once(out, 'end') };
}

/** Resolves once `check` holds, polling each tick (a wait for an effect, never a timing assertion). */
async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('stdout valve', { timeout: 30_000 }, () => {
  test('open: chunks pass through unchanged, and the end follows', async () => {
    const valve = createStdoutValve();
    const source = new PassThrough();
    const sink = collect(valve.gate(source));
    source.write('{"a":1}\n');
    source.end('{"b":2}\n');
    await sink.ended;
    assert.equal(sink.text(), '{"a":1}\n{"b":2}\n');
    assert.deepEqual(valve.stats(), { mode: 'open', pendingChunks: 0, pendingBytes: 0, cutStreams: 0 });
  });

  test('delay: every chunk waits at least its delay, and a shorter draw never overtakes', async () => {
    const valve = createStdoutValve();
    const draws = [0.99, 0, 0.5, 0];
    let i = 0;
    valve.set({ kind: 'delay', delayMs: 100, jitterMs: 80, rng: () => draws[i++ % draws.length]! });
    const source = new PassThrough();
    const sink = collect(valve.gate(source));
    const sent: number[] = [];
    for (const n of [1, 2, 3, 4]) {
      sent.push(performance.now());
      source.write(`${n}\n`);
      await new Promise((r) => setTimeout(r, 2));
    }
    source.end();
    await sink.ended;
    assert.equal(sink.text(), '1\n2\n3\n4\n', 'order kept');
    sink.got.forEach((g, k) => assert.ok(g.at - sent[k]! >= 20, `chunk ${k} left after ${g.at - sent[k]!} ms (minimum 20)`));
    assert.ok(sink.got[0]!.at - sent[0]! >= 179, 'the first chunk drew the maximum delay');
    assert.ok(sink.got[1]!.at >= sink.got[0]!.at, 'the second chunk (shortest draw) waited for the first');
  });

  test('hold: nothing leaves until cleared, then everything in order, end included', async () => {
    const valve = createStdoutValve();
    valve.set({ kind: 'hold' });
    const source = new PassThrough();
    const sink = collect(valve.gate(source));
    source.write('one\n');
    source.end('two\n');
    await until(() => valve.stats().pendingChunks === 2);
    assert.equal(sink.got.length, 0);
    assert.equal(valve.stats().pendingBytes, 8);
    valve.clear();
    await sink.ended;
    assert.equal(sink.text(), 'one\ntwo\n');
    assert.equal(valve.stats().pendingChunks, 0);
  });

  test('cut: bytes up to the next newline pass, the newline and the rest wait; cleared, the stream is intact', async () => {
    const valve = createStdoutValve();
    const source = new PassThrough();
    const sink = collect(valve.gate(source));
    valve.set({ kind: 'cut' });
    source.write('{"id":1,');
    source.write('"x":2}\n{"id":2}\n');
    source.write('{"id":3}\n');
    await until(() => valve.stats().pendingChunks === 2 && sink.text().length >= 14);
    assert.equal(sink.text(), '{"id":1,"x":2}', 'the first message without its newline');
    assert.equal(valve.stats().cutStreams, 1);
    valve.clear();
    source.end('{"id":4}\n');
    await sink.ended;
    assert.equal(sink.text(), '{"id":1,"x":2}\n{"id":2}\n{"id":3}\n{"id":4}\n');
  });

  test('a mode applies to streams attached later (the next connection) and set() releases what the last mode held', async () => {
    const valve = createStdoutValve();
    valve.set({ kind: 'hold' });
    const first = new PassThrough();
    const a = collect(valve.gate(first));
    first.write('held\n');
    await until(() => valve.stats().pendingChunks === 1);
    valve.set({ kind: 'cut' });
    await until(() => a.text().length > 0);
    assert.equal(a.text(), 'held\n', 'switching modes released the held chunk');
    const second = new PassThrough();
    const b = collect(valve.gate(second));
    second.write('new process\n');
    await until(() => valve.stats().cutStreams === 1 && b.text().length > 0);
    assert.equal(b.text(), 'new process');
    valve.clear();
    second.end();
    await b.ended;
    assert.equal(b.text(), 'new process\n');
  });

  test('hold caps what it queues like a full pipe: the source is no longer read, and nothing is lost', async () => {
    const valve = createStdoutValve();
    valve.set({ kind: 'hold' });
    const source = new PassThrough();
    const sink = collect(valve.gate(source));
    const line = `${'x'.repeat(1023)}\n`;
    const total = 3 * 1024; // 3 MiB in 1 KiB lines
    let written = 0;
    const writeAll = (async () => {
      for (; written < total; written++) if (!source.write(line)) await once(source, 'drain');
    })();
    await until(() => source.isPaused());
    const { pendingBytes } = valve.stats();
    assert.ok(pendingBytes >= 1024 * 1024 && pendingBytes < 2 * 1024 * 1024, `queued ${pendingBytes} B at the cap`);
    assert.ok(written < total, `the writer is held back (${written} of ${total} lines written)`);
    assert.equal(sink.got.length, 0);
    valve.clear();
    await writeAll;
    source.end();
    await sink.ended;
    assert.equal(sink.text(), line.repeat(total));
  });

  test('refuses a negative delay', () => {
    const valve = createStdoutValve();
    assert.throws(() => valve.set({ kind: 'delay', delayMs: -1 }), /delayMs/);
    assert.equal(valve.mode, 'open');
  });
});

/**
 * loss: TCP-faithful loss shows up as retransmission stalls, never as missing or reordered bytes.
 *
 * Statistical bound: over n = 4,000 segments at p = 5 %, the number of first-transmission losses
 * is Binomial(4000, 0.05): mean 200, σ = √(4000·0.05·0.95) ≈ 13.8 segments (0.34 %). The accepted
 * band 3–7 % is ±2 percentage points ≈ ±5.8σ, so a correct implementation fails it with
 * probability below 10⁻⁸ for an arbitrary seed; with the fixed seed here the count is exact anyway.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { loss } from '../../src/chaos/proxy/index.js';
import { Collector, client, closedWith, now, payload, startProxy, tcpServer } from './proxy-harness.js';

const MSS = 1460;

function sha(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

describe('loss toxic', { timeout: 60_000 }, () => {
  it('5 %: 3–7 % of 4,000 one-segment messages stall; every byte arrives, in order', async (t) => {
    const echo = await tcpServer(undefined, t);
    const proxy = await startProxy(t, echo.port, 77);
    // A 2 ms initial RTO keeps ~200 stalls short; the 200 ms default is exercised below.
    proxy.addToxic(loss({ percent: 5, initialRtoMs: 2 }), { direction: 'upstream' });
    const socket = await client(proxy.port, t);
    const got = new Collector(socket);
    const segments = 4_000;
    const size = 1_000; // < MSS: one message, one read, one segment
    for (let i = 0; i < segments; i++) {
      socket.write(Buffer.alloc(size, i % 251));
      await got.waitFor((i + 1) * size);
    }
    const expected = Buffer.concat(Array.from({ length: segments }, (_, i) => Buffer.alloc(size, i % 251)));
    assert.equal(sha(got.bytes()), sha(expected), 'bytes lost or reordered');

    const stalls = proxy.decisions().filter((d) => d.what === 'stall');
    const fraction = stalls.length / segments;
    assert.ok(fraction >= 0.03 && fraction <= 0.07, `stalled fraction ${(fraction * 100).toFixed(2)} %`);
    for (const d of stalls) {
      assert.equal(d.at! % size, 0, 'a stall starts at a message (segment) boundary');
      // k consecutive losses stall 2·(2^k − 1) ms: 2, 6, 14, ...
      assert.ok(Number.isInteger(Math.log2(d.value / 2 + 1)), `stall ${d.value} ms is not a backoff sum`);
    }
  });

  it('a 6 MB bulk transfer through 5 % loss arrives complete and in order', async (t) => {
    const parts: Buffer[] = [];
    let ended: Promise<unknown> | undefined;
    const sink = await tcpServer((s) => {
      s.on('data', (c: Buffer) => parts.push(c));
      ended = once(s, 'end');
    }, t);
    const proxy = await startProxy(t, sink.port, 78);
    proxy.addToxic(loss({ percent: 5, initialRtoMs: 2 }));
    const socket = await client(proxy.port, t);
    const data = payload(4_000 * MSS, 21);
    for (let pos = 0; pos < data.length; pos += 10_007) socket.write(data.subarray(pos, pos + 10_007));
    socket.end();
    while (ended === undefined) await new Promise((r) => setTimeout(r, 5));
    await ended;
    assert.equal(sha(Buffer.concat(parts)), sha(data), 'bytes lost or reordered');
    const stalls = proxy.decisions().filter((d) => d.what === 'stall').length;
    assert.ok(stalls > 50, `only ${stalls} stalls over ≥ 4,000 segments`);
  });

  it('a lost segment delays its message by at least the RTO (200 ms), doubling on repeated loss', async (t) => {
    const echo = await tcpServer(undefined, t);
    const proxy = await startProxy(t, echo.port, 4);
    proxy.addToxic(loss({ percent: 30 }), { direction: 'upstream' });
    const socket = await client(proxy.port, t);
    const got = new Collector(socket);
    const rtts: number[] = [];
    for (let i = 0; i < 15; i++) {
      const started = now();
      socket.write(Buffer.alloc(100, i)); // one segment per message
      await got.waitFor((i + 1) * 100);
      rtts.push(now() - started);
    }
    const stalls = proxy.decisions().filter((d) => d.what === 'stall');
    assert.ok(stalls.length > 0, 'this seed is expected to lose some segments');
    for (const d of stalls) {
      const message = Math.floor(d.at! / 100);
      assert.ok([200, 600, 1400, 3000].includes(d.value), `stall ${d.value} ms`);
      assert.ok(rtts[message]! >= d.value - 1, `message ${message} took ${rtts[message]} ms, stall was ${d.value} ms`);
    }
    assert.ok(got.bytes().equals(Buffer.concat(Array.from({ length: 15 }, (_, i) => Buffer.alloc(100, i)))));
  });

  it('100 % loss: nothing gets through, TCP gives up with an RST after 15 retransmissions', async (t) => {
    const echo = await tcpServer(undefined, t);
    const proxy = await startProxy(t, echo.port, 1);
    // A 0.005 ms RTO shrinks the 16 backoffs (RTO · (2^16 − 1)) to ~330 ms.
    proxy.addToxic(loss({ percent: 100, initialRtoMs: 0.005 }), { direction: 'upstream' });
    const socket = await client(proxy.port, t);
    const got = new Collector(socket);
    const started = now();
    socket.write('never');
    assert.equal((await closedWith(socket))?.code, 'ECONNRESET');
    assert.ok(now() - started >= 0.005 * 65_535 - 1, 'reset before TCP would have given up');
    assert.equal(got.length, 0);
    assert.deepEqual(
      proxy.decisions().map((d) => d.what),
      ['timeout'],
    );
  });
});

/** Stream-shaping toxics: bandwidth and slicer. Lower bounds only: never assert speed. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bandwidth, slicer } from '../../src/chaos/proxy/index.js';
import { Collector, client, now, payload, startProxy, tcpServer } from './proxy-harness.js';

describe('shaping toxics', { timeout: 60_000 }, () => {
  it('bandwidth: 100 KB at 50 KB/s takes at least 1.8 s and arrives intact', async (t) => {
    const data = payload(100_000, 8);
    const server = await tcpServer((s) => s.end(data), t);
    const proxy = await startProxy(t, server.port);
    proxy.addToxic(bandwidth({ bytesPerSecond: 50_000 }), { direction: 'downstream' });
    const started = now();
    const got = new Collector(await client(proxy.port, t));
    await got.waitFor(data.length);
    const seconds = (now() - started) / 1000;
    assert.ok(seconds >= 1.8, `took ${seconds.toFixed(2)} s`);
    assert.ok(got.bytes().equals(data));
  });

  it('bandwidth applies per direction: the other direction is not limited', async (t) => {
    const echo = await tcpServer(undefined, t);
    const proxy = await startProxy(t, echo.port);
    proxy.addToxic(bandwidth({ bytesPerSecond: 1_000 }), { direction: 'downstream' });
    const received: number[] = [];
    const socket = await client(proxy.port, t);
    socket.on('data', (c: Buffer) => received.push(c.length));
    socket.write(Buffer.alloc(5_000));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(proxy.stats().bytes.upstream.delivered, 5_000, 'upstream bytes should pass unthrottled');
    const got = received.reduce((a, b) => a + b, 0);
    assert.ok(got <= 1_000, `downstream delivered ${got} B in 0.3 s at 1,000 B/s`);
  });

  it('a slow toxic pauses the sender: the chain holds at most its high-water mark (256 KiB)', async (t) => {
    const sink = await tcpServer((s) => s.resume(), t);
    const proxy = await startProxy(t, sink.port);
    proxy.addToxic(bandwidth({ bytesPerSecond: 10_000 }), { direction: 'upstream' });
    const socket = await client(proxy.port, t);
    socket.write(Buffer.alloc(10 * 1024 * 1024));
    await new Promise((r) => setTimeout(r, 500));
    const { received, delivered } = proxy.stats().bytes.upstream;
    // Held = read but not yet written on; one read (≤ 64 KiB) may land past the mark.
    assert.ok(received - delivered <= 256 * 1024 + 64 * 1024, `the chain holds ${received - delivered} B`);
    assert.ok(delivered <= 10_000, `delivered ${delivered} B in 0.5 s at 10,000 B/s`);
  });

  it('slicer: the receiver sees many small chunks, bytes unchanged', async (t) => {
    const data = payload(4_000, 9);
    const server = await tcpServer((s) => s.end(data), t);
    const proxy = await startProxy(t, server.port);
    proxy.addToxic(slicer({ sizeBytes: 50, variationBytes: 20, delayMs: 2 }), { direction: 'downstream' });
    const got = new Collector(await client(proxy.port, t));
    await got.waitFor(data.length);
    assert.ok(got.bytes().equals(data));
    const slices = proxy.decisions().filter((d) => d.what === 'slice');
    assert.ok(slices.length >= 4_000 / 70, `${slices.length} slices`);
    for (const s of slices) assert.ok(s.value >= 1 && s.value <= 70);
    // Timers on a loaded machine may fire together and merge some pieces; most stay separate.
    assert.ok(got.chunks.length >= 20, `receiver saw only ${got.chunks.length} chunks`);
  });
});

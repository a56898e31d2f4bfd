/** latency: delays within bounds, mean on target, byte order preserved, correlation honoured. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { latency } from '../../src/chaos/proxy/index.js';
import { Collector, client, now, payload, sleep, startProxy, tcpServer, type Teardown, type TestServer } from './proxy-harness.js';

/** Loaded 2-core CI machines: a timer may fire this late. Lower bounds get no margin. */
const SCHEDULING_MARGIN_MS = 25;

describe('latency toxic', { timeout: 60_000 }, () => {
  let echo: TestServer;
  before(async () => (echo = await tcpServer()));
  after(() => echo.close());

  it('100 ± 50 ms: 200 round trips all within [50, 150] ms, mean within ±15 ms of 100', async (t) => {
    const proxy = await startProxy(t, echo.port, 2024);
    proxy.addToxic(latency({ latencyMs: 100, jitterMs: 50 }), { direction: 'upstream' });
    // 4 connections × 50 sequential round trips, concurrently: 200 samples in ~5 s.
    const perConnection = await Promise.all([0, 1, 2, 3].map(() => roundTrips(t, proxy.port, 50)));
    const samples = perConnection.flat();
    assert.equal(samples.length, 200);
    for (const ms of samples) {
      assert.ok(ms >= 50 - 1, `round trip ${ms.toFixed(1)} ms is shorter than the 50 ms minimum delay`);
      assert.ok(ms <= 150 + SCHEDULING_MARGIN_MS, `round trip ${ms.toFixed(1)} ms exceeds 150 ms + margin`);
    }
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    assert.ok(Math.abs(mean - 100) <= 15, `mean ${mean.toFixed(1)} ms`);
    // The drawn delays themselves are within the hard bounds, and no message arrived before its draw.
    const draws = proxy.decisions().filter((d) => d.what === 'delay');
    assert.ok(draws.length >= 200); // plus one per FIN when the clients close
    for (const d of draws) assert.ok(d.value >= 50 && d.value <= 150, `draw ${d.value}`);
  });

  it('never lets a later chunk overtake an earlier one (jitter as large as the mean)', async (t) => {
    const proxy = await startProxy(t, echo.port, 5);
    proxy.addToxic(latency({ latencyMs: 20, jitterMs: 20 }));
    const socket = await client(proxy.port, t);
    const got = new Collector(socket);
    const sent: Buffer[] = [];
    for (let i = 0; i < 300; i++) {
      const message = Buffer.alloc(4);
      message.writeUInt32BE(i);
      sent.push(message);
      socket.write(message);
      if (i % 3 === 0) await sleep(1); // separate chunks, so that each draws its own delay
    }
    const expected = Buffer.concat(sent);
    await got.waitFor(expected.length);
    assert.ok(got.bytes().equals(expected));
    assert.ok(proxy.decisions().length > 100, 'expected many separately delayed chunks');
  });

  it('correlation keeps successive delays close and inside the bounds', async (t) => {
    const proxy = await startProxy(t, echo.port, 9);
    proxy.addToxic(latency({ latencyMs: 10, jitterMs: 10, correlation: 0.9 }), { direction: 'upstream' });
    await roundTrips(t, proxy.port, 40);
    const draws = proxy.decisions().map((d) => d.value);
    const steps = draws.slice(1).map((v, i) => Math.abs(v - draws[i]!));
    const meanStep = steps.reduce((a, b) => a + b, 0) / steps.length;
    // Uncorrelated uniform draws on [0, 20] differ by 6.7 ms on average; with c = 0.9 by at most 2.
    assert.ok(meanStep < 2, `mean step ${meanStep.toFixed(2)} ms`);
    for (const v of draws) assert.ok(v >= 0 && v <= 20);
  });

  it('removing the toxic releases held bytes at once, in order', async (t) => {
    const proxy = await startProxy(t, echo.port, 3);
    const id = proxy.addToxic(latency({ latencyMs: 10_000 }));
    const socket = await client(proxy.port, t);
    const got = new Collector(socket);
    const data = payload(50_000);
    socket.write(data);
    await sleep(100);
    assert.equal(got.length, 0);
    const removedAt = now();
    await proxy.removeToxic(id);
    await got.waitFor(data.length);
    assert.ok(now() - removedAt < 5_000);
    assert.ok(got.bytes().equals(data));
  });
});

/** Sequential 16-byte request/echo round trips on one connection; returns each round trip in ms. */
async function roundTrips(t: Teardown, port: number, count: number): Promise<number[]> {
  const socket = await client(port, t);
  const got = new Collector(socket);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = now();
    socket.write(Buffer.alloc(16, i));
    await got.waitFor((i + 1) * 16);
    times.push(now() - started);
  }
  socket.destroy();
  return times;
}

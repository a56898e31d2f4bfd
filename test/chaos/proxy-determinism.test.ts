/** Same seed + same byte stream → same decisions; another seed → different ones. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Socket } from 'node:net';
import { latency, loss, slicer, type ChaosProxy, type Decision } from '../../src/chaos/proxy/index.js';
import { Collector, client, startProxy, tcpServer, type Teardown } from './proxy-harness.js';

/** Replies `ack:<line>\n` in one write per complete line, so chunking is reproducible on both hops. */
function lineAcker(socket: Socket): void {
  let pending = '';
  socket.on('data', (c: Buffer) => {
    pending += c.toString('latin1');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      socket.write(`ack:${pending.slice(0, nl)}\n`);
      pending = pending.slice(nl + 1);
    }
  });
}

async function run(t: Teardown, seed: number): Promise<readonly Decision[]> {
  const server = await tcpServer(lineAcker, t);
  const proxy: ChaosProxy = await startProxy(t, server.port, seed);
  proxy.addToxic(latency({ latencyMs: 3, jitterMs: 3, correlation: 0.3 }));
  proxy.addToxic(loss({ percent: 20, initialRtoMs: 2 }));
  proxy.addToxic(slicer({ sizeBytes: 64, variationBytes: 32 }));
  const socket = await client(proxy.port, t);
  const got = new Collector(socket);
  let expected = 0;
  for (let i = 0; i < 40; i++) {
    const line = `${String(i).padStart(3, '0')}:${'x'.repeat(496)}\n`;
    socket.write(line);
    expected += 4 + line.length;
    await got.waitFor(expected);
  }
  return proxy.decisions(); // read before closing: a FIN would add a decision at an arbitrary moment
}

describe('determinism', { timeout: 60_000 }, () => {
  it('two proxies with the same seed make the same decisions; another seed differs', async (t) => {
    const first = await run(t, 1234);
    const second = await run(t, 1234);
    const other = await run(t, 4321);
    const kinds = new Set(first.map((d) => d.what));
    assert.deepEqual([...kinds].sort(), ['delay', 'slice', 'stall'], 'every toxic should have decided something');
    assert.deepEqual(second, first);
    assert.notDeepEqual(other, first);
  });
});

/** The proxy without toxics: bytes, backpressure, FIN and RST propagation, HTTP, teardown. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { latency, idleCut } from '../../src/chaos/proxy/index.js';
import { Collector, client, closedWith, connectError, payload, sleep, startProxy, tcpServer, type TestServer } from './proxy-harness.js';

describe('ChaosProxy without toxics', { timeout: 60_000 }, () => {
  let echo: TestServer;
  before(async () => (echo = await tcpServer()));
  after(() => echo.close());

  it('passes bytes unchanged both ways', async (t) => {
    const proxy = await startProxy(t, echo.port);
    const socket = await client(proxy.port, t);
    const got = new Collector(socket);
    const data = payload(1_000_003);
    socket.write(data);
    await got.waitFor(data.length);
    assert.ok(got.bytes().equals(data));
    const stats = proxy.stats();
    assert.equal(stats.bytes.upstream.delivered, data.length);
    assert.equal(stats.bytes.downstream.delivered, data.length);
    assert.equal(stats.connections.opened, 1);
  });

  it('moves 10 MB intact and pauses the sender while the receiver does not read', async (t) => {
    // How much loopback buffers in the kernel on one hop here: the proxy may read at most about
    // that much more than the server took, or it ignored backpressure.
    const kernel = await kernelBuffering();
    const size = Math.max(10 * 1024 * 1024, 3 * kernel);
    const received: Buffer[] = [];
    let serverSocket: Socket | undefined;
    const sink = await tcpServer((s) => {
      serverSocket = s;
      s.pause();
      s.on('data', (c: Buffer) => received.push(c));
    }, t);
    const proxy = await startProxy(t, sink.port);
    const socket = await client(proxy.port, t);
    const data = payload(size, 3);
    socket.write(data);
    await sleep(500);
    const readByProxy = proxy.stats().bytes.upstream.received;
    assert.ok(readByProxy < kernel + 1024 * 1024, `proxy read ${readByProxy} B while the server read nothing (kernel buffers ~${kernel} B)`);
    serverSocket!.resume();
    socket.end();
    await once(serverSocket!, 'end');
    assert.ok(Buffer.concat(received).equals(data));
  });

  it('propagates FIN both ways and keeps the half-open direction working', async (t) => {
    const proxy = await startProxy(t, echo.port);
    const socket = await client(proxy.port, t);
    const got = new Collector(socket);
    socket.write('hello');
    await got.waitFor(5);
    const serverSide = echo.sockets.at(-1)!;
    const serverEnded = once(serverSide, 'end');
    socket.end(); // client FIN → server 'end'; the echo pipe then ends its side → client 'end'
    await serverEnded;
    await once(socket, 'end');
    assert.equal(got.bytes().toString(), 'hello');
    await once(socket, 'close');
    assert.equal(got.error, undefined);
  });

  it('delivers server bytes after the client half-closed, then the server FIN', async (t) => {
    const server = await tcpServer((s) => s.on('end', () => s.end('bye after your FIN')), t);
    const proxy = await startProxy(t, server.port);
    const socket = await client(proxy.port, t);
    const got = new Collector(socket);
    socket.end();
    await once(socket, 'end');
    assert.equal(got.bytes().toString(), 'bye after your FIN');
  });

  it('propagates an RST from the server as a reset to the client, and from the client to the server', async (t) => {
    const server = await tcpServer((s) => s.once('data', () => s.resetAndDestroy()), t);
    const proxy = await startProxy(t, server.port);
    const socket = await client(proxy.port, t);
    socket.write('x');
    assert.equal((await closedWith(socket))?.code, 'ECONNRESET');

    const quiet = await tcpServer(() => undefined, t);
    const proxy2 = await startProxy(t, quiet.port);
    const socket2 = await client(proxy2.port, t);
    socket2.write('y');
    while (quiet.sockets.length === 0) await sleep(5);
    const serverSide = quiet.sockets[0]!;
    const serverClosed = closedWith(serverSide);
    socket2.resetAndDestroy();
    assert.equal((await serverClosed)?.code, 'ECONNRESET');
    await sleep(20);
    assert.equal(proxy2.stats().connections.reset, 1);
  });

  it('resets the client when the upstream refuses the connection', async (t) => {
    const gone = await tcpServer();
    const port = gone.port;
    await gone.close();
    const proxy = await startProxy(t, port);
    const socket = await client(proxy.port, t);
    assert.equal((await closedWith(socket))?.code, 'ECONNRESET');
  });

  it('serves a real HTTP server through url(), bodies identical', async (t) => {
    const body = payload(300_000, 11);
    const http = createHttpServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => res.end(req.method === 'POST' ? Buffer.concat(parts) : body));
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const port = (http.address() as { port: number }).port;
    const proxy = await startProxy(t, port);
    const target = `http://127.0.0.1:${port}/some/path?q=1`;
    assert.equal(proxy.url(target), `http://127.0.0.1:${proxy.port}/some/path?q=1`);
    const got = Buffer.from(await (await fetch(proxy.url(target))).arrayBuffer());
    assert.ok(got.equals(body));
    const posted = Buffer.from(await (await fetch(proxy.url(target), { method: 'POST', body: payload(70_001, 5) })).arrayBuffer());
    assert.ok(posted.equals(payload(70_001, 5)));
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });

  it('close() destroys every connection, clears toxic timers and closes the listener', async (t) => {
    await sleep(20);
    const baseline = resources();
    const proxy = await startProxy(t, echo.port);
    const sockets = await Promise.all([client(proxy.port, t), client(proxy.port, t), client(proxy.port, t)]);
    proxy.addToxic(latency({ latencyMs: 5_000 }));
    proxy.addToxic(idleCut({ idleMs: 60_000 }));
    for (const s of sockets) s.write('held in the latency queue');
    await sleep(50);
    assert.equal(proxy.stats().connections.active, 3);
    const seen = sockets.map((s) => new Collector(s));
    await proxy.close();
    await proxy.close(); // idempotent
    // Each client sees its connection end (FIN, or RST when bytes were unread); it then closes its side.
    while (!seen.every((c) => c.ended || c.error)) await sleep(5);
    for (const s of sockets) s.destroy();
    assert.equal(proxy.stats().connections.active, 0);
    assert.equal((await connectError(proxy.port))?.code, 'ECONNREFUSED');
    await sleep(20);
    const left = resources();
    // At most the baseline: handles of earlier tests may still have been closing when it was taken.
    assert.ok((left.Timeout ?? 0) <= (baseline.Timeout ?? 0), 'timers left behind');
    assert.ok((left.TCPServerWrap ?? 0) <= (baseline.TCPServerWrap ?? 0), 'listener left open');
    assert.ok((left.TCPSocketWrap ?? 0) <= (baseline.TCPSocketWrap ?? 0), 'sockets left open');
  });
});

function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

/** Bytes one loopback hop buffers in the kernel when the receiver reads nothing. */
async function kernelBuffering(): Promise<number> {
  const server = await tcpServer((s) => s.pause());
  const socket = await client(server.port);
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  const pump = () => {
    while (written < 64 * 1024 * 1024 && socket.write(chunk)) written += chunk.length;
  };
  socket.on('drain', pump);
  pump();
  await sleep(300);
  const accepted = written - socket.writableLength;
  socket.destroy();
  await server.close();
  return accepted;
}

/** Connection-level toxics: reset, blackhole, down, idle-cut — what the client sees. */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { blackhole, down, idleCut, reset } from '../../src/chaos/proxy/index.js';
import { Collector, client, closedWith, connectError, sleep, startProxy, tcpServer, type TestServer } from './proxy-harness.js';

describe('connection-level toxics', { timeout: 60_000 }, () => {
  let echo: TestServer;
  before(async () => (echo = await tcpServer()));
  after(() => echo.close());

  it('reset (scope all): an open connection gets ECONNRESET on both sides', async (t) => {
    const proxy = await startProxy(t, echo.port);
    const socket = await client(proxy.port, t);
    const got = new Collector(socket);
    socket.write('ping');
    await got.waitFor(4);
    const serverSide = closedWith(echo.sockets.at(-1)!);
    proxy.addToxic(reset());
    assert.equal((await closedWith(socket))?.code, 'ECONNRESET');
    assert.equal((await serverSide)?.code, 'ECONNRESET');
    await sleep(10);
    assert.equal(proxy.stats().connections.reset, 1);
  });

  it('reset (scope new): a new connection is reset; existing ones live on', async (t) => {
    const proxy = await startProxy(t, echo.port);
    const old = await client(proxy.port, t);
    const oldGot = new Collector(old);
    proxy.addToxic(reset(), { scope: 'new' });
    // The kernel completes the handshake, so the RST reaches the client either as a failed
    // connect or as a failed first read: ECONNRESET in both cases.
    const fresh = connect({ host: '127.0.0.1', port: proxy.port });
    assert.equal((await closedWith(fresh))?.code, 'ECONNRESET');
    old.write('still here');
    await oldGot.waitFor(10);
    assert.equal(oldGot.bytes().toString(), 'still here');
  });

  it('reset afterBytes: the first N bytes pass, then both sides are reset', async (t) => {
    const received: Buffer[] = [];
    const sink = await tcpServer((s) => s.on('data', (c: Buffer) => received.push(c)), t);
    const proxy = await startProxy(t, sink.port);
    proxy.addToxic(reset({ afterBytes: 1_000 }), { direction: 'upstream' });
    const socket = await client(proxy.port, t);
    socket.write(Buffer.alloc(600, 1));
    await sleep(20);
    socket.write(Buffer.alloc(600, 2));
    assert.equal((await closedWith(socket))?.code, 'ECONNRESET');
    assert.equal(Buffer.concat(received).length, 1_000);
  });

  it('reset afterMs: the connection works, then is reset after the delay', async (t) => {
    const proxy = await startProxy(t, echo.port);
    proxy.addToxic(reset({ afterMs: 200 }));
    const socket = await client(proxy.port, t);
    const got = new Collector(socket);
    const started = performance.now();
    socket.write('ok');
    await got.waitFor(2);
    assert.equal((await closedWith(socket))?.code, 'ECONNRESET');
    assert.ok(performance.now() - started >= 199);
  });

  it('blackhole: no answer within 1 s, the socket stays open; afterwards the connection works again', async (t) => {
    const proxy = await startProxy(t, echo.port);
    const socket = await client(proxy.port, t);
    const got = new Collector(socket);
    const id = proxy.addToxic(blackhole());
    socket.write('request into the void');
    await sleep(1_000);
    assert.equal(got.length, 0, 'something arrived through a blackhole');
    assert.equal(got.ended || got.closed || got.error !== undefined, false, 'the socket did not stay open');
    assert.equal(socket.readyState, 'open');
    await proxy.removeToxic(id);
    socket.write('after');
    await got.waitFor(5);
    // What was swallowed is lost, like a blackhole; the stream resumes with what follows.
    assert.equal(got.bytes().toString(), 'after');
  });

  it('down: new connections are refused, existing ones reset; after stop the same port listens again', async (t) => {
    const proxy = await startProxy(t, echo.port);
    const port = proxy.port;
    const existing = await client(port, t);
    const id = proxy.addToxic(down());
    assert.equal((await closedWith(existing))?.code, 'ECONNRESET');
    assert.equal((await connectError(port))?.code, 'ECONNREFUSED');
    await proxy.removeToxic(id);
    assert.equal(proxy.port, port);
    const socket = await client(port, t);
    const got = new Collector(socket);
    socket.write('back');
    await got.waitFor(4);
    assert.equal(got.bytes().toString(), 'back');
  });

  it('idle-cut: an idle connection is closed with FIN, an active one is not', async (t) => {
    const proxy = await startProxy(t, echo.port);
    proxy.addToxic(idleCut({ idleMs: 300 }));
    const idle = new Collector(await client(proxy.port, t));
    const active = new Collector(await client(proxy.port, t));
    const started = performance.now();
    for (let i = 0; i < 10; i++) {
      active.socket.write('.');
      await sleep(100);
    }
    assert.ok(idle.ended, 'the idle connection was not closed');
    assert.equal(idle.error, undefined, 'FIN expected, not RST');
    assert.equal(active.ended || active.closed, false, 'the active connection was closed');
    assert.equal(active.length, 10);
    assert.ok(performance.now() - started >= 300);
    assert.equal(proxy.decisions().filter((d) => d.what === 'close').length, 1);
  });

  it('idle-cut with rst: the idle connection is reset', async (t) => {
    const proxy = await startProxy(t, echo.port);
    proxy.addToxic(idleCut({ idleMs: 100, rst: true }));
    const socket = await client(proxy.port, t);
    assert.equal((await closedWith(socket))?.code, 'ECONNRESET');
  });
});

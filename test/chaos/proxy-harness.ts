/**
 * Real-socket helpers for the proxy tests: an echo server, a scriptable TCP server, connected
 * clients, and a byte collector. Everything listens on 127.0.0.1 ephemeral ports.
 */
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createRng } from '../../src/chaos/rng.js';
import { ChaosProxy } from '../../src/chaos/proxy/index.js';

export interface TestServer {
  readonly port: number;
  readonly server: Server;
  /** Sockets the server accepted, in order. */
  readonly sockets: Socket[];
  close(): Promise<void>;
}

/** A TCP server; `onSocket` scripts it (default: echo). allowHalfOpen so FIN can be observed. */
export async function tcpServer(onSocket: (s: Socket) => void = (s) => s.pipe(s), t?: Teardown): Promise<TestServer> {
  const sockets: Socket[] = [];
  const server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    onSocket(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
    return closing;
  };
  t?.after(close);
  return { port: address.port, server, sockets, close };
}

/** Anything with an `after` hook: a node:test TestContext. Cleanup then runs even when an assertion fails. */
export interface Teardown {
  after(fn: () => unknown): void;
}

export async function startProxy(t: Teardown, upstreamPort: number, seed = 1): Promise<ChaosProxy> {
  const proxy = await ChaosProxy.start({ upstream: { host: '127.0.0.1', port: upstreamPort }, rng: createRng(seed) });
  t.after(() => proxy.close());
  return proxy;
}

export async function client(port: number, t?: Teardown): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true, noDelay: true });
  t?.after(() => socket.destroy());
  // Teardown may reset a socket nobody listens to any more; tests that care attach their own listener.
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

/** The error a connect attempt fails with (or undefined when it connects). */
export async function connectError(port: number): Promise<NodeJS.ErrnoException | undefined> {
  const socket = connect({ host: '127.0.0.1', port });
  try {
    await once(socket, 'connect');
    socket.destroy();
    return undefined;
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
}

/** Collects what a socket reads; resolves waits on byte counts and records how the socket ended. */
export class Collector {
  readonly chunks: Buffer[] = [];
  length = 0;
  ended = false;
  error: NodeJS.ErrnoException | undefined;
  closed = false;
  private waiters: Array<{ n: number; resolve: () => void }> = [];

  constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.length += c.length;
      this.waiters = this.waiters.filter((w) => (this.length >= w.n ? (w.resolve(), false) : true));
    });
    socket.on('end', () => (this.ended = true));
    socket.on('error', (e) => (this.error = e));
    socket.on('close', () => (this.closed = true));
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Resolves when at least `n` bytes were read in total. */
  waitFor(n: number): Promise<void> {
    if (this.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
}

/** Resolves with the socket's error (or undefined if it closed without one). */
export async function closedWith(socket: Socket): Promise<NodeJS.ErrnoException | undefined> {
  let error: NodeJS.ErrnoException | undefined;
  socket.on('error', (e) => (error = e));
  // Not events.once(): it would reject on the 'error' we want to report.
  if (!socket.closed) await new Promise((resolve) => socket.once('close', resolve));
  return error;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const now = () => performance.now();

/** Deterministic pseudo-random bytes (the content is irrelevant, only its identity is checked). */
export function payload(size: number, seed = 7): Buffer {
  const rng = createRng(seed);
  const buf = Buffer.allocUnsafe(Math.ceil(size / 4) * 4);
  for (let i = 0; i < size; i += 4) buf.writeUInt32LE(Math.floor(rng() * 0x1_0000_0000), i);
  return buf.subarray(0, size);
}

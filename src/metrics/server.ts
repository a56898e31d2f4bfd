/**
 * A tiny HTTP endpoint for Prometheus: GET /metrics (text exposition format) and GET /healthz.
 * Port 0 picks an ephemeral port; `close()` is idempotent.
 *
 * The source is a Registry, or a function returning the current one — so one endpoint can serve
 * a suite whose runs each get a fresh registry (between runs, when it returns undefined, /metrics
 * answers 200 with an empty exposition rather than marking the target down).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

export interface MetricsServer {
  /** Base URL, e.g. `http://127.0.0.1:9464`; scrape `${url}/metrics`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export type RegistrySource = Registry | (() => Registry | undefined);

export async function startMetricsServer(source: RegistrySource, port: number, host = '127.0.0.1'): Promise<MetricsServer> {
  const current = typeof source === 'function' ? source : () => source;
  const server = createServer((req, res) => {
    void handle(current(), req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${bound}`,
    port: bound,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function handle(registry: Registry | undefined, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { allow: 'GET, HEAD' });
    return;
  }
  if (path === '/metrics') {
    try {
      send(res, 200, registry?.contentType ?? PROMETHEUS_TEXT, registry ? await registry.metrics() : '');
    } catch (error) {
      send(res, 500, 'text/plain; charset=utf-8', `metrics collection failed: ${String(error)}\n`);
    }
    return;
  }
  if (path === '/healthz') {
    send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
    return;
  }
  send(res, 404, 'text/plain; charset=utf-8', 'not found: try /metrics or /healthz\n');
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * Real MCP servers for integration tests: server-everything over stdio, Streamable HTTP and SSE,
 * over WebSocket through supergateway, and the fixture servers in test/fixtures/servers/. Each
 * helper hands back an Endpoint plus kill/restart/stop; call stop() in after()/t.after.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTcpPipe } from '../../src/stack/tcp-pipe.js';
import { freePort, spawnServer, waitForListening } from '../../src/target/process.js';
import type { Endpoint, ServerProcess, TransportKind } from '../../src/target/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
export const FIXTURES = resolve(here, '../fixtures/servers');
export const EVERYTHING_BIN = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
export const SUPERGATEWAY_BIN = require.resolve('supergateway/dist/index.js');
const LOG_DIR = join(tmpdir(), 'mcp-reliability-tests');
const READY_MS = 60_000;

export interface TestServer {
  endpoint: Endpoint;
  /** Network servers: the port they listen on (kept across restarts). */
  port?: number;
  /** Every process started so far (stdio: one per connection). */
  processes: ServerProcess[];
  /** The newest process. */
  current(): ServerProcess | undefined;
  /** SIGKILL the newest process (and its group); resolves when it has exited. */
  kill(): Promise<void>;
  /** Network servers: start again on the same port and wait until it listens. Stdio: nothing to do. */
  restart(): Promise<void>;
  /** Stop every process this server started. Idempotent. */
  stop(): Promise<void>;
}

function logPath(label: string): string {
  mkdirSync(LOG_DIR, { recursive: true });
  return join(LOG_DIR, `${label}-${process.pid}.stderr.log`);
}

function makeServer(endpoint: Endpoint, processes: ServerProcess[], start: (() => Promise<void>) | null, port?: number): TestServer {
  const current = () => processes[processes.length - 1];
  return {
    endpoint,
    port,
    processes,
    current,
    kill: async () => {
      const p = current();
      if (!p) return;
      p.signal('SIGKILL');
      await p.exited;
    },
    restart: async () => {
      if (start) await start();
    },
    stop: async () => {
      await Promise.all(processes.map((p) => p.stop(2000)));
    },
  };
}

/** A stdio server: the session spawns `node script args` afresh for every connection. */
export function stdioServer(label: string, script: string, args: string[] = [], env: Record<string, string> = {}): TestServer {
  const processes: ServerProcess[] = [];
  const endpoint: Endpoint = {
    transport: 'stdio',
    label,
    openStdio: async () => {
      const p = await spawnServer({ command: process.execPath, args: [script, ...args], env, stderrPath: logPath(label), label });
      processes.push(p);
      return p;
    },
  };
  return makeServer(endpoint, processes, null);
}

/** A network server started as `node script args` with PORT in env, ready once `url` accepts connections. */
async function networkServer(label: string, kind: TransportKind, argv: (port: number) => string[], path: string, env: Record<string, string> = {}, scheme = 'http'): Promise<TestServer> {
  const port = await freePort();
  const url = `${scheme}://127.0.0.1:${port}${path}`;
  const processes: ServerProcess[] = [];
  const start = async () => {
    const p = await spawnServer({ command: process.execPath, args: argv(port), env: { ...env, PORT: String(port) }, stderrPath: logPath(label), label });
    processes.push(p);
    await waitForListening(url.replace(/^ws/, 'http'), READY_MS, () => p.isRunning());
  };
  const server = makeServer({ transport: kind, url, label }, processes, start, port);
  try {
    await start();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/** server-everything over stdio behind the tcp byte pipe (`mcp-reliability pipe`): one server process per connection. */
async function tcpPipedServer(label: string, script: string, args: string[] = [], env: Record<string, string> = {}): Promise<TestServer> {
  const processes: ServerProcess[] = [];
  const pipe = await startTcpPipe({ host: '127.0.0.1', port: 0, command: process.execPath, args: [script, ...args], env, stderrPath: logPath(label), log: () => undefined, onSpawn: (p) => processes.push(p) });
  const server = makeServer({ transport: 'tcp', url: `tcp://127.0.0.1:${pipe.port}`, label }, processes, null, pipe.port);
  return { ...server, stop: async () => { await pipe.close(); await server.stop(); } };
}

/** server-everything on the given transport (WebSocket: bridged from stdio by supergateway; tcp: behind our byte pipe). */
export async function startEverything(kind: TransportKind): Promise<TestServer> {
  switch (kind) {
    case 'stdio':
      return stdioServer('everything-stdio', EVERYTHING_BIN, ['stdio']);
    case 'tcp':
      return tcpPipedServer('everything-tcp', EVERYTHING_BIN, ['stdio']);
    case 'streamable-http':
      return networkServer('everything-http', kind, () => [EVERYTHING_BIN, 'streamableHttp'], '/mcp');
    case 'sse':
      return networkServer('everything-sse', kind, () => [EVERYTHING_BIN, 'sse'], '/sse');
    case 'websocket':
      return networkServer(
        'everything-ws',
        kind,
        (port) => [SUPERGATEWAY_BIN, '--stdio', `${JSON.stringify(process.execPath)} ${JSON.stringify(EVERYTHING_BIN)} stdio`, '--outputTransport', 'ws', '--port', String(port), '--logLevel', 'none'],
        '/message',
        {},
        'ws',
      );
  }
}

/** A fixture from test/fixtures/servers/ over stdio. */
export function fixtureStdio(name: string, env: Record<string, string> = {}): TestServer {
  return stdioServer(`fixture-${name}`, join(FIXTURES, name), [], env);
}

/** A fixture from test/fixtures/servers/ over stdio behind the tcp byte pipe. */
export function fixtureTcp(name: string, env: Record<string, string> = {}): Promise<TestServer> {
  return tcpPipedServer(`fixture-${name}-tcp`, join(FIXTURES, name), [], env);
}

/** A fixture from test/fixtures/servers/ serving Streamable HTTP at /mcp on PORT. */
export function fixtureHttp(name: string, env: Record<string, string> = {}): Promise<TestServer> {
  return networkServer(`fixture-${name}`, 'streamable-http', () => [join(FIXTURES, name)], '/mcp', env);
}

/** An endpoint where nothing listens (a freshly freed port). */
export async function deadEndpoint(kind: Exclude<TransportKind, 'stdio' | 'tcp'> = 'streamable-http'): Promise<Endpoint> {
  const port = await freePort();
  const path = kind === 'sse' ? '/sse' : kind === 'websocket' ? '/message' : '/mcp';
  return { transport: kind, url: `${kind === 'websocket' ? 'ws' : 'http'}://127.0.0.1:${port}${path}`, label: 'nothing-listens' };
}

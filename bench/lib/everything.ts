/**
 * Start the reference MCP server (`@modelcontextprotocol/server-everything`) over Streamable HTTP
 * on a free 127.0.0.1 port, and talk to it with plain JSON-RPC POSTs (no SDK: benches and tests
 * measure the path, not a client library). Shared by bench/proxy.ts and the proxy tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';

const require = createRequire(import.meta.url);
const BIN = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');

export interface Everything {
  readonly port: number;
  /** The server's process id (for CPU and memory readings in benches). */
  readonly pid: number;
  /** http://127.0.0.1:<port>/mcp */
  readonly url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server-everything exited with ${child.exitCode} before listening`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server-everything did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

export async function startEverything(timeoutMs = 30_000): Promise<Everything> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'streamableHttp'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4_000)));
  // A bench or test that dies (uncaught exception) must not leave the server running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForPort(port, child, timeoutMs);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  return { port, pid: child.pid!, url: `http://127.0.0.1:${port}/mcp`, stop };
}

export const MCP_ACCEPT = 'application/json, text/event-stream';

export function initializeBody(id = 1, protocolVersion = '2025-06-18'): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: { name: 'mcp-reliability-bench', version: '0.1.0' } },
  });
}

/** The JSON-RPC message inside a response body, whether plain JSON or an SSE stream. */
export function jsonRpcOf(body: string): unknown {
  const data = body
    .split('\n')
    .filter((l) => l.startsWith('data:'))
    .map((l) => l.slice(5).trim());
  return JSON.parse(data.length > 0 ? data.join('') : body);
}

/**
 * initialize + notifications/initialized; returns the session headers to send with every request.
 * `protocolVersion` is the one asked for; the headers carry the one the server chose.
 */
export async function openSession(url: string, protocolVersion = '2025-06-18'): Promise<Record<string, string>> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: MCP_ACCEPT }, body: initializeBody(1, protocolVersion) });
  const text = await res.text();
  const session = res.headers.get('mcp-session-id');
  if (!res.ok || !session) throw new Error(`initialize failed: HTTP ${res.status}, session ${session}`);
  const chosen = (jsonRpcOf(text) as { result?: { protocolVersion?: unknown } }).result?.protocolVersion;
  const headers = { 'content-type': 'application/json', accept: MCP_ACCEPT, 'mcp-session-id': session, 'mcp-protocol-version': typeof chosen === 'string' ? chosen : protocolVersion };
  const note = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
  await note.text();
  return headers;
}

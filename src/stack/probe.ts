/**
 * Is an MCP server really there? Not an open port: a full `initialize` handshake and a
 * `tools/list` answer, within a deadline. The stack waits on it before a run, the compose
 * healthcheck runs it (`mcp-reliability probe <url>`) inside the server's container.
 */
import { Connection } from '../session/connection.js';
import type { Endpoint } from '../target/types.js';

export type ProbeResult =
  | { ok: true; serverName: string; serverVersion: string; protocolVersion: string; tools: string[]; handshakeMs: number }
  | { ok: false; error: string };

export async function probeMcp(endpoint: Endpoint, timeoutMs: number, clientVersion = '0'): Promise<ProbeResult> {
  const abort = new AbortController();
  const deadline = setTimeout(() => abort.abort(), timeoutMs);
  let connection: Connection | undefined;
  const noop = () => undefined;
  try {
    connection = await Connection.open({
      endpoint,
      clientName: 'mcp-reliability-probe',
      clientVersion,
      handshakeTimeoutMs: timeoutMs,
      abort: abort.signal,
      signals: { violation: noop, down: noop, sessionLost: noop, error: noop },
    });
    const remaining = Math.max(1, timeoutMs - connection.handshakeMs);
    const listed = await connection.client.listTools(undefined, { timeout: remaining, signal: abort.signal });
    const info = connection.serverInfo;
    return { ok: true, serverName: info.name, serverVersion: info.version, protocolVersion: connection.protocolVersion, tools: listed.tools.map((t) => t.name), handshakeMs: Math.round(connection.handshakeMs) };
  } catch (err) {
    return { ok: false, error: abort.signal.aborted ? `no MCP answer within ${timeoutMs} ms (${(err as Error).message})` : (err as Error).message };
  } finally {
    clearTimeout(deadline);
    await connection?.close('graceful').catch(() => undefined);
  }
}

/** Probe until it answers or `timeoutMs` is over; the last failure says why. */
export async function waitForMcp(endpoint: Endpoint, timeoutMs: number, opts: { intervalMs?: number; attemptMs?: number; signal?: AbortSignal } = {}): Promise<ProbeResult> {
  const until = Date.now() + timeoutMs;
  let last: ProbeResult = { ok: false, error: 'not probed yet' };
  while (Date.now() < until && !opts.signal?.aborted) {
    last = await probeMcp(endpoint, Math.min(opts.attemptMs ?? 5_000, Math.max(500, until - Date.now())));
    if (last.ok) return last;
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 1_000));
  }
  return last.ok ? last : { ok: false, error: `no MCP answer within ${Math.round(timeoutMs / 1000)} s: ${last.error}` };
}

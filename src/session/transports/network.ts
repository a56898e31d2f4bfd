/**
 * The SDK's network transports (Streamable HTTP, legacy SSE, WebSocket) with a tapping `fetch`
 * that turns HTTP-level facts into session signals: connection errors, and 404/400 for our session.
 */
import { setMaxListeners } from 'node:events';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import type { FetchLike, Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import WebSocketImpl from 'ws';
import type { TransportKind } from '../../target/types.js';
import type { DisconnectReason } from '../types.js';

export interface NetworkSignals {
  /** A network failure on a live request: the connection is presumably dead. */
  down(reason: DisconnectReason, detail: string): void;
  /** The server no longer knows our session (HTTP 404, or the 400 some servers send). */
  sessionLost(status: number, detail: string): void;
}

export interface NetworkTransport {
  transport: Transport;
  /** Graceful end: Streamable HTTP sends DELETE for the session first (bounded), then closes. */
  closeGraceful(): Promise<void>;
  /** Abrupt end: no goodbye (WebSocket: terminate the socket; HTTP: abort in-flight requests). */
  closeAbrupt(): Promise<void>;
}

/**
 * The SDK's Streamable HTTP transport reuses one AbortSignal for every fetch, and undici adds an
 * abort listener per request: under load that trips MaxListenersExceededWarning though nothing
 * leaks (NOTES). Lift the limit on exactly those signals, nothing global.
 */
const quieted = new WeakSet<AbortSignal>();
export function quietAbortListeners(signal: AbortSignal | null | undefined): void {
  if (!signal || quieted.has(signal)) return;
  quieted.add(signal);
  setMaxListeners(0, signal);
}

export function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (err as { code?: string }).code;
  const extra = cause?.message && cause.message !== err.message ? `: ${cause.message}` : '';
  return `${err.message}${code ? ` (${code})` : ''}${extra}`;
}

function hasSessionHeader(init: RequestInit | undefined): boolean {
  const h = init?.headers;
  if (!h) return false;
  if (h instanceof Headers) return h.has('mcp-session-id');
  if (Array.isArray(h)) return h.some(([k]) => k?.toLowerCase() === 'mcp-session-id');
  return Object.keys(h).some((k) => k.toLowerCase() === 'mcp-session-id');
}

/**
 * `fetch` as the SDK transports call it, watched. Streamable HTTP: a POST carrying our
 * Mcp-Session-Id answered 404 (spec) or 400 naming the session (some servers) = session lost.
 * SSE: a POST to the message endpoint answered 404/400 = the server forgot our session.
 */
export function tappedFetch(kind: TransportKind, signals: NetworkSignals): FetchLike {
  return async (url, init) => {
    quietAbortListeners(init?.signal);
    let res: Response;
    try {
      res = await fetch(url, init);
    } catch (err) {
      if (!init?.signal?.aborted) signals.down('connection-error', describeNetworkError(err));
      throw err;
    }
    if (res.status === 404 || res.status === 400) {
      // Only a POST tells: a GET answered 404 may just mean the server offers no stream there
      // (it should say 405); a session that is really gone shows on the next POST.
      const ours = init?.method === 'POST' && (kind !== 'streamable-http' || hasSessionHeader(init));
      if (ours) {
        const body = await res
          .clone()
          .text()
          .catch(() => '');
        // A 400 is session loss only when the server says so; otherwise it is some other bad request.
        if (res.status === 404 || /session/i.test(body)) signals.sessionLost(res.status, `HTTP ${res.status}: ${body.slice(0, 200)}`);
      }
    }
    return res;
  };
}

/** Node 20 has no global WebSocket; the SDK's WebSocket transport needs one. Set it only if absent. */
function ensureWebSocketGlobal(): void {
  const g = globalThis as { WebSocket?: unknown };
  if (typeof g.WebSocket === 'undefined') g.WebSocket = WebSocketImpl;
}

async function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

export function createNetworkTransport(kind: Exclude<TransportKind, 'stdio'>, url: string, headers: Record<string, string> | undefined, signals: NetworkSignals): NetworkTransport {
  const target = new URL(url);
  const requestInit: RequestInit | undefined = headers ? { headers } : undefined;
  if (kind === 'streamable-http') {
    const t = new StreamableHTTPClientTransport(target, { fetch: tappedFetch(kind, signals), requestInit });
    return {
      transport: t,
      closeGraceful: async () => {
        await bounded(t.terminateSession(), 1000);
        await bounded(t.close(), 1000);
      },
      closeAbrupt: () => bounded(t.close(), 1000),
    };
  }
  if (kind === 'sse') {
    const t = new SSEClientTransport(target, { fetch: tappedFetch(kind, signals), requestInit });
    const close = () => bounded(t.close(), 1000);
    return { transport: t, closeGraceful: close, closeAbrupt: close };
  }
  ensureWebSocketGlobal();
  const t = new WebSocketClientTransport(target);
  return {
    transport: t,
    closeGraceful: () => bounded(t.close(), 1000),
    closeAbrupt: async () => {
      // The SDK keeps its socket private; `ws` sockets can be destroyed without a closing handshake.
      const socket = (t as unknown as { _socket?: { terminate?: () => void; close(): void } })._socket;
      if (socket?.terminate) socket.terminate();
      else await bounded(t.close(), 1000);
    },
  };
}

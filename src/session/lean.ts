/**
 * The lean load path (Streamable HTTP): `tools/call` POSTed on keep-alive sockets (lean-http.ts:
 * `concurrency` connections, one request at a time each) on the session's own Mcp-Session-Id, so
 * the load generator is not the bottleneck (the SDK Client costs ~1 ms CPU per call).
 * Still correct MCP: session and version headers, JSON or SSE bodies, and the answer must be a
 * JSON-RPC response carrying our id. No zod on this path: plain checks.
 *
 * The hot path does per request only what a request needs: the URL is parsed and the request head
 * built once per session (not per call), the body is two string concatenations around the
 * arguments' JSON (serialized once per call, replays included), the reply's chunks are joined by
 * one Buffer concat and parsed by one JSON.parse, and a success runs no regex. One listener on the
 * run's end signal serves every request in flight (not one each).
 */
import { HTTP_OWN_HEADERS, HttpPool, requestHead, type HttpExchange } from './lean-http.js';
import type { HttpSessionInfo } from './connection.js';
import { errorLikeText } from './outcomes.js';
import type { CallResult, RequestOutcome, SessionEvent, ViolationKind } from './types.js';

export interface LeanTarget extends HttpSessionInfo {
  /** Report a failure that may mean the session is dead; the session decides. */
  failed(kind: 'connection' | 'timeout' | 'session-lost', detail: string, status?: number): void;
}

/** A `request` event as the lean path reports it (the session stamps `type` and `at`). */
export type LeanRequestEvent = Omit<Extract<SessionEvent, { type: 'request' }>, 'type' | 'at'>;

export interface LeanHost {
  requestTimeoutMs: number;
  /** A request refused for an expired session is sent again on the fresh one (else it is lost). */
  replayOnExpiry?: boolean;
  /** Aborted at the run's hard end: requests in flight are abandoned (timeouts). */
  endSignal?: AbortSignal;
  /** The live session, or null while it is down. */
  target(): LeanTarget | null;
  waitTarget(timeoutMs: number): Promise<LeanTarget | null>;
  report(event: LeanRequestEvent): void;
  violation(kind: ViolationKind, sample: string): void;
}

export interface LeanCallOptions {
  timeoutMs?: number;
  role?: string;
}

export interface LeanCaller {
  call(name: string, args?: Record<string, unknown>, opts?: LeanCallOptions): Promise<CallResult>;
  /** Frees the keep-alive sockets (a later call opens new ones); a call still in flight is abandoned. */
  close(): void;
}

export type Verdict = { outcome: RequestOutcome; error?: string; result?: unknown; wrongId?: string; flags?: Pick<LeanRequestEvent, 'abandoned' | 'replayed' | 'lostToExpiry'> };

/** One SSE event's data (its `data:` lines joined by \n), parsed; a non-JSON event is not ours. */
function pushEvent(out: unknown[], data: string): void {
  try {
    out.push(JSON.parse(data));
  } catch {
    // a non-JSON event (a priming event with empty data, a comment-only event) is not ours
  }
}

/** The JSON-RPC messages in a JSON body (object or batch) or an SSE body (`data:` lines per event). */
export function messagesOf(contentType: string, body: string): unknown[] {
  if (contentType.includes('text/event-stream')) {
    const out: unknown[] = [];
    // One pass over the lines with indexOf (no split, no regex); the common event has one data line.
    let data: string | null = null;
    let pos = 0;
    const n = body.length;
    while (pos <= n) {
      let nl = body.indexOf('\n', pos);
      if (nl === -1) nl = n;
      const end = nl > pos && body.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (end === pos) {
        // a blank line ends the event
        if (data !== null && data !== '') pushEvent(out, data);
        data = null;
      } else if (body.startsWith('data:', pos)) {
        const from = pos + (body.charCodeAt(pos + 5) === 32 ? 6 : 5);
        const line = body.slice(from, end);
        data = data === null ? line : `${data}\n${line}`;
      }
      pos = nl + 1;
    }
    if (data !== null && data !== '') pushEvent(out, data);
    return out;
  }
  const parsed: unknown = JSON.parse(body);
  return Array.isArray(parsed) ? parsed : [parsed];
}

/** Our answer among the messages: a JSON-RPC 2.0 response with exactly our id. */
export function judgeReply(id: string, messages: unknown[]): Verdict {
  let stray: string | undefined;
  for (const m of messages) {
    if (typeof m !== 'object' || m === null) continue;
    const msg = m as { jsonrpc?: unknown; id?: unknown; result?: unknown; error?: unknown; method?: unknown };
    if (msg.method !== undefined || (msg.result === undefined && msg.error === undefined)) continue; // notification/request
    if (msg.id !== id) {
      stray ??= JSON.stringify(m).slice(0, 200);
      continue;
    }
    if (msg.jsonrpc !== '2.0') return { outcome: 'error', error: 'response is not JSON-RPC 2.0' };
    if (typeof msg.error === 'object' && msg.error !== null) {
      const e = msg.error as { code?: unknown; message?: unknown };
      return { outcome: 'error', error: `MCP error ${String(e.code)}: ${String(e.message)}` };
    }
    if (typeof msg.result !== 'object' || msg.result === null) return { outcome: 'error', error: 'response result is not an object' };
    const result = msg.result as { isError?: unknown };
    if (result.isError === true) return { outcome: 'tool-error', error: 'tool returned isError', result };
    return { outcome: 'ok', result };
  }
  if (stray !== undefined) return { outcome: 'error', error: `no response with id ${id}; got one for another id`, wrongId: stray };
  return { outcome: 'error', error: `no JSON-RPC response with id ${id} in the reply` };
}

/**
 * Whether errorLikeText() could match (its pattern is anchored: optional whitespace, then error,
 * exception, failed, failure, fatal, traceback or [error]): false when the first text block starts
 * with a visible ASCII character and a second one that begin none of those words, so a plain
 * success ("Echo: hi") runs no regex. Conservative: whitespace or a non-ASCII start leaves the
 * decision to errorLikeText().
 */
export function mayReadAsError(result: unknown): boolean {
  const content = (result as { content?: unknown } | null)?.content;
  if (!Array.isArray(content)) return false;
  for (const c of content) {
    const t = c as { type?: string; text?: unknown } | null;
    if (t?.type !== 'text' || typeof t.text !== 'string') continue;
    const text = t.text;
    const code = text.charCodeAt(0); // NaN for ''
    if (!(code > 32 && code < 127)) return text.length > 0; // whitespace, control or non-ASCII: the regex decides
    const next = text.charCodeAt(1) | 0x20; // ASCII lower case; NaN | 0x20 is a space
    switch (code | 0x20) {
      case 0x65: // e: error, exception
        return next === 0x72 || next === 0x78;
      case 0x66: // f: failed, failure, fatal
        return next === 0x61;
      case 0x74: // t: traceback
        return next === 0x72;
      default: // [error]
        return code === 0x5b && next === 0x65;
    }
  }
  return false;
}

/** The violations a judged reply shows: an answer for another id, a success whose text reads as an error. */
export function judged(host: Pick<LeanHost, 'violation'>, name: string, verdict: Verdict): void {
  if (verdict.wrongId !== undefined) host.violation('unknown-response-id', verdict.wrongId);
  if (verdict.outcome === 'ok' && mayReadAsError(verdict.result)) {
    const text = errorLikeText(verdict.result);
    if (text !== null) host.violation('error-text-result', `${name}: ${text}`);
  }
}

/** The request event and the caller's result, `ms` after t0. */
export function finishCall(host: Pick<LeanHost, 'report'>, name: string, role: string | undefined, t0: number, v: Verdict): CallResult {
  const ms = performance.now() - t0;
  const e: LeanRequestEvent = role ? { method: 'tools/call', tool: name, role, ms, outcome: v.outcome } : { method: 'tools/call', tool: name, ms, outcome: v.outcome };
  if (v.error) e.error = v.error;
  if (v.flags) Object.assign(e, v.flags);
  host.report(e);
  const out: CallResult = { outcome: v.outcome, ms };
  if (v.result !== undefined) out.result = v.result;
  if (v.error) out.error = v.error;
  return out;
}

/** Headers the lean path sets itself: an endpoint header of the same name is not sent. */
const OWN_HEADERS = new Set(['content-type', 'accept', 'mcp-session-id', 'mcp-protocol-version', ...HTTP_OWN_HEADERS]);

/** What one session needs on the wire, prepared once: the pool of its origin and the request head. */
interface Route {
  url: string;
  sessionId: string | undefined;
  protocolVersion: string;
  endpointHeaders: Record<string, string>;
  origin: string;
  /** Up to Content-Length; an Error when a header cannot be sent. */
  head: string | Error;
}

function sameHeaders(a: Record<string, string>, b: Record<string, string>): boolean {
  if (a === b) return true;
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const k in b) if (--n < 0 || !(k in a)) return false;
  return n === 0;
}

function routeOf(t: LeanTarget): Route {
  const url = new URL(t.url);
  // Endpoint headers (authentication) first, ours after: ours win, as they did with node:http's setHeader.
  const headers: string[] = [];
  for (const [name, value] of Object.entries(t.headers)) if (!OWN_HEADERS.has(name.toLowerCase())) headers.push(name, value);
  headers.push('content-type', 'application/json', 'accept', 'application/json, text/event-stream');
  if (t.sessionId) headers.push('mcp-session-id', t.sessionId);
  headers.push('mcp-protocol-version', t.protocolVersion);
  return {
    url: t.url,
    sessionId: t.sessionId,
    protocolVersion: t.protocolVersion,
    endpointHeaders: t.headers,
    origin: url.origin,
    head: requestHead(url, headers),
  };
}

type Failed = { failure: 'timeout' | 'connection' | 'abandoned'; detail: string };
interface RawReply {
  status: number;
  contentType: string;
  body: string;
}
const ABANDONED: Failed = { failure: 'abandoned', detail: "no answer by the run's end" };
const CLOSED: Failed = { failure: 'abandoned', detail: 'no answer before the load ended (the caller was closed)' };

/**
 * One request in flight on a lean path, settled exactly once: by its answer, its timer, or being
 * given up on (cancel: settled at once, then `dropped` tells the transport).
 */
export abstract class OneShot<R, F> {
  protected settled = false;
  timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly resolve: (r: R | F) => void,
    private readonly inFlight: Set<OneShot<R, F>>,
  ) {}

  settle(r: R | F): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.inFlight.delete(this);
    this.resolve(r);
  }

  cancel(r: F): void {
    if (this.settled) return;
    this.settle(r);
    this.dropped(r);
  }

  protected abstract dropped(r: F): void;
}

/** One POST on the wire: the status and Content-Type from the headers, the body chunks joined once at the end. */
class Exchange extends OneShot<RawReply, Failed> implements HttpExchange {
  private chunks: Buffer[] = [];
  private size = 0;
  private status = 0;
  private contentType = '';
  private abortFn: (() => void) | null = null;

  get done(): boolean {
    return this.settled;
  }

  /** Timed out or abandoned: drop the socket (the request may still be on it). */
  protected dropped(): void {
    this.abortFn?.();
  }

  onConnect(abort: () => void): void {
    if (this.settled) abort();
    else this.abortFn = abort;
  }

  onHeaders(statusCode: number, headers: string[]): void {
    this.status = statusCode;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i]!;
      if (name.length === 12 && name.toLowerCase() === 'content-type') {
        this.contentType = headers[i + 1]!;
        break;
      }
    }
  }

  onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  onComplete(): void {
    const c = this.chunks;
    const body = c.length === 1 ? c[0]!.toString('utf8') : c.length === 0 ? '' : Buffer.concat(c, this.size).toString('utf8');
    this.settle({ status: this.status, contentType: this.contentType, body });
  }

  onError(err: Error): void {
    const code = (err as NodeJS.ErrnoException).code;
    this.settle({ failure: 'connection', detail: `${err.message}${code ? ` (${code})` : ''}` });
  }
}

function timedOut(ex: Exchange, timeoutMs: number): void {
  ex.cancel({ failure: 'timeout', detail: `no answer within ${Math.round(timeoutMs)} ms` });
}

export function createLeanCaller(host: LeanHost, concurrency: number): LeanCaller {
  const connections = Math.max(1, concurrency);
  const pools = new Map<string, HttpPool>();
  const inFlight = new Set<Exchange>();
  let route: Route | null = null;
  let seq = 0;
  const end = host.endSignal;
  const onEnd = () => {
    for (const ex of [...inFlight]) ex.cancel(ABANDONED);
  };
  let listening = false;

  /** The prepared route for this target: reused while the session (id, version, headers) is the same. */
  function routeFor(t: LeanTarget): Route {
    const r = route;
    if (r && r.url === t.url && r.sessionId === t.sessionId && r.protocolVersion === t.protocolVersion && sameHeaders(r.endpointHeaders, t.headers)) return r;
    route = routeOf(t);
    return route;
  }

  function poolFor(origin: string): HttpPool {
    let pool = pools.get(origin);
    if (!pool) {
      // https origins get TLS with the platform's verification, as https.Agent does. Our
      // per-request timer decides timeouts; a connect may take as long as a request may.
      pool = new HttpPool(origin, { connections, connectTimeoutMs: Math.max(10_000, host.requestTimeoutMs) });
      pools.set(origin, pool);
    }
    return pool;
  }

  function post(r: Route, body: string, timeoutMs: number): Promise<RawReply | Failed> {
    if (end?.aborted) return Promise.resolve(ABANDONED);
    if (end && !listening) {
      end.addEventListener('abort', onEnd, { once: true });
      listening = true;
    }
    return new Promise((resolve) => {
      const ex = new Exchange(resolve, inFlight);
      inFlight.add(ex);
      ex.timer = setTimeout(timedOut, timeoutMs, ex, timeoutMs);
      if (r.head instanceof Error) ex.onError(r.head);
      else poolFor(r.origin).request(r.head, body, ex);
    });
  }

  const finish = (name: string, role: string | undefined, t0: number, v: Verdict) => finishCall(host, name, role, t0, v);

  return {
    async call(name, args = {}, opts = {}) {
      const timeoutMs = opts.timeoutMs ?? host.requestTimeoutMs;
      const role = opts.role;
      const t0 = performance.now();
      let t = host.target() ?? (await host.waitTarget(timeoutMs));
      if (!t) return finish(name, role, t0, { outcome: 'unavailable', error: 'session down' });
      // The same bytes as JSON.stringify({jsonrpc, id, method, params}): our ids need no escaping.
      const tail = `","method":"tools/call","params":${JSON.stringify({ name, arguments: args })}}`;
      let replayed: true | undefined;
      for (;;) {
        const id = `lean-${++seq}`;
        const reply = await post(routeFor(t), `{"jsonrpc":"2.0","id":"${id}${tail}`, Math.max(1, timeoutMs - (performance.now() - t0)));
        if ('failure' in reply) {
          if (reply.failure === 'abandoned') return finish(name, role, t0, { outcome: 'timeout', error: reply.detail, flags: replayed ? { abandoned: true, replayed } : { abandoned: true } });
          t.failed(reply.failure, reply.detail);
          return finish(name, role, t0, { outcome: reply.failure === 'timeout' ? 'timeout' : 'error', error: reply.detail, flags: replayed ? { replayed } : {} });
        }
        const status = reply.status;
        if (t.sessionId && (status === 404 || (status === 400 && /session/i.test(reply.body)))) {
          // The server no longer knows the session: the request was not processed.
          const detail = `HTTP ${status}: ${reply.body.slice(0, 200)}`;
          t.failed('session-lost', detail, status);
          if (!host.replayOnExpiry || replayed) return finish(name, role, t0, { outcome: 'error', error: `session expired, the request was lost: ${detail}`, flags: { lostToExpiry: true } });
          const next = await host.waitTarget(Math.max(1, timeoutMs - (performance.now() - t0)));
          if (!next) return finish(name, role, t0, { outcome: host.endSignal?.aborted ? 'timeout' : 'error', error: `the session expired and no new one was up in time: ${detail}`, flags: { lostToExpiry: true } });
          t = next;
          replayed = true;
          continue;
        }
        const flags = replayed ? { replayed } : undefined;
        if (status < 200 || status >= 300) return finish(name, role, t0, { outcome: 'error', error: `HTTP ${status}: ${reply.body.slice(0, 200)}`, flags });
        let verdict: Verdict;
        try {
          verdict = judgeReply(id, messagesOf(reply.contentType, reply.body));
        } catch {
          host.violation('invalid-jsonrpc', reply.body.slice(0, 200));
          return finish(name, role, t0, { outcome: 'error', error: 'reply body is not JSON', flags });
        }
        judged(host, name, verdict);
        if (flags) verdict.flags = flags;
        return finish(name, role, t0, verdict);
      }
    },
    close() {
      if (listening) end?.removeEventListener('abort', onEnd);
      listening = false;
      // A request still in flight (a load step cut short) is abandoned, not a connection failure:
      // the sockets are ours to close, the session is not told its link died.
      for (const ex of [...inFlight]) ex.cancel(CLOSED);
      for (const pool of pools.values()) pool.destroy();
      pools.clear();
      route = null;
    },
  };
}

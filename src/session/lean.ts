/**
 * The lean load path (Streamable HTTP): `tools/call` POSTed with node:http on a keep-alive agent,
 * on the session's own Mcp-Session-Id, so the load generator is not the bottleneck (the SDK Client
 * costs ~1.2 ms CPU per call). Still correct MCP: session and version headers, JSON or SSE bodies,
 * and the answer must be a JSON-RPC response carrying our id. No zod on this path: plain checks.
 */
import http from 'node:http';
import https from 'node:https';
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
  /** Frees the keep-alive sockets. */
  close(): void;
}

interface RawReply {
  status: number;
  contentType: string;
  body: string;
}

type Verdict = { outcome: RequestOutcome; error?: string; result?: unknown; wrongId?: string; flags?: Pick<LeanRequestEvent, 'abandoned' | 'replayed' | 'lostToExpiry'> };

/** The JSON-RPC messages in a JSON body (object or batch) or an SSE body (`data:` lines per event). */
export function messagesOf(contentType: string, body: string): unknown[] {
  if (contentType.includes('text/event-stream')) {
    const out: unknown[] = [];
    let data: string[] = [];
    const flush = () => {
      if (data.length) {
        try {
          out.push(JSON.parse(data.join('\n')));
        } catch {
          // a non-JSON event is not ours
        }
      }
      data = [];
    };
    for (const raw of body.split('\n')) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line === '') flush();
      else if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5));
    }
    flush();
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

export function createLeanCaller(host: LeanHost, concurrency: number): LeanCaller {
  const agentOpts = { keepAlive: true, maxSockets: Math.max(1, concurrency) };
  const agents = { http: new http.Agent(agentOpts), https: new https.Agent(agentOpts) };
  let seq = 0;

  type Failed = { failure: 'timeout' | 'connection' | 'abandoned'; detail: string };
  function post(t: LeanTarget, body: string, timeoutMs: number): Promise<RawReply | Failed> {
    return new Promise((resolve) => {
      const end = host.endSignal;
      if (end?.aborted) return resolve({ failure: 'abandoned', detail: "no answer by the run's end" });
      const url = new URL(t.url);
      const secure = url.protocol === 'https:';
      const req = (secure ? https : http).request(url, {
        method: 'POST',
        agent: secure ? agents.https : agents.http,
        headers: {
          ...t.headers,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(t.sessionId ? { 'mcp-session-id': t.sessionId } : {}),
          'mcp-protocol-version': t.protocolVersion,
          'content-length': Buffer.byteLength(body),
        },
      });
      let settled = false;
      const settle = (r: RawReply | Failed) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        end?.removeEventListener('abort', onEnd);
        resolve(r);
      };
      const onEnd = () => {
        req.destroy();
        settle({ failure: 'abandoned', detail: "no answer by the run's end" });
      };
      const timer = setTimeout(() => {
        req.destroy();
        settle({ failure: 'timeout', detail: `no answer within ${Math.round(timeoutMs)} ms` });
      }, timeoutMs);
      end?.addEventListener('abort', onEnd, { once: true });
      req.once('error', (err: NodeJS.ErrnoException) => settle({ failure: 'connection', detail: `${err.message}${err.code ? ` (${err.code})` : ''}` }));
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () => settle({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
        res.once('error', (err) => settle({ failure: 'connection', detail: err.message }));
      });
      req.end(body);
    });
  }

  return {
    async call(name, args = {}, opts = {}) {
      const timeoutMs = opts.timeoutMs ?? host.requestTimeoutMs;
      const t0 = performance.now();
      const done = (v: Verdict): CallResult => {
        const ms = performance.now() - t0;
        host.report({ method: 'tools/call', tool: name, ...(opts.role ? { role: opts.role } : {}), ms, outcome: v.outcome, ...(v.error ? { error: v.error } : {}), ...v.flags });
        return { outcome: v.outcome, ms, ...(v.result !== undefined ? { result: v.result } : {}), ...(v.error ? { error: v.error } : {}) };
      };
      const left = () => Math.max(1, timeoutMs - (performance.now() - t0));
      let t = host.target() ?? (await host.waitTarget(timeoutMs));
      if (!t) return done({ outcome: 'unavailable', error: 'session down' });
      const body = (id: string) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
      let replayed: true | undefined;
      for (;;) {
        const id = `lean-${++seq}`;
        const reply = await post(t, body(id), left());
        if ('failure' in reply) {
          if (reply.failure === 'abandoned') return done({ outcome: 'timeout', error: reply.detail, flags: { abandoned: true, ...(replayed ? { replayed } : {}) } });
          t.failed(reply.failure, reply.detail);
          return done({ outcome: reply.failure === 'timeout' ? 'timeout' : 'error', error: reply.detail, flags: replayed ? { replayed } : {} });
        }
        if (t.sessionId && (reply.status === 404 || (reply.status === 400 && /session/i.test(reply.body)))) {
          // The server no longer knows the session: the request was not processed.
          const detail = `HTTP ${reply.status}: ${reply.body.slice(0, 200)}`;
          t.failed('session-lost', detail, reply.status);
          if (!host.replayOnExpiry || replayed) return done({ outcome: 'error', error: `session expired, the request was lost: ${detail}`, flags: { lostToExpiry: true } });
          const next = await host.waitTarget(left());
          if (!next) return done({ outcome: host.endSignal?.aborted ? 'timeout' : 'error', error: `the session expired and no new one was up in time: ${detail}`, flags: { lostToExpiry: true } });
          t = next;
          replayed = true;
          continue;
        }
        const flags = replayed ? { replayed } : {};
        if (reply.status < 200 || reply.status >= 300) return done({ outcome: 'error', error: `HTTP ${reply.status}: ${reply.body.slice(0, 200)}`, flags });
        let verdict: Verdict;
        try {
          verdict = judgeReply(id, messagesOf(reply.contentType, reply.body));
        } catch {
          host.violation('invalid-jsonrpc', reply.body.slice(0, 200));
          return done({ outcome: 'error', error: 'reply body is not JSON', flags });
        }
        if (verdict.wrongId !== undefined) host.violation('unknown-response-id', verdict.wrongId);
        if (verdict.outcome === 'ok') {
          const text = errorLikeText(verdict.result);
          if (text !== null) host.violation('error-text-result', `${name}: ${text}`);
        }
        return done({ ...verdict, flags });
      }
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

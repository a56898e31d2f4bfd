/**
 * The lean load path (Streamable HTTP): `tools/call` POSTed with node:http on a keep-alive agent,
 * on the session's own Mcp-Session-Id, so the load generator is not the bottleneck (the SDK Client
 * costs ~1.2 ms CPU per call). Still correct MCP: session and version headers, JSON or SSE bodies,
 * and the answer must be a JSON-RPC response carrying our id. No zod on this path: plain checks.
 */
import http from 'node:http';
import https from 'node:https';
import type { HttpSessionInfo } from './connection.js';
import type { CallResult, RequestOutcome, ViolationKind } from './types.js';

export interface LeanTarget extends HttpSessionInfo {
  /** Report a failure that may mean the session is dead; the session decides. */
  failed(kind: 'connection' | 'timeout' | 'session-lost', detail: string, status?: number): void;
}

export interface LeanRequestEvent {
  method: string;
  tool?: string;
  role?: string;
  ms: number;
  outcome: RequestOutcome;
  error?: string;
}

export interface LeanHost {
  requestTimeoutMs: number;
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

type Verdict = { outcome: RequestOutcome; error?: string; result?: unknown; wrongId?: string };

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
    if (result.isError === true) return { outcome: 'error', error: 'tool returned isError', result };
    return { outcome: 'ok', result };
  }
  if (stray !== undefined) return { outcome: 'error', error: `no response with id ${id}; got one for another id`, wrongId: stray };
  return { outcome: 'error', error: `no JSON-RPC response with id ${id} in the reply` };
}

export function createLeanCaller(host: LeanHost, concurrency: number): LeanCaller {
  const agentOpts = { keepAlive: true, maxSockets: Math.max(1, concurrency) };
  const agents = { http: new http.Agent(agentOpts), https: new https.Agent(agentOpts) };
  let seq = 0;

  function post(t: LeanTarget, body: string, timeoutMs: number): Promise<RawReply | { failure: 'timeout' | 'connection'; detail: string }> {
    return new Promise((resolve) => {
      const url = new URL(t.url);
      const secure = url.protocol === 'https:';
      const req = (secure ? https : http).request(url, {
        method: 'POST',
        agent: secure ? agents.https : agents.http,
        headers: {
          ...t.headers,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': t.sessionId,
          'mcp-protocol-version': t.protocolVersion,
          'content-length': Buffer.byteLength(body),
        },
      });
      const timer = setTimeout(() => {
        req.destroy();
        resolve({ failure: 'timeout', detail: `no answer within ${Math.round(timeoutMs)} ms` });
      }, timeoutMs);
      req.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ failure: 'connection', detail: `${err.message}${err.code ? ` (${err.code})` : ''}` });
      });
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') });
        });
        res.once('error', (err) => {
          clearTimeout(timer);
          resolve({ failure: 'connection', detail: err.message });
        });
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
        host.report({ method: 'tools/call', tool: name, ...(opts.role ? { role: opts.role } : {}), ms, outcome: v.outcome, ...(v.error ? { error: v.error } : {}) });
        return { outcome: v.outcome, ms, ...(v.result !== undefined ? { result: v.result } : {}), ...(v.error ? { error: v.error } : {}) };
      };
      const t = host.target() ?? (await host.waitTarget(timeoutMs));
      if (!t) return done({ outcome: 'unavailable', error: 'session down' });
      const id = `lean-${++seq}`;
      const body = JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
      const reply = await post(t, body, Math.max(1, timeoutMs - (performance.now() - t0)));
      if ('failure' in reply) {
        t.failed(reply.failure, reply.detail);
        return done({ outcome: reply.failure === 'timeout' ? 'timeout' : 'error', error: reply.detail });
      }
      if (reply.status === 404 || (reply.status === 400 && /session/i.test(reply.body))) {
        const detail = `HTTP ${reply.status}: ${reply.body.slice(0, 200)}`;
        t.failed('session-lost', detail, reply.status);
        return done({ outcome: 'error', error: detail });
      }
      if (reply.status < 200 || reply.status >= 300) return done({ outcome: 'error', error: `HTTP ${reply.status}: ${reply.body.slice(0, 200)}` });
      let verdict: Verdict;
      try {
        verdict = judgeReply(id, messagesOf(reply.contentType, reply.body));
      } catch {
        host.violation('invalid-jsonrpc', reply.body.slice(0, 200));
        return done({ outcome: 'error', error: 'reply body is not JSON' });
      }
      if (verdict.wrongId !== undefined) host.violation('unknown-response-id', verdict.wrongId);
      return done(verdict);
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

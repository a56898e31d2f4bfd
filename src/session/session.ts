/**
 * One simulated MCP client (a Claude Code-like session): the link (link.ts) plus the requests a
 * scenario makes. Requests never throw for server misbehaviour: each resolves to a CallResult and
 * emits one `request` event. A request made while the session is down waits for the recovery
 * (within its own timeout; the wait counts in its latency, as a user would feel it) when the
 * session is reconnecting, and is `unavailable` at once when nothing will bring it back.
 *
 * A request the server refused because our session expired (HTTP 404, or a 400 naming it) was not
 * processed: a profile that replays sends it again on the fresh session (one request, one event,
 * its latency including the re-initialize); otherwise it fails, as the user would see it. At the
 * run's hard end (the end signal) a request still waiting for its answer is abandoned: a timeout.
 */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Connection } from './connection.js';
import { createLeanCaller, type LeanCaller, type LeanRequestEvent, type LeanTarget } from './lean.js';
import { createLineCaller, type LineTarget } from './lean-stdio.js';
import { hasTools, SessionLink } from './link.js';
import { classifyFailure, errorLikeText, errorText, toolErrorText, type Failure } from './outcomes.js';
import { listAllTools } from './tools.js';
import type { CallResult } from './types.js';
import type { RequestFlags } from './base.js';

export { HEALTH_ROLE, type SessionOptions } from './link.js';

export interface CallOptions {
  timeoutMs?: number;
  /** A label carried into the request event (a scenario tool role). */
  role?: string;
}

interface Meta {
  method: string;
  tool?: string;
  role?: string;
}

type Attempt = (conn: Connection, timeoutMs: number) => Promise<Omit<CallResult, 'ms'>>;

export class Session extends SessionLink {
  async callTool(name: string, args: Record<string, unknown> = {}, opts: CallOptions = {}): Promise<CallResult> {
    const timeoutMs = opts.timeoutMs ?? this.profile.requestTimeoutMs;
    return this.request({ method: 'tools/call', tool: name, ...(opts.role ? { role: opts.role } : {}) }, timeoutMs, async (conn, left) => {
      const result = await conn.client.callTool({ name, arguments: args }, undefined, this.requestOptions(left));
      if (result.isError) return { outcome: 'tool-error', error: toolErrorText(result), result };
      const text = errorLikeText(result);
      if (text !== null) this.violation('error-text-result', `${name}: ${text}`);
      return { outcome: 'ok', result };
    });
  }

  /**
   * One tools/call that emits no request event and never replays: the role prover's trial call
   * before the run (it decides whether a tool may play a role; it is not part of what is measured).
   */
  async trialCall(name: string, args: Record<string, unknown>, timeoutMs: number): Promise<CallResult & { askedClient?: string }> {
    const t0 = performance.now();
    const conn = await this.waitUsable(timeoutMs);
    if (!conn) return { outcome: 'unavailable', ms: 0, error: `session ${this.state}` };
    const seen = this.serverRequestsSeen;
    // A call during which the server asked the client something (elicitation, sampling, roots) needs a user: said so, for the prover.
    const asked = () => (this.serverRequestsSeen > seen && this.lastServerRequest ? { askedClient: this.lastServerRequest } : {});
    try {
      const result = await conn.client.callTool({ name, arguments: args }, undefined, this.requestOptions(timeoutMs));
      const ms = performance.now() - t0;
      return result.isError ? { outcome: 'tool-error', ms, error: toolErrorText(result), result, ...asked() } : { outcome: 'ok', ms, result, ...asked() };
    } catch (err) {
      const f = classifyFailure(err);
      return { outcome: f.outcome, ms: performance.now() - t0, error: f.error, ...asked() };
    }
  }

  /** tools/list (all pages): updates `tools`; a list different from the first emits `tools-changed`. */
  async listTools(opts: CallOptions = {}): Promise<CallResult & { tools?: string[]; definitions?: Tool[] }> {
    const timeoutMs = opts.timeoutMs ?? this.profile.requestTimeoutMs;
    // A server that declared no tools has none to list: no request is sent (capabilities are negotiated).
    if (this.state === 'connected' && this.conn && !hasTools(this.conn)) {
      this.recordTools([], false);
      return { outcome: 'ok', ms: 0, result: [], tools: [], definitions: [] };
    }
    let definitions: Tool[] | undefined;
    const res = await this.request({ method: 'tools/list', ...(opts.role ? { role: opts.role } : {}) }, timeoutMs, async (conn, left) => {
      definitions = await listAllTools(conn.client, left, this.endSignal);
      return { outcome: 'ok', result: definitions.map((t) => t.name) };
    });
    if (res.outcome !== 'ok' || !definitions) return res;
    const names = definitions.map((t) => t.name);
    this.recordTools(names, false);
    return { ...res, tools: names, definitions };
  }

  /** An explicit ping (a scenario step): an error answer is reported as it is, plus `ping-unsupported` once. */
  async ping(opts: CallOptions = {}): Promise<CallResult> {
    const timeoutMs = opts.timeoutMs ?? this.profile.pingTimeoutMs;
    return this.request({ method: 'ping', ...(opts.role ? { role: opts.role } : {}) }, timeoutMs, async (conn, left) => {
      try {
        await conn.client.ping(this.requestOptions(left));
      } catch (err) {
        const f = classifyFailure(err);
        if (f.kind === 'answered') this.notePingUnsupported(f);
        throw err;
      }
      return { outcome: 'ok' };
    });
  }

  /** resources/list or prompts/list as a role's request (a server that lists no tools). */
  async listing(method: 'resources/list' | 'prompts/list', opts: CallOptions = {}): Promise<CallResult> {
    const timeoutMs = opts.timeoutMs ?? this.profile.requestTimeoutMs;
    return this.request({ method, ...(opts.role ? { role: opts.role } : {}) }, timeoutMs, async (conn, left) => {
      const result = method === 'resources/list' ? await conn.client.listResources(undefined, this.requestOptions(left)) : await conn.client.listPrompts(undefined, this.requestOptions(left));
      return { outcome: 'ok', result };
    });
  }

  /** The URIs of the server's first page of resources, without a request event (the role prover's hints). */
  async listResourceUris(timeoutMs: number): Promise<string[]> {
    const conn = await this.waitUsable(timeoutMs);
    if (!conn) return [];
    const res = await conn.client.listResources(undefined, this.requestOptions(timeoutMs));
    return res.resources.map((r) => r.uri);
  }

  /** What the server declared in initialize (tools, resources, prompts, ...), once connected. */
  get serverCapabilities(): Record<string, unknown> | undefined {
    return this.conn?.client.getServerCapabilities() as Record<string, unknown> | undefined;
  }

  /** A verify-state step's verdict, emitted in this session's event stream (the step decides `ok`). */
  reportStateCheck(ok: boolean, detail: string): void {
    this.emit({ type: 'state-check', ok, detail });
  }

  /**
   * A low-overhead caller for load steps, no SDK Client and no zod per request, that follows
   * reconnects and emits the same `request` events. Streamable HTTP: keep-alive POSTs on this
   * session's Mcp-Session-Id (none for a stateless server), following session renewals. stdio and
   * tcp: request lines on the connection's own stream. Null on SSE and WebSocket: use callTool().
   * Call `close()` on it when the load ends.
   */
  leanCaller(concurrency = 10): LeanCaller | null {
    const transport = this.endpoint.transport;
    if (transport === 'stdio' || transport === 'tcp') return this.lineCaller();
    if (transport !== 'streamable-http') return null;
    const host = {
      requestTimeoutMs: this.profile.requestTimeoutMs,
      replayOnExpiry: this.profile.onSessionExpiry === 'replay',
      ...(this.endSignal ? { endSignal: this.endSignal } : {}),
      target: () => (this.state === 'connected' && this.conn ? this.leanTarget(this.conn) : null),
      waitTarget: async (ms: number) => {
        const conn = await this.waitUsable(ms);
        return conn ? this.leanTarget(conn) : null;
      },
      report: (e: LeanRequestEvent) => this.emit({ type: 'request', ...e }),
      violation: this.violation.bind(this),
    };
    return createLeanCaller(host, concurrency);
  }

  private lineCaller(): LeanCaller {
    const targetOf = (conn: Connection | null): LineTarget | null => {
      const stream = conn?.lineStream();
      if (!conn || !stream) return null;
      return {
        stream,
        failed: (kind, detail) => {
          if (conn === this.conn && this.state === 'connected') this.failed(conn, { kind, outcome: kind === 'timeout' ? 'timeout' : 'error', error: detail });
        },
      };
    };
    let cached: { conn: Connection; target: LineTarget | null } | null = null;
    const current = (conn: Connection | null) => {
      if (!conn) return null;
      if (cached?.conn !== conn) cached = { conn, target: targetOf(conn) };
      return cached.target;
    };
    return createLineCaller({
      requestTimeoutMs: this.profile.requestTimeoutMs,
      ...(this.endSignal ? { endSignal: this.endSignal } : {}),
      target: () => (this.state === 'connected' ? current(this.conn) : null),
      waitTarget: async (ms: number) => current(await this.waitUsable(ms)),
      report: (e: LeanRequestEvent) => this.emit({ type: 'request', ...e }),
      violation: this.violation.bind(this),
    });
  }

  /** The last lean target made, reused while its connection, session id and protocol version hold (one per call otherwise). */
  private leanCache: { conn: Connection; sessionId: string | undefined; protocolVersion: string; target: LeanTarget } | null = null;

  private leanTarget(conn: Connection): LeanTarget | null {
    const cached = this.leanCache;
    if (cached && cached.conn === conn && cached.sessionId === conn.tap.sessionId && cached.protocolVersion === conn.protocolVersion) return cached.target;
    const info = conn.httpSession();
    if (!info) return null;
    const target = this.makeLeanTarget(conn, info);
    this.leanCache = { conn, sessionId: conn.tap.sessionId, protocolVersion: conn.protocolVersion, target };
    return target;
  }

  private makeLeanTarget(conn: Connection, info: NonNullable<ReturnType<Connection['httpSession']>>): LeanTarget {
    return {
      ...info,
      failed: (kind, detail, status) => {
        if (conn !== this.conn || this.state !== 'connected') return;
        if (kind === 'session-lost') this.sessionLost(status ?? 404, detail);
        else this.failed(conn, { kind, outcome: kind === 'timeout' ? 'timeout' : 'error', error: detail });
      },
    };
  }

  private requestOptions(timeoutMs: number): { timeout: number; signal?: AbortSignal } {
    return { timeout: timeoutMs, ...(this.endSignal ? { signal: this.endSignal } : {}) };
  }

  /** Wait for a usable connection, run the attempt, replay it once on a fresh session after an expiry (profile permitting). */
  private async request(meta: Meta, timeoutMs: number, attempt: Attempt): Promise<CallResult> {
    const t0 = performance.now();
    let conn = await this.waitUsable(timeoutMs);
    if (!conn) return this.finish(meta, t0, { outcome: 'unavailable', error: `session ${this.state}` });
    let replayed = false;
    for (;;) {
      try {
        return this.finish(meta, t0, await attempt(conn, remaining(t0, timeoutMs)), { replayed });
      } catch (err) {
        const f = classifyFailure(err);
        if (!this.refusedAsExpired(conn, err)) return this.finish(meta, t0, this.failed(conn, f), { abandoned: f.kind === 'abandoned', replayed });
        if (this.profile.onSessionExpiry !== 'replay' || replayed) {
          return this.finish(meta, t0, { outcome: 'error', error: `session expired, the request was lost: ${f.error}` }, { lostToExpiry: true, replayed });
        }
        const next = await this.waitUsable(remaining(t0, timeoutMs));
        if (!next) return this.finish(meta, t0, expiredUnrecovered(f, this.ended), { lostToExpiry: true, abandoned: this.ended });
        conn = next;
        replayed = true;
      }
    }
  }

  /** The server refused this request because it no longer knows the session it was sent on (not processed). */
  private refusedAsExpired(conn: Connection, err: unknown): boolean {
    if (!this.expired.has(conn)) return false;
    if (err instanceof StreamableHTTPError) return err.code === 404 || err.code === 400;
    return /HTTP 40[04]\b/.test(errorText(err));
  }

  private finish(meta: Meta, t0: number, r: Omit<CallResult, 'ms'>, flags: RequestFlags = {}): CallResult {
    const ms = performance.now() - t0;
    this.emitRequest(meta.method, ms, r.outcome, r.error, meta.tool, meta.role, flags);
    return { ...r, ms };
  }
}

function expiredUnrecovered(f: Failure, ended: boolean): Omit<CallResult, 'ms'> {
  if (ended) return { outcome: 'timeout', error: `the session expired and no new one was up by the run's end (${f.error})` };
  return { outcome: 'error', error: `the session expired and no new one was up in time: ${f.error}` };
}

function remaining(t0: number, timeoutMs: number): number {
  return Math.max(1, timeoutMs - (performance.now() - t0));
}

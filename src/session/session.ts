/**
 * One simulated MCP client (a Claude Code-like session): the link (link.ts) plus the requests a
 * scenario makes. Requests never throw for server misbehaviour: each resolves to a CallResult and
 * emits one `request` event. A request made while the session is down waits for the recovery
 * (within its own timeout; the wait counts in its latency, as a user would feel it) when the
 * session is reconnecting, and is `unavailable` at once when nothing will bring it back.
 */
import type { Connection } from './connection.js';
import { createLeanCaller, type LeanCaller, type LeanRequestEvent, type LeanTarget } from './lean.js';
import { SessionLink } from './link.js';
import { classifyFailure, toolErrorText } from './outcomes.js';
import { listAllTools } from './tools.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { CallResult } from './types.js';

export { HEALTH_ROLE, type SessionOptions } from './link.js';

export interface CallOptions {
  timeoutMs?: number;
  /** A label carried into the request event (a scenario tool role). */
  role?: string;
}

export class Session extends SessionLink {
  async callTool(name: string, args: Record<string, unknown> = {}, opts: CallOptions = {}): Promise<CallResult> {
    const timeoutMs = opts.timeoutMs ?? this.profile.requestTimeoutMs;
    const t0 = performance.now();
    const conn = await this.waitUsable(timeoutMs);
    if (!conn) return this.finish('tools/call', t0, { outcome: 'unavailable', error: `session ${this.state}` }, name, opts.role);
    try {
      const result = await conn.client.callTool({ name, arguments: args }, undefined, { timeout: remaining(t0, timeoutMs) });
      if (result.isError) return this.finish('tools/call', t0, { outcome: 'error', error: toolErrorText(result), result }, name, opts.role);
      return this.finish('tools/call', t0, { outcome: 'ok', result }, name, opts.role);
    } catch (err) {
      return this.finish('tools/call', t0, this.failed(conn, classifyFailure(err)), name, opts.role);
    }
  }

  /** tools/list (all pages): updates `tools`; a list different from the first emits `tools-changed`. */
  async listTools(opts: CallOptions = {}): Promise<CallResult & { tools?: string[]; definitions?: Tool[] }> {
    const timeoutMs = opts.timeoutMs ?? this.profile.requestTimeoutMs;
    const t0 = performance.now();
    const conn = await this.waitUsable(timeoutMs);
    if (!conn) return this.finish('tools/list', t0, { outcome: 'unavailable', error: `session ${this.state}` }, undefined, opts.role);
    try {
      const definitions = await listAllTools(conn.client, remaining(t0, timeoutMs));
      const names = definitions.map((t) => t.name);
      const res = this.finish('tools/list', t0, { outcome: 'ok', result: names }, undefined, opts.role);
      this.recordTools(names, false);
      return { ...res, tools: names, definitions };
    } catch (err) {
      return this.finish('tools/list', t0, this.failed(conn, classifyFailure(err)), undefined, opts.role);
    }
  }

  /** An explicit ping (a scenario step): an error answer is reported as it is, plus `ping-unsupported` once. */
  async ping(opts: CallOptions = {}): Promise<CallResult> {
    const timeoutMs = opts.timeoutMs ?? this.profile.pingTimeoutMs;
    const t0 = performance.now();
    const conn = await this.waitUsable(timeoutMs);
    if (!conn) return this.finish('ping', t0, { outcome: 'unavailable', error: `session ${this.state}` }, undefined, opts.role);
    try {
      await conn.client.ping({ timeout: remaining(t0, timeoutMs) });
      return this.finish('ping', t0, { outcome: 'ok' }, undefined, opts.role);
    } catch (err) {
      const f = classifyFailure(err);
      if (f.kind === 'answered') this.notePingUnsupported(f);
      return this.finish('ping', t0, this.failed(conn, f), undefined, opts.role);
    }
  }

  /** A verify-state step's verdict, emitted in this session's event stream (the step decides `ok`). */
  reportStateCheck(ok: boolean, detail: string): void {
    this.emit({ type: 'state-check', ok, detail });
  }

  /**
   * Streamable HTTP only: a low-overhead caller for load steps (node:http keep-alive, no SDK, no
   * zod) on this session's Mcp-Session-Id; it follows reconnects and emits the same `request`
   * events. Null on other transports: use callTool(). Call `close()` on it when the load ends.
   */
  leanCaller(concurrency = 10): LeanCaller | null {
    if (this.endpoint.transport !== 'streamable-http') return null;
    const host = {
      requestTimeoutMs: this.profile.requestTimeoutMs,
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

  private leanTarget(conn: Connection): LeanTarget | null {
    const info = conn.httpSession();
    if (!info) return null;
    return {
      ...info,
      failed: (kind, detail, status) => {
        if (conn !== this.conn || this.state !== 'connected') return;
        if (kind === 'session-lost') this.sessionLost(status ?? 404, detail);
        else this.failed(conn, { kind, outcome: kind === 'timeout' ? 'timeout' : 'error', error: detail });
      },
    };
  }

  private finish(method: string, t0: number, r: Omit<CallResult, 'ms'>, tool?: string, role?: string): CallResult {
    const ms = performance.now() - t0;
    this.emitRequest(method, ms, r.outcome, r.error, tool, role);
    return { ...r, ms };
  }
}

function remaining(t0: number, timeoutMs: number): number {
  return Math.max(1, timeoutMs - (performance.now() - t0));
}

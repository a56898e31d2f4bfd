/**
 * The session's link to the server: connect, detect a dead link, reconnect with backoff, go down
 * on purpose, close. `Session` (session.ts) adds the requests on top.
 *
 * Failure detection per transport: stdio — process exit / stdout end; WebSocket — close; SSE —
 * EventSource error; Streamable HTTP (no close event) — the tapped fetch (connection errors,
 * 404/400 session loss), the SDK's stream errors, and timeouts. A ping timeout always declares the
 * link dead; a request timeout only when the profile has no pinger (otherwise the pinger decides,
 * so one slow tool does not tear down a healthy session).
 */
import { setMaxListeners } from 'node:events';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import type { Endpoint } from '../target/types.js';
import { Connection, type ConnectionSignals } from './connection.js';
import { SessionBase } from './base.js';
import { HealthLoop, probePing } from './health.js';
import { classifyFailure, errorText, type Failure } from './outcomes.js';
import { reconnectLoop } from './reconnect.js';
import { meaningOf } from './signals.js';
import { diffTools, isEmptyDiff, listAllToolNames } from './tools.js';
import type { ClientProfile, DisconnectReason, RequestOutcome } from './types.js';

export interface SessionOptions {
  /** Seeded, returns [0, 1): every random choice (backoff jitter) comes from here. */
  rng: () => number;
  /** Index of this session in the run (reports, client name). */
  sessionId?: number;
  clientName?: string;
  clientVersion?: string;
  /**
   * Aborted at the run's hard end: requests still in flight are abandoned (timeouts), waiting for a
   * recovery stops, no new connection is attempted. Abort it with a RunEndedError.
   */
  endSignal?: AbortSignal;
  /** A scratch folder that stands for the client's workspace (a profile that answers roots/list with its workspace offers this). */
  workspaceDir?: string;
}

/** Role of the requests the session makes on its own (health pings, recovery probes). */
export const HEALTH_ROLE = 'health';

export class SessionLink extends SessionBase {
  /** The tool names of the latest listing. */
  tools: string[] = [];
  /** The tool names of the first listing (what drift is measured against). */
  initialTools: string[] = [];
  serverInfo: { name: string; version: string } | undefined;
  protocolVersion: string | undefined;
  readonly sessionId: number;

  private gen = 0;
  private connectedOnce = false;
  private downAt: number | null = null;
  private downReason: DisconnectReason | null = null;
  private attemptAbort: AbortController | null = null;
  private loop: { token: object; done: Promise<boolean>; by: 'client' | 'scenario' } | null = null;
  /** When the current session was established (for the lifetime of an expired session). */
  private sessionStartedAt: number | null = null;
  /** A session expiry being repaired by a fresh initialize: when it was seen, and whether it turned into a disconnection. */
  private expiry: { at: number } | null = null;
  /** Requests the server has sent us so far, and the method of the latest (the role prover watches them). */
  protected serverRequestsSeen = 0;
  protected lastServerRequest: string | undefined;
  /** Connections whose session the server forgot: a request on one that got 404/400 was not processed. */
  protected readonly expired = new WeakSet<Connection>();
  private pinger: HealthLoop | null = null;
  private pingUnsupported = false;
  private reportedDowngrade = false;
  private closing: Promise<void> | null = null;

  constructor(
    readonly endpoint: Endpoint,
    readonly profile: ClientProfile,
    protected readonly opts: SessionOptions,
  ) {
    super();
    this.sessionId = opts.sessionId ?? 0;
    const end = opts.endSignal;
    if (end) {
      // One listener per in-flight request is added to this signal by the SDK and the lean path.
      setMaxListeners(0, end);
      if (end.aborted) this.ended = true;
      else end.addEventListener('abort', () => this.onRunEnd(), { once: true });
    }
  }

  /** The signal requests carry so they are abandoned at the run's hard end. */
  protected get endSignal(): AbortSignal | undefined {
    return this.opts.endSignal;
  }

  private onRunEnd(): void {
    this.ended = true;
    this.attemptAbort?.abort();
    this.loop = null;
    this.stopPinger();
    this.wakeWaiters();
  }

  /** First connection: initialize + tools/list. On failure, retries per the reconnect policy. */
  async connect(): Promise<boolean> {
    if (this.state !== 'idle') throw new Error(`connect() was already called (state: ${this.state}); use reconnect()`);
    this.setState('connecting');
    const ac = this.newAttemptAbort();
    try {
      await this.attempt(0, ac.signal);
      return true;
    } catch (err) {
      if (ac.signal.aborted) return false;
      this.emit({ type: 'connect-failed', attempt: 0, error: errorText(err) });
      if (this.autoReconnects()) return this.startLoop(false, 'connecting', 'client');
      this.setState('gave-up');
      this.emit({ type: 'gave-up', attempts: 0 });
      return false;
    }
  }

  /** A scenario's reconnect step: through the reconnect loop (attempt 1 at once, then backoff). */
  async reconnect(): Promise<boolean> {
    if (this.muted) return false;
    if (this.state === 'idle') return this.connect();
    if (this.state === 'connected') return true;
    if (this.loop) return this.loop.done;
    if (this.state === 'connecting' || this.state === 'reconnecting') return (await this.waitUsable(this.profile.handshakeTimeoutMs * 2)) !== null;
    if (this.ended) return false;
    return this.startLoop(true, 'reconnecting', 'scenario');
  }

  /** Graceful close requested by a scenario (expected; no auto-reconnect). */
  disconnect(): Promise<void> {
    return this.goDownOnPurpose('client-disconnect', 'graceful');
  }

  /** Abrupt close requested by a scenario: SIGKILL the stdio server, destroy the socket (expected). */
  forceDisconnect(): Promise<void> {
    return this.goDownOnPurpose('client-force-disconnect', 'abrupt');
  }

  /** End of the session: stops the pinger, the loop, the transport and stdio processes. Idempotent; emits nothing. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.muted = true;
      this.attemptAbort?.abort();
      this.loop = null;
      this.expiry = null;
      this.stopPinger();
      const conn = this.conn;
      this.conn = null;
      this.gen++;
      this.setState('closed');
      if (conn) await conn.close('graceful');
      await Promise.allSettled([...this.background]);
    })();
    return this.closing;
  }

  /** One attempt: fresh transport + initialize, then a first successful request confirms it. */
  private async attempt(n: number, signal: AbortSignal): Promise<void> {
    const isReconnect = this.connectedOnce;
    this.emit({ type: 'connecting', attempt: n });
    const gen = ++this.gen;
    const opening = Connection.open({
      endpoint: this.endpoint,
      clientName: this.opts.clientName ?? `mcp-reliability-${this.sessionId}`,
      clientVersion: this.opts.clientVersion ?? '0.1.0',
      handshakeTimeoutMs: this.profile.handshakeTimeoutMs,
      capabilities: this.profile.capabilities,
      ...(this.opts.workspaceDir ? { workspaceDir: this.opts.workspaceDir } : {}),
      signals: this.signalsFor(gen),
      abort: signal,
    });
    this.track(opening);
    const conn = await opening;
    const stale = () => signal.aborted || gen !== this.gen || this.muted;
    const dropOnAbort = () => this.track(conn.close('abrupt'));
    signal.addEventListener('abort', dropOnAbort, { once: true });
    try {
      if (stale()) throw new Error('connection attempt cancelled');
      this.emitRequest('initialize', conn.handshakeMs, 'ok');
      // Recovery ends with the first successful request after initialize: tools/list when the
      // profile re-lists, else one ping (an answer of any kind proves the server is there).
      // A server that declares no tools is not asked for them (a client uses only negotiated capabilities): a ping confirms it.
      const declaresTools = hasTools(conn);
      let listed: string[] | null = null;
      if (declaresTools && (!isReconnect || this.profile.relistToolsOnReconnect)) listed = await this.timedList(conn);
      else {
        const f = await this.probePing(conn, this.profile.handshakeTimeoutMs);
        if (f) throw new Error(`no answer to the confirming ping: ${f.error}`);
        if (!declaresTools && !isReconnect) listed = [];
      }
      const confirmedAt = Date.now();
      if (stale()) throw new Error('connection attempt cancelled');
      this.adopt(conn, isReconnect);
      if (listed) this.recordTools(listed, !isReconnect);
      this.setState('connected');
      if (this.expiry) {
        this.emit({ type: 'session-renewed', afterMs: confirmedAt - this.expiry.at });
        this.expiry = null;
      } else if (isReconnect && this.downAt !== null) {
        this.emit({ type: 'recovered', afterMs: confirmedAt - this.downAt, attempts: n, reason: this.downReason ?? 'transport-closed', by: this.loop?.by ?? 'client' });
        this.downAt = null;
        this.downReason = null;
      }
      this.startPinger();
    } catch (err) {
      await conn.close('abrupt');
      throw err;
    } finally {
      signal.removeEventListener('abort', dropOnAbort);
    }
  }

  private adopt(conn: Connection, isReconnect: boolean): void {
    this.conn = conn;
    this.connectedOnce = true;
    this.protocolVersion = conn.protocolVersion;
    this.serverInfo = conn.serverInfo;
    this.sessionStartedAt = Date.now();
    const { name: serverName, version: serverVersion } = conn.serverInfo;
    this.emit({ type: 'connected', handshakeMs: conn.handshakeMs, protocolVersion: conn.protocolVersion, serverName, serverVersion, reconnect: isReconnect });
    // Legal per spec (the server picks a version it supports), so a finding, not a failure.
    if (conn.protocolVersion !== LATEST_PROTOCOL_VERSION && !this.reportedDowngrade) {
      this.reportedDowngrade = true;
      this.violation('version-downgrade', `asked ${LATEST_PROTOCOL_VERSION}, got ${conn.protocolVersion}`);
    }
  }

  private async timedList(conn: Connection): Promise<string[]> {
    const t0 = performance.now();
    try {
      const names = await listAllToolNames(conn.client, this.profile.requestTimeoutMs);
      this.emitRequest('tools/list', performance.now() - t0, 'ok');
      return names;
    } catch (err) {
      const f = classifyFailure(err);
      this.emitRequest('tools/list', performance.now() - t0, f.outcome, f.error);
      throw err;
    }
  }

  /** Every listing after the first is compared with the first: `tools-changed` whenever they differ. */
  protected recordTools(names: string[], initial: boolean): void {
    this.tools = names;
    if (initial) this.initialTools = names;
    this.emit({ type: 'tools', tools: names, initial });
    if (initial) return;
    const diff = diffTools(this.initialTools, names);
    if (!isEmptyDiff(diff)) this.emit({ type: 'tools-changed', ...diff });
  }

  private startLoop(immediateFirst: boolean, state: 'connecting' | 'reconnecting', by: 'client' | 'scenario'): Promise<boolean> {
    if (this.loop) return this.loop.done;
    if (this.ended) return Promise.resolve(false);
    this.setState(state);
    const ac = this.newAttemptAbort();
    const token = {};
    const done = reconnectLoop({
      policy: this.profile.reconnect,
      rng: this.opts.rng,
      signal: ac.signal,
      immediateFirst,
      onWait: (attempt, delayMs) => this.emit({ type: 'reconnecting', attempt, delayMs }),
      attempt: (n) => this.attempt(n, ac.signal),
      onFailure: (attempt, err) => {
        this.emit({ type: 'connect-failed', attempt, error: errorText(err) });
        // The fresh session after an expiry could not be had at once: from here on it is a disconnection.
        if (this.expiry) {
          this.downAt = this.expiry.at;
          this.downReason = 'session-expired';
          this.expiry = null;
          this.emit({ type: 'disconnected', reason: 'session-expired', detail: `the session expired and a new one could not be started: ${errorText(err)}`, expected: false });
        }
      },
    }).then((res) => {
      if (this.loop?.token !== token) return false;
      this.loop = null;
      if (res.status === 'connected') return true;
      if (res.status === 'gave-up') {
        this.setState('gave-up');
        this.emit({ type: 'gave-up', attempts: res.attempts });
      }
      return false;
    });
    this.loop = { token, done, by };
    return done;
  }

  private signalsFor(gen: number): ConnectionSignals {
    const current = () => gen === this.gen && this.state === 'connected';
    return {
      violation: (kind, sample) => this.violation(kind, sample),
      serverRequest: (method, answer) => {
        this.serverRequestsSeen += 1;
        this.lastServerRequest = method;
        this.emit({ type: 'server-request', method, answer });
      },
      down: (reason, detail) => {
        if (current()) this.goDownUnexpectedly(reason, detail);
      },
      sessionLost: (status, detail) => {
        if (current()) this.sessionLost(status, detail);
      },
      error: (err) => {
        const meaning = meaningOf(this.endpoint.transport, err);
        if (meaning && 'violation' in meaning) this.violation(meaning.violation, meaning.sample);
        else if (meaning && current()) this.goDownUnexpectedly(meaning.down, meaning.detail);
      },
    };
  }

  /**
   * The server no longer knows our session (HTTP 404; some servers send 400 naming it). The link is
   * alive, so this is no disconnection: a profile that re-initializes starts a new session at once
   * (no backoff). The old connection is closed once the requests still on it have their answers
   * (each gets its own 404 and is replayed or lost, as the profile says).
   */
  protected sessionLost(status: number, detail: string): void {
    const conn = this.conn;
    if (!conn) return;
    this.expired.add(conn);
    const lifetimeMs = this.sessionStartedAt === null ? null : Date.now() - this.sessionStartedAt;
    this.emit({ type: 'session-expired', status, detail, lifetimeMs });
    if (status === 400) this.violation('session-lost-400', detail);
    if (!this.profile.reinitializeOnSessionLost || !this.autoReconnects()) {
      this.goDownUnexpectedly('session-expired', detail);
      return;
    }
    this.conn = null;
    this.gen++;
    this.stopPinger();
    this.expiry = { at: Date.now() };
    this.setState('reconnecting');
    this.track(closeWhenIdle(conn));
    void this.startLoop(true, 'reconnecting', 'client');
  }

  /** After a failed request on `conn`: a broken link always counts; a timeout only without a pinger. */
  protected failed(conn: Connection, f: Failure): { outcome: RequestOutcome; error: string } {
    if (conn === this.conn && this.state === 'connected') {
      if (f.kind === 'connection') this.goDownUnexpectedly('connection-error', f.error);
      else if (f.kind === 'timeout' && this.profile.pingIntervalMs === null) this.goDownUnexpectedly('request-timeout', f.error);
    }
    return { outcome: f.outcome, error: f.error };
  }

  protected goDownUnexpectedly(reason: DisconnectReason, detail: string): void {
    const conn = this.conn;
    this.conn = null;
    this.gen++;
    this.stopPinger();
    this.downAt = Date.now();
    this.downReason = reason;
    const auto = this.autoReconnects() && !this.ended && (reason !== 'session-expired' || this.profile.reinitializeOnSessionLost);
    this.setState(auto ? 'reconnecting' : 'disconnected');
    this.emit({ type: 'disconnected', reason, detail, expected: false });
    if (conn) this.track(conn.close('abrupt'));
    if (auto) void this.startLoop(false, 'reconnecting', 'client');
  }

  private async goDownOnPurpose(reason: 'client-disconnect' | 'client-force-disconnect', mode: 'graceful' | 'abrupt'): Promise<void> {
    if (this.muted) return;
    this.attemptAbort?.abort();
    this.loop = null;
    this.expiry = null;
    this.stopPinger();
    const conn = this.conn;
    this.conn = null;
    this.gen++;
    const wasConnected = this.state === 'connected';
    this.setState('disconnected');
    if (wasConnected) {
      this.downAt = Date.now();
      this.downReason = reason;
      this.emit({ type: 'disconnected', reason, detail: `${mode} close requested by the scenario`, expected: true });
    }
    if (conn) await conn.close(mode);
  }

  private startPinger(): void {
    const every = this.profile.pingIntervalMs;
    if (every === null || every <= 0) return;
    this.pinger = new HealthLoop(every, async () => {
      const conn = this.conn;
      if (!conn || this.state !== 'connected') return;
      const f = await this.probePing(conn, this.profile.pingTimeoutMs);
      if (!f || conn !== this.conn || this.state !== 'connected') return;
      if (f.kind === 'timeout') this.goDownUnexpectedly('ping-timeout', `no answer to ping within ${this.profile.pingTimeoutMs} ms`);
      else this.goDownUnexpectedly('connection-error', f.error);
    });
    this.pinger.start();
  }

  private stopPinger(): void {
    this.pinger?.stop();
    this.pinger = null;
  }

  private probePing(conn: Connection, timeoutMs: number): Promise<Failure | null> {
    return probePing(conn.client, timeoutMs, {
      request: (ms, outcome, error) => this.emitRequest('ping', ms, outcome, error, undefined, HEALTH_ROLE),
      unsupported: (f) => this.notePingUnsupported(f),
    });
  }

  protected notePingUnsupported(f: Failure): void {
    if (this.pingUnsupported) return;
    this.pingUnsupported = true;
    this.violation('ping-unsupported', f.error);
  }

  private autoReconnects(): boolean {
    const r = this.profile.reconnect;
    return r.enabled && r.maxAttempts > 0 && (!r.transports || r.transports.includes(this.endpoint.transport));
  }

  private newAttemptAbort(): AbortController {
    this.attemptAbort?.abort();
    this.attemptAbort = new AbortController();
    return this.attemptAbort;
  }
}

/** Close a connection whose session expired once no request is waiting on it any more (at most `maxWaitMs`). */
async function closeWhenIdle(conn: Connection, maxWaitMs = 5000): Promise<void> {
  const until = Date.now() + maxWaitMs;
  while (conn.tap.requestsInFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50).unref());
  await conn.close('abrupt');
}

/** Whether the server declared the `tools` capability in initialize. */
export function hasTools(conn: Connection): boolean {
  return conn.client.getServerCapabilities()?.tools !== undefined;
}

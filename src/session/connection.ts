/**
 * One connection: a fresh transport (tapped), a fresh SDK Client and a completed `initialize`.
 * A reconnect is a new Connection; signals of an old one are ignored by the Session.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Endpoint } from '../target/types.js';
import { answerServerRequests, declaredCapabilities } from './client-features.js';
import type { ClientCapabilitiesModel, DisconnectReason, ViolationKind } from './types.js';
import { createNetworkTransport, type NetworkTransport } from './transports/network.js';
import { StdioProcessTransport } from './transports/stdio.js';
import { openTcpPeer } from './transports/tcp.js';
import { TapTransport } from './transports/tap.js';

export interface ConnectionSignals {
  violation(kind: ViolationKind, sample: string): void;
  /** The link is dead (or the server forgot us): the session decides what that means. */
  down(reason: DisconnectReason, detail: string): void;
  sessionLost(status: number, detail: string): void;
  /** Errors the transport reported out of band (the session classifies them). */
  error(error: Error): void;
  /** The server sent a request (roots/list, elicitation/create, ...) and this is how we answered. */
  serverRequest?(method: string, answer: string): void;
}

/** A client that declares roots (an empty list) and nothing else: for one-off connections such as `probe`. */
const MINIMAL_CLIENT: ClientCapabilitiesModel = { roots: { declared: true, answer: 'none' }, elicitation: { declared: false, answer: 'cancel' }, sampling: { declared: false } };

export interface OpenOptions {
  endpoint: Endpoint;
  clientName: string;
  clientVersion: string;
  handshakeTimeoutMs: number;
  /** What the client declares and how it answers server-initiated requests (the client profile's; default: roots with an empty list only). */
  capabilities?: ClientCapabilitiesModel;
  /** The folder offered as the workspace root (profiles that answer roots/list with one). */
  workspaceDir?: string;
  signals: ConnectionSignals;
  /** Aborting tears the half-open connection down at once (the session is closing). */
  abort: AbortSignal;
}

/** What the lean load path needs to speak to the same Streamable HTTP session directly. */
export interface HttpSessionInfo {
  url: string;
  /** Absent: a stateless server (it issued no Mcp-Session-Id), requests carry none. */
  sessionId?: string;
  protocolVersion: string;
  headers: Record<string, string>;
}

export class Connection {
  private closing: Promise<void> | undefined;

  private constructor(
    readonly client: Client,
    readonly tap: TapTransport,
    private readonly parts: { stdio?: StdioProcessTransport; net?: NetworkTransport },
    private readonly endpoint: Endpoint,
    readonly handshakeMs: number,
  ) {}

  static async open(opts: OpenOptions): Promise<Connection> {
    const { endpoint, signals } = opts;
    const parts: { stdio?: StdioProcessTransport; net?: NetworkTransport } = {};
    if (endpoint.transport === 'stdio') {
      if (!endpoint.openStdio) throw new Error(`endpoint ${endpoint.label}: a stdio endpoint needs openStdio()`);
      const proc = await endpoint.openStdio();
      parts.stdio = new StdioProcessTransport(proc, { violation: signals.violation, ended: signals.down });
    } else if (endpoint.transport === 'tcp') {
      if (!endpoint.url) throw new Error(`endpoint ${endpoint.label}: a tcp endpoint needs a tcp://host:port url`);
      const peer = await openTcpPeer(endpoint.url, opts.handshakeTimeoutMs);
      parts.stdio = new StdioProcessTransport(peer.proc, { violation: signals.violation, ended: signals.down }, peer.peerEnd);
    } else {
      if (!endpoint.url) throw new Error(`endpoint ${endpoint.label}: a ${endpoint.transport} endpoint needs a url`);
      parts.net = createNetworkTransport(endpoint.transport, endpoint.url, endpoint.headers, signals);
    }
    const tap = new TapTransport((parts.stdio ?? parts.net?.transport)!, {
      violation: signals.violation,
      error: signals.error,
      closed: () => signals.down('transport-closed', 'the transport closed'),
    });
    const model = opts.capabilities ?? MINIMAL_CLIENT;
    const client = new Client({ name: opts.clientName, version: opts.clientVersion }, { capabilities: declaredCapabilities(model) });
    answerServerRequests(client, model, opts.workspaceDir, (method, answer) => signals.serverRequest?.(method, answer));

    const started = performance.now();
    const teardown = () => abruptClose(parts);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      await Promise.race([
        client.connect(tap, { timeout: opts.handshakeTimeoutMs }),
        new Promise<never>((_, reject) => {
          // transport start (SSE endpoint event, WebSocket open) has no SDK timeout: bound it all.
          timer = setTimeout(() => reject(new Error(`handshake timed out after ${opts.handshakeTimeoutMs} ms`)), opts.handshakeTimeoutMs);
          onAbort = () => reject(new Error('connection attempt cancelled'));
          if (opts.abort.aborted) onAbort();
          opts.abort.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } catch (err) {
      await teardown();
      throw err;
    } finally {
      clearTimeout(timer);
      if (onAbort) opts.abort.removeEventListener('abort', onAbort);
    }
    return new Connection(client, tap, parts, endpoint, performance.now() - started);
  }

  get protocolVersion(): string {
    return this.tap.negotiatedVersion ?? 'unknown';
  }

  get serverInfo(): { name: string; version: string } {
    const v = this.client.getServerVersion();
    return { name: v?.name ?? 'unknown', version: v?.version ?? 'unknown' };
  }

  /** Streamable HTTP only: the session the lean load path may address directly (stateless servers too). */
  httpSession(): HttpSessionInfo | null {
    const sessionId = this.tap.sessionId;
    if (this.endpoint.transport !== 'streamable-http' || !this.endpoint.url) return null;
    return { url: this.endpoint.url, ...(sessionId ? { sessionId } : {}), protocolVersion: this.protocolVersion, headers: this.endpoint.headers ?? {} };
  }

  /** stdio and tcp only: the line-delimited stream the lean load path writes its requests on. */
  lineStream(): StdioProcessTransport | null {
    return this.parts.stdio ?? null;
  }

  /** Idempotent. graceful: goodbye first (HTTP DELETE, stdin EOF); abrupt: SIGKILL / socket destroy / abort. */
  close(mode: 'graceful' | 'abrupt'): Promise<void> {
    this.closing ??= (async () => {
      if (mode === 'abrupt') await abruptClose(this.parts);
      else if (this.parts.stdio) await this.parts.stdio.close();
      else await this.parts.net?.closeGraceful();
      // Rejects whatever is still pending in the SDK Client (ConnectionClosed) and drops its handlers.
      await this.client.close().catch(() => undefined);
    })();
    return this.closing;
  }
}

async function abruptClose(parts: { stdio?: StdioProcessTransport; net?: NetworkTransport }): Promise<void> {
  if (parts.stdio) await parts.stdio.kill();
  else await parts.net?.closeAbrupt();
}

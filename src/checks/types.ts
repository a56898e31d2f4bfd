/**
 * Active protocol probes: the public types, the probe list and the words reports use for them.
 * Pure data; the probes live next to this file, one file per transport family.
 */
import type { ViolationKind } from '../session/findings.js';
import type { ServerProcess } from '../target/types.js';

export const TRANSPORT_KINDS = ['stdio', 'streamable-http', 'sse', 'websocket', 'tcp'] as const;

export interface CheckTarget {
  transport: (typeof TRANSPORT_KINDS)[number];
  /** Network transports: the MCP endpoint URL; tcp: tcp://host:port (a stdio server behind a byte pipe: one fresh server process per TCP connection, line-delimited JSON-RPC). */
  url?: string;
  /** Extra HTTP headers sent on every request (e.g. Authorization). Never printed. */
  headers?: Record<string, string>;
  /** stdio: starts a separate server process for the checks; the checks stop it when done, whatever happens. */
  spawn?: () => Promise<ServerProcess>;
}

/** In the order the probes run (ping before malformed-json, so a crash on bad input is not also a ping finding). */
export const CHECK_IDS = ['unknown-session', 'origin', 'notification', 'unknown-method', 'ping', 'malformed-json'] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export type CheckStatus = 'passed' | 'failed' | 'skipped';

export interface CheckOutcome {
  id: CheckId;
  /** What was checked, e.g. "a request with an unknown Mcp-Session-Id gets 404". */
  title: string;
  status: CheckStatus;
  /** When failed: the finding kind (src/session/findings.ts). */
  finding?: ViolationKind;
  /** What was sent and what came back, bounded to ~300 characters; for skipped: why. */
  evidence: string;
  ms: number;
}

export interface CheckOptions {
  /** Per probe, default 3000 ms (the handshake that opens the probes' own connection gets twice that). */
  timeoutMs?: number;
  clientInfo?: { name: string; version: string };
  /** Default: LATEST_PROTOCOL_VERSION of the SDK. */
  protocolVersion?: string;
  /** Aborted: stop at once, remaining probes 'skipped'. */
  signal?: AbortSignal;
}

/** What each probe checks, per transport family (the SDK-client family checks less: it cannot see the wire). */
export const CHECK_TITLES: Record<'http' | 'line' | 'sdk', Record<CheckId, string>> = {
  http: {
    'unknown-session': 'a request with an unknown Mcp-Session-Id gets 404',
    origin: 'a request with a foreign Origin and Host is refused with a 4xx',
    notification: 'a notification is answered with 202 Accepted and no body',
    'unknown-method': 'an unknown method gets JSON-RPC error -32601',
    ping: 'ping is answered with a result',
    'malformed-json': 'a body that is not JSON gets an HTTP 4xx, and the session still answers afterwards',
  },
  line: {
    'unknown-session': 'a request with an unknown session id gets 404 (Streamable HTTP only)',
    origin: 'a foreign Origin and Host are refused (HTTP only)',
    notification: 'no response comes back to a notification',
    'unknown-method': 'an unknown method gets JSON-RPC error -32601',
    ping: 'ping is answered with a result',
    'malformed-json': 'a line that is not JSON gets a -32700 parse error (id null), and the server still answers afterwards',
  },
  sdk: {
    'unknown-session': 'a request with an unknown Mcp-Session-Id gets 404 (Streamable HTTP only)',
    origin: 'a foreign Origin and Host are refused with a 4xx (Streamable HTTP only)',
    notification: 'a notification gets no response (not probed through an SDK client)',
    'unknown-method': 'an unknown method gets JSON-RPC error -32601',
    ping: 'ping is answered with a result',
    'malformed-json': 'malformed JSON is refused (not probed through an SDK client)',
  },
};

export type TransportFamily = keyof typeof CHECK_TITLES;

export function familyOf(transport: CheckTarget['transport']): TransportFamily {
  if (transport === 'streamable-http') return 'http';
  if (transport === 'stdio' || transport === 'tcp') return 'line';
  return 'sdk';
}

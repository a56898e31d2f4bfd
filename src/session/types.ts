/**
 * The simulated client's contract: client profiles, the events a Session emits, call outcomes.
 * The Recorder (src/run/) is the only subscriber that turns these events into metrics.
 */
import type { TransportKind } from '../target/types.js';
import type { ViolationKind } from './findings.js';

export interface ReconnectPolicy {
  enabled: boolean;
  /** Give up after this many consecutive failed attempts. */
  maxAttempts: number;
  /** Exponential backoff with full jitter: delay = random(0, min(maxDelayMs, baseDelayMs * 2^attempt)). */
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * Transports on which the client reconnects by itself (default: all). Claude Code, for example,
   * reconnects remote servers but marks a dead stdio server as failed.
   */
  transports?: TransportKind[];
}

export interface ClientProfile {
  name: string;
  description: string;
  /** Periodic `ping` health check; null = no periodic ping. */
  pingIntervalMs: number | null;
  pingTimeoutMs: number;
  requestTimeoutMs: number;
  handshakeTimeoutMs: number;
  reconnect: ReconnectPolicy;
  /** On a lost session (HTTP 404, or the 400 some servers send) start a fresh `initialize`. */
  reinitializeOnSessionLost: boolean;
  /** Re-run `tools/list` after every reconnect (false = keep the list taken at the first connect). */
  relistToolsOnReconnect: boolean;
  /** Public sources this profile's behaviour is modelled on (documented assumptions). */
  sources: string[];
}

export type DisconnectReason =
  | 'client-disconnect' // a scenario's disconnect step (graceful)
  | 'client-force-disconnect' // a scenario's force-disconnect step (abrupt)
  | 'transport-closed' // the peer closed the stream or socket
  | 'process-exit' // the stdio server process exited
  | 'ping-timeout' // a health check got no answer in time
  | 'request-timeout' // a request got no answer in time and the session was declared dead
  | 'connection-error' // a network error (refused, reset) on a request
  | 'session-expired' // HTTP 404/400 for our session id
  | 'protocol-error'; // the stream became unusable (e.g. unparseable data)

export type RequestOutcome = 'ok' | 'error' | 'timeout' | 'unavailable';

export type { ViolationKind };

export type SessionEvent =
  | { type: 'connecting'; at: number; attempt: number }
  | { type: 'connected'; at: number; handshakeMs: number; protocolVersion: string; serverName: string; serverVersion: string; reconnect: boolean }
  | { type: 'connect-failed'; at: number; attempt: number; error: string }
  | { type: 'disconnected'; at: number; reason: DisconnectReason; detail: string; expected: boolean }
  | { type: 'reconnecting'; at: number; attempt: number; delayMs: number }
  | { type: 'recovered'; at: number; afterMs: number; attempts: number; reason: DisconnectReason }
  | { type: 'gave-up'; at: number; attempts: number }
  | { type: 'tools'; at: number; tools: string[]; initial: boolean }
  | { type: 'tools-changed'; at: number; added: string[]; removed: string[] }
  | { type: 'request'; at: number; method: string; tool?: string; role?: string; ms: number; outcome: RequestOutcome; error?: string }
  | { type: 'violation'; at: number; kind: ViolationKind; sample: string }
  | { type: 'state-check'; at: number; ok: boolean; detail: string };

/**
 * `disconnected`: down and not reconnecting by itself (a scenario's disconnect step, or a profile
 * that does not auto-reconnect this transport); a scenario's `reconnect` step brings it back.
 */
export type SessionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'closed' | 'gave-up';

export interface CallResult {
  outcome: RequestOutcome;
  ms: number;
  /** The tool result (for state reads), when ok. */
  result?: unknown;
  error?: string;
}

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
  /** On a lost session (HTTP 404, or the 400 some servers send) start a fresh `initialize` at once (no backoff: the server is alive). */
  reinitializeOnSessionLost: boolean;
  /**
   * What happens to the request that got the 404: `replay` — it was not processed (spec), so it is
   * sent again on the new session and the user never sees an error; `fail` — it fails (the user sees
   * the error) and only later requests use the new session.
   */
  onSessionExpiry: 'replay' | 'fail';
  /** What the client declares in `initialize` and how it answers the server's own requests. */
  capabilities: ClientCapabilitiesModel;
  /** Re-run `tools/list` after every reconnect (false = keep the list taken at the first connect). */
  relistToolsOnReconnect: boolean;
  /** Public sources this profile's behaviour is modelled on (documented assumptions). */
  sources: string[];
}

/**
 * The client capabilities a profile declares, and its answers to server-initiated requests
 * (`roots/list`, `elicitation/create`, `sampling/createMessage`). A request for a capability the
 * profile does not declare is answered with -32601 (and counted).
 */
export interface ClientCapabilitiesModel {
  /** `roots` declared (with listChanged); `workspace`: one root, the run's scratch folder; `none`: an empty list. */
  roots: { declared: boolean; answer: 'workspace' | 'none' };
  /** `elicitation` declared; `accept` fills the requested schema (defaults first), `decline` and `cancel` as the user would. */
  elicitation: { declared: boolean; answer: 'accept' | 'decline' | 'cancel' };
  /** `sampling` declared; answered with a fixed assistant text (no model is called). */
  sampling: { declared: boolean };
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

/**
 * ok: answered with a result. tool-error: a tools/call answered with `isError: true` — the server is
 * up and answered (counted as available, with its own rate). error: a JSON-RPC error, a transport or
 * protocol failure. timeout: no answer in time (or none by the run's end). unavailable: never sent,
 * the session was down.
 */
export type RequestOutcome = 'ok' | 'tool-error' | 'error' | 'timeout' | 'unavailable';

/** The server answered (a result or a tool error): the server is up. */
export function isAnswered(outcome: RequestOutcome): boolean {
  return outcome === 'ok' || outcome === 'tool-error';
}

export type { ViolationKind };

export type SessionEvent =
  | { type: 'connecting'; at: number; attempt: number }
  | { type: 'connected'; at: number; handshakeMs: number; protocolVersion: string; serverName: string; serverVersion: string; reconnect: boolean }
  | { type: 'connect-failed'; at: number; attempt: number; error: string }
  | { type: 'disconnected'; at: number; reason: DisconnectReason; detail: string; expected: boolean }
  | { type: 'reconnecting'; at: number; attempt: number; delayMs: number }
  /** `by`: `client` (absent: the same) — the client reconnected by itself; `scenario` — a scenario's reconnect step did. */
  | { type: 'recovered'; at: number; afterMs: number; attempts: number; reason: DisconnectReason; by?: 'client' | 'scenario' }
  /** The server no longer knows our session (HTTP 404, or 400 naming the session). Not a disconnection: the link is alive. */
  | { type: 'session-expired'; at: number; status: number; detail: string; lifetimeMs: number | null }
  /** A fresh session after an expiry, `afterMs` after the expiry was seen. */
  | { type: 'session-renewed'; at: number; afterMs: number }
  /** The server sent us a request (roots/list, elicitation/create, sampling/createMessage, ...) and how the profile answered. */
  | { type: 'server-request'; at: number; method: string; answer: string }
  | { type: 'gave-up'; at: number; attempts: number }
  | { type: 'tools'; at: number; tools: string[]; initial: boolean }
  | { type: 'tools-changed'; at: number; added: string[]; removed: string[] }
  | {
      type: 'request';
      at: number;
      method: string;
      tool?: string;
      role?: string;
      ms: number;
      outcome: RequestOutcome;
      error?: string;
      /** No answer by the run's hard end: abandoned and counted as a timeout. */
      abandoned?: true;
      /** Sent again on a new session after the first attempt got a session expiry (the user saw one request). */
      replayed?: true;
      /** Failed because the session expired under it (the profile does not replay). */
      lostToExpiry?: true;
    }
  /** `source`: `traffic` (seen in the session's own messages, the default) or `check` (an active protocol check). */
  | { type: 'violation'; at: number; kind: ViolationKind; sample: string; source?: 'traffic' | 'check' }
  | { type: 'state-check'; at: number; ok: boolean; detail: string };

/**
 * `disconnected`: down and not reconnecting by itself (a scenario's disconnect step, or a profile
 * that does not auto-reconnect this transport); a scenario's `reconnect` step brings it back.
 */
export type SessionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'closed' | 'gave-up';

export interface CallResult {
  outcome: RequestOutcome;
  ms: number;
  /** The tool result, when answered (ok or tool-error). */
  result?: unknown;
  error?: string;
}

/**
 * Client profiles: how the simulated client behaves (health checks, timeouts, reconnects, tool-list
 * refresh). `claude-code` is modelled on Claude Code's publicly reported behaviour; the values are
 * assumptions taken from the sources listed on it, not from Claude Code's code.
 */
import type { ScenarioClientOverrides } from '../scenario/types.js';
import type { ClientProfile } from './types.js';
import { BadInputError } from '../errors.js';

export const CLIENT_PROFILES: Record<string, ClientProfile> = {
  resilient: {
    name: 'resilient',
    description: 'A well-behaved client: pings every 5 s, re-initializes a lost session, reconnects with jittered backoff and re-lists tools after every reconnect.',
    pingIntervalMs: 5_000,
    pingTimeoutMs: 3_000,
    requestTimeoutMs: 30_000,
    handshakeTimeoutMs: 10_000,
    reconnect: { enabled: true, maxAttempts: 8, baseDelayMs: 250, maxDelayMs: 5_000 },
    reinitializeOnSessionLost: true,
    onSessionExpiry: 'replay',
    capabilities: {
      roots: { declared: true, answer: 'none' },
      elicitation: { declared: true, answer: 'accept' },
      sampling: { declared: true },
    },
    relistToolsOnReconnect: true,
    sources: [
      'Design choice of this project (MCP spec: ping for liveness; on HTTP 404 for its session the client starts a new session, and the request that got the 404 was not processed, so it is sent again).',
      'Declares roots (an empty list), elicitation (accepted, the requested fields filled from their defaults) and sampling (answered with a fixed text; no model is called).',
    ],
  },
  'claude-code': {
    name: 'claude-code',
    description:
      'Modelled on Claude Code: no periodic ping; remote servers (HTTP, SSE, WebSocket) reconnect up to 5 times with backoff, a dead stdio server stays failed (only a scenario reconnect step, like /mcp reconnect, brings it back); a session expiry fails the request that met it; the tool list is taken once at connect and not refreshed after a reconnect; long tool timeout; roots and elicitation declared, no sampling.',
    // Assumption: Claude Code sends no periodic ping; failures surface on the next request or a stream/close event.
    pingIntervalMs: null,
    pingTimeoutMs: 10_000,
    // Assumption: Claude Code's tool-call timeout (MCP_TOOL_TIMEOUT) defaults to ~1e8 ms (about 27.8 h).
    // We cap it at 10 minutes so a hung call still ends inside a CI job; override with client.requestTimeoutMs.
    requestTimeoutMs: 600_000,
    // Assumption: connect/startup timeout (MCP_TIMEOUT) of 30 s; issue #16837 shows it capped at 60 s by the SDK.
    handshakeTimeoutMs: 30_000,
    // Assumption: 5 attempts, 1 s doubling to 16 s (1, 2, 4, 8, 16 s). Claude Code is reported to back off
    // deterministically; this simulator applies full jitter within the same caps.
    reconnect: { enabled: true, maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 16_000, transports: ['streamable-http', 'sse', 'websocket'] },
    // Assumption: on HTTP 404 for its session, the request that got it fails and is shown to the model;
    // the next request starts a new session (issue #56264). Older versions never re-initialized (#9608, #62008).
    reinitializeOnSessionLost: true,
    onSessionExpiry: 'fail',
    // Assumption: declares roots (listChanged) and answers with its working folder; elicitation since 2.1.76
    // (a dialog: in a run nobody answers it, so the simulator cancels); no sampling (feature request #1785).
    capabilities: {
      roots: { declared: true, answer: 'workspace' },
      elicitation: { declared: true, answer: 'cancel' },
      sampling: { declared: false },
    },
    // Tools are listed once; after a reconnect the old list stays, so drift is invisible to this client and
    // therefore not reported as tools-changed with this profile (a scenario's list-tools step still reveals it).
    relistToolsOnReconnect: false,
    sources: [
      'assumption: https://code.claude.com/docs/en/mcp (MCP_TIMEOUT for server startup, MCP_TOOL_TIMEOUT for tool calls)',
      'assumption: https://github.com/anthropics/claude-code/issues/43177 (remote transports reconnect with exponential backoff, 5 attempts; stdio excluded)',
      'assumption: https://github.com/anthropics/claude-code/issues/43847 (backoff 1 s to 16 s, 5 attempts; stdio and sdk skipped)',
      'assumption: https://github.com/anthropics/claude-code/issues/56937 (HTTP/SSE servers auto-reconnect up to 5 attempts)',
      'assumption: https://github.com/anthropics/claude-code/issues/33779 (tools/list is not re-queried after a reconnect)',
      'assumption: https://github.com/anthropics/claude-code/issues/38043 (tools stay unavailable after a transient disconnect)',
      'assumption: https://github.com/anthropics/claude-code/issues/16837 (MCP_TIMEOUT capped at 60 s by the SDK request timeout)',
      'assumption: https://github.com/anthropics/claude-code/issues/47076 (MCP_TOOL_TIMEOUT vs MCP_TIMEOUT; long default tool timeout)',
      'assumption: https://github.com/anthropics/claude-code/issues/56264 (a 404 for the session is surfaced to the model as the tool result; the next call re-initializes)',
      'assumption: https://github.com/anthropics/claude-code/issues/65572 (client capabilities observed in initialize: roots with listChanged)',
      'assumption: https://github.com/modelcontextprotocol/modelcontextprotocol/pull/2398 (Claude Code supports elicitation since 2.1.76)',
      'assumption: https://github.com/anthropics/claude-code/issues/1785 (sampling is not supported)',
      'assumption: the roots answer is a scratch folder this tool creates for the run, standing in for the project folder Claude Code offers (no tool gets your files)',
    ],
  },
};

export class UnknownProfileError extends BadInputError {
  constructor(readonly profileName: string) {
    super(`unknown client profile "${profileName}"; choose one of: ${Object.keys(CLIENT_PROFILES).sort().join(', ')}`);
    this.name = 'UnknownProfileError';
  }
}

/** A copy of the named profile with a scenario's client overrides applied. */
export function getClientProfile(name: string, overrides: ScenarioClientOverrides = {}): ClientProfile {
  const base = CLIENT_PROFILES[name];
  if (!base) throw new UnknownProfileError(name);
  return withOverrides(base, overrides);
}

/** A copy of a profile with a scenario's client overrides applied (the scenario file wins). */
export function withOverrides(base: ClientProfile, overrides: ScenarioClientOverrides = {}): ClientProfile {
  const p: ClientProfile = structuredClone(base);
  if (overrides.pingIntervalMs !== undefined) p.pingIntervalMs = overrides.pingIntervalMs > 0 ? overrides.pingIntervalMs : null;
  if (overrides.pingTimeoutMs !== undefined) p.pingTimeoutMs = overrides.pingTimeoutMs;
  if (overrides.requestTimeoutMs !== undefined) p.requestTimeoutMs = overrides.requestTimeoutMs;
  if (overrides.maxReconnectAttempts !== undefined) {
    p.reconnect.maxAttempts = overrides.maxReconnectAttempts;
    p.reconnect.enabled = overrides.maxReconnectAttempts > 0;
  }
  return p;
}

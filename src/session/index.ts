/** The simulated MCP client: sessions, client profiles, the lean load path, backoff math. */
export { Session, HEALTH_ROLE, type SessionOptions, type CallOptions } from './session.js';
export { SessionEmitter, type SessionEventType, type EventOf } from './emitter.js';
export { CLIENT_PROFILES, getClientProfile, withOverrides, UnknownProfileError } from './profiles.js';
export { backoffCapMs, backoffDelayMs, backoffSchedule, reconnectLoop, type ReconnectOutcome, type BackoffPolicy } from './reconnect.js';
export { diffTools, type ToolDiff } from './tools.js';
export type { LeanCaller, LeanCallOptions } from './lean.js';
export * from './types.js';

/**
 * The protocol-hygiene findings this tool can report, each with its severity and the part of the
 * spec it rests on (pure data). Severity is graded by consequence for a client that follows the spec:
 *
 * - `error`: the stream or a message is corrupt, or the server breaks in a way such a client cannot
 *   work around (it loses or mis-associates messages, or the server dies on bad input).
 * - `warning`: a MUST or SHOULD is broken but a careful client still works (perhaps by retrying or
 *   re-initializing), or a risky practice (a security exposure).
 * - `info`: allowed by the spec, but worth knowing (an older protocol version).
 *
 * `maxProtocolViolations` counts `error` findings unless a scenario sets limits per severity.
 */

export const FINDING_SEVERITIES = ['error', 'warning', 'info'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

export interface SpecCitation {
  /** e.g. `Transports › stdio`. */
  section: string;
  url: string;
  /** The requirement, in a few words (paraphrased, with its keyword: MUST, SHOULD, MAY). */
  rule: string;
}

export interface FindingInfo {
  severity: FindingSeverity;
  /** A short title for reports. */
  title: string;
  spec: SpecCitation;
}

const SPEC = 'https://modelcontextprotocol.io/specification/2025-11-25';
const STDIO: SpecCitation = { section: 'Transports › stdio', url: `${SPEC}/basic/transports#stdio`, rule: 'the server MUST NOT write anything to stdout that is not a valid MCP message; messages are delimited by newlines' };
const MESSAGES: SpecCitation = { section: 'Base protocol › Messages', url: `${SPEC}/basic#messages`, rule: 'messages MUST follow JSON-RPC 2.0; a response MUST carry the id of its request' };
const NOTIFICATIONS: SpecCitation = { section: 'Base protocol › Notifications', url: `${SPEC}/basic#notifications`, rule: 'the receiver MUST NOT send a response to a notification' };
const SESSIONS: SpecCitation = {
  section: 'Transports › Streamable HTTP › Session management',
  url: `${SPEC}/basic/transports#session-management`,
  rule: 'after a session ends the server MUST answer requests carrying its id with HTTP 404 Not Found; on 404 the client MUST start a new session',
};
const SENDING: SpecCitation = {
  section: 'Transports › Streamable HTTP › Sending messages to the server',
  url: `${SPEC}/basic/transports#sending-messages-to-the-server`,
  rule: 'a notification or response the server accepts MUST be answered with HTTP 202 Accepted and no body; input it cannot accept MUST get an HTTP error status',
};
const SECURITY: SpecCitation = {
  section: 'Transports › Security warning',
  url: `${SPEC}/basic/transports#security-warning`,
  rule: 'servers MUST validate the Origin header of every incoming connection (DNS rebinding); local servers SHOULD bind to 127.0.0.1 only',
};
const PING: SpecCitation = { section: 'Utilities › Ping', url: `${SPEC}/basic/utilities/ping`, rule: 'the receiver MUST respond promptly with an empty response' };
const VERSION: SpecCitation = {
  section: 'Lifecycle › Version negotiation',
  url: `${SPEC}/basic/lifecycle#version-negotiation`,
  rule: 'if the server does not support the requested version it MUST answer with another version it supports (an older one is allowed)',
};
const JSONRPC_ERRORS: SpecCitation = { section: 'JSON-RPC 2.0 › Error object', url: 'https://www.jsonrpc.org/specification#error_object', rule: 'an unknown method MUST get error -32601; unparseable JSON MUST get error -32700 with id null' };
const TOOL_ERRORS: SpecCitation = {
  section: 'Server features › Tools › Error handling',
  url: `${SPEC}/server/tools#error-handling`,
  rule: 'tool execution errors SHOULD be reported in the result with isError: true, so the client can tell them from success',
};

export const FINDINGS = {
  'stdout-non-json': { severity: 'error', title: 'Non-JSON line on stdout', spec: STDIO },
  'partial-line': { severity: 'error', title: 'stdout ended or stalled mid-line', spec: STDIO },
  'invalid-jsonrpc': { severity: 'error', title: 'Message that is not valid JSON-RPC 2.0', spec: MESSAGES },
  'unknown-response-id': { severity: 'error', title: 'Response with an id no request in flight has', spec: MESSAGES },
  'response-to-notification': { severity: 'error', title: 'Response to a notification', spec: NOTIFICATIONS },
  'malformed-input-crash': { severity: 'error', title: 'Server stopped answering after malformed input', spec: JSONRPC_ERRORS },
  'ping-unanswered': { severity: 'error', title: 'ping not answered', spec: PING },
  'ping-unsupported': { severity: 'warning', title: 'ping answered with an error', spec: PING },
  'session-lost-400': { severity: 'warning', title: 'Unknown or expired session not answered with 404 (e.g. 400)', spec: SESSIONS },
  'unknown-session-accepted': { severity: 'warning', title: 'Request with a session id the server never issued was processed', spec: SESSIONS },
  'origin-not-validated': { severity: 'warning', title: 'Foreign Origin and Host accepted (no DNS-rebinding protection)', spec: SECURITY },
  'notification-not-202': { severity: 'warning', title: 'Notification not answered with 202 Accepted and no body', spec: SENDING },
  'malformed-json-accepted': { severity: 'warning', title: 'Malformed JSON not refused with an HTTP error status', spec: SENDING },
  'unknown-method-not-32601': { severity: 'warning', title: 'Unknown method not answered with -32601', spec: JSONRPC_ERRORS },
  'error-text-result': { severity: 'warning', title: 'Tool result reads like an error but is not flagged isError', spec: TOOL_ERRORS },
  'parse-error-unanswered': { severity: 'info', title: 'Malformed JSON line not answered with a -32700 parse error', spec: JSONRPC_ERRORS },
  'version-downgrade': { severity: 'info', title: 'Older protocol version than requested', spec: VERSION },
} as const satisfies Record<string, FindingInfo>;

export type ViolationKind = keyof typeof FINDINGS;

export function severityOf(kind: ViolationKind): FindingSeverity {
  return FINDINGS[kind].severity;
}

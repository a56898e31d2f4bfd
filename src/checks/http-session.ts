/**
 * The probes' own Streamable HTTP session, spoken raw: initialize POST, notifications/initialized,
 * requests on the session's headers, and DELETE of every session the probes made (also one a
 * server without DNS-rebinding protection created for the foreign-Host initialize).
 */
import { exchange, bodyMessages, describeAnswer, type HttpAnswer } from './http-raw.js';
import { initializedNotification, initializeRequest, responseWithId, describeResponse, type JsonRpcResponse } from './jsonrpc.js';
import type { CheckRun } from './run.js';

export const ACCEPT = 'application/json, text/event-stream';

export interface HttpSession {
  url: URL;
  /** The caller's extra headers (never printed). */
  extra: Record<string, string>;
  /** Issued by the server at initialize; undefined: a stateless server. */
  sessionId: string | undefined;
  protocolVersion: string;
  /** Session ids to DELETE at the end. */
  made: Set<string>;
  nextId: number;
}

/** Failed with a session: the server issued an id before the handshake went wrong (still to be DELETEd). */
export type Opened = { ok: true; session: HttpSession } | { ok: false; reason: string; session?: HttpSession };

/** Headers for a POST: the caller's, content negotiation, and (unless overridden) our session. */
export function postHeaders(s: HttpSession, over: { sessionId?: string | null; extra?: Record<string, string> } = {}): Record<string, string> {
  const sid = over.sessionId === null ? undefined : (over.sessionId ?? s.sessionId);
  return {
    ...s.extra,
    'content-type': 'application/json',
    accept: ACCEPT,
    'mcp-protocol-version': s.protocolVersion,
    ...(sid !== undefined ? { 'mcp-session-id': sid } : {}),
    ...over.extra,
  };
}

export function post(run: CheckRun, s: HttpSession, body: string, opts: { wantId?: number; sessionId?: string | null; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  return exchange({
    method: 'POST',
    url: s.url,
    headers: postHeaders(s, { ...(opts.sessionId !== undefined ? { sessionId: opts.sessionId } : {}) }),
    body,
    timeoutMs: opts.timeoutMs ?? run.timeoutMs,
    ...(run.signal ? { signal: run.signal } : {}),
    ...(opts.wantId !== undefined ? { wantId: opts.wantId } : {}),
  });
}

/** A JSON-RPC request on the session: the HTTP answer and, when the body holds one, our response. */
export async function request(run: CheckRun, s: HttpSession, make: (id: number) => object, opts: { sessionId?: string | null } = {}): Promise<{ answer: HttpAnswer; response: JsonRpcResponse | undefined }> {
  const id = s.nextId++;
  const answer = await post(run, s, JSON.stringify(make(id)), { wantId: id, ...opts });
  const response = answer.kind === 'reply' ? responseWithId(bodyMessages(answer), id) : undefined;
  return { answer, response };
}

export function sessionIdOf(answer: HttpAnswer): string | undefined {
  if (answer.kind !== 'reply') return undefined;
  const v = answer.headers['mcp-session-id'];
  const sid = Array.isArray(v) ? v[0] : v;
  return sid && sid.trim() !== '' ? sid.trim() : undefined;
}

export async function openHttpSession(run: CheckRun, url: string | undefined, extra: Record<string, string> = {}): Promise<Opened> {
  let parsed: URL;
  try {
    if (!url) return { ok: false, reason: 'the target has no URL' };
    parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { ok: false, reason: `a Streamable HTTP target needs an http(s):// URL (got ${parsed.protocol})` };
  } catch {
    return { ok: false, reason: 'the target URL is not a valid URL' };
  }
  const s: HttpSession = { url: parsed, extra, sessionId: undefined, protocolVersion: run.protocolVersion, made: new Set(), nextId: 1 };
  const id = s.nextId++;
  const answer = await exchange({
    method: 'POST',
    url: parsed,
    headers: { ...extra, 'content-type': 'application/json', accept: ACCEPT },
    body: JSON.stringify(initializeRequest(id, run.protocolVersion, run.clientInfo)),
    timeoutMs: run.handshakeMs,
    wantId: id,
    ...(run.signal ? { signal: run.signal } : {}),
  });
  const why = (what: string): Opened => ({ ok: false, reason: `the probes' own initialize failed, nothing to probe: ${what}`, session: s });
  if (answer.kind === 'aborted') return { ok: false, reason: "aborted during the probes' own initialize" };
  if (answer.kind === 'none') return why(describeAnswer(answer));
  s.sessionId = sessionIdOf(answer);
  if (s.sessionId) s.made.add(s.sessionId);
  const response = responseWithId(bodyMessages(answer), id);
  if (answer.status < 200 || answer.status >= 300 || !response) return why(describeAnswer(answer));
  if (response.error !== undefined || typeof response.result !== 'object' || response.result === null) return why(`initialize answered with ${describeResponse(response)}`);
  const version = (response.result as { protocolVersion?: unknown }).protocolVersion;
  if (typeof version === 'string' && version !== '') s.protocolVersion = version;
  // The server's answer to it is not judged here (the notification probe does that with its own).
  await post(run, s, JSON.stringify(initializedNotification));
  return { ok: true, session: s };
}

/** DELETE every session the probes made, in parallel; answers are ignored, each bounded (briefly when aborted). */
export async function closeHttpSessions(run: CheckRun, s: HttpSession): Promise<void> {
  const timeoutMs = run.aborted ? 500 : Math.min(run.timeoutMs, 2000);
  await Promise.all([...s.made].map((sid) => exchange({ method: 'DELETE', url: s.url, headers: postHeaders(s, { sessionId: sid }), timeoutMs })));
}

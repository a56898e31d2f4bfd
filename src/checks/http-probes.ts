/**
 * The Streamable HTTP probes, raw over node:http on the probes' own session: unknown session,
 * foreign Origin/Host, a notification, an unknown method, ping, and a body that is not JSON
 * (followed by a request proving the session still answers). Each judges the HTTP status and body
 * as sent; the sessions made are DELETEd at the end, whatever happened.
 */
import { bodyMessages, describeAnswer, exchange } from './http-raw.js';
import { ACCEPT, closeHttpSessions, openHttpSession, post, request, sessionIdOf, type HttpSession } from './http-session.js';
import {
  cancelledNotification,
  type Answered,
  describeResponse,
  errorCode,
  FOREIGN_HOST,
  FOREIGN_ORIGIN,
  initializeRequest,
  livenessOf,
  MALFORMED_JSON,
  NEVER_ISSUED_SESSION,
  pingRequest,
  responseWithId,
  type JsonRpcResponse,
  UNKNOWN_METHOD,
  unknownMethodRequest,
} from './jsonrpc.js';
import { failed, passed, skipped, type CheckRun, type Verdict } from './run.js';
import type { CheckTarget } from './types.js';

const is2xx = (status: number) => status >= 200 && status < 300;
const is4xx = (status: number) => status >= 400 && status < 500;

async function unknownSession(run: CheckRun, s: HttpSession): Promise<Verdict> {
  if (!s.sessionId) return skipped('the server issued no Mcp-Session-Id at initialize (a stateless server): there are no sessions to expire');
  const { answer } = await request(run, s, pingRequest, { sessionId: NEVER_ISSUED_SESSION });
  const said = `POST ping with an Mcp-Session-Id the server never issued → ${describeAnswer(answer)}`;
  if (answer.kind === 'reply' && answer.status === 404) return passed(said);
  if (answer.kind === 'reply' && is2xx(answer.status)) return failed('unknown-session-accepted', `${said} (processed on a session that does not exist)`);
  return failed('session-lost-400', `${said} (not 404: a client following the spec does not know to start a new session)`);
}

function serverName(r: JsonRpcResponse): string {
  const info = (r.result as { serverInfo?: { name?: unknown } } | undefined)?.serverInfo;
  return typeof info?.name === 'string' ? ` by ${JSON.stringify(info.name.slice(0, 60))}` : '';
}

async function origin(run: CheckRun, s: HttpSession): Promise<Verdict> {
  const id = s.nextId++;
  const answer = await exchange({
    method: 'POST',
    url: s.url,
    headers: { ...s.extra, 'content-type': 'application/json', accept: ACCEPT, host: FOREIGN_HOST, origin: FOREIGN_ORIGIN },
    body: JSON.stringify(initializeRequest(id, run.protocolVersion, run.clientInfo)),
    timeoutMs: run.timeoutMs,
    wantId: id,
    ...(run.signal ? { signal: run.signal } : {}),
  });
  const sid = sessionIdOf(answer);
  if (sid) s.made.add(sid);
  const response = answer.kind === 'reply' ? responseWithId(bodyMessages(answer), id) : undefined;
  const got = answer.kind === 'reply' && is2xx(answer.status) && response ? `HTTP ${answer.status}, initialize ${response.error !== undefined ? describeResponse(response) : `answered${serverName(response)}`}${sid ? ', a session issued' : ''}` : describeAnswer(answer, 120);
  const said = `POST initialize with Origin: ${FOREIGN_ORIGIN} and Host: ${FOREIGN_HOST} → ${got}`;
  if (answer.kind !== 'reply') return skipped(`inconclusive: ${said}`);
  if (is4xx(answer.status)) return passed(said);
  if (is2xx(answer.status)) return failed('origin-not-validated', `${said} (a page on a foreign origin could drive this server through DNS rebinding)`);
  return skipped(`inconclusive, neither accepted nor refused with a 4xx: ${said}`);
}

async function notification(run: CheckRun, s: HttpSession): Promise<Verdict> {
  const answer = await post(run, s, JSON.stringify(cancelledNotification));
  const said = `POST notifications/cancelled (for a request id never sent) → ${describeAnswer(answer)}`;
  if (answer.kind === 'reply' && answer.status === 202 && answer.complete && answer.body.trim() === '') return passed(said);
  return failed('notification-not-202', said);
}

async function unknownMethod(run: CheckRun, s: HttpSession, answered: Answered): Promise<Verdict> {
  const { answer, response } = await request(run, s, unknownMethodRequest);
  if (response) answered.set(UNKNOWN_METHOD, unknownMethodRequest);
  const status = answer.kind === 'reply' ? `HTTP ${answer.status}, ` : '';
  const said = `POST ${UNKNOWN_METHOD} → ${response ? `${status}${describeResponse(response)}` : describeAnswer(answer)}`;
  if (response && errorCode(response) === -32601) return passed(said);
  return failed('unknown-method-not-32601', said);
}

async function ping(run: CheckRun, s: HttpSession, answered: Answered): Promise<Verdict> {
  const { answer, response } = await request(run, s, pingRequest);
  if (response) answered.set('ping', pingRequest);
  const said = `POST ping → ${response ? describeResponse(response) : describeAnswer(answer)}`;
  if (!response) return failed('ping-unanswered', said);
  if (response.error !== undefined) return failed('ping-unsupported', said);
  return passed(said);
}

async function malformedJson(run: CheckRun, s: HttpSession, answered: Answered): Promise<Verdict> {
  const answer = await post(run, s, MALFORMED_JSON);
  const said = `POST a body that is not JSON (${MALFORMED_JSON}) → ${describeAnswer(answer, 100)}`;
  const live = livenessOf(answered);
  let after = '; liveness not checked: neither ping nor an unknown method was ever answered';
  if (live) {
    const [name, make] = live;
    const probe = await request(run, s, make);
    if (!probe.response) return failed('malformed-input-crash', `${said}; then ${name} on the same session → ${describeAnswer(probe.answer, 80)}`);
    after = `; then ${name} still answered`;
  }
  if (answer.kind === 'reply' && is4xx(answer.status)) return passed(`${said}${after}`);
  if (answer.kind === 'reply' && answer.status >= 500) return passed(`${said}${after} (an error status, though a 4xx is the fitting one)`);
  return failed('malformed-json-accepted', `${said}${after}`);
}

export async function runHttpChecks(target: CheckTarget, run: CheckRun): Promise<void> {
  const opened = await openHttpSession(run, target.url, target.headers ?? {});
  const s = opened.session;
  try {
    if (!opened.ok) return run.skipRest(opened.reason);
    const session = opened.session;
    const answered: Answered = new Map();
    await run.probe('unknown-session', () => unknownSession(run, session));
    await run.probe('origin', () => origin(run, session));
    await run.probe('notification', () => notification(run, session));
    await run.probe('unknown-method', () => unknownMethod(run, session, answered));
    await run.probe('ping', () => ping(run, session, answered));
    await run.probe('malformed-json', () => malformedJson(run, session, answered));
  } finally {
    if (s) await closeHttpSessions(run, s);
  }
}

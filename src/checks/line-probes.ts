/**
 * The probes over line-delimited JSON-RPC: a stdio server of its own (target.spawn), or a TCP
 * connection to a piped stdio server (a fresh server process behind it). Handshake, then a
 * notification (nothing may come back), an unknown method, ping, and a line that is not JSON
 * (a -32700 with id null is the good answer; the server must still answer afterwards). The
 * process or socket is closed at the end, whatever happened.
 */
import type { ServerProcess } from '../target/types.js';
import { openTcpPeer } from '../session/transports/tcp.js';
import {
  cancelledNotification,
  describeResponse,
  errorCode,
  initializedNotification,
  initializeRequest,
  livenessOf,
  MALFORMED_JSON,
  pingRequest,
  UNKNOWN_METHOD,
  unknownMethodRequest,
  type Answered,
} from './jsonrpc.js';
import { LinePeer } from './line-peer.js';
import { failed, passed, skipped, within, type CheckRun, type Verdict } from './run.js';
import type { CheckTarget } from './types.js';

interface Link {
  peer: LinePeer;
  proc: ServerProcess;
  nextId: number;
  answered: Answered;
}

function describeExit(transport: CheckTarget['transport'], exit: { code: number | null; signal: NodeJS.Signals | null }): string {
  return transport === 'tcp' ? 'the tcp connection closed' : `the server exited (code=${exit.code ?? 'none'} signal=${exit.signal ?? 'none'})`;
}

async function openProcess(target: CheckTarget, run: CheckRun): Promise<ServerProcess | string> {
  try {
    if (target.transport === 'tcp') {
      if (!target.url) return 'the target has no tcp://host:port URL';
      return (await openTcpPeer(target.url, run.handshakeMs)).proc;
    }
    if (!target.spawn) return 'a stdio target needs spawn() to start a separate server process for the checks';
    const spawning = target.spawn();
    const late = Symbol('late');
    let timer: NodeJS.Timeout | undefined;
    const proc = await Promise.race([spawning, new Promise<typeof late>((resolve) => (timer = setTimeout(() => resolve(late), run.handshakeMs)))]).finally(() => clearTimeout(timer));
    if (proc !== late) return proc;
    // Started after we gave up on it: stop it then, so nothing is left running.
    void spawning.then((p) => p.stop(1000)).catch(() => undefined);
    return `the server process did not start within ${run.handshakeMs} ms`;
  } catch (err) {
    return `could not open the probes' own connection: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** End stdin (a stdio server's cue to exit), give it a moment, then stop it: bounded whatever the process does. */
async function closeProcess(proc: ServerProcess, aborted: boolean): Promise<void> {
  try {
    proc.stdin.end();
  } catch {
    // already closed
  }
  const gone = await within(proc.exited.then(() => true), aborted ? 100 : 500, false);
  if (!gone) await within(proc.stop(1000), 3000, undefined);
}

async function handshake(link: Link, run: CheckRun): Promise<string | undefined> {
  const id = link.nextId++;
  link.peer.send(initializeRequest(id, run.protocolVersion, run.clientInfo));
  const w = await link.peer.wait(() => link.peer.response(id), run.handshakeMs, run.signal);
  const why = 'the probes\' own initialize';
  if (w.kind === 'aborted') return `aborted during ${why}`;
  if (w.kind === 'timeout') return `${why} got no answer within ${run.handshakeMs} ms, nothing to probe`;
  if (w.kind === 'ended') return `${w.detail} before answering ${why}, nothing to probe`;
  if (w.value.error !== undefined) return `${why} was answered with ${describeResponse(w.value)}, nothing to probe`;
  link.peer.send(initializedNotification);
  return undefined;
}

async function notification(link: Link, run: CheckRun): Promise<Verdict> {
  const windowMs = Math.round(Math.min(500, run.timeoutMs / 2));
  const mark = link.peer.responses.length;
  link.peer.send(cancelledNotification);
  const w = await link.peer.wait(() => link.peer.responses[mark], windowMs, run.signal);
  const said = 'wrote notifications/cancelled (for a request id never sent)';
  if (w.kind === 'found') return failed('response-to-notification', `${said} → a response came back: ${JSON.stringify(w.value).slice(0, 160)}`);
  if (w.kind === 'ended') return skipped(`cannot judge: ${w.detail} right after ${said}`);
  return passed(`${said} → nothing came back within ${windowMs} ms`);
}

/** A request; any response with its id counts as answered. */
async function ask(link: Link, run: CheckRun, name: string, make: (id: number) => object) {
  const id = link.nextId++;
  link.peer.send(make(id));
  const w = await link.peer.wait(() => link.peer.response(id), run.timeoutMs, run.signal);
  if (w.kind === 'found') link.answered.set(name, make);
  const text = w.kind === 'found' ? describeResponse(w.value) : w.kind === 'ended' ? `${w.detail} instead of answering` : `no answer within ${run.timeoutMs} ms`;
  return { w, text };
}

async function unknownMethod(link: Link, run: CheckRun): Promise<Verdict> {
  const { w, text } = await ask(link, run, UNKNOWN_METHOD, unknownMethodRequest);
  const said = `wrote ${UNKNOWN_METHOD} → ${text}`;
  return w.kind === 'found' && errorCode(w.value) === -32601 ? passed(said) : failed('unknown-method-not-32601', said);
}

async function ping(link: Link, run: CheckRun): Promise<Verdict> {
  const { w, text } = await ask(link, run, 'ping', pingRequest);
  const said = `wrote ping → ${text}`;
  if (w.kind !== 'found') return failed('ping-unanswered', said);
  return w.value.error !== undefined ? failed('ping-unsupported', said) : passed(said);
}

async function malformedJson(link: Link, run: CheckRun): Promise<Verdict> {
  const { peer } = link;
  const mark = peer.responses.length;
  const said = `wrote a line that is not JSON (${MALFORMED_JSON})`;
  peer.sendRaw(MALFORMED_JSON);
  const live = livenessOf(link.answered);
  let after = '; liveness not checked: neither ping nor an unknown method was ever answered';
  if (live) {
    const [name, make] = live;
    const { w, text } = await ask(link, run, name, make);
    if (w.kind === 'aborted') return skipped('aborted');
    if (w.kind !== 'found') return failed('malformed-input-crash', `${said}; then ${name} → ${text}`);
    after = `; then ${name} still answered`;
    // A parse error may trail the next answer on a server that handles lines concurrently.
    if (!peer.parseErrorSince(mark)) await peer.wait(() => peer.parseErrorSince(mark), Math.round(Math.min(250, run.timeoutMs / 4)), run.signal);
  } else {
    const w = await peer.wait(() => peer.parseErrorSince(mark), run.timeoutMs, run.signal);
    if (w.kind === 'ended') return failed('malformed-input-crash', `${said} → ${w.detail}`);
  }
  const parseError = peer.parseErrorSince(mark);
  if (parseError) {
    const idNote = parseError.id === null || parseError.id === undefined ? '' : ` (its id should be null, got ${JSON.stringify(parseError.id)})`;
    return passed(`${said} → ${describeResponse(parseError)}${idNote}${after}`);
  }
  const other = peer.responses.slice(mark).find((r) => r.id === null || r.id === undefined);
  return failed('parse-error-unanswered', `${said} → ${other ? `${describeResponse(other)}, not -32700` : 'no -32700 parse error'}${after}`);
}

export async function runLineChecks(target: CheckTarget, run: CheckRun): Promise<void> {
  const transport = target.transport === 'tcp' ? 'tcp' : 'stdio';
  run.record('unknown-session', skipped(`no sessions on ${transport}: one connection is one session (Mcp-Session-Id is Streamable HTTP only)`));
  run.record('origin', skipped(`no HTTP on ${transport}: Origin/Host validation (DNS rebinding) concerns HTTP servers only`));
  if (run.aborted) return run.skipRest('aborted');
  const opened = await openProcess(target, run);
  if (typeof opened === 'string') return run.skipRest(opened);
  const proc = opened;
  const ended = proc.exited.then((exit) => describeExit(target.transport, exit));
  const link: Link = { peer: new LinePeer(proc.stdout, proc.stdin, ended), proc, nextId: 1, answered: new Map() };
  try {
    const refused = await handshake(link, run);
    if (refused) return run.skipRest(refused);
    const steps: [Parameters<CheckRun['probe']>[0], () => Promise<Verdict>][] = [
      ['notification', () => notification(link, run)],
      ['unknown-method', () => unknownMethod(link, run)],
      ['ping', () => ping(link, run)],
      ['malformed-json', () => malformedJson(link, run)],
    ];
    for (const [id, body] of steps) {
      if (link.peer.ended) return run.skipRest(`not run: ${link.peer.ended} during an earlier probe`);
      await run.probe(id, body);
    }
  } finally {
    link.peer.detach();
    await closeProcess(proc, run.aborted);
  }
}

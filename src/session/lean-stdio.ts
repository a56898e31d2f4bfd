/**
 * The lean load path on line-delimited JSON-RPC (stdio and tcp targets): `tools/call` written
 * straight onto the session's own stream (StdioProcessTransport.leanRequest), the answer carrying
 * our id taken off it before the SDK sees it. No SDK Client and no zod per request: the same plain
 * checks as the Streamable HTTP lean path (judgeReply, the error-text check), the same `request`
 * events. The stream's framing checks (non-JSON lines, partial lines) still see every line.
 *
 * A request we give up on (timeout, the run's end, the load ending) is cancelled with
 * `notifications/cancelled`, as a real client does, and its late answer is dropped silently.
 */
import type { LineAnswer } from './transports/stdio.js';
import { finishCall, judgeReply, judged, OneShot, type LeanCaller, type LeanRequestEvent, type Verdict } from './lean.js';
import type { ViolationKind } from './types.js';

/** The live connection's stream, as the lean path needs it. */
export interface LineTarget {
  stream: {
    leanRequest(id: string, line: string, answer: LineAnswer): boolean;
    leanCancel(id: string, reason: string): void;
  };
  /** Report a failure that may mean the link is dead; the session decides. */
  failed(kind: 'connection' | 'timeout', detail: string): void;
}

export interface LineHost {
  requestTimeoutMs: number;
  /** Aborted at the run's hard end: requests in flight are abandoned (timeouts). */
  endSignal?: AbortSignal;
  /** The live connection, or null while it is down. */
  target(): LineTarget | null;
  waitTarget(timeoutMs: number): Promise<LineTarget | null>;
  report(event: LeanRequestEvent): void;
  violation(kind: ViolationKind, sample: string): void;
}

/** Why no answer came (a class, so no field of a server's message can pass for one). */
class Failed {
  constructor(
    readonly failure: 'timeout' | 'connection' | 'abandoned',
    readonly detail: string,
  ) {}
}
const ABANDONED = new Failed('abandoned', "no answer by the run's end");
const CLOSED = new Failed('abandoned', 'no answer before the load ended (the caller was closed)');

/** One request on the stream: settled once, by its answer, its timer, the stream's end or an abandonment. */
class Pending extends OneShot<Record<string, unknown>, Failed> {
  constructor(
    readonly id: string,
    readonly target: LineTarget,
    resolve: (r: Record<string, unknown> | Failed) => void,
    inFlight: Set<Pending>,
  ) {
    super(resolve, inFlight as Set<OneShot<Record<string, unknown>, Failed>>);
  }

  readonly answer: LineAnswer = (a) => {
    this.settle(a instanceof Error ? new Failed('connection', a.message) : a);
  };

  /** Given up on: tell the server, drop its late answer. */
  protected dropped(r: Failed): void {
    this.target.stream.leanCancel(this.id, r.detail);
  }
}

function timedOut(p: Pending, timeoutMs: number): void {
  p.cancel(new Failed('timeout', `no answer within ${Math.round(timeoutMs)} ms`));
}

export function createLineCaller(host: LineHost): LeanCaller {
  const inFlight = new Set<Pending>();
  let seq = 0;
  const end = host.endSignal;
  const onEnd = () => {
    for (const p of [...inFlight]) p.cancel(ABANDONED);
  };
  let listening = false;

  function send(t: LineTarget, id: string, line: string, timeoutMs: number): Promise<Record<string, unknown> | Failed> {
    if (end?.aborted) return Promise.resolve(ABANDONED);
    if (end && !listening) {
      end.addEventListener('abort', onEnd, { once: true });
      listening = true;
    }
    return new Promise((resolve) => {
      const p = new Pending(id, t, resolve, inFlight);
      if (!t.stream.leanRequest(id, line, p.answer)) {
        p.settle(new Failed('connection', 'Not connected: the stdio server is gone'));
        return;
      }
      inFlight.add(p);
      p.timer = setTimeout(timedOut, timeoutMs, p, timeoutMs);
    });
  }

  return {
    async call(name, args = {}, opts = {}) {
      const timeoutMs = opts.timeoutMs ?? host.requestTimeoutMs;
      const role = opts.role;
      const t0 = performance.now();
      const t = host.target() ?? (await host.waitTarget(timeoutMs));
      if (!t) return finishCall(host, name, role, t0, { outcome: 'unavailable', error: 'session down' });
      const id = `lean-${++seq}`;
      // The same bytes as serializeMessage({jsonrpc, id, method, params}): our ids need no escaping.
      const line = `{"jsonrpc":"2.0","id":"${id}","method":"tools/call","params":${JSON.stringify({ name, arguments: args })}}\n`;
      const reply = await send(t, id, line, Math.max(1, timeoutMs - (performance.now() - t0)));
      if (reply instanceof Failed) {
        const f = reply;
        if (f.failure === 'abandoned') return finishCall(host, name, role, t0, { outcome: 'timeout', error: f.detail, flags: { abandoned: true } });
        t.failed(f.failure, f.detail);
        return finishCall(host, name, role, t0, { outcome: f.failure === 'timeout' ? 'timeout' : 'error', error: f.detail });
      }
      const verdict: Verdict = judgeReply(id, [reply]);
      judged(host, name, verdict);
      return finishCall(host, name, role, t0, verdict);
    },
    close() {
      if (listening) end?.removeEventListener('abort', onEnd);
      listening = false;
      for (const p of [...inFlight]) p.cancel(CLOSED);
    },
  };
}

/**
 * Line-delimited JSON-RPC over a byte stream pair (a stdio server's stdout/stdin, or a TCP socket
 * to a piped one), for the probes: write messages (or raw lines), keep the responses that come
 * back, wait for one with a deadline. Lines that are not JSON are not this module's business (the
 * session's tap reports stdout pollution): skipped. Requests the server sends are answered as a
 * capability-less client answers them. Bounded: a line over LINE_CAP is dropped, at most
 * KEEP_RESPONSES responses are kept.
 */
import type { Readable, Writable } from 'node:stream';
import { answerToServerRequest, errorCode, isResponse, isServerRequest, type JsonRpcResponse } from './jsonrpc.js';

export const LINE_CAP = 1024 * 1024;
const KEEP_RESPONSES = 1000;

export type Waited<T> = { kind: 'found'; value: T } | { kind: 'timeout' } | { kind: 'ended'; detail: string } | { kind: 'aborted' };

export class LinePeer {
  /** Every response the server sent, in order of arrival. */
  readonly responses: JsonRpcResponse[] = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overlong = false;
  private endDetail: string | undefined;
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    ended: Promise<string>,
  ) {
    input.on('data', this.onData);
    input.on('error', this.onError);
    void ended.then((detail) => this.end(detail));
  }

  /** Why the server's side ended (process exit, socket close), or undefined while it is there. */
  get ended(): string | undefined {
    return this.endDetail;
  }

  send(message: object): boolean {
    return this.sendRaw(JSON.stringify(message));
  }

  /** Writes one line; false when the stream can no longer take it. */
  sendRaw(line: string): boolean {
    if (this.endDetail !== undefined || this.output.destroyed || !this.output.writable) return false;
    this.output.write(`${line}\n`, () => undefined);
    return true;
  }

  response(id: number): JsonRpcResponse | undefined {
    return this.responses.find((r) => r.id === id);
  }

  /** The first -32700 parse error among the responses from index `from` on. */
  parseErrorSince(from: number): JsonRpcResponse | undefined {
    return this.responses.slice(from).find((r) => errorCode(r) === -32700);
  }

  /** Until `find` finds something (checked on every new response), the server's side ends, the timeout, or the abort. */
  wait<T>(find: () => T | undefined, timeoutMs: number, signal?: AbortSignal): Promise<Waited<T>> {
    return new Promise((resolve) => {
      const done = (w: Waited<T>) => {
        clearTimeout(timer);
        this.wakers.delete(check);
        signal?.removeEventListener('abort', onAbort);
        resolve(w);
      };
      const check = () => {
        const value = find();
        if (value !== undefined) done({ kind: 'found', value });
        else if (this.endDetail !== undefined) done({ kind: 'ended', detail: this.endDetail });
      };
      const onAbort = () => done({ kind: 'aborted' });
      const timer = setTimeout(() => done({ kind: 'timeout' }), timeoutMs);
      if (signal?.aborted) return done({ kind: 'aborted' });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.wakers.add(check);
      check();
    });
  }

  /** Stop listening (the caller closes the streams). */
  detach(): void {
    this.input.off('data', this.onData);
    this.input.off('error', this.onError);
    this.end(this.endDetail ?? 'closed by the checks');
  }

  private end(detail: string): void {
    if (this.endDetail !== undefined) return;
    this.endDetail = detail;
    for (const wake of [...this.wakers]) wake();
  }

  private readonly onError = (): void => undefined;

  private readonly onData = (chunk: Buffer): void => {
    let start = 0;
    let nl = chunk.indexOf(10);
    while (nl !== -1) {
      this.take(chunk.subarray(start, nl));
      const line = this.overlong ? '' : Buffer.concat(this.pending).toString('utf8');
      this.pending = [];
      this.pendingBytes = 0;
      this.overlong = false;
      this.handleLine(line);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) this.take(Buffer.from(chunk.subarray(start)));
  };

  private take(part: Buffer): void {
    if (this.overlong) return;
    this.pendingBytes += part.length;
    if (this.pendingBytes > LINE_CAP) {
      this.overlong = true;
      this.pending = [];
      return;
    }
    this.pending.push(part);
  }

  private handleLine(raw: string): void {
    const line = raw.trim();
    if (line === '' || (line[0] !== '{' && line[0] !== '[')) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return; // stdout pollution: the session's tap reports it
    }
    for (const m of Array.isArray(value) ? value : [value]) {
      if (isServerRequest(m)) this.send(answerToServerRequest(m));
      else if (isResponse(m) && this.responses.length < KEEP_RESPONSES) this.responses.push(m);
    }
    for (const wake of [...this.wakers]) wake();
  }
}

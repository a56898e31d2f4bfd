/**
 * An SDK Transport over a local server process's stdin/stdout, reading raw bytes so protocol
 * hygiene can be judged line by line. Like a real client (Claude Code logs and skips), a bad line
 * is reported and skipped, never fatal.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ServerProcess } from '../../target/types.js';
import type { DisconnectReason, ViolationKind } from '../types.js';

export interface StdioSignals {
  violation(kind: ViolationKind, sample: string): void;
  /** The stream ended: the process exited, or it closed stdout while still running. */
  ended(reason: DisconnectReason, detail: string): void;
}

/** How long to wait for stdout's end after the exit (or for the exit after stdout's end). */
const END_SETTLE_MS = 300;
const SAMPLE_CHARS = 200;

export function sampleOf(text: string): string {
  return text.length > SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS)}…` : text;
}

/** A response-shaped object without a usable id: what a server sends when it answers a notification. */
export function isIdlessResponse(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ('result' in v || 'error' in v) && !('method' in v) && (v.id === null || v.id === undefined);
}

/** What the lean load path gets for one request line: the parsed response carrying its id, or why none will come. */
export type LineAnswer = (answer: Record<string, unknown> | Error) => void;

/** Late answers to lean requests we gave up on are legal; remember that many. */
const CANCELLED_MEMORY = 1000;

export class StdioProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private pending: Buffer = Buffer.alloc(0);
  private stdoutEnded = false;
  private exitDetail: string | undefined;
  private finished = false;
  private closing = false;
  /** The lean load path's requests in flight (string ids of its own; the SDK's are numbers). */
  private readonly leanWaiting = new Map<string, LineAnswer>();
  private readonly leanCancelled = new Set<string>();

  constructor(
    readonly proc: ServerProcess,
    private readonly signals: StdioSignals,
    /** How the end of the peer is reported: a process exits (default); a TCP pipe's socket closes. */
    private readonly peerEnd: { reason: DisconnectReason; detail(): string } | undefined = undefined,
  ) {}

  async start(): Promise<void> {
    if (!this.proc.isRunning()) throw new Error('the stdio server process is not running');
    const out = this.proc.stdout;
    out.on('data', this.onData);
    out.once('end', this.onStdoutEnd);
    out.on('error', (err: Error) => this.onerror?.(err));
    void this.proc.exited.then(({ code, signal }) => this.onExit(this.peerEnd ? this.peerEnd.detail() : `exit code=${code ?? 'none'} signal=${signal ?? 'none'}`));
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.proc.stdin;
      if (this.finished || this.closing || stdin.destroyed || !stdin.writable) {
        reject(new Error('Not connected: the stdio server is gone'));
        return;
      }
      // Resolve on buffer acceptance (or drain), like the SDK's stdio transport: a paused server must
      // not block sends; request timeouts still apply.
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /**
   * The lean load path: writes one request line (its id a string of its own) and hands the parsed
   * response with that id to `answer`, past the SDK and its schema checks (the caller judges it);
   * an Error when the stream ends first. False when the stream no longer takes writes.
   */
  leanRequest(id: string, line: string, answer: LineAnswer): boolean {
    const stdin = this.proc.stdin;
    if (this.finished || this.closing || stdin.destroyed || !stdin.writable) return false;
    this.leanWaiting.set(id, answer);
    stdin.write(line);
    return true;
  }

  /** The lean path gave up on `id` (timeout, end of the load): tell the server, as the spec asks, and drop a late answer silently. */
  leanCancel(id: string, reason: string): void {
    if (!this.leanWaiting.delete(id)) return;
    this.leanCancelled.add(id);
    if (this.leanCancelled.size > CANCELLED_MEMORY) this.leanCancelled.delete(this.leanCancelled.values().next().value!);
    const stdin = this.proc.stdin;
    if (this.finished || this.closing || stdin.destroyed || !stdin.writable) return;
    stdin.write(serializeMessage({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } }));
  }

  /** Graceful, as the MCP spec describes: close stdin, give the server a moment, then SIGTERM/SIGKILL. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.detach();
    try {
      this.proc.stdin.end();
    } catch {
      // already closed
    }
    const exited = await Promise.race([this.proc.exited.then(() => true), delay(1000).then(() => false)]);
    if (!exited) await this.proc.stop(2000);
    this.fireClose();
  }

  /** Abrupt: SIGKILL the process group now (a scenario's force-disconnect, or teardown of a dead link). */
  async kill(): Promise<void> {
    this.closing = true;
    this.detach();
    this.proc.signal('SIGKILL');
    await Promise.race([this.proc.exited, delay(3000)]);
    this.fireClose();
  }

  private readonly onData = (chunk: Buffer): void => {
    let start = 0;
    let nl = chunk.indexOf(10);
    if (nl === -1) {
      this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
      return;
    }
    let head = this.pending;
    while (nl !== -1) {
      const part = chunk.subarray(start, nl);
      const line = head.length ? Buffer.concat([head, part]) : part;
      head = Buffer.alloc(0);
      this.handleLine(line.toString('utf8'));
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    this.pending = start < chunk.length ? Buffer.from(chunk.subarray(start)) : Buffer.alloc(0);
  };

  private handleLine(raw: string): void {
    if (this.closing) return;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.signals.violation('stdout-non-json', sampleOf(line));
      return;
    }
    if (this.leanWaiting.size !== 0 || this.leanCancelled.size !== 0) {
      const msg = value as { id?: unknown; method?: unknown } | null;
      if (typeof msg === 'object' && msg !== null && typeof msg.id === 'string' && msg.method === undefined) {
        const answer = this.leanWaiting.get(msg.id);
        if (answer) {
          this.leanWaiting.delete(msg.id);
          answer(msg as Record<string, unknown>);
          return;
        }
        if (this.leanCancelled.delete(msg.id)) return;
      }
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      this.signals.violation(isIdlessResponse(value) ? 'response-to-notification' : 'invalid-jsonrpc', sampleOf(line));
      return;
    }
    this.onmessage?.(parsed.data);
  }

  private flushPartial(): void {
    if (this.pending.length === 0) return;
    const rest = this.pending.toString('utf8');
    this.pending = Buffer.alloc(0);
    if (!this.closing && rest.trim() !== '') this.signals.violation('partial-line', sampleOf(rest));
  }

  private readonly onStdoutEnd = (): void => {
    this.stdoutEnded = true;
    this.flushPartial();
    if (this.exitDetail !== undefined) return this.finish(this.exitReason, this.exitDetail);
    setTimeout(() => {
      if (this.exitDetail !== undefined) this.finish(this.exitReason, this.exitDetail);
      else this.finish('transport-closed', 'the server closed stdout but kept running');
    }, END_SETTLE_MS).unref();
  };

  private get exitReason(): DisconnectReason {
    return this.peerEnd?.reason ?? 'process-exit';
  }

  private onExit(detail: string): void {
    this.exitDetail = detail;
    if (this.stdoutEnded) return this.finish(this.exitReason, detail);
    // Let the last bytes of stdout arrive before declaring the stream dead.
    setTimeout(() => {
      this.flushPartial();
      this.finish(this.exitReason, detail);
    }, END_SETTLE_MS).unref();
  }

  private finish(reason: DisconnectReason, detail: string): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.closing) this.signals.ended(reason, detail);
    this.fireClose();
  }

  private closeFired = false;
  private fireClose(): void {
    this.finished = true;
    if (this.leanWaiting.size !== 0) {
      const detail = this.exitDetail !== undefined ? `the server's stream ended (${this.exitDetail})` : "the server's stream closed";
      const waiting = [...this.leanWaiting.values()];
      this.leanWaiting.clear();
      for (const answer of waiting) answer(new Error(detail));
    }
    if (this.closeFired) return;
    this.closeFired = true;
    this.onclose?.();
  }

  private detach(): void {
    this.proc.stdout.off('data', this.onData);
    this.proc.stdout.off('end', this.onStdoutEnd);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

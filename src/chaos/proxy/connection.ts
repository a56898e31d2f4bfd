/**
 * One accepted client socket and its upstream socket, joined by two DirectionPipes. Ends travel
 * in-band: a FIN from one side becomes `end()` on the other once everything before it is
 * delivered; an error or RST on one side becomes an RST of both sides when it comes out of the chain.
 */
import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import { DirectionPipe } from './pipe.js';
import { FIN, RST, type ConnectionHandle, type Direction, type ProxyStats, type StreamEnd } from './types.js';

export interface ConnectionHooks {
  readonly stats: ProxyStats;
  readonly highWaterMark: number;
  /** Both sockets are closed; `aborted`: the connection ended with an RST. */
  onFinished(conn: Connection, aborted: boolean): void;
}

export class Connection implements ConnectionHandle {
  lastActivityAt = performance.now();
  finished = false;
  /** Resolves once both sockets are closed. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private aborted = false;
  private openSockets = 2;
  private readonly pipes: Record<Direction, DirectionPipe>;
  private readonly cleanups = new Map<string, () => void>();

  constructor(
    readonly id: number,
    private readonly client: Socket,
    private readonly upstream: Socket,
    private readonly hooks: ConnectionHooks,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    const { stats, highWaterMark } = hooks;
    this.pipes = {
      upstream: new DirectionPipe('upstream', client, upstream, stats.bytes.upstream, (e) => this.endOf(upstream, e), highWaterMark),
      downstream: new DirectionPipe('downstream', upstream, client, stats.bytes.downstream, (e) => this.endOf(client, e), highWaterMark),
    };
    this.wire(client, this.pipes.upstream);
    this.wire(upstream, this.pipes.downstream);
  }

  pipe(direction: Direction): DirectionPipe {
    return this.pipes[direction];
  }

  addCleanup(toxicId: string, cleanup: () => void): void {
    if (this.finished) cleanup();
    else this.cleanups.set(toxicId, cleanup);
  }

  removeToxic(toxicId: string): void {
    this.pipes.upstream.removeStage(toxicId);
    this.pipes.downstream.removeStage(toxicId);
    const cleanup = this.cleanups.get(toxicId);
    this.cleanups.delete(toxicId);
    cleanup?.();
  }

  reset(): void {
    if (this.finished) return;
    this.aborted = true;
    this.stopPipes();
    for (const s of [this.client, this.upstream]) if (!s.destroyed) s.resetAndDestroy();
  }

  close(): void {
    if (this.finished) return;
    this.stopPipes();
    // end() queues our FIN; destroy() closes the fd, which sends the FIN at once (or an RST if
    // unread bytes remain in the kernel buffer — what a middlebox closing a busy socket causes too).
    for (const s of [this.client, this.upstream]) {
      if (s.destroyed) continue;
      s.end();
      s.destroy();
    }
  }

  /** Teardown of the whole proxy: no FIN or RST semantics, just free everything. */
  destroy(): void {
    this.stopPipes();
    this.client.destroy();
    this.upstream.destroy();
  }

  private wire(socket: Socket, pipe: DirectionPipe): void {
    socket.on('data', (chunk: Buffer) => {
      this.lastActivityAt = performance.now();
      pipe.input(chunk);
    });
    socket.on('end', () => pipe.inputEnd(FIN));
    // Any failure of one side (ECONNRESET, ECONNREFUSED while connecting upstream, EPIPE) is
    // passed on as an abort: the closest a TCP proxy can come to what the peer would have seen.
    socket.on('error', () => {
      this.aborted = true;
      pipe.inputEnd(RST);
    });
    socket.on('close', () => {
      this.openSockets -= 1;
      if (this.openSockets === 0) this.finish();
    });
  }

  private endOf(sink: Socket, end: StreamEnd): void {
    if (end.end === 'rst') this.reset();
    else if (!sink.destroyed && !sink.writableEnded) sink.end();
  }

  private stopPipes(): void {
    this.pipes.upstream.stop();
    this.pipes.downstream.stop();
  }

  private finish(): void {
    if (this.finished) return;
    this.stopPipes();
    this.finished = true;
    for (const cleanup of this.cleanups.values()) cleanup();
    this.cleanups.clear();
    this.hooks.onFinished(this, this.aborted);
    this.resolveDone();
  }
}

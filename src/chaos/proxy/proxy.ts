/**
 * ChaosProxy: an in-process TCP proxy between the simulated client and a network MCP server.
 * Every accepted connection is piped to a fresh upstream socket; toxics added at run time shape
 * the bytes (see toxics/). All randomness comes from the injected seeded rng: each toxic draws one
 * seed from it when added, and each connection/direction gets its own stream forked from that
 * seed, so decisions depend on the byte stream, not on how connections interleave in time.
 */
import { connect, type Socket } from 'node:net';
import { forkRng, type Rng } from '../rng.js';
import { Connection } from './connection.js';
import { DecisionLog } from './decision-log.js';
import { Listener } from './listener.js';
import { directionsOf, type Decision, type Direction, type ProxyControl, type ProxyStats, type Toxic, type ToxicOptions } from './types.js';

export interface ChaosProxyOptions {
  upstream: { host: string; port: number };
  listenHost?: string;
  /** 0 (default) picks a free port. */
  listenPort?: number;
  rng: Rng;
  /** Bytes a toxic chain may hold per direction before the reading side is paused (default 256 KiB). */
  highWaterMark?: number;
  /** Decisions kept in the log (default 10,000; later ones are only counted). */
  decisionLogLimit?: number;
}

interface ActiveToxic {
  readonly id: string;
  readonly toxic: Toxic;
  readonly directions: Direction[];
  readonly seed: number;
}

function emptyStats(): ProxyStats {
  const dir = () => ({ received: 0, delivered: 0, discarded: 0 });
  return { connections: { opened: 0, active: 0, closed: 0, reset: 0 }, bytes: { upstream: dir(), downstream: dir() } };
}

export class ChaosProxy implements ProxyControl {
  readonly host: string;
  readonly upstream: { host: string; port: number };
  private readonly connections = new Set<Connection>();
  private readonly toxics = new Map<string, ActiveToxic>();
  private readonly stats_ = emptyStats();
  private readonly log: DecisionLog;
  private readonly listener: Listener;
  private nextConnectionId = 1;
  private nextToxicId = 1;
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(private readonly options: ChaosProxyOptions) {
    this.host = options.listenHost ?? '127.0.0.1';
    this.upstream = { ...options.upstream };
    this.log = new DecisionLog(options.decisionLogLimit ?? 10_000);
    this.listener = new Listener(this.host, (socket) => this.accept(socket));
  }

  static async start(options: ChaosProxyOptions): Promise<ChaosProxy> {
    const proxy = new ChaosProxy(options);
    await proxy.listener.listen(options.listenPort ?? 0);
    return proxy;
  }

  get port(): number {
    return this.listener.port;
  }

  /** The same URL with host and port pointing at the proxy (path, query and scheme kept). */
  url(targetUrl: string | URL): string {
    const url = new URL(targetUrl);
    url.hostname = this.host === '0.0.0.0' ? '127.0.0.1' : this.host.includes(':') ? `[${this.host}]` : this.host;
    url.port = String(this.port);
    return url.toString();
  }

  /** Add a toxic; `direction` defaults to both, `scope` to all. Returns the id to remove it with. */
  addToxic(toxic: Toxic, options: ToxicOptions = {}): string {
    if (this.closed) throw new Error('ChaosProxy: addToxic after close()');
    const id = `${toxic.kind}-${this.nextToxicId++}`;
    const entry: ActiveToxic = {
      id,
      toxic,
      directions: directionsOf(options.direction ?? 'both'),
      seed: Math.floor(this.options.rng() * 0x1_0000_0000),
    };
    this.toxics.set(id, entry);
    toxic.start?.(this);
    if ((options.scope ?? 'all') === 'all') for (const conn of [...this.connections]) this.apply(entry, conn);
    return id;
  }

  /** Remove a toxic: held bytes are released in order, proxy-level effects undone. Unknown ids are ignored. */
  async removeToxic(id: string): Promise<void> {
    const entry = this.toxics.get(id);
    if (entry === undefined) return;
    this.toxics.delete(id);
    for (const conn of [...this.connections]) conn.removeToxic(id);
    await entry.toxic.stop?.(this);
  }

  stats(): ProxyStats {
    return structuredClone({ ...this.stats_, connections: { ...this.stats_.connections, active: this.connections.size } });
  }

  /** The toxics' decisions so far, in the order they were made (at most `decisionLogLimit`). */
  decisions(): readonly Decision[] {
    return this.log.entries();
  }

  /** Decisions made after the log was full (counted, not kept). */
  get decisionsDropped(): number {
    return this.log.overflow;
  }

  /** Destroy every connection and close the listener; resolves once every socket is closed. Idempotent. */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= (async () => {
      // Toxics' stop() is not called: it would undo effects (a `down` would listen again).
      this.toxics.clear();
      const open = [...this.connections];
      for (const conn of open) conn.destroy();
      await Promise.all(open.map((c) => c.done));
      await this.listener.close();
    })();
    return this.closing;
  }

  suspendListening(): void {
    this.listener.suspend();
  }

  resumeListening(): Promise<void> {
    return this.listener.resume();
  }

  private accept(client: Socket): void {
    if (this.closed || this.listener.suspended) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: this.upstream.host, port: this.upstream.port, allowHalfOpen: true, noDelay: true });
    const conn = new Connection(this.nextConnectionId++, client, upstream, {
      stats: this.stats_,
      highWaterMark: this.options.highWaterMark ?? 256 * 1024,
      onFinished: (c, aborted) => {
        this.connections.delete(c);
        this.stats_.connections.closed += 1;
        if (aborted) this.stats_.connections.reset += 1;
      },
    });
    this.connections.add(conn);
    this.stats_.connections.opened += 1;
    for (const entry of this.toxics.values()) this.apply(entry, conn);
  }

  private apply(entry: ActiveToxic, conn: Connection): void {
    const { id, toxic } = entry;
    if (conn.finished) return;
    if (toxic.stage) {
      for (const direction of entry.directions) {
        const rng = forkRng(entry.seed, `${conn.id}:${direction}`);
        conn.pipe(direction).addStage(id, (emit, discard) =>
          toxic.stage!({
            connectionId: conn.id,
            direction,
            rng,
            emit,
            discard,
            decide: (what, value, at) => this.log.add({ toxic: id, connection: conn.id, direction, what, value, at }),
          }),
        );
      }
    }
    if (toxic.attach) {
      const rng = forkRng(entry.seed, `${conn.id}:connection`);
      const decide = (what: string, value: number) => this.log.add({ toxic: id, connection: conn.id, direction: 'connection', what, value });
      const cleanup = toxic.attach(conn, { rng, decide });
      if (cleanup) conn.addCleanup(id, cleanup);
    }
  }
}

/**
 * The shapes shared by the proxy and its toxics. Modelled on toxiproxy: a toxic is configuration
 * plus a factory of per-connection, per-direction stages; the stages form a chain between the
 * socket that reads and the socket that writes, and each may delay, slice, hold or swallow what
 * passes. Connection-level toxics (reset, idle-cut) and proxy-level ones (down) use the other hooks.
 */
import type { Rng } from '../rng.js';

/** upstream = client → server bytes; downstream = server → client bytes. */
export type Direction = 'upstream' | 'downstream';
export type DirectionOption = Direction | 'both';
/** `new`: only connections accepted after the toxic was added; `all`: existing ones too. */
export type Scope = 'new' | 'all';

/** The end of one direction's stream: a FIN (graceful) or an RST (abort of the whole connection). */
export interface StreamEnd {
  readonly end: 'fin' | 'rst';
}
export const FIN: StreamEnd = Object.freeze({ end: 'fin' });
export const RST: StreamEnd = Object.freeze({ end: 'rst' });

/** What flows through a chain. Ends travel in-band so that no toxic lets a FIN/RST overtake bytes. */
export type Item = Buffer | StreamEnd;

export function isEnd(item: Item): item is StreamEnd {
  return !Buffer.isBuffer(item);
}

/** What a stage may do to its connection, in one direction. */
export interface StageContext {
  readonly connectionId: number;
  readonly direction: Direction;
  /** This toxic's own stream for this connection and direction (independent of other connections' timing). */
  readonly rng: Rng;
  /** Hand an item to the next stage (or the writing socket). Must be called in order. */
  emit(item: Item): void;
  /** Bytes this stage swallowed for good (blackhole): frees them from the backpressure account. */
  discard(bytes: number): void;
  /** Record a decision (a random draw or an action) in the proxy's decision log. `at` = stream byte offset. */
  decide(what: string, value: number, at?: number): void;
}

/** One toxic's state on one direction of one connection. */
export interface Stage {
  /** Receive the next item, in stream order. */
  push(item: Item): void;
  /**
   * Stop for good. `flush`: the toxic was removed: hand on what is held, in order (a blackhole
   * forwards only a held FIN/RST). Otherwise the connection is gone: drop everything. Clear timers.
   */
  stop(flush: boolean): void;
}

/** A proxied connection as connection-level toxics see it. */
export interface ConnectionHandle {
  readonly id: number;
  /** performance.now() of the last byte read from either side. */
  readonly lastActivityAt: number;
  readonly finished: boolean;
  /** Abort both sides with RST (ECONNRESET for both peers). */
  reset(): void;
  /** Close both sides with FIN, as a load balancer dropping an idle connection does. */
  close(): void;
}

/** What proxy-level toxics may do to the listener. */
export interface ProxyControl {
  /** Stop accepting: the port is closed, so connecting fails with ECONNREFUSED. Nested calls count. */
  suspendListening(): void;
  /** Undo one suspendListening(); listens again on the same host and port when none remain. */
  resumeListening(): Promise<void>;
}

export interface AttachContext {
  readonly rng: Rng;
  decide(what: string, value: number): void;
}

export interface Toxic {
  /** Kind name (`latency`, `loss`, ...). */
  readonly kind: string;
  describe(): string;
  /** Per-direction data stage; absent for toxics that never touch the byte stream. */
  stage?(ctx: StageContext): Stage;
  /** Connection-level effect, called once per connection the toxic applies to; returns its cleanup. */
  attach?(conn: ConnectionHandle, ctx: AttachContext): (() => void) | void;
  /** Proxy-level effect when the toxic is added (before it is applied to connections). */
  start?(proxy: ProxyControl): void;
  /** Proxy-level undo when the toxic is removed. */
  stop?(proxy: ProxyControl): Promise<void> | void;
}

export interface ToxicOptions {
  direction?: DirectionOption;
  scope?: Scope;
}

/** One entry in the decision log: enough to replay and to compare two runs with the same seed. */
export interface Decision {
  readonly toxic: string;
  readonly connection: number;
  readonly direction: Direction | 'connection';
  readonly what: string;
  readonly value: number;
  readonly at?: number;
}

export interface DirectionStats {
  /** Bytes read from the source socket. */
  received: number;
  /** Bytes written to the sink socket. */
  delivered: number;
  /** Bytes swallowed by toxics or lost with a closed sink. */
  discarded: number;
}

export interface ProxyStats {
  connections: { opened: number; active: number; closed: number; reset: number };
  bytes: Record<Direction, DirectionStats>;
}

export function directionsOf(option: DirectionOption): Direction[] {
  return option === 'both' ? ['upstream', 'downstream'] : [option];
}

/**
 * The session's state and its plumbing: the live connection, waiting for a usable one, background
 * work to await on close, and the event helpers. The link (link.ts) drives the state machine.
 */
import type { Connection } from './connection.js';
import { SessionEmitter } from './emitter.js';
import type { RequestOutcome, SessionState, ViolationKind } from './types.js';

export interface RequestFlags {
  abandoned?: boolean;
  replayed?: boolean;
  lostToExpiry?: boolean;
}

export class SessionBase extends SessionEmitter {
  state: SessionState = 'idle';
  protected conn: Connection | null = null;
  private readonly waiters = new Set<() => void>();
  protected readonly background = new Set<Promise<unknown>>();
  /** Set at the run's hard end: nothing waits for the session any more, requests in flight are abandoned. */
  protected ended = false;

  /** Resolves with the live connection, or null once waiting is pointless (timeout, not recovering). */
  protected waitUsable(timeoutMs: number): Promise<Connection | null> {
    const recovering = () => this.state === 'connecting' || this.state === 'reconnecting';
    if (this.ended) return Promise.resolve(null);
    if (this.state === 'connected' && this.conn) return Promise.resolve(this.conn);
    if (!recovering()) return Promise.resolve(null);
    return new Promise((resolve) => {
      const done = (c: Connection | null) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(c);
      };
      const check = () => {
        if (this.ended) done(null);
        else if (this.state === 'connected' && this.conn) done(this.conn);
        else if (!recovering()) done(null);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      this.waiters.add(check);
    });
  }

  protected setState(state: SessionState): void {
    this.state = state;
    for (const check of [...this.waiters]) check();
  }

  /** Work that close() must wait for (closing connections, attempts in flight). */
  protected track(p: Promise<unknown>): void {
    const settled = p.catch(() => undefined).finally(() => this.background.delete(settled));
    this.background.add(settled);
  }

  protected violation(kind: ViolationKind, sample: string): void {
    this.emit({ type: 'violation', kind, sample });
  }

  /** Wake every waiter so it re-checks the state (e.g. after `ended` was set). */
  protected wakeWaiters(): void {
    for (const check of [...this.waiters]) check();
  }

  protected emitRequest(method: string, ms: number, outcome: RequestOutcome, error?: string, tool?: string, role?: string, flags: RequestFlags = {}): void {
    this.emit({
      type: 'request',
      method,
      ms,
      outcome,
      ...(tool ? { tool } : {}),
      ...(role ? { role } : {}),
      ...(error ? { error } : {}),
      ...(flags.abandoned ? { abandoned: true as const } : {}),
      ...(flags.replayed ? { replayed: true as const } : {}),
      ...(flags.lostToExpiry ? { lostToExpiry: true as const } : {}),
    });
  }
}

/** A small typed event emitter for SessionEvent: listeners per event type, plus catch-all listeners. */
import type { SessionEvent } from './types.js';

export type SessionEventType = SessionEvent['type'];
export type EventOf<T extends SessionEventType> = Extract<SessionEvent, { type: T }>;
/** An event as handed to emit(): everything but the timestamp, which emit() adds. */
export type EventInput = SessionEvent extends infer E ? (E extends SessionEvent ? Omit<E, 'at'> : never) : never;

type Listener = (event: SessionEvent) => void;

export class SessionEmitter {
  private readonly byType = new Map<SessionEventType, Set<Listener>>();
  private readonly any = new Set<Listener>();
  /** Per event type, the listeners to call (typed ones, then catch-all): rebuilt only when a listener comes or goes, so emit() copies nothing. */
  private snapshots = new Map<SessionEventType, readonly Listener[]>();
  /** Set once the session is closed: nothing is emitted after that. */
  protected muted = false;

  /** Listen to one event type, or to every event with `'event'` (same as onAny). */
  on(type: 'event', listener: (event: SessionEvent) => void): this;
  on<T extends SessionEventType>(type: T, listener: (event: EventOf<T>) => void): this;
  on(type: SessionEventType | 'event', listener: (event: never) => void): this {
    if (type === 'event') return this.onAny(listener as Listener);
    let set = this.byType.get(type);
    if (!set) this.byType.set(type, (set = new Set()));
    set.add(listener as Listener);
    this.snapshots.clear();
    return this;
  }

  off(type: 'event', listener: (event: SessionEvent) => void): this;
  off<T extends SessionEventType>(type: T, listener: (event: EventOf<T>) => void): this;
  off(type: SessionEventType | 'event', listener: (event: never) => void): this {
    if (type === 'event') return this.offAny(listener as Listener);
    this.byType.get(type)?.delete(listener as Listener);
    this.snapshots.clear();
    return this;
  }

  /** Every event, in emission order (what the Recorder subscribes to). */
  onAny(listener: (event: SessionEvent) => void): this {
    this.any.add(listener);
    this.snapshots.clear();
    return this;
  }

  offAny(listener: (event: SessionEvent) => void): this {
    this.any.delete(listener);
    this.snapshots.clear();
    return this;
  }

  /** Stamps `at` = Date.now() on `input` (a fresh object: callers pass a literal) and delivers synchronously. A throwing listener cannot break the session. */
  protected emit(input: EventInput): void {
    if (this.muted) return;
    // Every caller hands a fresh object literal: it is stamped in place, not copied.
    const event = input as SessionEvent;
    event.at = Date.now();
    let listeners = this.snapshots.get(event.type);
    if (!listeners) this.snapshots.set(event.type, (listeners = [...(this.byType.get(event.type) ?? []), ...this.any]));
    // A listener added or removed during this emit takes effect from the next one (the snapshot is fixed).
    for (const fn of listeners) {
      try {
        fn(event);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}

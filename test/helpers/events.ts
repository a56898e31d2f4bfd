/**
 * Awaiting session events in tests without sleeps: `once` waits for a future event; `EventLog`
 * records everything from the start and can wait for an event that may already have happened.
 */
import type { EventOf, SessionEventType } from '../../src/session/emitter.js';
import type { SessionEvent } from '../../src/session/types.js';

interface EventSource {
  on<T extends SessionEventType>(type: T, listener: (event: EventOf<T>) => void): unknown;
  off<T extends SessionEventType>(type: T, listener: (event: EventOf<T>) => void): unknown;
  onAny(listener: (event: SessionEvent) => void): unknown;
}

/** The next event of `type` matching `predicate`; rejects with the reason after timeoutMs. */
export function once<T extends SessionEventType>(
  source: EventSource,
  type: T,
  predicate: (e: EventOf<T>) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<EventOf<T>> {
  return new Promise((resolve, reject) => {
    const listener = (e: EventOf<T>) => {
      if (!predicate(e)) return;
      clearTimeout(timer);
      source.off(type, listener);
      resolve(e);
    };
    const timer = setTimeout(() => {
      source.off(type, listener);
      reject(new Error(`no "${type}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    source.on(type, listener);
  });
}

export class EventLog {
  readonly events: SessionEvent[] = [];
  private readonly waiters = new Set<(e: SessionEvent) => void>();

  constructor(source: EventSource) {
    source.onAny((e) => {
      this.events.push(e);
      for (const w of [...this.waiters]) w(e);
    });
  }

  of<T extends SessionEventType>(type: T): EventOf<T>[] {
    return this.events.filter((e): e is EventOf<T> => e.type === type);
  }

  /** The first recorded event (past or future) of `type` matching `predicate`. */
  waitFor<T extends SessionEventType>(type: T, predicate: (e: EventOf<T>) => boolean = () => true, timeoutMs = 30_000): Promise<EventOf<T>> {
    const past = this.of(type).find(predicate);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const w = (e: SessionEvent) => {
        if (e.type !== type || !predicate(e as EventOf<T>)) return;
        clearTimeout(timer);
        this.waiters.delete(w);
        resolve(e as EventOf<T>);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        const seen = this.events.map((e) => e.type).join(', ');
        reject(new Error(`no "${type}" event within ${timeoutMs} ms; seen: ${seen}`));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  /** Compact trace for failure messages. */
  trace(): string {
    return this.events.map((e) => JSON.stringify(e)).join('\n');
  }
}

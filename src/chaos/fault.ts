/**
 * The contract every fault kind honours (proxy toxics, process signals, docker actions), so the
 * run loop can start, stop and describe a fault without knowing how it is injected.
 */
export interface Fault {
  /** Stable kind name, e.g. `latency`, `loss`, `down`; used in reports and metrics labels. */
  readonly kind: string;
  /** One line a report can print, e.g. `latency 100±50 ms (both directions, all connections)`. */
  describe(): string;
  /** Inject the fault. Rejects when it cannot be injected (the fault is then not active). */
  start(): Promise<void>;
  /** Lift the fault. Idempotent and safe on teardown: never throws for "already stopped" or "target gone". */
  stop(): Promise<void>;
}

/**
 * Every process fault that is active now, so a run stopped at any moment (SIGINT, SIGTERM, an
 * error, process exit) can lift them all: paused servers are resumed first (synchronously), then
 * valves are opened and pending restarts are cancelled or awaited. Teardown never restarts a
 * killed server — the run is ending; the target's own stop() ends what is still running.
 */
import type { Fault } from '../fault.js';

export interface ActiveFault {
  fault: Fault;
  /** Synchronous, signal-only part of the teardown: SIGCONT a paused group. Safe at process exit. */
  resumeNow?(): void;
  /** Lift the fault for the end of the run (no restart). Never rejects. */
  teardown(): Promise<void>;
}

const active = new Map<Fault, ActiveFault>();
let exitHookInstalled = false;

export function registerFault(entry: ActiveFault): void {
  active.set(entry.fault, entry);
  installExitHook();
}

export function unregisterFault(fault: Fault): void {
  active.delete(fault);
}

/** The process faults active now (started and not yet stopped), in start order. */
export function activeProcessFaults(): Fault[] {
  return [...active.keys()];
}

/**
 * Lift every active process fault: SIGCONT every paused group first (a paused server cannot even
 * handle SIGTERM), then open the valves and settle pending restarts. Idempotent; never rejects.
 * Call it before stopping the target.
 */
export async function stopAllFaults(): Promise<void> {
  const entries = [...active.values()];
  for (const e of entries) {
    try {
      e.resumeNow?.();
    } catch {
      // the group is gone
    }
  }
  await Promise.allSettled(entries.map((e) => e.teardown()));
  for (const e of entries) active.delete(e.fault);
}

/** Last line of defence: at exit only synchronous work runs, so resume whatever is still paused. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const e of active.values()) {
      try {
        e.resumeNow?.();
      } catch {
        // nothing left to resume
      }
    }
  });
}

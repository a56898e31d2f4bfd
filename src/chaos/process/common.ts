/** What every process fault shares: its public shape, the action log, and small helpers. */
import type { Fault } from '../fault.js';
import type { FaultTarget } from '../../contracts.js';
import type { ServerProcess } from '../../contracts.js';
import type { ProcessFaultKind, ProcessFaultSpec } from './spec.js';

export interface ProcessFault extends Fault {
  readonly kind: ProcessFaultKind;
  readonly spec: ProcessFaultSpec;
}

/** One thing a fault did to the target, for reports and timelines. */
export interface ProcessFaultAction {
  /** Date.now() */
  at: number;
  kind: ProcessFaultKind;
  action: 'signal' | 'exited' | 'still-running' | 'restarting' | 'restarted' | 'restart-failed' | 'valve-set' | 'valve-cleared';
  detail: string;
}

export interface ProcessFaultOptions {
  /** Called for every action (signal sent, exit seen, restart begun/ended, valve set/cleared). */
  onAction?(action: ProcessFaultAction): void;
  /** kill/terminate: how long start() waits for the server to exit before resolving anyway (default 5,000 ms). */
  exitWaitMs?: number;
}

export interface FaultContext {
  exitWaitMs: number;
  act(action: ProcessFaultAction['action'], detail: string): void;
}

export function faultContext(kind: ProcessFaultKind, opts: ProcessFaultOptions): FaultContext {
  return {
    exitWaitMs: opts.exitWaitMs ?? 5_000,
    act(action, detail) {
      try {
        opts.onAction?.({ at: Date.now(), kind, action, detail });
      } catch {
        // a listener's failure must not break the fault
      }
    },
  };
}

/** The server process a signal fault acts on; rejects when there is none running. */
export function runningProcess(target: FaultTarget, kind: ProcessFaultKind): ServerProcess {
  const proc = target.currentProcess();
  if (!proc || !proc.isRunning()) {
    const why = target.profile.transport === 'stdio' ? 'no connection has a server process running' : 'the server is not running';
    throw new Error(`${kind}: target "${target.profile.name}" has no server process to signal (${why})`);
  }
  return proc;
}

/** True when `p` settles within `ms`; the timer never outlives the wait. */
export async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

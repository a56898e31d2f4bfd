/**
 * A run's clock for callers that drive steps themselves (benchmarks, tests): the fields of
 * RunContext that say when loops stop (`deadline`, `signal`) and when everything ends
 * (`hardDeadline`). runScenario builds the same from the client profile.
 */
import { setMaxListeners } from 'node:events';
import type { RunContext } from './context.js';
import { runSteps } from './interpreter.js';

export type RunClock = Pick<RunContext, 'startedAt' | 'durationMs' | 'deadline' | 'hardDeadline' | 'signal' | 'interrupt' | 'runSteps'> & {
  /** Clears the deadline timer. */
  dispose(): void;
};

export function runClock(durationMs: number, opts: { startedAt?: number; graceMs?: number; interrupt?: AbortSignal } = {}): RunClock {
  const startedAt = opts.startedAt ?? Date.now();
  const deadline = startedAt + durationMs;
  const interrupt = opts.interrupt ?? new AbortController().signal;
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const onInterrupt = () => stop.abort();
  interrupt.addEventListener('abort', onInterrupt, { once: true });
  const timer = Number.isFinite(deadline) ? setTimeout(() => stop.abort(), Math.max(0, deadline - Date.now())) : undefined;
  timer?.unref();
  return {
    startedAt,
    durationMs,
    deadline,
    hardDeadline: deadline + (opts.graceMs ?? 10_000),
    signal: stop.signal,
    interrupt,
    runSteps,
    dispose: () => {
      clearTimeout(timer);
      interrupt.removeEventListener('abort', onInterrupt);
    },
  };
}

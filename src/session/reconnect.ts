/**
 * Reconnect policy: exponential backoff with full jitter (pure math) and the attempt loop.
 * Every random choice comes from the injected rng, so a seeded run replays the same delays.
 */
import type { ReconnectPolicy } from './types.js';

export type BackoffPolicy = Pick<ReconnectPolicy, 'baseDelayMs' | 'maxDelayMs'>;

/** Upper bound of the delay before attempt `attempt` (1-based): min(max, base * 2^(attempt-1)). */
export function backoffCapMs(attempt: number, policy: BackoffPolicy): number {
  const exp = Math.max(0, attempt - 1);
  // 2^exp overflows to Infinity for huge attempts; min() keeps it at the cap.
  return Math.max(0, Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exp));
}

/** Full jitter: floor(rng() * cap), whole ms in [0, cap]. `rng` returns [0, 1). */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, rng: () => number): number {
  const cap = backoffCapMs(attempt, policy);
  return Math.min(cap, Math.max(0, Math.floor(rng() * cap)));
}

/** The delays of attempts 1..n, in order (consumes n values of rng). */
export function backoffSchedule(n: number, policy: BackoffPolicy, rng: () => number): number[] {
  const out: number[] = [];
  for (let attempt = 1; attempt <= n; attempt++) out.push(backoffDelayMs(attempt, policy, rng));
  return out;
}

export type ReconnectOutcome =
  | { status: 'connected'; attempts: number }
  | { status: 'gave-up'; attempts: number }
  | { status: 'cancelled'; attempts: number };

export interface ReconnectLoopOptions {
  policy: Pick<ReconnectPolicy, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs'>;
  rng: () => number;
  /** Aborting stops the loop at the next await (sleep or attempt). */
  signal: AbortSignal;
  /** Attempt 1 without delay (a scenario's explicit reconnect step); later attempts back off. */
  immediateFirst?: boolean;
  /** Before each attempt's delay (emit `reconnecting`). */
  onWait(attempt: number, delayMs: number): void;
  /** One attempt; throws when it fails. */
  attempt(attempt: number): Promise<void>;
  onFailure(attempt: number, error: unknown): void;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Try up to maxAttempts times with backoff; the caller turns the outcome into events and state. */
export async function reconnectLoop(opts: ReconnectLoopOptions): Promise<ReconnectOutcome> {
  const sleep = opts.sleep ?? abortableSleep;
  const max = Math.max(1, opts.policy.maxAttempts);
  for (let attempt = 1; attempt <= max; attempt++) {
    if (opts.signal.aborted) return { status: 'cancelled', attempts: attempt - 1 };
    const delayMs = attempt === 1 && opts.immediateFirst ? 0 : backoffDelayMs(attempt, opts.policy, opts.rng);
    opts.onWait(attempt, delayMs);
    await sleep(delayMs, opts.signal);
    if (opts.signal.aborted) return { status: 'cancelled', attempts: attempt - 1 };
    try {
      await opts.attempt(attempt);
      return { status: 'connected', attempts: attempt };
    } catch (err) {
      if (opts.signal.aborted) return { status: 'cancelled', attempts: attempt };
      opts.onFailure(attempt, err);
    }
  }
  return { status: 'gave-up', attempts: max };
}

/** Health checks: the periodic loop, and one ping whose any answer proves the server alive. */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { classifyFailure, type Failure } from './outcomes.js';
import type { RequestOutcome } from './types.js';

export interface ProbeHooks {
  /** A request event for the probe (not called for error answers, see probePing). */
  request(ms: number, outcome: RequestOutcome, error?: string): void;
  /** The server answered ping with an error (e.g. -32601): alive, but a finding. */
  unsupported(f: Failure): void;
}

/**
 * One ping the session makes on its own. Any answer, even an error (a server without `ping`),
 * proves the server alive: null. An error answer goes to `unsupported` and emits no request event
 * (the finding is the violation; availability is not charged for it on every tick). Otherwise the
 * failure (timeout, broken link) is returned.
 */
export async function probePing(client: Client, timeoutMs: number, hooks: ProbeHooks): Promise<Failure | null> {
  const t0 = performance.now();
  try {
    await client.ping({ timeout: timeoutMs });
    hooks.request(performance.now() - t0, 'ok');
    return null;
  } catch (err) {
    const f = classifyFailure(err);
    if (f.kind === 'answered') {
      hooks.unsupported(f);
      return null;
    }
    hooks.request(performance.now() - t0, f.outcome, f.error);
    return f;
  }
}

/** The periodic health check: one tick at a time, every intervalMs, until stopped. */
export class HealthLoop {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly intervalMs: number,
    private readonly tick: () => Promise<void>,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      void this.tick()
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, this.intervalMs);
    // The health check alone must not keep the process alive.
    this.timer.unref();
  }
}

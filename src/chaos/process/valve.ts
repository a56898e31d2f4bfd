/**
 * The stdout valve of a stdio target: every server process's stdout goes through a Gate, and the
 * target's one valve tells all gates what to do (pass, delay, hold, cut mid-line). Order is always
 * kept: a chunk never leaves before one that arrived earlier. With the valve open and nothing
 * queued, a chunk is pushed straight through (one extra Readable hop, no timer, no copy).
 *
 * It lives here, not in src/target, because only process faults drive it; it imports nothing but
 * node streams (gate.ts) and the shared contracts (src/contracts.ts), so src/target/launch.ts can depend on it without a cycle.
 */
import type { Readable } from 'node:stream';
import { Gate, type GateHost } from './gate.js';
import type { ServerProcess, StdoutValve, StdoutValveMode, StdoutValveStats } from '../../contracts.js';

class ValveController implements StdoutValveController, GateHost {
  current: StdoutValveMode = { kind: 'open' };
  private readonly gates = new Set<Gate>();

  get mode(): StdoutValveMode['kind'] {
    return this.current.kind;
  }

  set(mode: StdoutValveMode): void {
    checkMode(mode);
    for (const gate of [...this.gates]) gate.releaseAll();
    this.current = mode.kind === 'delay' ? { ...mode } : mode;
  }

  clear(): void {
    this.set({ kind: 'open' });
  }

  stats(): StdoutValveStats {
    let pendingChunks = 0;
    let pendingBytes = 0;
    let cutStreams = 0;
    for (const g of this.gates) {
      pendingChunks += g.pendingChunks;
      pendingBytes += g.pendingBytes;
      if (g.cut) cutStreams++;
    }
    return { mode: this.current.kind, pendingChunks, pendingBytes, cutStreams };
  }

  /** A delay drawn uniformly in [delayMs − jitterMs, delayMs + jitterMs] (never negative). */
  drawDelay(): number {
    if (this.current.kind !== 'delay') return 0;
    const { delayMs, jitterMs = 0, rng = () => 0.5 } = this.current;
    const low = Math.max(0, delayMs - jitterMs);
    return low + (delayMs + jitterMs - low) * rng();
  }

  /** A gate for this stream; its output is what the session reads. */
  gate(stdout: Readable): Readable {
    const gate = new Gate(stdout, this);
    this.gates.add(gate);
    return gate.out;
  }

  attach(proc: ServerProcess): ServerProcess {
    const stdout = this.gate(proc.stdout);
    return {
      get pid() {
        return proc.pid;
      },
      get stdin() {
        return proc.stdin;
      },
      stdout,
      exited: proc.exited,
      isRunning: () => proc.isRunning(),
      signal: (sig) => proc.signal(sig),
      stop: (graceMs) => proc.stop(graceMs),
    };
  }

  forget(gate: Gate): void {
    this.gates.delete(gate);
  }
}

function checkMode(mode: StdoutValveMode): void {
  if (mode.kind !== 'delay') return;
  const { delayMs, jitterMs = 0 } = mode;
  if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`valve delayMs must be a number ≥ 0 (got ${delayMs})`);
  if (!Number.isFinite(jitterMs) || jitterMs < 0) throw new RangeError(`valve jitterMs must be a number ≥ 0 (got ${jitterMs})`);
}

export interface StdoutValveController extends StdoutValve {
  /** The same process, its stdout replaced by a gate this valve governs. */
  attach(proc: ServerProcess): ServerProcess;
  /** A gate over any readable (tests, or a process wrapper of one's own). */
  gate(stdout: Readable): Readable;
}

/** A new valve, open. */
export function createStdoutValve(): StdoutValveController {
  return new ValveController();
}

/**
 * Pipe faults on a stdio server's stdout, through the target's stdout valve: they act on the
 * current connection's process and on every process a reconnect spawns, until lifted.
 *
 * What the client sees (StdioProcessTransport reads newline-delimited JSON):
 * - stdout-delay: every message arrives delayMs (± jitterMs) late, in order; requests and pings
 *   take that much longer. A delay above the ping timeout makes the pinger declare the link dead.
 * - stdout-stall: nothing at all; in-flight requests wait. Lifted in time, everything arrives in
 *   order and the requests complete; otherwise the pinger (or a request timeout without one)
 *   declares the link dead, the client kills the process, and reconnects hang in the handshake
 *   (the new process is stalled too) until the fault is lifted.
 * - partial-line: the bytes of the next message without its newline: the transport buffers them
 *   as an unfinished line and delivers nothing (no finding while the stream stays open). Lifted,
 *   the newline completes the line and the message and everything after arrive intact. If the
 *   process dies mid-line instead, the transport reports `partial-line` — unless the client
 *   itself killed it (after a ping timeout), in which case nothing is reported.
 */
import type { FaultTarget } from '../../contracts.js';
import type { StdoutValve, StdoutValveMode } from '../../contracts.js';
import type { Rng } from '../rng.js';
import type { FaultContext, ProcessFault } from './common.js';
import { registerFault, unregisterFault } from './registry.js';
import type { ProcessFaultSpec } from './spec.js';

export type PipeFaultSpec = Extract<ProcessFaultSpec, { kind: 'stdout-delay' | 'stdout-stall' | 'partial-line' }>;

function valveMode(spec: PipeFaultSpec, rng: Rng): StdoutValveMode {
  switch (spec.kind) {
    case 'stdout-delay':
      return { kind: 'delay', delayMs: spec.delayMs, jitterMs: spec.jitterMs ?? 0, rng };
    case 'stdout-stall':
      return { kind: 'hold' };
    case 'partial-line':
      return { kind: 'cut' };
  }
}

function describePipe(spec: PipeFaultSpec): string {
  switch (spec.kind) {
    case 'stdout-delay':
      return `stdout delay ${spec.delayMs}${spec.jitterMs ? `±${spec.jitterMs}` : ''} ms (every chunk the server writes, order kept)`;
    case 'stdout-stall':
      return 'stdout stall: everything the server writes is held until lifted, then released in order';
    case 'partial-line':
      return 'partial line: the next message arrives without its newline; the rest is held until lifted';
  }
}

export function pipeFault(target: FaultTarget, spec: PipeFaultSpec, rng: Rng, ctx: FaultContext): ProcessFault {
  let valve: StdoutValve | undefined;
  const lift = (): void => {
    const v = valve;
    valve = undefined;
    unregisterFault(fault);
    if (!v) return;
    const { pendingChunks, pendingBytes, cutStreams } = v.stats();
    v.clear();
    ctx.act('valve-cleared', `released ${pendingChunks} chunk(s), ${pendingBytes} B${cutStreams ? `, ${cutStreams} cut stream(s) completed` : ''}`);
  };
  const fault: ProcessFault = {
    kind: spec.kind,
    spec,
    describe: () => describePipe(spec),
    async start() {
      if (valve) return;
      const v = target.stdoutValve?.();
      if (!v) throw new Error(`${spec.kind}: target "${target.profile.name}" has no stdout valve (only stdio targets started by this tool have one)`);
      if (v.mode !== 'open') throw new Error(`${spec.kind}: another stdout fault is active on target "${target.profile.name}" (valve: ${v.mode}); one at a time`);
      v.set(valveMode(spec, rng));
      valve = v;
      registerFault({ fault, teardown: async () => lift() });
      ctx.act('valve-set', describePipe(spec));
    },
    async stop() {
      lift();
    },
  };
  return fault;
}

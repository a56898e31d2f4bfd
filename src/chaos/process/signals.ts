/**
 * Process faults that signal the server: pause (SIGSTOP/SIGCONT on the whole group), kill
 * (SIGKILL), terminate (SIGTERM) with an optional restart on the same port, and a one-shot restart.
 */
import type { FaultTarget } from '../../contracts.js';
import type { ServerProcess } from '../../contracts.js';
import { runningProcess, within, type FaultContext, type ProcessFault } from './common.js';
import { registerFault, unregisterFault } from './registry.js';
import type { ProcessFaultSpec } from './spec.js';

type Spec<K extends ProcessFaultSpec['kind']> = Extract<ProcessFaultSpec, { kind: K }>;

/** SIGSTOP on start; stop() always sends SIGCONT to the group it stopped, even if start() half-failed. */
export function pauseFault(target: FaultTarget, spec: Spec<'pause'>, ctx: FaultContext): ProcessFault {
  let paused: ServerProcess | undefined;
  const resume = (): void => {
    const proc = paused;
    paused = undefined;
    unregisterFault(fault);
    if (!proc) return;
    proc.signal('SIGCONT');
    ctx.act('signal', `SIGCONT to process group ${proc.pid}`);
  };
  const fault: ProcessFault = {
    kind: 'pause',
    spec,
    describe: () => 'pause: SIGSTOP the server process group (SIGCONT when lifted)',
    async start() {
      if (paused) return;
      const proc = runningProcess(target, 'pause');
      // Recorded and registered before the signal: whatever happens next, stop() and stopAllFaults() resume it.
      paused = proc;
      registerFault({ fault, resumeNow: resume, teardown: async () => resume() });
      proc.signal('SIGSTOP');
      ctx.act('signal', `SIGSTOP to process group ${proc.pid}`);
    },
    async stop() {
      resume();
    },
  };
  return fault;
}

/** The target's own restart (stop, start on the same port, wait until it listens), logged. */
async function restartTarget(target: FaultTarget, ctx: FaultContext): Promise<void> {
  if (!target.restart) throw new Error(`target "${target.profile.name}" cannot be restarted (not a local network target)`);
  const t0 = performance.now();
  ctx.act('restarting', `restarting ${target.profile.name} on ${target.endpoint.url ?? 'its address'}`);
  try {
    await target.restart();
  } catch (err) {
    ctx.act('restart-failed', (err as Error).message);
    throw err;
  }
  ctx.act('restarted', `listening again after ${Math.round(performance.now() - t0)} ms (pid ${target.currentProcess()?.pid ?? '?'})`);
}

/**
 * kill (SIGKILL to the group) or terminate (SIGTERM to the server; its group is reaped when it
 * exits). Network targets restart on the same port after restartAfterMs, or at the latest when the
 * fault is lifted; for stdio the client's reconnect spawns a fresh process, so lifting does nothing.
 */
export function stopSignalFault(target: FaultTarget, spec: Spec<'kill'> | Spec<'terminate'>, ctx: FaultContext): ProcessFault {
  const sig = spec.kind === 'kill' ? 'SIGKILL' : 'SIGTERM';
  const canRestart = target.profile.transport !== 'stdio' && target.restart !== undefined;
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> | undefined;
  let failure: Error | undefined;
  const restart = (): Promise<void> =>
    (restarting ??= restartTarget(target, ctx).catch((err: Error) => {
      failure = err;
    }));
  const cancelTimer = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  const fault: ProcessFault = {
    kind: spec.kind,
    spec,
    describe: () => {
      const what = spec.kind === 'kill' ? 'kill: SIGKILL the server process group' : 'terminate: SIGTERM the server (graceful stop)';
      if (!canRestart) return `${what}; the client's reconnect spawns a fresh process`;
      const when = spec.restartAfterMs !== undefined ? `after ${spec.restartAfterMs} ms` : 'when lifted';
      return `${what}; restart on the same port ${when}`;
    },
    async start() {
      if (started) return;
      await restarting; // a previous round's restart (never rejects)
      const proc = runningProcess(target, spec.kind);
      started = true;
      restarting = undefined;
      registerFault({ fault, teardown });
      proc.signal(sig);
      ctx.act('signal', `${sig} to ${sig === 'SIGKILL' ? 'process group' : 'process'} ${proc.pid}`);
      const exited = await within(proc.exited, ctx.exitWaitMs);
      ctx.act(exited ? 'exited' : 'still-running', exited ? `process ${proc.pid} exited` : `process ${proc.pid} still running ${ctx.exitWaitMs} ms after ${sig}`);
      if (started && canRestart && spec.restartAfterMs !== undefined) {
        timer = setTimeout(() => {
          timer = undefined;
          void restart();
        }, spec.restartAfterMs);
      }
    },
    async stop() {
      if (!started) return;
      started = false;
      cancelTimer();
      if (canRestart) await restart();
      unregisterFault(fault);
      const f = failure;
      failure = undefined;
      if (f) throw new Error(`${spec.kind}: the server could not be restarted: ${f.message}`);
    },
  };
  // End of the run: no restart; only wait for one already under way, so target.stop() sees its process.
  const teardown = async (): Promise<void> => {
    started = false;
    cancelTimer();
    await restarting;
    unregisterFault(fault);
  };
  return fault;
}

/** One-shot restart of a local network server on the same port; start() resolves once it listens again. */
export function restartFault(target: FaultTarget, spec: Spec<'restart'>, ctx: FaultContext): ProcessFault {
  let running: Promise<void> | undefined;
  const settled = async () => {
    await running?.catch(() => undefined);
  };
  const fault: ProcessFault = {
    kind: 'restart',
    spec,
    describe: () => 'restart: stop the server and start it again on the same port (one-shot)',
    async start() {
      await settled();
      registerFault({ fault, teardown: async () => settled().finally(() => unregisterFault(fault)) });
      running = restartTarget(target, ctx);
      try {
        await running;
      } finally {
        unregisterFault(fault);
      }
    },
    stop: settled,
  };
  return fault;
}

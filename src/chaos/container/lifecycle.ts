/**
 * Container lifecycle faults: pause (docker pause / unpause), kill (SIGKILL) and terminate
 * (SIGTERM) with a start again after restartAfterMs or when lifted, stop (docker stop / start),
 * and a one-shot restart (docker restart). A container that runs again is reported `restarted`
 * once the server answers at its URL again, so the fault window ends when the server is back.
 */
import type { ContainerEquivalentSpec, ContainerFaultSpec } from './spec.js';
import { exitsWithin, failure, startAgain, tolerate, type ContainerCtx, type ContainerFault } from './common.js';
import type { Located } from './docker.js';
import { registerContainerFault, unregisterContainerFault } from './registry.js';

type Equivalent<K extends ContainerEquivalentSpec['kind']> = Extract<ContainerEquivalentSpec, { kind: K }>;

/** The container, running (and not paused); rejects with its state otherwise. */
async function runningContainer(ctx: ContainerCtx, kind: string): Promise<Located> {
  const c = await ctx.locate();
  const info = await c.container.inspect().catch((err: unknown) => {
    throw failure(kind, c, 'inspecting container', err);
  });
  if (!info.State.Running) throw new Error(`${kind}: container ${c.name} is not running (${info.State.Status}): nothing to act on`);
  if (info.State.Paused) throw new Error(`${kind}: container ${c.name} is paused (another fault or someone else paused it)`);
  return c;
}

/** docker pause on start; stop() always unpauses what it paused, even if start() half-failed. */
export function pauseContainerFault(ctx: ContainerCtx, spec: Equivalent<'pause'>): ContainerFault {
  let paused: Located | undefined;
  const resume = async (): Promise<void> => {
    const c = paused;
    paused = undefined;
    unregisterContainerFault(fault);
    if (!c) return;
    try {
      await tolerate(c.container.unpause(), [304, 404, 409]); // not paused any more, or gone
    } catch (err) {
      throw failure('pause', c, 'docker unpause', err);
    }
    ctx.act('unpaused', `docker unpause ${c.name}`);
  };
  const fault: ContainerFault = {
    kind: 'pause',
    spec,
    describe: () => `pause: docker pause the container of service "${ctx.ref.service}" (unpause when lifted); the kernel still accepts connections`,
    async start() {
      if (paused) return;
      const c = await runningContainer(ctx, 'pause');
      paused = c; // before the call: whatever happens next, stop() and teardown unpause it
      registerContainerFault({ fault, teardown: () => resume().catch(() => undefined), exitPath: `/containers/${c.id}/unpause` });
      try {
        await c.container.pause();
      } catch (err) {
        throw failure('pause', c, 'docker pause', err);
      }
      ctx.act('paused', `docker pause ${c.name}`);
    },
    stop: resume,
  };
  return fault;
}

/**
 * kill (docker kill, SIGKILL) or terminate (docker kill --signal SIGTERM: the server's PID 1 gets
 * it, so a server without an init that ignores it keeps running — reported as still-running).
 * The container is started again after restartAfterMs, or at the latest when the fault is lifted.
 */
export function killContainerFault(ctx: ContainerCtx, spec: Equivalent<'kill'> | Equivalent<'terminate'>): ContainerFault {
  const sig = spec.kind === 'kill' ? 'SIGKILL' : 'SIGTERM';
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> | undefined;
  let failed: Error | undefined;
  const restart = (wait: boolean): Promise<void> =>
    (restarting ??= startAgain(ctx, spec.kind, wait).catch((err: Error) => {
      failed = err;
    }));
  const cancelTimer = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  const fault: ContainerFault = {
    kind: spec.kind,
    spec,
    describe: () => {
      const what = spec.kind === 'kill' ? 'kill: docker kill (SIGKILL)' : 'terminate: docker kill --signal SIGTERM (graceful stop)';
      const when = spec.restartAfterMs !== undefined ? `after ${spec.restartAfterMs} ms` : 'when lifted';
      return `${what} the container of service "${ctx.ref.service}"; docker start ${when}`;
    },
    async start() {
      if (started) return;
      await restarting; // a previous round's start (never rejects)
      const c = await runningContainer(ctx, spec.kind);
      started = true;
      restarting = undefined;
      registerContainerFault({ fault, teardown, exitPath: `/containers/${c.id}/start` });
      try {
        await c.container.kill({ signal: sig });
      } catch (err) {
        throw failure(spec.kind, c, `docker kill --signal ${sig}`, err);
      }
      ctx.act('signal', `docker kill --signal ${sig} ${c.name}`);
      const { exited, code } = await exitsWithin(c, ctx.exitWaitMs);
      ctx.act(exited ? 'exited' : 'still-running', exited ? `container ${c.name} exited (code ${code ?? '?'})` : `container ${c.name} still running ${ctx.exitWaitMs} ms after ${sig}`);
      if (started && spec.restartAfterMs !== undefined) {
        timer = setTimeout(() => {
          timer = undefined;
          void restart(true);
        }, spec.restartAfterMs);
      }
    },
    async stop() {
      if (!started) return;
      started = false;
      cancelTimer();
      await restart(true);
      unregisterContainerFault(fault);
      const f = failed;
      failed = undefined;
      if (f) throw f;
    },
  };
  // End of the run: start the container again (the stack stays whole), without waiting for it to listen.
  const teardown = async (): Promise<void> => {
    if (started) {
      started = false;
      cancelTimer();
      await restart(false);
    } else await restarting;
    unregisterContainerFault(fault);
  };
  return fault;
}

/** docker stop (graceful: stop signal, SIGKILL after timeoutSeconds); lifted with docker start. */
export function stopContainerFault(ctx: ContainerCtx, spec: Extract<ContainerFaultSpec, { kind: 'stop' }>): ContainerFault {
  let stopped: Located | undefined;
  const lift = async (wait: boolean): Promise<void> => {
    const c = stopped;
    stopped = undefined;
    if (c) await startAgain(ctx, 'stop', wait).finally(() => unregisterContainerFault(fault));
    else unregisterContainerFault(fault);
  };
  const fault: ContainerFault = {
    kind: 'stop',
    spec,
    describe: () => `stop: docker stop the container of service "${ctx.ref.service}"${spec.timeoutSeconds !== undefined ? ` (SIGKILL after ${spec.timeoutSeconds} s)` : ''}; docker start when lifted`,
    async start() {
      if (stopped) return;
      const c = await runningContainer(ctx, 'stop');
      stopped = c;
      registerContainerFault({ fault, teardown: () => lift(false).catch(() => undefined), exitPath: `/containers/${c.id}/start` });
      const t0 = Date.now();
      try {
        await tolerate(c.container.stop(spec.timeoutSeconds !== undefined ? { t: spec.timeoutSeconds } : {}));
      } catch (err) {
        throw failure('stop', c, 'docker stop', err);
      }
      ctx.act('stopped', `docker stop ${c.name}: stopped after ${Date.now() - t0} ms`);
    },
    stop: () => lift(true),
  };
  return fault;
}

/** One-shot docker restart; start() resolves once the server answers again. Lifting does nothing. */
export function restartContainerFault(ctx: ContainerCtx, spec: Equivalent<'restart'>): ContainerFault {
  let running: Promise<void> | undefined;
  const settled = async () => {
    await running?.catch(() => undefined);
  };
  const fault: ContainerFault = {
    kind: 'restart',
    spec,
    describe: () => `restart: docker restart the container of service "${ctx.ref.service}" (one-shot)`,
    async start() {
      await settled();
      const c = await runningContainer(ctx, 'restart');
      registerContainerFault({ fault, teardown: () => settled().finally(() => unregisterContainerFault(fault)), exitPath: `/containers/${c.id}/start` });
      running = startAgain(ctx, 'restart', true);
      try {
        await running;
      } finally {
        unregisterContainerFault(fault);
      }
    },
    stop: settled,
  };
  return fault;
}

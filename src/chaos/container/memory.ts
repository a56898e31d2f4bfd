/**
 * memory-squeeze: the container's memory limit lowered to memoryBytes, without swap (docker update
 * with Memory and MemorySwap), so the server reclaims, slows down or is OOM-killed; lifted, the
 * previous limits come back. Docker cannot remove a limit once set (`docker update` reads 0 as
 * "unchanged" and refuses -1), so a container that had none gets the kernel's "no limit" value
 * (2^63 − 4096 bytes, what cgroups report for an unlimited group): no limit in effect, and said so.
 * A container the squeeze killed is started again when the fault is lifted.
 */
import type { ContainerFaultSpec } from './spec.js';
import { failure, startAgain, type ContainerCtx, type ContainerFault } from './common.js';
import type { Located } from './docker.js';
import { registerContainerFault, unregisterContainerFault } from './registry.js';

type Spec = Extract<ContainerFaultSpec, { kind: 'memory-squeeze' }>;

/** cgroups' "no limit" (PAGE_COUNTER_MAX pages of 4 KiB): the closest Docker lets one come back to "unlimited". */
export const NO_LIMIT_BYTES = 2 ** 63 - 4096;

export interface MemoryLimits {
  /** HostConfig.Memory (0: no limit). */
  memory: number;
  /** HostConfig.MemorySwap (0: unset, -1: unlimited swap). */
  memorySwap: number;
}

const mib = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;

function describeLimit(l: MemoryLimits): string {
  if (l.memory <= 0 || l.memory >= NO_LIMIT_BYTES) return 'no limit';
  const swap = l.memorySwap > 0 ? (l.memorySwap === l.memory ? ', no swap' : `, ${mib(l.memorySwap)} with swap`) : l.memorySwap < 0 ? ', unlimited swap' : '';
  return `${mib(l.memory)}${swap}`;
}

/** The docker update body that brings `previous` back (as exactly as the engine allows). */
export function restoreUpdate(previous: MemoryLimits): { Memory: number; MemorySwap: number } {
  const memory = previous.memory > 0 ? previous.memory : NO_LIMIT_BYTES;
  // The swap limit goes with it: the engine passes only a positive MemorySwap to the kernel, and a
  // memory limit above the (squeezed) swap limit would be refused.
  const memorySwap = previous.memorySwap > 0 ? previous.memorySwap : NO_LIMIT_BYTES;
  return { Memory: memory, MemorySwap: memorySwap };
}

export function memorySqueezeFault(ctx: ContainerCtx, spec: Spec): ContainerFault {
  let squeezed: { c: Located; previous: MemoryLimits } | undefined;
  const restore = async (wait: boolean): Promise<void> => {
    const s = squeezed;
    squeezed = undefined;
    unregisterContainerFault(fault);
    if (!s) return;
    try {
      await s.c.container.update(restoreUpdate(s.previous));
    } catch (err) {
      throw failure('memory-squeeze', s.c, 'docker update (restoring the memory limit)', err);
    }
    const exact = s.previous.memory > 0 ? '' : ` (Docker cannot remove a limit once set: set to the kernel's no-limit value, ${NO_LIMIT_BYTES} bytes)`;
    ctx.act('memory-restored', `docker update ${s.c.name}: memory limit back to ${describeLimit(s.previous)}${exact}`);
    const info = await s.c.container.inspect().catch(() => undefined);
    if (info && !info.State.Running) {
      // The squeeze killed it (OOM): start it again, so the stack stays whole.
      ctx.act('exited', `container ${s.c.name} is ${info.State.Status}${info.State.OOMKilled ? ' (OOM-killed)' : ''}`);
      await startAgain(ctx, 'memory-squeeze', wait);
    }
  };
  const fault: ContainerFault = {
    kind: 'memory-squeeze',
    spec,
    describe: () => `memory-squeeze: the memory limit of the container of service "${ctx.ref.service}" lowered to ${mib(spec.memoryBytes)} without swap (restored when lifted)`,
    async start() {
      if (squeezed) return;
      const c = await ctx.locate();
      const info = await c.container.inspect().catch((err: unknown) => {
        throw failure('memory-squeeze', c, 'inspecting container', err);
      });
      const previous: MemoryLimits = { memory: info.HostConfig.Memory ?? 0, memorySwap: info.HostConfig.MemorySwap ?? 0 };
      if (previous.memory > 0 && previous.memory < NO_LIMIT_BYTES && spec.memoryBytes >= previous.memory) {
        throw new Error(`memory-squeeze: memoryBytes (${spec.memoryBytes}) is not below the current limit of container ${c.name} (${previous.memory} bytes): nothing to squeeze`);
      }
      squeezed = { c, previous };
      registerContainerFault({ fault, teardown: () => restore(false).catch(() => undefined) });
      try {
        await c.container.update({ Memory: spec.memoryBytes, MemorySwap: spec.memoryBytes });
      } catch (err) {
        // The engine refused (e.g. cgroup v1 will not go below current usage): nothing changed, nothing to restore.
        squeezed = undefined;
        unregisterContainerFault(fault);
        throw failure('memory-squeeze', c, `docker update --memory ${spec.memoryBytes} --memory-swap ${spec.memoryBytes}`, err);
      }
      ctx.act('memory-set', `docker update ${c.name}: memory limit ${describeLimit(previous)} → ${mib(spec.memoryBytes)}, no swap`);
    },
    stop: () => restore(true),
  };
  return fault;
}

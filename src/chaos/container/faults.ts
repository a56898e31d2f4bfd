/**
 * Container faults as `Fault`s: a spec becomes a fault on the one container of a Compose service
 * (found by its labels when the fault starts). Every started fault is in the registry until it is
 * lifted, so stopAllContainerFaults() can lift it at the end of a run or on SIGINT/SIGTERM.
 */
import type { ContainerRef } from '../../contracts.js';
import { validateProcessFault } from '../process/spec.js';
import { containerCtx, type ContainerFault, type ContainerFaultOptions } from './common.js';
import { killContainerFault, pauseContainerFault, restartContainerFault, stopContainerFault } from './lifecycle.js';
import { memorySqueezeFault } from './memory.js';
import { networkDisconnectFault } from './network.js';
import { netemFault } from './netem.js';
import { actsOnContainer, isContainerFaultKind, validateContainerFault, type ContainerTargetFaultSpec } from './spec.js';

/**
 * The fault a spec describes on the container of `ref`. Throws with the validator's words when
 * the spec is invalid, or is a kind that does not act on a container (stdout-*, network faults).
 */
export function containerFault(ref: ContainerRef, spec: ContainerTargetFaultSpec, opts: ContainerFaultOptions = {}): ContainerFault {
  const kind: unknown = (spec as { kind?: unknown }).kind;
  if (!actsOnContainer(kind)) throw new Error(`invalid container fault: ${JSON.stringify(kind)} does not act on a container (container faults: pause, kill, terminate, restart, stop, network-disconnect, memory-squeeze, netem)`);
  const problems = isContainerFaultKind(kind) ? validateContainerFault(spec) : validateProcessFault(spec);
  if (problems.length > 0) throw new Error(`invalid container fault: ${problems.join('; ')}`);
  const ctx = containerCtx(ref, spec.kind, opts);
  switch (spec.kind) {
    case 'pause':
      return pauseContainerFault(ctx, spec);
    case 'kill':
    case 'terminate':
      return killContainerFault(ctx, spec);
    case 'restart':
      return restartContainerFault(ctx, spec);
    case 'stop':
      return stopContainerFault(ctx, spec);
    case 'network-disconnect':
      return networkDisconnectFault(ctx, spec);
    case 'memory-squeeze':
      return memorySqueezeFault(ctx, spec);
    case 'netem':
      return netemFault(ctx, spec);
  }
}

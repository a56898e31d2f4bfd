/**
 * Process faults as `Fault`s: a spec, checked against the running target, becomes a fault that
 * signals the server (pause, kill, terminate, restart) or turns its stdout valve (stdio pipe
 * faults). Every started fault is in the registry until stopped, so stopAllFaults() can lift it.
 */
import type { FaultTarget } from '../../contracts.js';
import type { Rng } from '../rng.js';
import { faultContext, type ProcessFault, type ProcessFaultOptions } from './common.js';
import { pipeFault } from './pipe.js';
import { pauseFault, restartFault, stopSignalFault } from './signals.js';
import { validateProcessFault, type ProcessFaultContext, type ProcessFaultSpec } from './spec.js';

/** What validateProcessFault needs to know about a running target. */
export function processFaultContext(target: FaultTarget): ProcessFaultContext {
  return { transport: target.profile.transport, local: target.profile.launch !== undefined, container: target.profile.container !== undefined, target: target.profile.name };
}

/**
 * The fault a spec describes on this target. Throws with the validator's words when the spec is
 * invalid or cannot act on the target (a remote target, a pipe fault on a network target…).
 * `rng` draws stdout-delay jitter (pass a fork of the run's seeded rng).
 */
export function processFault(target: FaultTarget, spec: ProcessFaultSpec, rng: Rng, opts: ProcessFaultOptions = {}): ProcessFault {
  const problems = validateProcessFault(spec, processFaultContext(target));
  if (problems.length > 0) throw new Error(`invalid process fault: ${problems.join('; ')}`);
  if (target.profile.container && !target.profile.launch && !target.currentProcess()) {
    throw new Error(`${spec.kind}: target "${target.profile.name}" runs in a container (service "${target.profile.container.service}"): its faults act on the container (containerFault), not on a process of this tool`);
  }
  const ctx = faultContext(spec.kind, opts);
  switch (spec.kind) {
    case 'pause':
      return pauseFault(target, spec, ctx);
    case 'kill':
    case 'terminate':
      return stopSignalFault(target, spec, ctx);
    case 'restart':
      return restartFault(target, spec, ctx);
    case 'stdout-delay':
    case 'stdout-stall':
    case 'partial-line':
      return pipeFault(target, spec, rng, ctx);
  }
}

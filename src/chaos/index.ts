/** Public face of src/chaos: the seeded RNG, the Fault contract, network faults (proxy), process faults, chaos schedules. */
import { NETWORK_FAULT_KINDS, type NetworkFaultKind, type NetworkFaultSpec } from './proxy/index.js';
import { PROCESS_FAULT_KINDS, type ProcessFaultKind, type ProcessFaultSpec } from './process/index.js';

export { createRng, forkRng, type Rng } from './rng.js';
export type { Fault } from './fault.js';
export {
  ChaosProxy,
  proxyFault,
  toxicFromSpec,
  validateNetworkFault,
  NETWORK_FAULT_KINDS,
  latency,
  loss,
  bandwidth,
  slicer,
  reset,
  blackhole,
  down,
  idleCut,
} from './proxy/index.js';
export type {
  ChaosProxyOptions,
  NetworkFaultSpec,
  NetworkFaultKind,
  Toxic,
  ToxicOptions,
  Decision,
  ProxyStats,
  Direction,
  DirectionOption,
  Scope,
} from './proxy/index.js';
export {
  PROCESS_FAULT_KINDS,
  STDIO_ONLY_KINDS,
  NETWORK_ONLY_KINDS,
  isProcessFaultKind,
  validateProcessFault,
  processFault,
  processFaultContext,
  stopAllFaults,
  activeProcessFaults,
} from './process/index.js';
export type { ProcessFaultSpec, ProcessFaultKind, ProcessFaultContext, ProcessFault, ProcessFaultAction, ProcessFaultOptions } from './process/index.js';
export { chaosSchedule, validateChaosSchedule, type ChaosDraw, type ChaosScheduleOptions } from './schedule.js';

/** Any fault a scenario can name: through the proxy (network) or on the server process (process). */
export type FaultSpec = NetworkFaultSpec | ProcessFaultSpec;
export type FaultKind = NetworkFaultKind | ProcessFaultKind;
export type FaultFamily = 'network' | 'process';

/** Every fault kind, network kinds first (the order of the scenario schema's enum). */
export const FAULT_KINDS: readonly FaultKind[] = [...NETWORK_FAULT_KINDS, ...PROCESS_FAULT_KINDS];

/** `network` (needs the chaos proxy, so a network target), `process` (needs a local server), or undefined for an unknown kind. */
export function faultFamily(kind: unknown): FaultFamily | undefined {
  if ((NETWORK_FAULT_KINDS as readonly unknown[]).includes(kind)) return 'network';
  if ((PROCESS_FAULT_KINDS as readonly unknown[]).includes(kind)) return 'process';
  return undefined;
}

/**
 * Kinds that stop all traffic while they last: a client that keeps making requests (or pings)
 * must notice them. The others (latency, loss, bandwidth, slicer, stdout-delay, …) degrade the
 * link, and a reset or idle cut may be absorbed without a failed request by a client that simply
 * reconnects: a client cannot be required to notice those.
 */
export const DISRUPTIVE_FAULT_KINDS: readonly FaultKind[] = ['blackhole', 'pause', 'kill', 'terminate', 'restart', 'stdout-stall'];

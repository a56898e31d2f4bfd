/** Public face of src/chaos: the seeded RNG, the Fault contract, network faults (proxy), process faults, container faults, chaos schedules. */
import { NETWORK_FAULT_KINDS, type NetworkFaultKind, type NetworkFaultSpec } from './proxy/index.js';
import { PROCESS_FAULT_KINDS, stopAllFaults as stopAllProcessFaults, type ProcessFaultKind, type ProcessFaultSpec } from './process/index.js';
import { CONTAINER_FAULT_KINDS, stopAllContainerFaults, type ContainerFaultKind, type ContainerFaultSpec } from './container/index.js';

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
  activeProcessFaults,
} from './process/index.js';
export { stopAllProcessFaults, stopAllContainerFaults };
export type { ProcessFaultSpec, ProcessFaultKind, ProcessFaultContext, ProcessFault, ProcessFaultAction, ProcessFaultOptions } from './process/index.js';
export {
  CONTAINER_FAULT_KINDS,
  CONTAINER_EQUIVALENT_KINDS,
  MIN_MEMORY_BYTES,
  isContainerFaultKind,
  actsOnContainer,
  validateContainerFault,
  containerFault,
  netemAvailable,
  activeContainerFaults,
} from './container/index.js';
export type { ContainerFaultSpec, ContainerFaultKind, ContainerFaultContext, ContainerTargetFaultSpec, ContainerFault, ContainerFaultAction, ContainerFaultOptions, NetemPreflight } from './container/index.js';
export { chaosSchedule, validateChaosSchedule, type ChaosDraw, type ChaosScheduleOptions } from './schedule.js';

/** Any fault a scenario can name: through the proxy (network), on the server process (process), or on its container (container-only kinds). */
export type FaultSpec = NetworkFaultSpec | ProcessFaultSpec | ContainerFaultSpec;
export type FaultKind = NetworkFaultKind | ProcessFaultKind | ContainerFaultKind;
/**
 * What a Result records: `network` (on the connections, through the chaos proxy) or `process`
 * (on the server: its process, or its container — the container-only kinds are server faults too).
 */
export type FaultFamily = 'network' | 'process';

/** Every fault kind, network kinds first, then process kinds, then container-only kinds (the order of the scenario schema's enum). */
export const FAULT_KINDS: readonly FaultKind[] = [...NETWORK_FAULT_KINDS, ...PROCESS_FAULT_KINDS, ...CONTAINER_FAULT_KINDS];

/**
 * `network` (needs the chaos proxy, so a network target), `process` (acts on the server: a
 * process kind needs a server this tool started or a container target; a container-only kind —
 * see isContainerFaultKind — needs a container target), or undefined for an unknown kind.
 */
export function faultFamily(kind: unknown): FaultFamily | undefined {
  if ((NETWORK_FAULT_KINDS as readonly unknown[]).includes(kind)) return 'network';
  if ((PROCESS_FAULT_KINDS as readonly unknown[]).includes(kind)) return 'process';
  if ((CONTAINER_FAULT_KINDS as readonly unknown[]).includes(kind)) return 'process';
  return undefined;
}

/**
 * Lift every active fault of this process: process faults (paused groups resumed first, no
 * restart) and container faults (unpaused, reconnected, memory restored, netem removed, stopped
 * or killed containers started again). Idempotent; never rejects. The CLI's SIGINT path calls it.
 */
export async function stopAllFaults(): Promise<void> {
  await Promise.all([stopAllProcessFaults(), stopAllContainerFaults()]);
}

/**
 * Kinds that stop all traffic while they last: a client that keeps making requests (or pings)
 * must notice them. The others (latency, loss, bandwidth, slicer, stdout-delay, …) degrade the
 * link, and a reset or idle cut may be absorbed without a failed request by a client that simply
 * reconnects: a client cannot be required to notice those.
 */
export const DISRUPTIVE_FAULT_KINDS: readonly FaultKind[] = ['blackhole', 'pause', 'kill', 'terminate', 'restart', 'stdout-stall', 'stop', 'network-disconnect'];

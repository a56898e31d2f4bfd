/** Public face of container faults: specs and their validation, the adapter to `Fault`, the netem preflight, teardown. */
export {
  CONTAINER_FAULT_KINDS,
  CONTAINER_EQUIVALENT_KINDS,
  MIN_MEMORY_BYTES,
  isContainerFaultKind,
  actsOnContainer,
  validateContainerFault,
  type ContainerFaultSpec,
  type ContainerFaultKind,
  type ContainerFaultContext,
  type ContainerEquivalentSpec,
  type ContainerTargetFaultSpec,
} from './spec.js';
export { containerFault } from './faults.js';
export type { ContainerFault, ContainerFaultAction, ContainerFaultOptions } from './common.js';
export { findServiceContainer, defaultDocker, type Located } from './docker.js';
export { netemAvailable, netemArgs, netemImage, proxyFallbackSpecs, type NetemPreflight } from './netem.js';
export { NO_LIMIT_BYTES, restoreUpdate, type MemoryLimits } from './memory.js';
export { stopAllContainerFaults, activeContainerFaults } from './registry.js';

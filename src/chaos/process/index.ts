/** Public face of process faults: specs and their validation, the adapter to `Fault`, the stdout valve, teardown. */
export {
  PROCESS_FAULT_KINDS,
  STDIO_ONLY_KINDS,
  NETWORK_ONLY_KINDS,
  isProcessFaultKind,
  validateProcessFault,
  type ProcessFaultSpec,
  type ProcessFaultKind,
  type ProcessFaultContext,
} from './spec.js';
export { processFault, processFaultContext } from './faults.js';
export type { ProcessFault, ProcessFaultAction, ProcessFaultOptions } from './common.js';
export { stopAllFaults, activeProcessFaults } from './registry.js';
export { createStdoutValve, type StdoutValveController } from './valve.js';
export type { StdoutValve, StdoutValveMode, StdoutValveStats } from '../../contracts.js';

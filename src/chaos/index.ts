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

/** Public face of the TCP chaos proxy: the proxy, its toxics, and network faults as `Fault`s. */
export { ChaosProxy, type ChaosProxyOptions } from './proxy.js';
export { NETWORK_FAULT_KINDS, proxyFault, toxicFromSpec, validateNetworkFault, type NetworkFaultKind, type NetworkFaultSpec } from './faults.js';
export { bandwidth, blackhole, down, idleCut, latency, loss, reset, slicer } from './toxics/index.js';
export type { BandwidthOptions, DownOptions, IdleCutOptions, LatencyOptions, LossOptions, ResetOptions, SlicerOptions } from './toxics/index.js';
export type {
  AttachContext,
  ConnectionHandle,
  Decision,
  Direction,
  DirectionOption,
  DirectionStats,
  Item,
  ProxyControl,
  ProxyStats,
  Scope,
  Stage,
  StageContext,
  StreamEnd,
  Toxic,
  ToxicOptions,
} from './types.js';
export { FIN, RST, isEnd } from './types.js';

/** Every toxic the proxy ships, one file each. */
export { bandwidth, type BandwidthOptions } from './bandwidth.js';
export { blackhole } from './blackhole.js';
export { down, type DownOptions } from './down.js';
export { idleCut, type IdleCutOptions } from './idle-cut.js';
export { latency, type LatencyOptions } from './latency.js';
export { loss, type LossOptions } from './loss.js';
export { reset, type ResetOptions } from './reset.js';
export { slicer, type SlicerOptions } from './slicer.js';

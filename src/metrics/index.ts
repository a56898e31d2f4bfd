/** Public face of src/metrics: the metric registry, the /metrics endpoint, latency histograms. */
export {
  createMetrics,
  SEED_METRIC_NAMES,
  REQUEST_DURATION_BUCKETS_SECONDS,
  HANDSHAKE_DURATION_BUCKETS_SECONDS,
  RECOVERY_BUCKETS_SECONDS,
  SESSION_DURATION_BUCKETS_SECONDS,
  FAULT_MTTR_BUCKETS_SECONDS,
} from './registry.js';
export type { McpMetrics, McpMetricSet, MetricLabels, RunInfo } from './registry.js';
export { startMetricsServer } from './server.js';
export type { MetricsServer, RegistrySource } from './server.js';
export { LatencyHistogram } from './histogram.js';
export { LatencyBook } from './latency-book.js';

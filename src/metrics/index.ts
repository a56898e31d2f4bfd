/** Public face of src/metrics: the metric registry, the /metrics endpoint, latency histograms, the Prometheus HTTP API client. */
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
export { instantQuery, rangeQuery, alerts, rules, ready, sampleValue, DEFAULT_PROMETHEUS_TIMEOUT_MS } from './prometheus-api.js';
export * as prometheusApi from './prometheus-api.js';
export type {
  PromResult,
  PromErrorKind,
  PromLabels,
  PromSamplePair,
  PromVectorSample,
  PromMatrixSeries,
  PromInstantData,
  PromRangeData,
  PromAlert,
  PromRule,
  PromRuleGroup,
  InstantQueryOptions,
  RangeQueryOptions,
  RequestOptions,
} from './prometheus-api.js';

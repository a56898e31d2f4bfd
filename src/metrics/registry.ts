/**
 * Every Prometheus metric mcp-reliability exposes, defined once, on a fresh Registry per run.
 *
 * The first six names are the seed's contract and must not change. Every metric carries the
 * `scenario` and `target` labels (registry default labels). Names follow Prometheus conventions
 * (base units in the name, counters end in `_total`) and pass `promtool check metrics`.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricLabels {
  scenario: string;
  target: string;
}

export interface RunInfo {
  clientProfile: string;
  version: string;
}

/** Request latency: 1 ms .. 60 s. */
export const REQUEST_DURATION_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Handshake (connect + initialize): 5 ms .. 60 s. */
export const HANDSHAKE_DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Disconnect → recovered: 50 ms .. 10 min. */
export const RECOVERY_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** Fault end → first successful request: 10 ms .. 10 min. */
export const FAULT_MTTR_BUCKETS_SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** Connected session lifetime: 1 s .. 24 h. */
export const SESSION_DURATION_BUCKETS_SECONDS = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 7200, 21600, 86400];

/** The seed's metric names, exactly. */
export const SEED_METRIC_NAMES = [
  'mcp_connections_total',
  'mcp_disconnections_total',
  'mcp_reconnect_attempts_total',
  'mcp_requests_total',
  'mcp_request_duration_seconds',
  'mcp_session_duration_seconds',
] as const;

function defineMetrics(registry: Registry) {
  const registers = [registry];
  return {
    connections: new Counter({
      name: 'mcp_connections_total',
      help: 'Connection attempts (transport connect + initialize handshake) by outcome.',
      labelNames: ['status'] as const,
      registers,
    }),
    disconnections: new Counter({
      name: 'mcp_disconnections_total',
      help: 'Sessions lost or closed, by reason.',
      labelNames: ['reason'] as const,
      registers,
    }),
    reconnectAttempts: new Counter({
      name: 'mcp_reconnect_attempts_total',
      help: 'Reconnect attempts made by the simulated client after a disconnection.',
      registers,
    }),
    requests: new Counter({
      name: 'mcp_requests_total',
      help: 'Requests issued by the simulated client, by JSON-RPC method and outcome (ok, tool-error, error, timeout, unavailable).',
      labelNames: ['method', 'status'] as const,
      registers,
    }),
    requestDuration: new Histogram({
      name: 'mcp_request_duration_seconds',
      help: 'Request latency seen by the simulated client, by JSON-RPC method (requests that were sent).',
      labelNames: ['method'] as const,
      buckets: REQUEST_DURATION_BUCKETS_SECONDS,
      registers,
    }),
    sessionDuration: new Histogram({
      name: 'mcp_session_duration_seconds',
      help: 'Lifetime of connected sessions, observed when a session ends.',
      buckets: SESSION_DURATION_BUCKETS_SECONDS,
      registers,
    }),
    toolsAvailable: new Gauge({
      name: 'mcp_tools_available',
      help: 'Number of tools in the most recent tools/list answer.',
      registers,
    }),
    healthCheckFailures: new Counter({
      name: 'mcp_health_check_failures_total',
      help: 'Ping health checks that failed (error, timeout or session unavailable).',
      registers,
    }),
    protocolViolations: new Counter({
      name: 'mcp_protocol_violations_total',
      help: 'Protocol-hygiene findings on the server side of the wire, by kind.',
      labelNames: ['kind'] as const,
      registers,
    }),
    sessionExpiries: new Counter({
      name: 'mcp_session_expiries_total',
      help: 'Sessions the server no longer knew (HTTP 404, or 400 naming the session), by HTTP status.',
      labelNames: ['status'] as const,
      registers,
    }),
    recovery: new Histogram({
      name: 'mcp_recovery_seconds',
      help: 'Time from a disconnection to the first successful request after re-initialize.',
      buckets: RECOVERY_BUCKETS_SECONDS,
      registers,
    }),
    toolDrift: new Counter({
      name: 'mcp_tool_drift_events_total',
      help: 'Tools that appeared (added) or disappeared (removed) from the tool list after the first listing.',
      labelNames: ['change'] as const,
      registers,
    }),
    handshakeDuration: new Histogram({
      name: 'mcp_handshake_duration_seconds',
      help: 'Time to connect and complete the initialize handshake.',
      buckets: HANDSHAKE_DURATION_BUCKETS_SECONDS,
      registers,
    }),
    serverRss: new Gauge({
      name: 'mcp_server_rss_bytes',
      help: 'Memory of the server under test: resident set size of a local process group, or the memory docker stats reports for a container target.',
      registers,
    }),
    containerMemory: new Gauge({
      name: 'mcp_container_memory_bytes',
      help: 'Memory used by the server container (usage less inactive file cache, as docker stats shows it), by compose service.',
      labelNames: ['service'] as const,
      registers,
    }),
    containerCpu: new Gauge({
      name: 'mcp_container_cpu_usage_ratio',
      help: 'CPU used by the server container over the last sample, as a fraction of one CPU, by compose service.',
      labelNames: ['service'] as const,
      registers,
    }),
    availability: new Gauge({
      name: 'mcp_availability_ratio',
      help: 'Successful requests divided by all requests so far (0..1), pings included.',
      registers,
    }),
    sessionUp: new Gauge({
      name: 'mcp_session_up',
      help: '1 while the simulated client has a connected session and no unrecovered disconnection, else 0.',
      registers,
    }),
    faults: new Counter({
      name: 'mcp_faults_total',
      help: 'Faults injected into the path to the server or into the server process, by kind.',
      labelNames: ['kind'] as const,
      registers,
    }),
    faultActive: new Gauge({
      name: 'mcp_fault_active',
      help: 'Faults active now, by kind (non-zero while a fault is injected: a source for annotations).',
      labelNames: ['kind'] as const,
      registers,
    }),
    faultMttr: new Histogram({
      name: 'mcp_fault_mttr_seconds',
      help: 'Time from the end of an injected fault to the first successful request after it, by kind.',
      labelNames: ['kind'] as const,
      buckets: FAULT_MTTR_BUCKETS_SECONDS,
      registers,
    }),
    runInfo: new Gauge({
      name: 'mcp_run_info',
      help: 'Constant 1, labelled with what this run is (client profile and mcp-reliability version).',
      labelNames: ['client_profile', 'version'] as const,
      registers,
    }),
  };
}

export type McpMetricSet = ReturnType<typeof defineMetrics>;

export interface McpMetrics extends McpMetricSet {
  /** The registry holding exactly these metrics; serve it with `startMetricsServer`. */
  registry: Registry;
  labels: MetricLabels;
  /** Sets `mcp_run_info{client_profile,version}` to 1 (replacing an earlier value). */
  setRunInfo(info: RunInfo): void;
}

/** A fresh registry with every metric defined once, labelled with `scenario` and `target`. */
export function createMetrics(labels: MetricLabels & Partial<RunInfo>): McpMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ scenario: labels.scenario, target: labels.target });
  const metrics = defineMetrics(registry);
  const setRunInfo = (info: RunInfo): void => {
    metrics.runInfo.reset();
    metrics.runInfo.set({ client_profile: info.clientProfile, version: info.version }, 1);
  };
  if (labels.clientProfile !== undefined && labels.version !== undefined) {
    setRunInfo({ clientProfile: labels.clientProfile, version: labels.version });
  }
  metrics.sessionUp.set(0);
  return { ...metrics, registry, labels: { scenario: labels.scenario, target: labels.target }, setRunInfo };
}

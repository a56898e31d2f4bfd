/** The Recorder's contract: what it takes (events, options, result metadata) and what it reports while running. */
import type { Expect } from '../scenario/types.js';
import type { SessionEvent } from '../session/types.js';
import type { McpMetrics } from '../metrics/registry.js';
import type { ScenarioResult } from '../report/result.js';
import type { FaultEvent } from './fault-log.js';
import type { TimeSeriesPoint } from './timeseries.js';

/** A SessionEvent tagged with the id of the session that emitted it (absent = session 0), or a fault event. */
export type RecordedEvent = (SessionEvent & { session?: number }) | FaultEvent;

export interface RecorderOptions {
  metrics: McpMetrics;
  /** Epoch milliseconds; injected by tests. */
  now?: () => number;
  /** The client's ping timeout: a disconnection this long after a fault's end still counts as noticing it (default 3000). */
  pingTimeoutMs?: number;
  /** The requested duration: the time series' interval follows it (default 20 s). */
  durationMs?: number;
  /** Called when a time-series interval closes (the event log writes it). */
  onInterval?: (point: TimeSeriesPoint) => void;
}

export interface RecorderSnapshot {
  elapsedMs: number;
  requests: number;
  /** Requests that did not succeed (errors, timeouts, unavailable). */
  errors: number;
  availabilityPercent: number | null;
  reconnectAttempts: number;
  disconnections: number;
  sessionUp: boolean;
}

/** What buildResult needs beyond the events: identity of the run and its SLOs. */
export interface ResultMeta {
  scenario: ScenarioResult['scenario'];
  target: Pick<ScenarioResult['target'], 'name' | 'transport' | 'source'>;
  client: ScenarioResult['client'];
  expect: Expect;
  requestedDurationMs: number;
  seed: number;
  /** This run is one share of a load split across jobs. */
  shard?: ScenarioResult['run']['shard'];
  /** mcp-reliability's version. */
  toolVersion: string;
  /** Epoch ms; default: when the Recorder was created / now. */
  startedAt?: number;
  endedAt?: number;
  /** Set when the harness itself failed: the verdict becomes `error`. */
  error?: string;
  logs?: ScenarioResult['logs'];
  /** What the runner knows about faults beyond the events: skipped optional faults, the proxy. */
  faults?: Pick<ScenarioResult['faults'], 'skipped' | 'proxy'>;
}

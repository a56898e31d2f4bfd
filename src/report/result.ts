/**
 * The Result: one versioned JSON document per scenario run, everything a report needs.
 * Its JSON Schema is `src/report/result.schema.json`; bump RESULT_SCHEMA_VERSION on breaking change.
 */
import type { DisconnectReason, ViolationKind } from '../session/types.js';

export const RESULT_SCHEMA_VERSION = '1.0.0';

export type Verdict = 'pass' | 'fail' | 'error';

export interface SloResult {
  /** Stable id, e.g. `availability`, `latency.tools/call.p95`, `recoverWithinSeconds`. */
  id: string;
  description: string;
  /** The measured value (null when nothing could be measured). */
  measured: number | boolean | null;
  /** The limit as written in the scenario. */
  limit: number | boolean;
  comparator: '>=' | '<=' | '==';
  unit: string;
  passed: boolean;
  /** Why it failed or why nothing was measured. */
  note?: string;
}

export interface LatencyStats {
  /** Requests counted here, every outcome included. */
  count: number;
  /** Requests answered with an error. */
  errors: number;
  /** Requests that got no answer in time. */
  timeouts: number;
  /**
   * Requests never sent because the session was down. They count in `count` but carry no latency
   * sample: percentiles are over the other `count - unavailable` requests. Absent = 0.
   */
  unavailable?: number;
  /** Milliseconds; over requests that were sent (ok, error, timeout). 0 when none was sent. */
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface DisconnectionRecord {
  at: string;
  reason: DisconnectReason;
  detail: string;
  expected: boolean;
  /** ms from the disconnect to the first successful request after re-initialize; null = never recovered. */
  recoveredAfterMs: number | null;
  attempts: number;
}

export interface ToolDriftRecord {
  at: string;
  added: string[];
  removed: string[];
}

export interface ViolationSummary {
  kind: ViolationKind;
  count: number;
  /** A few samples (truncated), first seen first. */
  samples: string[];
}

export interface MemorySummary {
  samples: number;
  startRssBytes: number;
  peakRssBytes: number;
  endRssBytes: number;
  /** Least-squares slope. */
  growthBytesPerMinute: number;
  growthBytesPer1000Requests: number;
}

export interface ScenarioResult {
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
  scenario: { name: string; description: string; source: string };
  target: { name: string; transport: string; source: string; serverName?: string; serverVersion?: string; protocolVersion?: string };
  client: { profile: string; description: string; assumptions: string[] };
  run: { startedAt: string; endedAt: string; durationMs: number; requestedDurationMs: number; seed: number; tool: { name: 'mcp-reliability'; version: string } };
  verdict: Verdict;
  /** When verdict is `error`: what broke in the harness. */
  error?: string;
  slos: SloResult[];
  /**
   * Every request, pings included. availabilityPercent = ok / requests × 100 (errors, timeouts and
   * unavailable all count against it); errorRatePercent = (errors + timeouts) / requests × 100, i.e.
   * requests that reached the wire and failed. Both null when no request was made.
   */
  totals: { requests: number; ok: number; errors: number; timeouts: number; unavailable: number; availabilityPercent: number | null; errorRatePercent: number | null };
  /** Keyed by method (`tools/call`, `ping`, ...), by `tool:<name>` and by `role:<role>`. */
  latency: Record<string, LatencyStats>;
  handshake: LatencyStats | null;
  connections: { attempts: number; succeeded: number; failed: number };
  /** `records` holds the first 1000 disconnections; `omittedRecords` (absent = 0) counts the rest. */
  disconnections: { total: number; byReason: Partial<Record<DisconnectReason, number>>; unexpected: number; records: DisconnectionRecord[]; omittedRecords?: number };
  reconnects: { attempts: number; recovered: number; gaveUp: number; timeToRecoverMs: LatencyStats | null };
  tools: { initial: string[]; final: string[]; drift: ToolDriftRecord[] };
  stateChecks: { passed: number; failed: number; details: string[] };
  violations: ViolationSummary[];
  memory: MemorySummary | null;
  /** Things the reader should know about how the run went (e.g. roles inferred, run interrupted). */
  notes?: string[];
  /** Relative paths of the logs this run wrote. */
  logs: { serverStderr?: string; events?: string };
}

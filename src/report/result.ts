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
  count: number;
  errors: number;
  timeouts: number;
  /** Milliseconds. */
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
  totals: { requests: number; ok: number; errors: number; timeouts: number; unavailable: number; availabilityPercent: number | null; errorRatePercent: number | null };
  /** Keyed by method (`tools/call`, `ping`, ...) and by `tool:<name>`. */
  latency: Record<string, LatencyStats>;
  handshake: LatencyStats | null;
  connections: { attempts: number; succeeded: number; failed: number };
  disconnections: { total: number; byReason: Partial<Record<DisconnectReason, number>>; unexpected: number; records: DisconnectionRecord[] };
  reconnects: { attempts: number; recovered: number; gaveUp: number; timeToRecoverMs: LatencyStats | null };
  tools: { initial: string[]; final: string[]; drift: ToolDriftRecord[] };
  stateChecks: { passed: number; failed: number; details: string[] };
  violations: ViolationSummary[];
  memory: MemorySummary | null;
  /** Relative paths of the logs this run wrote. */
  logs: { serverStderr?: string; events?: string };
}

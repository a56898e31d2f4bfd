/**
 * The Result: one versioned JSON document per scenario run, everything a report needs.
 * Its JSON Schema is `src/report/result.schema.json`; bump RESULT_SCHEMA_VERSION's major on a breaking change, its minor when adding.
 */
import type { FindingSeverity, SpecCitation } from '../session/findings.js';
import type { DisconnectReason, ViolationKind } from '../session/types.js';

/**
 * 1.1.0: the `faults` section (fault windows with MTTD, MTTR and before/during/after phase stats).
 * 1.2.0: the optional `prometheus` section (what Prometheus saw of the run when a stack ran).
 * 1.3.0: tool errors (`totals.toolErrors`, counted as answered), finding severities and spec
 *   citations, `findings` counts by severity, `sessionExpiries`, `unanswered`, `serverRequests`,
 *   `roles`, `checks` (active protocol checks), `client.capabilities`, `recoveredBy`.
 * 1.4.0: `timeSeries`, `tester` (the tester's own memory and log size), `logs.requests` (what the
 *   sampled event log holds).
 * 1.5.0: `regression` (the scenario's limits for the compare command). 1.4.0 results are read too:
 *   a baseline written by the previous version must still compare.
 */
export const RESULT_SCHEMA_VERSION = '1.5.0';
/** Versions the readers accept: the current one and the older minor versions it only adds to. */
export const READABLE_SCHEMA_VERSIONS = [RESULT_SCHEMA_VERSION, '1.4.0'] as const;

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
  /** tools/call answered with `isError: true` (answered: they count as available). Absent = 0. */
  toolErrors?: number;
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
  /**
   * Every latency sample of the group as an HdrHistogram (V2 compressed encoding, base64;
   * microseconds, 3 significant digits), so results of several runs merge exactly (1.4.0).
   */
  histogram?: string;
}

export interface DisconnectionRecord {
  at: string;
  reason: DisconnectReason;
  detail: string;
  expected: boolean;
  /** ms from the disconnect to the first successful request after re-initialize; null = never recovered. */
  recoveredAfterMs: number | null;
  attempts: number;
  /**
   * Who brought the session back: `client` — it reconnected by itself; `scenario` — a scenario's
   * reconnect step did (the profile does not reconnect on its own, e.g. claude-code on stdio).
   * Absent while not recovered.
   */
  recoveredBy?: 'client' | 'scenario';
}

/** One session the server forgot (HTTP 404, or 400 naming it). */
export interface SessionExpiryRecord {
  at: string;
  status: number;
  /** How long the session had lived (from its initialize); null when unknown. */
  lifetimeMs: number | null;
  /** ms until a fresh session answered; null: none before the run ended (then it is also a disconnection). */
  renewedAfterMs: number | null;
}

export interface SessionExpiriesSummary {
  total: number;
  /** By HTTP status ("404", "400"). */
  byStatus: Record<string, number>;
  /** Fresh sessions started right after an expiry. */
  renewed: number;
  /** Requests refused for the expired session and sent again on the fresh one (the user saw no error). */
  replayed: number;
  /** Requests that failed because the session expired under them (the profile does not replay): what the user lost. */
  lostRequests: number;
  /** Observed lifetimes of the sessions that expired. */
  lifetimeMs: LatencyStats | null;
  /** The first 1000 expiries. */
  records: SessionExpiryRecord[];
}

/** A request still unanswered at the run's hard end (abandoned, counted as a timeout). */
export interface UnansweredRequest {
  method: string;
  tool?: string;
  role?: string;
  sentAt: string;
  /** How long it had waited when it was abandoned. */
  waitedMs: number;
}

/** An active protocol check (run on its own connection before the scenario's steps). */
export interface ProtocolCheckRecord {
  id: string;
  title: string;
  status: 'passed' | 'failed' | 'skipped';
  /** failed: the finding it produced. */
  finding?: ViolationKind;
  evidence: string;
  ms: number;
}

/** How each role was filled, and every candidate the role prover looked at. */
export interface RolesSummary {
  bindings: Partial<Record<string, { tool: string; params?: Record<string, unknown>; method?: string; source: 'profile' | 'flag' | 'inferred' }>>;
  trials: { tool: string; role: string; verdict: 'qualified' | 'rejected' | 'not tried'; reason?: string; args?: Record<string, unknown>; ms?: number }[];
}

export interface ToolDriftRecord {
  at: string;
  added: string[];
  removed: string[];
}

export interface ViolationSummary {
  kind: ViolationKind;
  /** error: corrupt stream/message or a break no client can work around; warning: a MUST/SHOULD a careful client survives, or a risk; info: allowed but worth knowing. */
  severity: FindingSeverity;
  title: string;
  /** The part of the spec the finding rests on. */
  spec: SpecCitation;
  count: number;
  /** How many were seen in the session's own traffic and how many by the active checks. */
  bySource: { traffic: number; check: number };
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

/**
 * How a fault window ended. lifted: the scenario lifted it (its hold was over, a fault-stop, a
 * chaos hold); restarted: the killed server came back on its own (restartAfterMs, restart);
 * one-shot: the fault completed by itself (a stdio kill: the client respawns the server);
 * run-end: still active when the run ended (or was interrupted); failed: it could not be injected.
 */
export type FaultEndReason = 'lifted' | 'restarted' | 'one-shot' | 'run-end' | 'failed';

/** Requests of one phase around a fault, by the time they were sent. */
export interface FaultPhaseStats {
  /**
   * How long the phase lasted (ms). before: from the previous fault boundary (another fault's start
   * or end) or the run's start to this fault's start; during: the fault's window; after: from its
   * end to the next fault's start or the run's end.
   */
  durationMs: number;
  /** Requests sent in the phase, every outcome (pings included). */
  requests: number;
  errors: number;
  timeouts: number;
  /** Not sent: the session was down. Counted in `requests`, not in the percentiles. */
  unavailable: number;
  /** Milliseconds over the requests that were sent; 0 when none was (2 significant digits). */
  p50: number;
  p95: number;
  p99: number;
}

export interface ShardInfo {
  /** 1-based. */
  index: number;
  count: number;
  /** The scenario's seed before the shard's was derived from it. */
  baseSeed: number;
}

export interface TimeSeriesPoint {
  /** ms from the run's start to the interval's start. */
  offsetMs: number;
  requests: number;
  ok: number;
  errors: number;
  timeouts: number;
  toolErrors: number;
  unavailable: number;
  /** (ok + toolErrors) / requests × 100; null when none. */
  availabilityPercent: number | null;
  /** ms, over the requests that were sent (2 significant digits); 0 when none. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface TimeSeries {
  intervalMs: number;
  points: TimeSeriesPoint[];
  /** Points dropped past the cap (a run far longer than its duration). */
  omittedPoints?: number;
}

/** One injected fault: what, when, how fast the client noticed it (MTTD) and recovered (MTTR), and the phases around it. */
export interface FaultWindowRecord {
  /** 1-based, in the order the faults started. */
  index: number;
  kind: string;
  family: 'network' | 'process';
  description: string;
  /** JSON pointer of the step that injected it (`/steps/5`; a chaos draw: `/steps/4/faults/1`). */
  source: string;
  /** The fault step's id, if it has one. */
  id?: string;
  startedAt: string;
  /** ms from the run's start. */
  startOffsetMs: number;
  /** When the fault was lifted (or the server was back); null while active. */
  endedAt: string | null;
  /** endedAt − startedAt in ms; null while active. */
  heldMs: number | null;
  endedBy: FaultEndReason | null;
  /** endedBy `failed`: why the fault could not be injected. */
  error?: string;
  /**
   * Mean time to detect, for this fault: ms from its start to the first symptom the client saw — an
   * unexpected disconnection (up to the client's ping timeout after the fault's end), or a request
   * that failed or timed out while in flight during the fault. Null: never noticed.
   */
  mttdMs: number | null;
  /** The first symptom, e.g. `disconnected: ping-timeout`, `tools/call timeout`. */
  detectedBy: string | null;
  /**
   * Mean time to recover, for this fault: ms from its end to the first successful request that
   * completed after it (initialize excluded: a lost session counts as recovered once it has
   * re-initialized and answered). Resolution: the client's request rate. Null: none.
   */
  mttrMs: number | null;
  /** The first 100 windows; null beyond (constant memory). */
  phases: { before: FaultPhaseStats; during: FaultPhaseStats; after: FaultPhaseStats } | null;
}

export interface FaultsSummary {
  /** Faults injected (every window, recorded or not). */
  total: number;
  byKind: Record<string, number>;
  /** Of the recorded windows: how many the client noticed, and how many it recovered from. */
  noticed: number;
  recovered: number;
  /** The first 1000 windows; `omittedWindows` (absent = 0) counts the rest. */
  windows: FaultWindowRecord[];
  omittedWindows?: number;
  /** Optional fault steps (or chaos faults) skipped because the target cannot have them. */
  skipped: { source: string; kind: string; reason: string }[];
  /** Where the chaos proxy listened and what it relayed to; null when no network fault ran. */
  proxy: { listen: string; upstream: string } | null;
}

/**
 * What Prometheus held about the run, read before the stack was torn down (built by
 * `summarizeScrape`; the full query results are in `file`). Counter values are run-to-date values
 * as last scraped (every run has a fresh registry); null = Prometheus had no sample of it.
 */
export interface PrometheusSummary {
  url: string;
  /** False: no HTTP answer from Prometheus; nothing below was read (see `missing`). */
  reachable: boolean;
  window: { start: string; end: string; evaluatedAt: string; stepSeconds: number };
  /** `mcp_requests_total` by status; statuses without a series count 0. Null: no samples at all. */
  requests: { ok: number; error: number; timeout: number; unavailable: number; total: number } | null;
  /** Last `mcp_availability_ratio` (0..1). */
  availabilityRatio: number | null;
  disconnections: { total: number; byReason: Record<string, number> } | null;
  reconnectAttempts: number | null;
  /** p95 of `mcp_request_duration_seconds` over the run, by method, in seconds (bucket-interpolated); null: NaN. */
  requestP95Seconds: Record<string, number | null>;
  /** Last `mcp_session_up` (1 up, 0 down). */
  sessionUp: number | null;
  toolsAvailable: number | null;
  faults: { total: number; byKind: Record<string, number> } | null;
  /** `up` of the simulator's scrape job: last value, lowest value in the window, number of scrapes. */
  scrapeTarget: { job: string; up: number | null; minUp: number | null; scrapes: number | null };
  /** Alert names: active when read, and any that fired at some point in the window (`ALERTS`). */
  alerts: { firing: string[]; pending: string[]; firedDuringRun: string[] };
  /** Rules whose last evaluation failed (first 20). */
  ruleProblems: { name: string; type: 'recording' | 'alerting'; health: string; lastError?: string }[];
  /** What could not be had, in words. */
  missing: string[];
  /** Relative path of the full scrape (`prometheus.json`). */
  file: string;
}

/**
 * How much a metric must move before `compare` calls it worse (or better), from the scenario's
 * `expect.regression`; every field optional, defaults in src/compare/compare.ts.
 */
export interface RegressionLimits {
  /** Confidence of the intervals and tests (0.8 to 0.999). */
  confidence?: number;
  /** A latency percentile must rise by at least this fraction of the baseline's... */
  latencyRelative?: number;
  /** ...and by at least this many milliseconds. */
  latencyAbsoluteMs?: number;
  /** A failure rate (availability, error rate, tool error rate) must move by at least this many percentage points... */
  ratePoints?: number;
  /** ...and to at least (1 + this) × the baseline's rate (reconnects and disconnections per minute too). */
  rateRelative?: number;
  /** MTTD and MTTR medians must rise by at least this fraction... */
  recoveryRelative?: number;
  /** ...and by at least this many milliseconds. */
  recoveryAbsoluteMs?: number;
  /** The server's memory slope must rise by at least this many MiB per minute. */
  memoryMiBPerMinute?: number;
  /** Metric ids not judged (`latency.ping.p99`; a trailing `*` matches a prefix: `latency.ping.*`). */
  ignore?: string[];
}

export interface ScenarioResult {
  schemaVersion: (typeof READABLE_SCHEMA_VERSIONS)[number];
  scenario: { name: string; description: string; source: string };
  target: { name: string; transport: string; source: string; serverName?: string; serverVersion?: string; protocolVersion?: string };
  client: {
    profile: string;
    description: string;
    assumptions: string[];
    /** What the client declared in initialize and how it answers server requests (1.3.0). */
    capabilities?: { declared: string[]; roots: string; elicitation: string; sampling: boolean; onSessionExpiry: 'replay' | 'fail' };
  };
  run: {
    startedAt: string;
    endedAt: string;
    durationMs: number;
    requestedDurationMs: number;
    seed: number;
    tool: { name: 'mcp-reliability'; version: string };
    /** This run is one share of a load split across jobs (1.4.0): rates divided by `count`, seed derived from `baseSeed` and `index`. */
    shard?: ShardInfo;
  };
  verdict: Verdict;
  /** When verdict is `error`: what broke in the harness. */
  error?: string;
  slos: SloResult[];
  /**
   * Every request, pings included. availabilityPercent = (ok + toolErrors) / requests × 100 (a tool
   * error is an answer: the server is up; errors, timeouts and unavailable count against it);
   * errorRatePercent = (errors + timeouts) / requests × 100, i.e. requests that reached the wire
   * and failed. Both null when no request was made.
   */
  totals: {
    requests: number;
    ok: number;
    errors: number;
    timeouts: number;
    unavailable: number;
    /** tools/call answered with isError: true (1.3.0). */
    toolErrors?: number;
    availabilityPercent: number | null;
    errorRatePercent: number | null;
    /** toolErrors / tools/call requests × 100 (1.3.0); null when no tools/call was made. */
    toolErrorRatePercent?: number | null;
  };
  /** Keyed by method (`tools/call`, `ping`, ...), by `tool:<name>` and by `role:<role>`. */
  latency: Record<string, LatencyStats>;
  handshake: LatencyStats | null;
  connections: { attempts: number; succeeded: number; failed: number };
  /** `records` holds the first 1000 disconnections; `omittedRecords` (absent = 0) counts the rest. */
  disconnections: { total: number; byReason: Partial<Record<DisconnectReason, number>>; unexpected: number; records: DisconnectionRecord[]; omittedRecords?: number };
  reconnects: { attempts: number; recovered: number; gaveUp: number; timeToRecoverMs: LatencyStats | null };
  /** `listed`: some tools/list was answered (an empty list included) (1.3.0). */
  tools: { initial: string[]; final: string[]; drift: ToolDriftRecord[]; listed?: boolean };
  stateChecks: { passed: number; failed: number; details: string[] };
  violations: ViolationSummary[];
  /** Findings counted by severity (1.3.0). */
  findings?: Record<FindingSeverity, number>;
  /** Sessions the server forgot (1.3.0). */
  sessionExpiries?: SessionExpiriesSummary;
  /** Requests still unanswered at the run's hard end (1.3.0): the first 20, and the count. */
  unanswered?: { count: number; samples: UnansweredRequest[] };
  /** Requests the server sent the client, by method, with how they were answered (1.3.0). */
  serverRequests?: Record<string, { count: number; answers: Record<string, number> }>;
  /** Which tools played which role, and what the role prover tried (1.3.0). */
  roles?: RolesSummary;
  /** Active protocol checks (1.3.0); absent when they were not run. */
  checks?: ProtocolCheckRecord[];
  /** The run over time in about 120 intervals, whatever its length (1.4.0). */
  timeSeries?: TimeSeries;
  /**
   * The tester's own cost (1.4.0): its peak RSS over the run, its heap in use at the end, the heap
   * still live after a forced full GC at the end (what a leak grows; absent when no GC could be
   * forced), the event log's size on disk.
   */
  tester?: { peakRssBytes: number; heapUsedBytes: number; liveHeapBytes?: number; eventLogBytes: number };
  memory: MemorySummary | null;
  /** Injected faults (empty when the scenario injects none). */
  faults: FaultsSummary;
  /** What Prometheus saw (only when a stack with Prometheus ran). */
  prometheus?: PrometheusSummary;
  /** Things the reader should know about how the run went (e.g. roles inferred, run interrupted). */
  notes?: string[];
  /** The scenario's regression limits (`expect.regression`, 1.5.0): what `compare` judges this run's scenario by. */
  regression?: RegressionLimits;
  /** Relative paths of the logs this run wrote. */
  logs: {
    serverStderr?: string;
    events?: string;
    /** What the event log holds of the requests (1.4.0): `sampled` (failures in full, the slowest few per interval, per-interval counts) or `all`. */
    requests?: { mode: 'sampled' | 'all'; requestsLogged: number; requests: number; slowestPerInterval: number; intervalMs: number };
  };
}

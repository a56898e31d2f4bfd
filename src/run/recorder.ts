/**
 * The Recorder: the only subscriber that turns SessionEvents into Prometheus metrics and run
 * aggregates, and at the end into a ScenarioResult.
 *
 * Disconnections are matched per session: a `recovered` event closes the oldest open
 * disconnection of its session with the same reason (else the oldest one); see DisconnectionLog.
 *
 * Memory stays bounded however long the run: latency lives in fixed-size histograms, memory
 * samples in a running regression, violation samples are capped per kind, and disconnection and
 * drift records are capped at MAX_RECORDS (the totals keep counting).
 *
 * Fault windows (fault events from the FaultController: MTTD, MTTR, phase stats) live in FaultLog.
 *
 * Call order for the runner: `new Recorder({metrics})` → `onEvent(e)` for every event of every
 * session (tag each with `session` when several run) and every fault event, and `recordRss()` when sampling the server →
 * `snapshot()` any time for progress → `buildResult(meta)` once at the end (it calls `finish()`
 * and `evaluateSlos(meta.expect, …)`, so the Result comes back with `slos` and `verdict` filled).
 */
import type { McpMetrics } from '../metrics/registry.js';
import { LatencyBook } from '../metrics/latency-book.js';
import { LatencyHistogram } from '../metrics/histogram.js';
import {
  RESULT_SCHEMA_VERSION,
  type ScenarioResult,
  type ToolDriftRecord,
} from '../report/result.js';
import { DisconnectionLog, iso, MAX_RECORDS, MemoryTrend, percent, round4, ViolationLog, truncateSample } from './stats.js';
import { evaluateSlos, verdictOf } from './slo.js';
import { FaultLog, isFaultEvent } from './fault-log.js';
import { ExpiryLog, ServerRequestLog, UnansweredLog } from './session-log.js';
import { TimeSeriesRecorder } from './timeseries.js';
import type { RecordedEvent, RecorderOptions, RecorderSnapshot, ResultMeta } from './recorder-types.js';

export type { RecordedEvent, RecorderOptions, RecorderSnapshot, ResultMeta } from './recorder-types.js';

const MAX_STATE_DETAILS = 20;

interface SessionTrack {
  connectedAt: number | null;
  /** Lost without the scenario asking for it, and not yet recovered or reconnected. */
  lost: boolean;
}

export class Recorder {
  private readonly metrics: McpMetrics;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly latency = new LatencyBook();
  private readonly handshake = new LatencyHistogram();
  private readonly recovery = new LatencyHistogram();
  private readonly memory = new MemoryTrend();
  private readonly sessions = new Map<number, SessionTrack>();
  private readonly totals = { requests: 0, ok: 0, errors: 0, timeouts: 0, unavailable: 0, toolErrors: 0 };
  private toolCalls = 0;
  private readonly expiries = new ExpiryLog();
  private readonly unanswered = new UnansweredLog();
  private readonly serverRequests = new ServerRequestLog();
  private readonly connections = { attempts: 0, succeeded: 0, failed: 0 };
  private readonly disconnections = new DisconnectionLog();
  private readonly reconnects = { attempts: 0, recovered: 0, gaveUp: 0 };
  private readonly tools = { initial: null as string[] | null, final: [] as string[], drift: [] as ToolDriftRecord[] };
  private readonly stateChecks = { passed: 0, failed: 0, details: [] as string[] };
  private readonly violations = new ViolationLog();
  private readonly faults: FaultLog;
  private server: { serverName: string; serverVersion: string; protocolVersion: string } | undefined;
  private finishedAt: number | undefined;

  constructor(options: RecorderOptions) {
    this.metrics = options.metrics;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.faults = new FaultLog({ metrics: this.metrics, runStartedAt: this.startedAt, disconnectGraceMs: options.pingTimeoutMs ?? 3000 });
    this.timeSeries = new TimeSeriesRecorder(this.startedAt, options.durationMs ?? 20_000, options.onInterval);
  }

  private readonly timeSeries: TimeSeriesRecorder;

  onEvent(e: RecordedEvent): void {
    if (isFaultEvent(e)) return this.faults.onFaultEvent(e);
    this.faults.observe(e);
    const id = e.session ?? 0;
    const session = this.session(id);
    switch (e.type) {
      case 'connecting':
        this.connections.attempts += 1;
        break;
      case 'connected':
        this.connections.succeeded += 1;
        this.metrics.connections.inc({ status: 'success' });
        this.handshake.record(e.handshakeMs);
        this.metrics.handshakeDuration.observe(e.handshakeMs / 1000);
        this.server ??= { serverName: e.serverName, serverVersion: e.serverVersion, protocolVersion: e.protocolVersion };
        session.connectedAt = e.at;
        session.lost = false;
        break;
      case 'connect-failed':
        this.connections.failed += 1;
        this.metrics.connections.inc({ status: 'failure' });
        break;
      case 'disconnected':
        this.disconnections.add(id, { at: iso(e.at), reason: e.reason, detail: e.detail, expected: e.expected });
        this.metrics.disconnections.inc({ reason: e.reason });
        if (session.connectedAt !== null) this.metrics.sessionDuration.observe(Math.max(0, e.at - session.connectedAt) / 1000);
        session.connectedAt = null;
        session.lost = e.reason !== 'client-disconnect';
        break;
      case 'reconnecting':
        this.reconnects.attempts += 1;
        this.metrics.reconnectAttempts.inc();
        this.disconnections.reconnecting(id, e.attempt);
        break;
      case 'recovered': {
        this.reconnects.recovered += 1;
        session.lost = false;
        const closed = this.disconnections.recovered(id, e.reason, e.afterMs, e.attempts, e.by ?? 'client');
        // Recovering from the scenario's own graceful disconnect is the scenario's wait, not the server's recovery.
        if ((closed?.reason ?? e.reason) === 'client-disconnect') break;
        this.recovery.record(e.afterMs);
        this.metrics.recovery.observe(e.afterMs / 1000);
        break;
      }
      case 'gave-up':
        this.reconnects.gaveUp += 1;
        break;
      case 'tools':
        this.tools.initial ??= [...e.tools].sort();
        this.tools.final = [...e.tools].sort();
        this.metrics.toolsAvailable.set(e.tools.length);
        break;
      case 'tools-changed':
        if (this.tools.drift.length < MAX_RECORDS) {
          this.tools.drift.push({ at: iso(e.at), added: [...e.added].sort(), removed: [...e.removed].sort() });
        }
        if (e.added.length > 0) this.metrics.toolDrift.inc({ change: 'added' }, e.added.length);
        if (e.removed.length > 0) this.metrics.toolDrift.inc({ change: 'removed' }, e.removed.length);
        break;
      case 'request':
        this.onRequest(e);
        break;
      case 'violation':
        this.violations.add(e.kind, e.sample, e.source ?? 'traffic');
        this.metrics.protocolViolations.inc({ kind: e.kind });
        break;
      case 'session-expired':
        this.expiries.expired(id, e.at, e.status, e.lifetimeMs);
        this.metrics.sessionExpiries.inc({ status: String(e.status) });
        break;
      case 'session-renewed':
        this.expiries.renewal(id, e.afterMs);
        break;
      case 'server-request':
        this.serverRequests.add(e.method, e.answer);
        break;
      case 'state-check':
        if (e.ok) this.stateChecks.passed += 1;
        else {
          this.stateChecks.failed += 1;
          if (this.stateChecks.details.length < MAX_STATE_DETAILS) this.stateChecks.details.push(truncateSample(e.detail));
        }
        break;
    }
    this.metrics.sessionUp.set(this.isUp() ? 1 : 0);
  }

  /** One server memory sample; `requestsSoFar` defaults to the requests recorded so far. */
  recordRss(bytes: number, requestsSoFar: number = this.totals.requests): void {
    this.memory.add(this.now(), bytes, requestsSoFar);
    this.metrics.serverRss.set(bytes);
  }

  snapshot(): RecorderSnapshot {
    return {
      elapsedMs: (this.finishedAt ?? this.now()) - this.startedAt,
      requests: this.totals.requests,
      errors: this.totals.requests - this.totals.ok - this.totals.toolErrors,
      availabilityPercent: percent(this.totals.ok + this.totals.toolErrors, this.totals.requests),
      reconnectAttempts: this.reconnects.attempts,
      disconnections: this.disconnections.count,
      sessionUp: this.isUp(),
    };
  }

  /** Ends every still-connected session (observing its duration). Idempotent; buildResult calls it. */
  finish(at: number = this.now()): void {
    if (this.finishedAt !== undefined) return;
    this.finishedAt = at;
    this.timeSeries.flush();
    for (const session of this.sessions.values()) {
      if (session.connectedAt !== null) this.metrics.sessionDuration.observe(Math.max(0, at - session.connectedAt) / 1000);
      session.connectedAt = null;
    }
    this.metrics.sessionUp.set(0);
  }

  buildResult(meta: ResultMeta): ScenarioResult {
    this.finish(meta.endedAt);
    const startedAt = meta.startedAt ?? this.startedAt;
    const endedAt = meta.endedAt ?? this.finishedAt ?? this.now();
    const { requests, ok, errors, timeouts, toolErrors } = this.totals;
    const result: ScenarioResult = {
      schemaVersion: RESULT_SCHEMA_VERSION,
      scenario: { ...meta.scenario },
      target: { ...meta.target, ...this.server },
      client: { ...meta.client, assumptions: [...meta.client.assumptions] },
      run: { startedAt: iso(startedAt), endedAt: iso(endedAt), durationMs: Math.max(0, endedAt - startedAt), requestedDurationMs: meta.requestedDurationMs, seed: meta.seed, tool: { name: 'mcp-reliability', version: meta.toolVersion }, ...(meta.shard ? { shard: { ...meta.shard } } : {}) },
      verdict: 'error',
      slos: [],
      totals: {
        ...this.totals,
        availabilityPercent: round4(percent(ok + toolErrors, requests)),
        errorRatePercent: round4(percent(errors + timeouts, requests)),
        toolErrorRatePercent: round4(percent(toolErrors, this.toolCalls)),
      },
      latency: this.latency.toRecord(),
      handshake: this.handshake.count > 0 ? this.handshake.toStats(0, 0) : null,
      connections: { ...this.connections, attempts: Math.max(this.connections.attempts, this.connections.succeeded + this.connections.failed) },
      disconnections: this.disconnections.summary(),
      reconnects: { ...this.reconnects, timeToRecoverMs: this.recovery.count > 0 ? this.recovery.toStats(0, 0) : null },
      tools: { initial: [...(this.tools.initial ?? [])], final: [...this.tools.final], drift: this.tools.drift.map((d) => ({ ...d })), listed: this.tools.initial !== null },
      stateChecks: { ...this.stateChecks, details: [...this.stateChecks.details] },
      violations: this.violations.summaries(),
      findings: this.violations.bySeverity(),
      sessionExpiries: this.expiries.summary(),
      unanswered: this.unanswered.summary(),
      serverRequests: this.serverRequests.summary(),
      timeSeries: this.timeSeries.summary(),
      memory: this.memory.summary(),
      faults: { ...this.faults.summary(endedAt), ...(meta.faults ? { skipped: meta.faults.skipped.map((f) => ({ ...f })), proxy: meta.faults.proxy } : {}) },
      logs: { ...meta.logs },
    };
    if (meta.error !== undefined) result.error = meta.error;
    if (meta.expect.regression) result.regression = structuredClone(meta.expect.regression);
    result.slos = evaluateSlos(meta.expect, result);
    result.verdict = meta.error !== undefined ? 'error' : verdictOf(result.slos);
    return result;
  }

  private onRequest(e: Extract<RecordedEvent, { type: 'request' }>): void {
    this.totals.requests += 1;
    if (e.outcome === 'ok') this.totals.ok += 1;
    else if (e.outcome === 'tool-error') this.totals.toolErrors += 1;
    else if (e.outcome === 'error') this.totals.errors += 1;
    else if (e.outcome === 'timeout') this.totals.timeouts += 1;
    else this.totals.unavailable += 1;
    if (e.method === 'tools/call') this.toolCalls += 1;
    this.timeSeries.record(e.at, e.ms, e.outcome);
    if (e.abandoned) this.unanswered.add(e);
    if (e.replayed || e.lostToExpiry) this.expiries.request(e);
    this.latency.record(e.method, e.ms, e.outcome);
    if (e.tool !== undefined) this.latency.record(`tool:${e.tool}`, e.ms, e.outcome);
    if (e.role !== undefined) this.latency.record(`role:${e.role}`, e.ms, e.outcome);
    this.metrics.requests.inc({ method: e.method, status: e.outcome });
    if (e.outcome !== 'unavailable') this.metrics.requestDuration.observe({ method: e.method }, e.ms / 1000);
    if (e.method === 'ping' && e.outcome !== 'ok') this.metrics.healthCheckFailures.inc();
    this.metrics.availability.set((this.totals.ok + this.totals.toolErrors) / this.totals.requests);
  }

  private session(id: number): SessionTrack {
    let track = this.sessions.get(id);
    if (!track) {
      track = { connectedAt: null, lost: false };
      this.sessions.set(id, track);
    }
    return track;
  }

  private isUp(): boolean {
    if (this.finishedAt !== undefined) return false;
    const all = [...this.sessions.values()];
    return all.some((s) => s.connectedAt !== null) && !all.some((s) => s.lost);
  }
}

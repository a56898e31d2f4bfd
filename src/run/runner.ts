/**
 * Run one scenario against one target with one client profile: start the target, put the chaos
 * proxy in front of it when the scenario injects network faults, drive the session through the
 * steps, sample server memory, and turn what happened into a Result. The server misbehaving is a
 * finding in the Result; only the harness failing is an `error`. Whatever happens (an error,
 * SIGINT), faults are lifted first (a paused server resumed), then the session, the proxy and
 * the target are closed.
 */
import { setMaxListeners } from 'node:events';
import { mkdirSync } from 'node:fs';
import { EventLog, type RequestLogMode } from './event-log.js';
import { intervalFor } from './timeseries.js';
import { liveHeapBytes } from './live-heap.js';
import { runSlug } from '../report/files.js';
import type { ShardInfo } from '../report/result.js';
import { join, relative } from 'node:path';
import { forkRng } from '../chaos/rng.js';
import { createMetrics, type McpMetrics } from '../metrics/index.js';
import type { ScenarioResult } from '../report/result.js';
import { ScenarioError } from '../scenario/issues.js';
import type { Plan, ToolRole } from '../scenario/types.js';
import { Session, withOverrides, type ClientProfile } from '../session/index.js';
import { readGroupRss, redactSecrets, startTarget, type ContainerRef, type RoleBinding, type RunningTarget, type TargetProfile, type ToolInfo } from '../target/index.js';
import type { CheckOutcome } from '../checks/index.js';
import { RunEndedError } from '../session/outcomes.js';
import type { RunContext } from './context.js';
import { connectFirst, protocolChecks, rolesFor, TargetUnreachableError } from './preflight.js';
import { MissingRolesError, type ProvenRoles } from './role-prover.js';
import { runSteps } from './interpreter.js';
import { Recorder, type RecordedEvent, type RecorderSnapshot } from './recorder.js';
import { evaluateSlos, verdictOf } from './slo.js';
import { FaultController } from './fault-control.js';
import { planFaults, type FaultPlan } from './fault-plan.js';
import { placeProxy, type PlacedProxy } from './proxy-placement.js';

export interface ScenarioRunOptions {
  plan: Plan;
  target: TargetProfile;
  client: ClientProfile;
  durationMs: number;
  seed: number;
  /** Root of test-results/, reports/ and logs/. */
  outDir: string;
  signal: AbortSignal;
  toolVersion: string;
  /** Called about once a second with live numbers. */
  onProgress?: (snapshot: RecorderSnapshot, remainingMs: number) => void;
  /** Called once the run's metrics exist, so a /metrics endpoint can serve them. */
  onMetrics?: (metrics: McpMetrics) => void;
  rssIntervalMs?: number;
  /** Every recorded event (session and fault events), as it is written to events.ndjson. */
  onEvent?: (event: RecordedEvent) => void;
  /** Samples a container target's memory and CPU (injected: the Docker engine is the shell's business). */
  containerStats?: ContainerStatsSource;
  /** Run the active protocol checks before the steps (default true). */
  checks?: boolean;
  /** Values that must never appear in logs, results or reports (header values such as tokens): replaced by `***`. */
  secrets?: string[];
  /** What the event log keeps of the requests (default `sampled`; `all` for debugging, gzipped). */
  logRequests?: RequestLogMode;
  /** This run is one share of a load split across jobs (the plan already holds its share; `seed` is the shard's). */
  shard?: ShardInfo;
}

/** Follows a container's memory and CPU, calling `onSample` about once a second, until stopped. */
export type ContainerStatsSource = (
  ref: ContainerRef,
  onSample: (sample: { memoryBytes: number; cpuRatio: number | null }) => void,
  onError: (message: string) => void,
) => { stop(): void };

export { MissingRolesError };

const REQUIRED_ROLES: ToolRole[] = ['probe', 'work'];

/** The roles a plan needs that a binding set leaves unfilled (state roles are optional). */
export function missingRoles(plan: Plan, roles: Partial<Record<ToolRole, RoleBinding>>): ToolRole[] {
  return plan.rolesUsed.filter((r) => REQUIRED_ROLES.includes(r) && !roles[r]);
}

/** Optional faults skipped on this target, for the Result and the notes. */
function skippedFaults(plan: FaultPlan): { source: string; kind: string; reason: string }[] {
  const skipped = [...plan.skipped].map(([step, s]) => ({ source: plan.pointers.get(step) ?? '?', ...s }));
  for (const [step, excluded] of plan.excluded) {
    for (const [i, reason] of excluded) skipped.push({ source: `${plan.pointers.get(step) ?? '?'}/faults/${i}`, kind: step.faults?.[i]?.kind ?? '?', reason });
  }
  return skipped;
}

/** The longest the closing steps may run past the deadline (and in-flight requests wait) before everything is abandoned. */
export const MAX_CLOSING_GRACE_MS = 10_000;
/** Each teardown step (faults, session, proxy, server) is given at most this long. */
const TEARDOWN_STEP_MS = 5_000;

/** How long after its deadline a run may go on: the client's request timeout, at most MAX_CLOSING_GRACE_MS. */
export function closingGraceMs(client: ClientProfile): number {
  return Math.min(client.requestTimeoutMs, MAX_CLOSING_GRACE_MS);
}

/** How long the first connection may take (the profile's retries included). */
export function startupBudgetMs(client: ClientProfile): number {
  return Math.max(30_000, client.handshakeTimeoutMs * 2);
}

function bounded(p: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!p) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p.then(() => undefined, () => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
}

export async function runScenario(opts: ScenarioRunOptions): Promise<ScenarioResult> {
  const { plan, target } = opts;
  const client = withOverrides(opts.client, plan.scenario.client);
  const name = plan.scenario.name;
  const slug = runSlug({ scenario: { name }, client: { profile: client.name }, ...(opts.shard ? { run: { shard: opts.shard } } : {}) });
  const logDir = join(opts.outDir, 'logs', slug);
  const workDir = join(logDir, 'work');
  mkdirSync(logDir, { recursive: true });
  const metrics = createMetrics({ scenario: name, target: target.name, clientProfile: client.name, version: opts.toolVersion });
  opts.onMetrics?.(metrics);
  const redact = redactorFor(opts.secrets ?? []);
  const startedAt = Date.now();
  const intervalMs = intervalFor(opts.durationMs);
  const events = new EventLog(join(logDir, 'events.ndjson'), opts.logRequests ?? 'sampled', redact, startedAt, intervalMs);
  const recorder = new Recorder({ metrics, pingTimeoutMs: client.pingTimeoutMs, durationMs: opts.durationMs, onInterval: (point) => events.interval(point), now: () => Date.now() });
  // The tester's own memory, for every result (the nightly job shows it over time).
  let peakRss = process.memoryUsage.rss();
  const faultPlan = planFaults(plan, target);
  // runSuite checks this before anything starts; a direct caller gets the same bad-input error here.
  if (faultPlan.issues.length > 0) throw new ScenarioError(faultPlan.issues);
  const skipped = skippedFaults(faultPlan);
  const notes = new Set<string>(skipped.map((f) => `optional ${f.kind} fault at ${f.source} skipped: ${f.reason}`));
  if (opts.shard && target.launch) {
    notes.add(`shard ${opts.shard.index}/${opts.shard.count}: this run started its own server, which got 1/${opts.shard.count} of the load; merged, the shards are ${opts.shard.count} servers at a share each, not one server at the full load (point every shard at one server's URL for that)`);
  }
  // The run's clock: `stop` at the deadline (or an interrupt) ends loops and waits; `end` at the hard deadline abandons what is in flight.
  const stop = new AbortController();
  const end = new AbortController();
  // Every concurrent worker's wait listens on these (a paced load at concurrency 50 is 50 listeners): no leak warning.
  setMaxListeners(0, stop.signal, end.signal);
  const onInterrupt = () => stop.abort();
  opts.signal.addEventListener('abort', onInterrupt, { once: true });
  let deadline = startedAt + opts.durationMs;
  let running: RunningTarget | undefined;
  let session: Session | undefined;
  let proxy: PlacedProxy | undefined;
  let faults: FaultController | undefined;
  let harnessError: string | undefined;
  let proven: ProvenRoles | undefined;
  let checks: CheckOutcome[] | undefined;
  const timers: NodeJS.Timeout[] = [];
  let containerSampler: { stop(): void } | undefined;
  const record = (e: RecordedEvent) => {
    recorder.onEvent(e);
    events.write(e);
    opts.onEvent?.(e);
  };

  try {
    running = await startTarget(target, { logDir, workDir });
    const live = running;
    if (faultPlan.needsProxy) proxy = await placeProxy(live.endpoint, forkRng(opts.seed, 'proxy'));
    faults = new FaultController({ running: live, ...(proxy ? { proxy: proxy.proxy } : {}), seed: opts.seed, plan: faultPlan, record, note: (text) => notes.add(text) });
    session = new Session(proxy?.endpoint ?? live.endpoint, client, { rng: forkRng(opts.seed, `session:${slug}`), clientVersion: opts.toolVersion, endSignal: end.signal, workspaceDir: workDir });
    const sid = session.sessionId;
    session.onAny((e) => record({ ...e, session: sid }));
    const sampleRss = () => {
      const pid = live.currentProcess()?.pid;
      if (pid !== undefined) void readGroupRss(pid).then((rss) => rss !== null && recorder.recordRss(rss));
    };
    const container = target.container;
    if (container && opts.containerStats) {
      // A container target: its memory (and CPU) come from the engine's stats, not from /proc.
      containerSampler = opts.containerStats(
        container,
        ({ memoryBytes, cpuRatio }) => {
          recorder.recordRss(memoryBytes);
          metrics.containerMemory.set({ service: container.service }, memoryBytes);
          if (cpuRatio !== null) metrics.containerCpu.set({ service: container.service }, cpuRatio);
        },
        (message) => notes.add(`container stats: ${message}`),
      );
    }
    sampleRss(); // the baseline, at once: a short run (or a slow start) still gets one
    timers.push(
      setInterval(sampleRss, opts.rssIntervalMs ?? 1000),
      setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 1000),
      setInterval(() => opts.onProgress?.(recorder.snapshot(), deadline - Date.now()), 1000),
    );

    // Before the steps: the first connection (the scenario's own connect step is then a no-op), the tools, the roles, the checks.
    const startupMs = startupBudgetMs(client);
    const preflightEnd = Date.now() + startupMs;
    const connected = await connectFirst(session, target, live, startupMs, opts.signal);
    let roles = { ...target.roles };
    if (connected && !opts.signal.aborted) {
      const listed = await session.listTools();
      if (listed.outcome !== 'ok') throw new TargetUnreachableError(`${target.name} answered initialize but not tools/list: ${listed.outcome}${listed.error ? ` (${listed.error})` : ''}`);
      proven = await rolesFor({ plan, target, session, tools: (listed.definitions ?? []) as ToolInfo[], ...(client.capabilities.roots.answer === 'workspace' ? { workspaceDir: workDir } : {}), trialTimeoutMs: Math.min(client.requestTimeoutMs, 5000), deadline: preflightEnd });
      roles = proven.roles;
      for (const n of proven.notes) notes.add(n);
      if (opts.checks !== false && !opts.signal.aborted) {
        checks = await protocolChecks(live, opts.toolVersion, stop.signal);
        for (const c of checks) if (c.status === 'failed' && c.finding) record({ type: 'violation', at: Date.now(), kind: c.finding, sample: `${c.title}: ${c.evidence}`, source: 'check', session: sid });
      }
    }

    const stepsStartedAt = Date.now();
    deadline = stepsStartedAt + opts.durationMs;
    const hardDeadline = deadline + closingGraceMs(client);
    timers.push(
      setTimeout(() => stop.abort(), deadline - Date.now()),
      setTimeout(() => end.abort(new RunEndedError()), hardDeadline - Date.now()),
    );
    const ctx: RunContext = {
      session,
      rng: forkRng(opts.seed, `steps:${slug}`),
      roles,
      startedAt: stepsStartedAt,
      durationMs: opts.durationMs,
      deadline,
      hardDeadline,
      signal: stop.signal,
      interrupt: opts.signal,
      runSteps,
      note: (text) => notes.add(text),
      marker: { counter: 0, seed: opts.seed },
      faults,
    };
    if (!opts.signal.aborted) {
      const steps = runSteps(plan.scenario.steps, ctx, { template: {}, deadline: hardDeadline });
      // Requests are abandoned at the hard deadline, so the steps settle right after it; a step stuck
      // on something else (a container fault's API call) does not keep the run alive.
      const settled = await Promise.race([steps.then(() => true), new Promise<false>((r) => timers.push(setTimeout(() => r(false), hardDeadline + 1000 - Date.now())))]);
      if (!settled) notes.add(`steps still running ${Math.round((Date.now() - deadline) / 1000)} s after the deadline were abandoned`);
      if (Date.now() > deadline + 50 && end.signal.aborted) notes.add(`the closing steps were cut at the hard deadline (${Math.round(closingGraceMs(client) / 1000)} s after the run's duration): requests still unanswered then are counted as timeouts`);
    }
    if (opts.signal.aborted) notes.add('the run was interrupted (SIGINT/SIGTERM) before its steps finished');
  } catch (err) {
    if (err instanceof MissingRolesError) throw err;
    harnessError = err instanceof TargetUnreachableError ? err.message : (err as Error).message;
  } finally {
    for (const t of timers) clearTimeout(t);
    opts.signal.removeEventListener('abort', onInterrupt);
    containerSampler?.stop();
    if (!end.signal.aborted && !opts.signal.aborted) end.abort(new RunEndedError());
    await bounded(faults?.stopAll(), TEARDOWN_STEP_MS * 3);
    await bounded(session?.close(), TEARDOWN_STEP_MS);
    await bounded(proxy?.close(), TEARDOWN_STEP_MS);
    await bounded(running?.stop(), TEARDOWN_STEP_MS);
    recorder.finish();
  }
  const logStats = await events.end();
  peakRss = Math.max(peakRss, process.memoryUsage.rss());

  const result = recorder.buildResult({
    scenario: { name, description: plan.scenario.description ?? '', source: plan.source },
    target: { name: target.name, transport: target.transport, source: target.source ?? '<built-in>' },
    client: { profile: client.name, description: client.description, assumptions: client.sources, capabilities: capabilitiesOf(client) },
    expect: plan.scenario.expect,
    requestedDurationMs: opts.durationMs,
    seed: opts.seed,
    ...(opts.shard ? { shard: opts.shard } : {}),
    toolVersion: opts.toolVersion,
    startedAt,
    endedAt: Date.now(),
    ...(harnessError ? { error: redact(harnessError) } : {}),
    faults: { skipped, proxy: proxy ? { listen: proxy.listen, upstream: proxy.upstream } : null },
    logs: {
      events: relative(opts.outDir, events.path),
      requests: { mode: logStats.mode, requestsLogged: logStats.requestsLogged, requests: logStats.requests, slowestPerInterval: logStats.slowestPerInterval, intervalMs },
      ...(running?.stderrPath ? { serverStderr: relative(opts.outDir, running.stderrPath) } : {}),
    },
  });
  const heapUsed = process.memoryUsage().heapUsed; // before the forced GC below
  const live = liveHeapBytes();
  result.tester = { peakRssBytes: peakRss, heapUsedBytes: heapUsed, ...(live !== null ? { liveHeapBytes: live } : {}), eventLogBytes: logStats.bytes };
  if (proven) result.roles = rolesSummary(proven);
  if (checks) result.checks = checks.map((c) => ({ ...c, evidence: redact(c.evidence) }));
  if (notes.size) result.notes = [...notes].map(redact);
  if (!result.slos.length && !harnessError) {
    result.slos = evaluateSlos(plan.scenario.expect, result);
    result.verdict = verdictOf(result.slos);
  }
  return opts.secrets?.length ? (JSON.parse(redact(JSON.stringify(result))) as ScenarioResult) : result;
}

function capabilitiesOf(client: ClientProfile): NonNullable<ScenarioResult['client']['capabilities']> {
  const c = client.capabilities;
  const declared = [c.roots.declared ? 'roots' : '', c.elicitation.declared ? 'elicitation' : '', c.sampling.declared ? 'sampling' : ''].filter(Boolean);
  return { declared, roots: c.roots.declared ? c.roots.answer : 'not declared', elicitation: c.elicitation.declared ? c.elicitation.answer : 'not declared', sampling: c.sampling.declared, onSessionExpiry: client.onSessionExpiry };
}

function rolesSummary(p: ProvenRoles): NonNullable<ScenarioResult['roles']> {
  const bindings: NonNullable<ScenarioResult['roles']>['bindings'] = {};
  for (const [role, b] of Object.entries(p.roles)) {
    if (!b) continue;
    bindings[role] = { tool: b.tool, ...(b.params ? { params: b.params } : {}), ...(b.method ? { method: b.method } : {}), source: p.sources[role as ToolRole] ?? 'profile' };
  }
  return { bindings, trials: p.trials.map((t) => ({ ...t })) };
}

/** Replaces every secret (header values) by `***` in text that is written or printed. */
function redactorFor(secrets: readonly string[]): (text: string) => string {
  return secrets.length === 0 ? (t) => t : (t) => redactSecrets(t, secrets);
}

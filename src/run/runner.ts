/**
 * Run one scenario against one target with one client profile: start the target, put the chaos
 * proxy in front of it when the scenario injects network faults, drive the session through the
 * steps, sample server memory, and turn what happened into a Result. The server misbehaving is a
 * finding in the Result; only the harness failing is an `error`. Whatever happens (an error,
 * SIGINT), faults are lifted first (a paused server resumed), then the session, the proxy and
 * the target are closed.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { forkRng } from '../chaos/rng.js';
import { createMetrics, type McpMetrics } from '../metrics/index.js';
import type { ScenarioResult } from '../report/result.js';
import { ScenarioError } from '../scenario/issues.js';
import type { Plan, ToolRole } from '../scenario/types.js';
import { Session, withOverrides, type ClientProfile } from '../session/index.js';
import { inferRoles, readGroupRss, startTarget, type ContainerRef, type RoleBinding, type RunningTarget, type TargetProfile, type ToolInfo } from '../target/index.js';
import type { RunContext } from './context.js';
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
}

/** Follows a container's memory and CPU, calling `onSample` about once a second, until stopped. */
export type ContainerStatsSource = (
  ref: ContainerRef,
  onSample: (sample: { memoryBytes: number; cpuRatio: number | null }) => void,
  onError: (message: string) => void,
) => { stop(): void };

/** Roles the scenario needs that neither the profile nor inference filled (state roles are optional). */
export class MissingRolesError extends Error {
  constructor(
    readonly roles: ToolRole[],
    readonly target: string,
    readonly tools: string[],
  ) {
    super(
      `target ${target} fills no tool for role${roles.length > 1 ? 's' : ''} ${roles.join(', ')}` +
        (tools.length ? ` (its tools: ${tools.join(', ')})` : '') +
        `; map ${roles.length > 1 ? 'them' : 'it'} in the target profile or with --role ${roles[0]}=<tool>`,
    );
    this.name = 'MissingRolesError';
  }
}

const REQUIRED_ROLES: ToolRole[] = ['probe', 'work'];

export function missingRoles(plan: Plan, roles: Partial<Record<ToolRole, RoleBinding>>): ToolRole[] {
  return plan.rolesUsed.filter((r) => REQUIRED_ROLES.includes(r) && !roles[r]);
}

/** An event log line: the event as emitted, with an ISO time for people reading it. */
function eventLine(e: RecordedEvent): string {
  return `${JSON.stringify({ time: new Date(e.at).toISOString(), ...e })}\n`;
}

/** Optional faults skipped on this target, for the Result and the notes. */
function skippedFaults(plan: FaultPlan): { source: string; kind: string; reason: string }[] {
  const skipped = [...plan.skipped].map(([step, s]) => ({ source: plan.pointers.get(step) ?? '?', ...s }));
  for (const [step, excluded] of plan.excluded) {
    for (const [i, reason] of excluded) skipped.push({ source: `${plan.pointers.get(step) ?? '?'}/faults/${i}`, kind: step.faults?.[i]?.kind ?? '?', reason });
  }
  return skipped;
}

export async function runScenario(opts: ScenarioRunOptions): Promise<ScenarioResult> {
  const { plan, target } = opts;
  const client = withOverrides(opts.client, plan.scenario.client);
  const name = plan.scenario.name;
  const slug = client.name === 'resilient' ? name : `${name}.${client.name}`;
  const logDir = join(opts.outDir, 'logs', slug);
  mkdirSync(logDir, { recursive: true });
  const eventsPath = join(logDir, 'events.ndjson');
  const events = createWriteStream(eventsPath);
  const metrics = createMetrics({ scenario: name, target: target.name, clientProfile: client.name, version: opts.toolVersion });
  opts.onMetrics?.(metrics);
  const recorder = new Recorder({ metrics, pingTimeoutMs: client.pingTimeoutMs });
  const faultPlan = planFaults(plan, target);
  // runSuite checks this before anything starts; a direct caller gets the same bad-input error here.
  if (faultPlan.issues.length > 0) throw new ScenarioError(faultPlan.issues);
  const skipped = skippedFaults(faultPlan);
  const notes = new Set<string>(skipped.map((f) => `optional ${f.kind} fault at ${f.source} skipped: ${f.reason}`));
  const startedAt = Date.now();
  let running: RunningTarget | undefined;
  let session: Session | undefined;
  let proxy: PlacedProxy | undefined;
  let faults: FaultController | undefined;
  let harnessError: string | undefined;
  const timers: NodeJS.Timeout[] = [];
  let containerSampler: { stop(): void } | undefined;
  const record = (e: RecordedEvent) => {
    recorder.onEvent(e);
    events.write(eventLine(e));
    opts.onEvent?.(e);
  };

  try {
    running = await startTarget(target, { logDir, workDir: join(opts.outDir, 'logs', slug, 'work') });
    const live = running;
    if (faultPlan.needsProxy) proxy = await placeProxy(live.endpoint, forkRng(opts.seed, 'proxy'));
    faults = new FaultController({ running: live, ...(proxy ? { proxy: proxy.proxy } : {}), seed: opts.seed, plan: faultPlan, record, note: (text) => notes.add(text) });
    session = new Session(proxy?.endpoint ?? live.endpoint, client, { rng: forkRng(opts.seed, `session:${slug}`), clientVersion: opts.toolVersion });
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
      setInterval(() => opts.onProgress?.(recorder.snapshot(), startedAt + opts.durationMs - Date.now()), 1000),
    );

    let roles = { ...target.roles };
    if (Object.keys(roles).length === 0 && plan.rolesUsed.length > 0) {
      // Ad-hoc target: connect now (the scenario's own connect step becomes a no-op) and infer roles from the server's tools.
      await session.connect();
      const listed = await session.listTools();
      const tools: ToolInfo[] = (listed.definitions ?? []) as ToolInfo[];
      roles = inferRoles(tools);
      const inferred = Object.entries(roles).map(([r, b]) => `${r}=${b.tool}`);
      if (inferred.length) notes.add(`roles inferred from the server's tools: ${inferred.join(', ')}`);
      const missing = missingRoles(plan, roles);
      if (missing.length) throw new MissingRolesError(missing, target.name, tools.map((t) => t.name));
    }

    const ctx: RunContext = {
      session,
      rng: forkRng(opts.seed, `steps:${slug}`),
      roles,
      startedAt,
      durationMs: opts.durationMs,
      signal: opts.signal,
      note: (text) => notes.add(text),
      marker: { counter: 0, seed: opts.seed },
      faults,
    };
    await runSteps(plan.scenario.steps, ctx, { template: {}, deadline: Number.POSITIVE_INFINITY });
    if (opts.signal.aborted) notes.add('the run was interrupted (SIGINT/SIGTERM) before its steps finished');
  } catch (err) {
    if (err instanceof MissingRolesError) throw err;
    harnessError = (err as Error).message;
  } finally {
    for (const t of timers) clearInterval(t);
    containerSampler?.stop();
    await faults?.stopAll().catch(() => undefined);
    await session?.close().catch(() => undefined);
    await proxy?.close().catch(() => undefined);
    await running?.stop().catch(() => undefined);
    recorder.finish();
    await new Promise<void>((resolve) => events.end(() => resolve()));
  }

  const result = recorder.buildResult({
    scenario: { name, description: plan.scenario.description ?? '', source: plan.source },
    target: { name: target.name, transport: target.transport, source: target.source ?? '<built-in>' },
    client: { profile: client.name, description: client.description, assumptions: client.sources },
    expect: plan.scenario.expect,
    requestedDurationMs: opts.durationMs,
    seed: opts.seed,
    toolVersion: opts.toolVersion,
    startedAt,
    endedAt: Date.now(),
    ...(harnessError ? { error: harnessError } : {}),
    faults: { skipped, proxy: proxy ? { listen: proxy.listen, upstream: proxy.upstream } : null },
    logs: {
      events: relative(opts.outDir, eventsPath),
      ...(running?.stderrPath ? { serverStderr: relative(opts.outDir, running.stderrPath) } : {}),
    },
  });
  if (notes.size) result.notes = [...notes];
  if (!result.slos.length && !harnessError) {
    result.slos = evaluateSlos(plan.scenario.expect, result);
    result.verdict = verdictOf(result.slos);
  }
  return result;
}

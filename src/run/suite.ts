/**
 * Run a set of scenarios × client profiles against one target, write every output file, and
 * return the results. The CLI is a thin shell around this; tests call it directly.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { McpMetrics, MetricsServer } from '../metrics/index.js';
import { startMetricsServer } from '../metrics/index.js';
import { runSlug, summaryFilePaths, writeRunFiles, writeSummaryFiles } from '../report/index.js';
import type { ScenarioResult } from '../report/result.js';
import { ScenarioError } from '../scenario/issues.js';
import type { Plan, ValidationIssue } from '../scenario/types.js';
import type { ClientProfile } from '../session/index.js';
import type { TargetProfile } from '../target/index.js';
import type { RecorderSnapshot } from './recorder.js';
import { runScenario, type ContainerStatsSource } from './runner.js';
import { EXIT, type ExitCode } from '../errors.js';
import { planFaults } from './fault-plan.js';
import type { RequestLogMode } from './event-log.js';
import { shardPlan, shardSeed, type ShardSpec } from '../scenario/shard.js';

export interface SuiteOptions {
  plans: Plan[];
  target: TargetProfile;
  clients: ClientProfile[];
  durationMs: number;
  seed: number;
  outDir: string;
  signal: AbortSignal;
  toolVersion: string;
  metricsPort?: number;
  /** Address the /metrics endpoint binds to (default 127.0.0.1; 0.0.0.0 inside a container). */
  metricsHost?: string;
  /**
   * Keep serving the last run's metrics this long after the suite ends, so a Prometheus that
   * scrapes every few seconds sees the final values (the stack's simulator exits right after).
   */
  metricsLingerMs?: number;
  containerStats?: ContainerStatsSource;
  onProgress?: (p: { scenario: string; client: string; snapshot: RecorderSnapshot; remainingMs: number }) => void;
  onScenarioDone?: (result: ScenarioResult) => void;
  onMetricsServer?: (url: string) => void;
  /**
   * A scenario whose (non-optional) faults the target cannot have: `error` (default) stops the
   * suite before anything starts (ScenarioError: bad input, exit 2); `skip` leaves that scenario
   * out with a line in the summary — for the default "every shipped scenario" set, where e.g. a
   * network scenario cannot run against a stdio target.
   */
  inapplicable?: 'error' | 'skip';
  /** Run the active protocol checks before each scenario's steps (default true). */
  checks?: boolean;
  /** Values never to be written or printed (request header values): replaced by `***`. */
  secrets?: string[];
  /** What the event log keeps of the requests (default `sampled`). */
  logRequests?: RequestLogMode;
  /** Run this shard's share of every load (`--shard k/N`): rates and workers divided, the seed derived. */
  shard?: ShardSpec;
}

export interface SuiteOutcome {
  results: ScenarioResult[];
  files: { summary: string; junit: string; reports: string[]; results: string[] };
  interrupted: boolean;
  /** Scenarios left out because the target cannot have their faults (inapplicable: 'skip'). */
  skipped: { scenario: string; reason: string }[];
}

export { runSlug };

/** Exit code for a finished suite: 3 harness error, 1 an SLO failed, 0 all met. */
export function exitCodeFor(results: ScenarioResult[]): ExitCode {
  if (results.some((r) => r.verdict === 'error')) return EXIT.harness;
  if (results.some((r) => r.verdict === 'fail')) return EXIT.sloFailed;
  return EXIT.ok;
}

/** Plans whose faults the target can have, and the others (with the issues that rule them out). */
export function applicablePlans(plans: readonly Plan[], target: SuiteOptions['target']): { runnable: Plan[]; ruledOut: { plan: Plan; issues: ValidationIssue[] }[] } {
  const runnable: Plan[] = [];
  const ruledOut: { plan: Plan; issues: ValidationIssue[] }[] = [];
  for (const plan of plans) {
    const { issues } = planFaults(plan, target);
    if (issues.length > 0) ruledOut.push({ plan, issues });
    else runnable.push(plan);
  }
  return { runnable, ruledOut };
}

export async function runSuite(opts: SuiteOptions): Promise<SuiteOutcome> {
  // Bad input is found before anything starts: every scenario's faults must be possible on the target
  // (a network fault needs a network target, ...). Roles the profile leaves open are proven at each run's start.
  const shard = opts.shard && opts.shard.count > 1 ? opts.shard : undefined;
  let plans = opts.plans;
  if (shard) {
    const split = plans.map((p) => shardPlan(p, shard));
    const issues = split.flatMap((s) => s.issues);
    if (issues.length > 0) throw new ScenarioError(issues);
    plans = split.map((s) => s.plan);
  }
  const seed = shard ? shardSeed(opts.seed, shard) : opts.seed;
  const { runnable, ruledOut } = applicablePlans(plans, opts.target);
  if (ruledOut.length > 0 && opts.inapplicable !== 'skip') throw new ScenarioError(ruledOut.flatMap((r) => r.issues));
  const skipped = ruledOut.map(({ plan, issues }) => {
    const kinds = [...new Set(issues.map((i) => /^"([a-z-]+)"/.exec(i.message)?.[1] ?? '?'))];
    return { scenario: plan.scenario.name, reason: `target ${opts.target.name} (${opts.target.transport}) cannot have its ${kinds.join(', ')} fault${kinds.length === 1 ? '' : 's'}: ${issues[0]?.message ?? ''}` };
  });
  const reportsDir = join(opts.outDir, 'reports');
  mkdirSync(reportsDir, { recursive: true });
  let current: McpMetrics | undefined;
  let server: MetricsServer | undefined;
  if (opts.metricsPort !== undefined) {
    server = await startMetricsServer(() => current?.registry, opts.metricsPort, opts.metricsHost);
    opts.onMetricsServer?.(server.url);
  }
  const results: ScenarioResult[] = [];
  const files: SuiteOutcome['files'] = { ...summaryFilePaths(opts.outDir), reports: [], results: [] };
  try {
    for (const plan of runnable) {
      for (const client of opts.clients) {
        if (opts.signal.aborted) break;
        const result = await runScenario({
          plan,
          target: opts.target,
          client,
          durationMs: opts.durationMs,
          seed,
          ...(shard ? { shard: { ...shard, baseSeed: opts.seed } } : {}),
          ...(opts.logRequests ? { logRequests: opts.logRequests } : {}),
          outDir: opts.outDir,
          signal: opts.signal,
          toolVersion: opts.toolVersion,
          onMetrics: (m) => (current = m),
          ...(opts.checks !== undefined ? { checks: opts.checks } : {}),
          ...(opts.secrets?.length ? { secrets: opts.secrets } : {}),
          ...(opts.containerStats ? { containerStats: opts.containerStats } : {}),
          onProgress: (snapshot, remainingMs) => opts.onProgress?.({ scenario: plan.scenario.name, client: client.name, snapshot, remainingMs }),
        });
        results.push(result);
        const written = writeRunFiles(opts.outDir, result);
        files.results.push(written.result);
        files.reports.push(written.report);
        opts.onScenarioDone?.(result);
      }
    }
  } catch (err) {
    await server?.close();
    throw err;
  }
  writeSummaryFiles(opts.outDir, results, skipped);
  if (server && opts.metricsLingerMs && !opts.signal.aborted) await lingerFor(opts.metricsLingerMs, opts.signal);
  await server?.close();
  return { results, files, interrupted: opts.signal.aborted, skipped };
}

/** Wait `ms` (the last metrics stay scrapeable), or less when the run is interrupted. */
function lingerFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

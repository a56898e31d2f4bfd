/**
 * Run a set of scenarios × client profiles against one target, write every output file, and
 * return the results. The CLI is a thin shell around this; tests call it directly.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { McpMetrics, MetricsServer } from '../metrics/index.js';
import { startMetricsServer } from '../metrics/index.js';
import { renderJUnit, renderScenarioReport, renderSummary } from '../report/index.js';
import type { ScenarioResult } from '../report/result.js';
import type { Plan } from '../scenario/types.js';
import type { ClientProfile } from '../session/index.js';
import type { TargetProfile } from '../target/index.js';
import type { RecorderSnapshot } from './recorder.js';
import { missingRoles, MissingRolesError, runScenario } from './runner.js';

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
  onProgress?: (p: { scenario: string; client: string; snapshot: RecorderSnapshot; remainingMs: number }) => void;
  onScenarioDone?: (result: ScenarioResult) => void;
  onMetricsServer?: (url: string) => void;
}

export interface SuiteOutcome {
  results: ScenarioResult[];
  files: { summary: string; junit: string; reports: string[]; results: string[] };
  interrupted: boolean;
}

/** The file-name stem for one scenario × client profile run. */
export function runSlug(result: Pick<ScenarioResult, 'scenario' | 'client'>): string {
  return result.client.profile === 'resilient' ? result.scenario.name : `${result.scenario.name}.${result.client.profile}`;
}

/** Exit code for a finished suite: 3 harness error, 1 an SLO failed, 0 all met. */
export function exitCodeFor(results: ScenarioResult[]): 0 | 1 | 3 {
  if (results.some((r) => r.verdict === 'error')) return 3;
  if (results.some((r) => r.verdict === 'fail')) return 1;
  return 0;
}

export async function runSuite(opts: SuiteOptions): Promise<SuiteOutcome> {
  // Bad input is found before anything starts: every scenario's roles must be fillable by a profile target.
  if (Object.keys(opts.target.roles).length > 0) {
    for (const plan of opts.plans) {
      const missing = missingRoles(plan, opts.target.roles);
      if (missing.length) throw new MissingRolesError(missing, opts.target.name, []);
    }
  }
  const reportsDir = join(opts.outDir, 'reports');
  mkdirSync(reportsDir, { recursive: true });
  let current: McpMetrics | undefined;
  let server: MetricsServer | undefined;
  if (opts.metricsPort !== undefined) {
    server = await startMetricsServer(() => current?.registry, opts.metricsPort);
    opts.onMetricsServer?.(server.url);
  }
  const results: ScenarioResult[] = [];
  const files: SuiteOutcome['files'] = { summary: join(reportsDir, 'summary.md'), junit: join(reportsDir, 'junit.xml'), reports: [], results: [] };
  try {
    for (const plan of opts.plans) {
      for (const client of opts.clients) {
        if (opts.signal.aborted) break;
        const result = await runScenario({
          plan,
          target: opts.target,
          client,
          durationMs: opts.durationMs,
          seed: opts.seed,
          outDir: opts.outDir,
          signal: opts.signal,
          toolVersion: opts.toolVersion,
          onMetrics: (m) => (current = m),
          onProgress: (snapshot, remainingMs) => opts.onProgress?.({ scenario: plan.scenario.name, client: client.name, snapshot, remainingMs }),
        });
        results.push(result);
        const slug = runSlug(result);
        const resultDir = join(opts.outDir, 'test-results', slug);
        mkdirSync(resultDir, { recursive: true });
        const resultPath = join(resultDir, 'result.json');
        writeFileSync(resultPath, `${JSON.stringify(result, null, 2)}\n`);
        const reportPath = join(reportsDir, `${slug}.md`);
        writeFileSync(reportPath, renderScenarioReport(result));
        files.results.push(resultPath);
        files.reports.push(reportPath);
        opts.onScenarioDone?.(result);
      }
    }
  } finally {
    await server?.close();
  }
  writeFileSync(files.summary, renderSummary(results));
  writeFileSync(files.junit, renderJUnit(results));
  return { results, files, interrupted: opts.signal.aborted };
}

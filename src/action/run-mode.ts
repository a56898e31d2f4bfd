/**
 * Run mode: one scenario against the user's server — in the Compose stack (src/stack, Prometheus
 * scraped before teardown) or on the runner itself (the embedded engine) — then one artifact with
 * everything the run wrote, the job summary, the outputs. The exit code is the CLI's.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as core from '@actions/core';
import { EXIT, BadInputError, type ExitCode } from '../errors.js';
import { renderScenarioReport, runFilePaths, runSlug, summaryFilePaths, type ScenarioResult } from '../report/index.js';
import { loadPlan } from '../scenario/index.js';
import { getClientProfile } from '../session/index.js';
import { PACKAGE_ROOT, resolveTarget, SCENARIOS_DIR, type TargetProfile } from '../target/index.js';
import { exitCodeFor, runSuite } from '../run/suite.js';
import type { Artifacts } from './artifacts.js';
import type { RunnerEnv } from './github-env.js';
import type { ActionInputs } from './inputs.js';

const run = promisify(execFile);
/** A job summary may hold 1 MiB per step. */
const SUMMARY_MAX_CHARS = 1_000_000;

export interface RunModeDeps {
  artifacts: Artifacts;
  env: RunnerEnv;
  signal: AbortSignal;
}

function toolVersion(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The Compose project of this job: unique per run, attempt and scenario (lowercase letters, digits, -). */
export function projectName(env: RunnerEnv, slug: string): string {
  return `mcpr-${env.runId}-${env.runAttempt}-${slug}`.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').slice(0, 60);
}

/** The artifact of one scenario run: unique per scenario and run attempt. */
export function runArtifactName(prefix: string, slug: string, attempt: number): string {
  return `${prefix}-${slug}-attempt${attempt}`;
}

/** A server started by its command on the runner, listening on `port` (PORT is set for it), reached at /mcp. */
function commandProfile(command: string, port: number, cwd: string): TargetProfile {
  return {
    name: 'server',
    description: `the server started with: ${command}`,
    transport: 'streamable-http',
    launch: { command: 'sh', args: ['-c', `exec ${command}`], env: { PORT: String(port) }, cwd },
    url: `http://127.0.0.1:${port}/mcp`,
    roles: {},
    source: 'action input server-command',
  };
}

/** The stack's image build needs this package's lib/ and node_modules: on a runner the action's own folder has neither until now. */
async function prepareStack(): Promise<void> {
  if (existsSync(join(PACKAGE_ROOT, 'lib', 'cli', 'main.js')) && existsSync(join(PACKAGE_ROOT, 'node_modules'))) return;
  await core.group('Preparing the stack images (npm ci, npm run build in the action folder)', async () => {
    await run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: PACKAGE_ROOT, maxBuffer: 64 << 20 });
    await run('npm', ['run', 'build'], { cwd: PACKAGE_ROOT, maxBuffer: 64 << 20 });
  });
}

async function buildServerImage(dockerfile: string, workDir: string, tag: string): Promise<string> {
  const file = resolve(workDir, dockerfile);
  if (!existsSync(file)) throw new BadInputError(`input "server-dockerfile": ${file} does not exist`);
  await core.group(`Building the server image from ${dockerfile}`, async () => {
    const { stdout, stderr } = await run('docker', ['build', '-t', tag, '-f', file, workDir], { maxBuffer: 64 << 20 });
    core.info(stdout + stderr);
  });
  return tag;
}

export interface RunModeOutcome {
  exitCode: ExitCode | number;
  results: ScenarioResult[];
  outDir: string;
  artifactName: string;
}

export async function runMode(inp: ActionInputs, deps: RunModeDeps): Promise<RunModeOutcome> {
  const { env, signal } = deps;
  const workDir = resolve(env.workspace, inp.workingDirectory);
  const source = inp.scenario.endsWith('.json') ? resolve(workDir, inp.scenario) : inp.scenario;
  const plan = await loadPlan(source, { scenariosDir: SCENARIOS_DIR });
  const client = getClientProfile(inp.clientProfile);
  const slug = runSlug({ scenario: { name: plan.scenario.name }, client: { profile: client.name }, ...(inp.shard ? { run: { shard: inp.shard } } : {}) });
  const outDir = join(env.temp, `mcp-reliability-${slug}`);
  const artifactName = runArtifactName(inp.artifactName, slug, env.runAttempt);
  core.saveState('out-dir', outDir);
  core.saveState('artifact-name', artifactName);
  core.saveState('retention-days', inp.retentionDays === undefined ? '' : String(inp.retentionDays));
  core.saveState('uploaded', 'false');
  if (!inp.target && !inp.serverCommand && !inp.serverImage && !inp.serverDockerfile) {
    throw new BadInputError('inputs "server-command", "server-image", "server-dockerfile", "target": run mode needs one of them to know the server under test');
  }

  let exitCode: number;
  let results: ScenarioResult[];
  if (inp.runner === 'local') {
    const target = inp.target ? await resolveTarget(inp.target) : commandProfile(inp.serverCommand!, inp.serverPort, workDir);
    const outcome = await runSuite({ plans: [plan], target, clients: [client], durationMs: inp.durationMs, seed: inp.seed, outDir, signal, toolVersion: toolVersion(), logRequests: inp.logRequests, ...(inp.shard ? { shard: inp.shard } : {}) });
    results = outcome.results;
    exitCode = outcome.interrupted ? EXIT.interrupted : exitCodeFor(results);
  } else {
    await prepareStack();
    const { runStack } = await import('../stack/stack.js');
    const project = projectName(env, slug);
    core.saveState('compose-project', project);
    const serverImage = inp.serverDockerfile ? await buildServerImage(inp.serverDockerfile, workDir, `${project}-server:local`) : inp.serverImage;
    const foreignImage = serverImage !== undefined;
    const outcome = await runStack({
      root: PACKAGE_ROOT,
      project,
      scenarios: [source],
      durationMs: inp.durationMs,
      seed: inp.seed,
      outDir,
      noCleanup: false,
      monitoring: false,
      ...(process.env.MCP_RELIABILITY_IMAGES_ENV ? { imagesEnv: process.env.MCP_RELIABILITY_IMAGES_ENV } : {}),
      ...(inp.serverCommand ? { serverCommand: inp.serverCommand, workspace: workDir } : {}),
      ...(serverImage ? { serverImage } : {}),
      serverContainerPort: inp.serverPort,
      target: inp.target ?? `http://mcp-server:${inp.serverPort}/mcp`,
      runArgs: `--client-profile ${client.name} --log-requests ${inp.logRequests}${inp.shard ? ` --shard ${inp.shard.index}/${inp.shard.count}` : ''}`,
      readyTimeoutMs: 180_000,
      signal,
      log: (line) => core.info(line),
      // A server image of the user's has no mcp-reliability to probe with: the stack waits for MCP from the host anyway.
      env: { ...process.env, ...(foreignImage && !process.env.MCP_SERVER_HEALTHCHECK ? { MCP_SERVER_HEALTHCHECK: 'exit 0' } : {}) },
    });
    for (const note of outcome.notes) core.warning(note);
    results = outcome.results;
    exitCode = outcome.exitCode;
  }
  core.saveState('done', 'true');
  await publishRun(inp, deps, { exitCode, results, outDir, artifactName });
  return { exitCode, results, outDir, artifactName };
}

/** Upload, job summary and outputs of a finished (or interrupted) run. */
export async function publishRun(inp: ActionInputs, deps: Pick<RunModeDeps, 'artifacts'>, r: RunModeOutcome): Promise<void> {
  const uploaded = existsSync(r.outDir) ? await deps.artifacts.uploadDir(r.artifactName, r.outDir, inp.retentionDays) : null;
  core.saveState('uploaded', 'true');
  const result = r.results[0];
  const verdict = result?.verdict ?? 'error';
  core.setOutput('verdict', verdict);
  core.setOutput('exit-code', String(r.exitCode));
  core.setOutput('scenario', result?.scenario.name ?? inp.scenario);
  core.setOutput('availability', result?.totals.availabilityPercent === null || result === undefined ? '' : String(result.totals.availabilityPercent));
  const p95 = result?.latency['tools/call'] ?? result?.latency['role:probe'];
  core.setOutput('p95-ms', p95 ? String(p95.p95) : '');
  if (result) {
    const paths = runFilePaths(r.outDir, result);
    core.setOutput('result-path', paths.result);
    core.setOutput('report-path', paths.report);
  }
  core.setOutput('summary-path', summaryFilePaths(r.outDir).summary);
  core.setOutput('artifact-name', uploaded ? r.artifactName : '');
  core.setOutput('artifact-id', uploaded ? String(uploaded.id) : '');
  const md = result ? r.results.map((x) => renderScenarioReport(x, { headingLevel: 2 })).join('\n') : `## MCP reliability: ${inp.scenario}\n\nThe run wrote no result (exit code ${r.exitCode}); the artifact ${uploaded ? `\`${r.artifactName}\`` : '(none)'} holds its logs.\n`;
  await core.summary.addRaw(md.length > SUMMARY_MAX_CHARS ? `${md.slice(0, SUMMARY_MAX_CHARS - 200)}\n\n_…cut: the whole report is in the artifact._\n` : md).write();
}

/** Whether the step fails, per `fail-on`: slo (any non-zero code), harness (bad input, harness, interrupted), never. */
export function stepFails(failOn: ActionInputs['failOn'], exitCode: number): boolean {
  if (failOn === 'never') return false;
  if (failOn === 'harness') return exitCode !== EXIT.ok && exitCode !== EXIT.sloFailed;
  return exitCode !== EXIT.ok;
}

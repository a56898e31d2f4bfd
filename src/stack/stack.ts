/**
 * The stack run: bring the Compose stack up (building the simulator's image), wait until the
 * server answers MCP `initialize` and `tools/list` from the host, start the simulator, stream
 * every service's log to `logs/<service>.log`, wait for the simulator's verdict, query Prometheus
 * for what it saw (into `test-results/<run>/prometheus.json`, the result and the report), and tear
 * the stack down (`down -v`) — on success, failure and interruption alike, unless `noCleanup`.
 */
import { EXIT, HarnessError } from '../errors.js';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { loadPlan, ScenarioError } from '../scenario/index.js';
import { writeRunFiles, writeSummaryFiles, type ScenarioResult } from '../report/index.js';
import { resolveTarget } from '../target/profile.js';
import { SCENARIOS_DIR } from '../target/paths.js';
import type { Endpoint } from '../target/types.js';
import { BadInputError } from '../errors.js';
import { ComposeProject, detectCompose } from './compose.js';
import { dockerClient, engineAvailable, findServiceContainer } from './docker.js';
import { streamProjectLogs, type LogStreamer } from './logs.js';
import { waitForMcp } from './probe.js';
import { MAX_CLOSING_GRACE_MS } from '../run/runner.js';
import { scrapePrometheus, summarizeScrape } from './scrape.js';

export const SERVER_SERVICE = 'mcp-server';
export const SIMULATOR_SERVICE = 'claude-simulator';
const CORE_SERVICES = [SERVER_SERVICE, 'prometheus'];
const MONITORING_SERVICES = ['grafana', 'loki', 'promtail'];
/** Where the simulator's container sees the output folder. */
const CONTAINER_OUT = '/work/out';

export interface StackOptions {
  /** The package root: compose file, monitoring/ and docker/ live here. */
  root: string;
  composeFile?: string;
  project: string;
  scenarios: string[];
  durationMs: number;
  seed: number;
  outDir: string;
  noCleanup: boolean;
  monitoring: boolean;
  imagesEnv?: string;
  serverCommand?: string;
  serverImage?: string;
  /** The port the server listens on inside its container (default 3001). */
  serverContainerPort?: number;
  /** A host folder mounted at /workspace in the server's container, its working directory (a server started from the user's repository). */
  workspace?: string;
  target?: string;
  runArgs?: string;
  readyTimeoutMs: number;
  signal: AbortSignal;
  log(line: string): void;
  /** Environment to read port overrides from (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface StackOutcome {
  /** The simulator's exit code (0 pass, 1 an SLO failed, 2 bad input, 3 harness), 130 interrupted. */
  exitCode: number;
  results: ScenarioResult[];
  files: { results: string[]; reports: string[]; prometheus: string[]; summary: string; junit: string; logs: Record<string, string>; compose: string };
  /** Whether `down -v` ran (false with noCleanup). */
  tornDown: boolean;
  notes: string[];
}

/** A stack that could not run (no engine, no compose, a build that failed): a harness failure, exit 3. */
export class StackError extends HarnessError {
  override name = 'StackError';
  override readonly area = 'stack';
}

export interface StackPorts {
  server: number;
  prometheus: number;
  grafana: number;
  loki: number;
  simulatorMetrics: number;
}

/** The published ports (127.0.0.1), as the compose file reads them from the environment. */
export function stackPorts(env: NodeJS.ProcessEnv = process.env): StackPorts {
  const port = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new BadInputError(`${name}="${raw}": expected a port number from 1 to 65535`);
    return n;
  };
  return { server: port('MCP_SERVER_PORT', 3001), prometheus: port('PROMETHEUS_PORT', 9090), grafana: port('GRAFANA_PORT', 3002), loki: port('LOKI_PORT', 3100), simulatorMetrics: port('SIMULATOR_METRICS_PORT', 9464) };
}

/**
 * Scenario arguments for the simulator: shipped names pass as they are; files are copied into the
 * output folder (mounted in the container) and passed by their container path. Each is loaded and
 * validated here first, so bad input stops before any container starts.
 */
export async function stageScenarios(scenarios: string[], outDir: string): Promise<string[]> {
  const staged: string[] = [];
  const issues: ScenarioError['issues'] = [];
  for (const s of scenarios) {
    try {
      const plan = await loadPlan(s, { scenariosDir: SCENARIOS_DIR });
      const shipped = resolve(plan.source).startsWith(resolve(SCENARIOS_DIR));
      if (shipped) {
        staged.push(basename(plan.source, '.json'));
        continue;
      }
      const dir = join(outDir, '.stack', 'scenarios');
      mkdirSync(dir, { recursive: true });
      copyFileSync(plan.source, join(dir, basename(plan.source)));
      staged.push(`${CONTAINER_OUT}/.stack/scenarios/${basename(plan.source)}`);
    } catch (err) {
      if (err instanceof ScenarioError) issues.push(...err.issues);
      else throw err;
    }
  }
  if (issues.length) throw new ScenarioError(issues);
  return staged;
}

/** The server as the host reaches it: the simulator's target URL with mcp-server:3001 → 127.0.0.1:<published port>. */
export async function hostEndpoint(target: string, serverPort: number): Promise<Endpoint> {
  const profile = await resolveTarget(target);
  if (!profile.url || profile.launch) {
    throw new BadInputError(
      `stack target "${target}" ${profile.launch ? 'is a server this tool starts itself' : 'has no URL'}: in the stack the server runs in the ${SERVER_SERVICE} container and the simulator reaches it over the network — give an http:// or tcp:// URL (e.g. tcp://${SERVER_SERVICE}:3001) or a profile with "url" and no "launch" (stack-everything)`,
    );
  }
  const url = new URL(profile.url);
  if (url.hostname === SERVER_SERVICE) {
    url.hostname = '127.0.0.1';
    url.port = String(serverPort);
  }
  const href = url.protocol === 'tcp:' ? `tcp://${url.host}` : url.toString();
  return { transport: profile.transport, url: href, label: `${profile.name} (host)`, ...(profile.headers ? { headers: profile.headers } : {}) };
}

/**
 * Who the simulator runs as: this process's user and group (so its files in the output folder
 * belong to whoever started the stack), plus the Docker socket's group so its faults reach the engine.
 */
export function simulatorUser(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  let dockerGid = 0;
  const socket = env.DOCKER_HOST?.startsWith('unix://') ? env.DOCKER_HOST.slice('unix://'.length) : env.DOCKER_HOST ? undefined : '/var/run/docker.sock';
  if (socket && existsSync(socket)) dockerGid = statSync(socket).gid;
  return { MCP_RELIABILITY_UID: String(uid), MCP_RELIABILITY_GID: String(gid), MCP_RELIABILITY_DOCKER_GID: String(dockerGid) };
}

/**
 * The server's healthcheck, when the user named no other: our probe, inside the container, at the
 * target's own URL with mcp-server → 127.0.0.1 (so a tcp:// target is probed over tcp).
 */
export async function serverHealthcheck(target: string): Promise<string | undefined> {
  const profile = await resolveTarget(target);
  if (!profile.url) return undefined;
  const url = new URL(profile.url);
  if (url.hostname !== SERVER_SERVICE) return undefined;
  url.hostname = '127.0.0.1';
  const href = url.protocol === 'tcp:' ? `tcp://${url.host}` : url.toString();
  return `mcp-reliability probe ${href} --timeout 4s`;
}

/** Results this run wrote (result.json files newer than its start). */
function resultsSince(outDir: string, since: number): { path: string; result: ScenarioResult }[] {
  const dir = join(outDir, 'test-results');
  if (!existsSync(dir)) return [];
  const found: { path: string; result: ScenarioResult }[] = [];
  for (const slug of readdirSync(dir)) {
    const path = join(dir, slug, 'result.json');
    if (!existsSync(path) || statSync(path).mtimeMs < since) continue;
    try {
      found.push({ path, result: JSON.parse(readFileSync(path, 'utf8')) as ScenarioResult });
    } catch {
      // a half-written result of an interrupted run: the simulator's own log says why
    }
  }
  return found.sort((a, b) => a.result.run.startedAt.localeCompare(b.result.run.startedAt));
}

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T | 'aborted'> {
  if (signal.aborted) return Promise.resolve('aborted');
  return new Promise((resolvePromise, reject) => {
    const onAbort = () => resolvePromise('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolvePromise(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

export async function runStack(opts: StackOptions): Promise<StackOutcome> {
  const started = Date.now();
  const outDir = resolve(opts.outDir);
  const logDir = join(outDir, 'logs');
  const reportsDir = join(outDir, 'reports');
  mkdirSync(logDir, { recursive: true });
  mkdirSync(reportsDir, { recursive: true });
  const composeLog = join(logDir, 'compose.log');
  writeFileSync(composeLog, '');
  const notes: string[] = [];
  const ports = stackPorts(opts.env);
  const composeFile = resolve(opts.composeFile ?? join(opts.root, 'docker-compose.mcp-reliability.yml'));
  if (!existsSync(composeFile)) throw new BadInputError(`compose file ${composeFile} does not exist`);
  if (opts.imagesEnv !== undefined && !existsSync(opts.imagesEnv)) throw new BadInputError(`--images-env ${opts.imagesEnv}: no such file (tools/offline-images.sh writes one)`);
  const target = opts.target ?? 'stack-everything';
  const endpoint = await hostEndpoint(target, ports.server);
  const scenarios = await stageScenarios(opts.scenarios, outDir);
  const healthcheck = (opts.env ?? process.env).MCP_SERVER_HEALTHCHECK ?? (await serverHealthcheck(target));

  const docker = dockerClient();
  const engine = await engineAvailable(docker);
  if (!engine.ok) throw new StackError(`no Docker engine answers (${engine.reason}): start dockerd, or run without Docker (mcp-reliability run)`);
  if (!existsSync(join(opts.root, 'lib', 'cli', 'main.js'))) throw new StackError(`the CLI is not built in ${opts.root} (lib/cli/main.js): run "npm run build" — the simulator's image is built from lib/`);
  const cli = await detectCompose();
  opts.log(`stack: Docker ${engine.version}, compose ${cli.kind} ${cli.version}, project ${opts.project}`);

  const compose = new ComposeProject(cli, {
    file: composeFile,
    project: opts.project,
    ...(opts.imagesEnv !== undefined ? { envFile: resolve(opts.imagesEnv) } : {}),
    profiles: opts.monitoring ? ['monitoring'] : [],
    logPath: composeLog,
    env: {
      ...simulatorUser(opts.env ?? process.env),
      MCP_RELIABILITY_PROJECT: opts.project,
      MCP_RELIABILITY_OUT: outDir,
      MCP_SCENARIOS: scenarios.join(','),
      MCP_DURATION: `${opts.durationMs}ms`,
      MCP_SEED: String(opts.seed),
      MCP_TARGET: target,
      ...(opts.serverCommand !== undefined ? { MCP_SERVER_COMMAND: opts.serverCommand } : {}),
      ...(opts.serverImage !== undefined ? { MCP_SERVER_IMAGE: opts.serverImage } : {}),
      ...(opts.serverContainerPort !== undefined ? { MCP_SERVER_CONTAINER_PORT: String(opts.serverContainerPort) } : {}),
      ...(opts.workspace !== undefined ? { MCP_SERVER_WORKSPACE: resolve(opts.workspace), MCP_SERVER_WORKDIR: '/workspace' } : {}),
      ...(opts.runArgs !== undefined ? { MCP_RELIABILITY_ARGS: opts.runArgs } : {}),
      ...(healthcheck !== undefined ? { MCP_SERVER_HEALTHCHECK: healthcheck } : {}),
    },
  });

  let logs: LogStreamer | undefined;
  let exitCode: number = EXIT.harness;
  let tornDown = false;
  const files: StackOutcome['files'] = { results: [], reports: [], prometheus: [], summary: join(reportsDir, 'summary.md'), junit: join(reportsDir, 'junit.xml'), logs: {}, compose: composeLog };
  let results: ScenarioResult[] = [];
  try {
    await compose.config();
    opts.log('stack: building the simulator image');
    await compose.build([SIMULATOR_SERVICE]);
    if (opts.signal.aborted) throw new Interrupted();
    const first = [...CORE_SERVICES, ...(opts.monitoring ? MONITORING_SERVICES : [])];
    opts.log(`stack: starting ${first.join(', ')}`);
    logs = streamProjectLogs(docker, opts.project, logDir);
    await compose.up(first);
    opts.log(`stack: waiting for MCP initialize + tools/list at ${endpoint.url}`);
    const ready = await waitForMcp(endpoint, opts.readyTimeoutMs, { signal: opts.signal });
    if (opts.signal.aborted) throw new Interrupted();
    if (!ready.ok) throw new StackError(`the server in ${SERVER_SERVICE} never answered MCP: ${ready.error} (see ${relative(process.cwd(), join(logDir, `${SERVER_SERVICE}.log`))})`);
    opts.log(`stack: ${ready.serverName} ${ready.serverVersion} answered (protocol ${ready.protocolVersion}, ${ready.tools.length} tools, handshake ${ready.handshakeMs} ms)`);
    opts.log(`stack: running ${scenarios.join(', ')} for ${Math.round(opts.durationMs / 1000)} s each; Prometheus: http://127.0.0.1:${ports.prometheus}`);
    await compose.up([SIMULATOR_SERVICE]);
    const simulator = await findServiceContainer(docker, { project: opts.project, service: SIMULATOR_SERVICE }).catch((err: Error) => {
      throw new StackError(err.message);
    });
    const container = simulator.container;
    // The simulator ends each run on time by itself; this outer bound only catches a simulator that
    // does not (it is stopped, writes what it measured, and the stack reports a harness failure).
    const boundMs = simulatorBoundMs(scenarios.length, opts.durationMs, opts.runArgs);
    const overdue = AbortSignal.timeout(boundMs);
    const waited = await abortable(container.wait() as Promise<{ StatusCode: number }>, AbortSignal.any([opts.signal, overdue]));
    if (waited === 'aborted' && !opts.signal.aborted) {
      opts.log(`stack: the simulator is still running ${Math.round(boundMs / 1000)} s after it started, past every run's bound: stopping it`);
      await container.stop({ t: 15 }).catch(() => undefined);
      notes.push(`the simulator did not finish within ${Math.round(boundMs / 1000)} s (${scenarios.length} scenario(s) × (duration + closing grace + start-up and teardown)): it was stopped`);
      exitCode = EXIT.harness;
    } else if (waited === 'aborted') {
      // SIGTERM lets the simulator lift its faults and write what it measured (exit 130).
      opts.log('stack: interrupted: stopping the simulator so it writes what it measured');
      await container.stop({ t: 15 }).catch(() => undefined);
      exitCode = EXIT.interrupted;
    } else {
      exitCode = waited.StatusCode;
    }
    results = await scrapeAndReport(outDir, started, ports.prometheus, files, notes, opts.log);
    if (results.length === 0) notes.push(`the simulator wrote no result (exit ${exitCode}): see ${relative(process.cwd(), join(logDir, `${SIMULATOR_SERVICE}.log`))}`);
    if (exitCode === EXIT.ok && results.some((r) => r.verdict !== 'pass')) exitCode = results.some((r) => r.verdict === 'error') ? EXIT.harness : EXIT.sloFailed;
  } catch (err) {
    if (err instanceof Interrupted) exitCode = EXIT.interrupted;
    else if (err instanceof StackError || err instanceof BadInputError || err instanceof ScenarioError) throw err;
    // A compose command that failed, an engine that went away: the stack could not run (exit 3), with the reason.
    else throw new StackError((err as Error).message);
  } finally {
    await logs?.stop().catch(() => undefined);
    files.logs = logs?.files() ?? {};
    if (opts.noCleanup) {
      opts.log(`stack: left running (--no-cleanup): Prometheus http://127.0.0.1:${ports.prometheus}, server 127.0.0.1:${ports.server}${opts.monitoring ? `, Grafana http://127.0.0.1:${ports.grafana}` : ''}; stop it with: ${cli.command} ${[...cli.prefix, '-f', composeFile, '-p', opts.project, 'down', '-v'].join(' ')}`);
    } else {
      opts.log('stack: tearing down (down -v)');
      const down = await compose.down();
      tornDown = down.code === 0;
      if (!tornDown) notes.push(`teardown failed (compose exit ${down.code ?? 'none'}): see ${composeLog}`);
    }
  }
  return { exitCode, results, files, tornDown, notes };
}

class Interrupted extends Error {}

/**
 * How long the simulator may take at most: per scenario run its duration, the closing grace, and a
 * bound for start-up and teardown; then the metrics linger. Client profiles in --run-args multiply it.
 */
export function simulatorBoundMs(scenarios: number, durationMs: number, runArgs = ''): number {
  const profiles = Math.max(1, (runArgs.match(/(^|\s)(--client-profile|-c)(\s|=)/g) ?? []).length);
  const perRun = durationMs + MAX_CLOSING_GRACE_MS + 90_000;
  return scenarios * profiles * perRun + 30_000;
}

/** For every result this run wrote: query Prometheus over its window, store the answers, re-render its report; then the summary and JUnit. */
async function scrapeAndReport(outDir: string, since: number, prometheusPort: number, files: StackOutcome['files'], notes: string[], log: (line: string) => void): Promise<ScenarioResult[]> {
  const found = resultsSince(outDir, since);
  const baseUrl = `http://127.0.0.1:${prometheusPort}`;
  for (const { path, result } of found) {
    const slug = basename(resolve(path, '..'));
    const scrape = await scrapePrometheus({ baseUrl, scenario: result.scenario.name, start: new Date(result.run.startedAt), end: new Date(result.run.endedAt) });
    const scrapePath = join(outDir, 'test-results', slug, 'prometheus.json');
    writeFileSync(scrapePath, `${JSON.stringify(scrape, null, 2)}\n`);
    result.prometheus = summarizeScrape(scrape, relative(outDir, scrapePath));
    if (!scrape.reachable) notes.push(`Prometheus was unreachable for ${slug}: ${scrape.missing.join('; ')}`);
    log(`stack: Prometheus ${scrape.reachable ? `answered for ${slug}` : `was unreachable for ${slug}`}${scrape.missing.length ? ` (missing: ${scrape.missing.length})` : ''}`);
    const written = writeRunFiles(outDir, result);
    files.results.push(written.result);
    files.reports.push(written.report);
    files.prometheus.push(scrapePath);
  }
  const results = found.map((f) => f.result);
  writeSummaryFiles(outDir, results);
  return results;
}

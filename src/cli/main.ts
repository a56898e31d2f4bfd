#!/usr/bin/env node
/** The `mcp-reliability` command: parse, dispatch, print, exit with the documented code. */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { listScenarios, loadPlan, ScenarioError, formatIssues } from '../scenario/index.js';
import type { Plan } from '../scenario/types.js';
import { TOOL_ROLES } from '../scenario/types.js';
import { CLIENT_PROFILES, getClientProfile } from '../session/index.js';
import { listTargets, parseRoleFlag, resolveTarget, SCENARIOS_DIR, PACKAGE_ROOT, stopAllServers, TargetError, type TargetProfile, type TransportKind, TRANSPORTS } from '../target/index.js';
import { MissingRolesError } from '../run/runner.js';
import { exitCodeFor, runSuite } from '../run/suite.js';
import { closeAllProxies } from '../run/proxy-placement.js';
import { stopAllFaults } from '../chaos/index.js';
import { BadInputError } from '../errors.js';
import { HELP, parseCommand, UsageError, type PipeCommand, type ProbeCommand, type RunCommand, type StackCommand } from './args.js';
import { probeMcp } from '../stack/probe.js';
import { startTcpPipe } from '../stack/tcp-pipe.js';
import type { ContainerStatsSource } from '../run/runner.js';
import { createProgressSink } from './progress.js';

const EXIT = { ok: 0, sloFailed: 1, badInput: 2, harness: 3 } as const;

function version(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

async function loadPlans(names: string[]): Promise<Plan[]> {
  const chosen = names.length ? names : await listScenarios(SCENARIOS_DIR);
  const plans: Plan[] = [];
  const issues: ScenarioError['issues'] = [];
  for (const n of chosen) {
    try {
      plans.push(await loadPlan(n, { scenariosDir: SCENARIOS_DIR }));
    } catch (err) {
      if (err instanceof ScenarioError) issues.push(...err.issues);
      else throw err;
    }
  }
  if (issues.length) throw new ScenarioError(issues);
  return plans;
}

async function buildTarget(cmd: RunCommand): Promise<TargetProfile> {
  const target = await resolveTarget(cmd.target);
  if (cmd.transport) {
    if (!(TRANSPORTS as readonly string[]).includes(cmd.transport) || cmd.transport === 'stdio' || !target.url) {
      throw new UsageError(`--transport "${cmd.transport}": expected streamable-http, sse or websocket, with a URL --target`);
    }
    target.transport = cmd.transport as TransportKind;
  }
  for (const flag of cmd.roles) {
    const { role, binding } = parseRoleFlag(flag, TOOL_ROLES);
    target.roles = { ...target.roles, [role]: binding };
  }
  if (cmd.container) {
    if (!target.url || target.launch) throw new UsageError(`--container ${cmd.container.service}: the target must be reached by URL (the server runs in the container), but "${cmd.target}" ${target.launch ? 'is started by this tool' : 'has no URL'}`);
    target.container = cmd.container;
  }
  return target;
}

async function run(cmd: RunCommand): Promise<number> {
  const plans = await loadPlans(cmd.scenarios);
  const target = await buildTarget(cmd);
  const clients = cmd.clientProfiles.map((n) => getClientProfile(n, {}));
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals += 1;
    process.stderr.write(`\n${sig}: stopping the run, stopping the servers, writing what was measured...\n`);
    controller.abort();
    // Second signal: lift faults (resume a paused server first), close proxies, stop servers, exit.
    if (signals > 1) void Promise.allSettled([stopAllFaults(), closeAllProxies()]).then(() => stopAllServers(500)).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const sink = createProgressSink(cmd.progress);
  const outcome = await runSuite({
    plans,
    target,
    clients,
    durationMs: cmd.durationMs,
    seed: cmd.seed,
    outDir: cmd.out,
    signal: controller.signal,
    toolVersion: version(),
    // The default set (every shipped scenario) leaves out those the target cannot have (listed in the summary).
    inapplicable: cmd.scenarios.length === 0 ? 'skip' : 'error',
    ...(cmd.metricsPort !== undefined ? { metricsPort: cmd.metricsPort, metricsHost: cmd.metricsHost, metricsLingerMs: cmd.metricsLingerMs } : {}),
    ...(target.container ? { containerStats: await dockerStats() } : {}),
    onMetricsServer: (url) => process.stderr.write(`metrics: ${url}\n`),
    onProgress: ({ scenario, client, snapshot, remainingMs }) =>
      sink.update({
        scenario,
        clientProfile: client,
        elapsedMs: snapshot.elapsedMs,
        remainingMs,
        requests: snapshot.requests,
        errors: snapshot.errors,
        availabilityPercent: snapshot.availabilityPercent,
        reconnects: snapshot.reconnectAttempts,
      }),
    onScenarioDone: (r) => {
      sink.done();
      const failed = r.slos.filter((s) => !s.passed).map((s) => s.id);
      process.stderr.write(`${r.scenario.name} [${r.client.profile}]: ${r.verdict.toUpperCase()}${failed.length ? ` (failed: ${failed.join(', ')})` : ''}${r.error ? ` (${r.error})` : ''}\n`);
    },
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  const summary = readFileSync(outcome.files.summary, 'utf8');
  if (cmd.printSummary) process.stdout.write(`${summary}\n`);
  process.stderr.write(`reports: ${relative(process.cwd(), outcome.files.summary)}, ${relative(process.cwd(), outcome.files.junit)}; results: ${relative(process.cwd(), join(cmd.out, 'test-results'))}/\n`);
  if (outcome.interrupted) return 130;
  return exitCodeFor(outcome.results);
}

/** Container memory and CPU from the Docker engine (the runner gets it injected; dockerode is loaded only for container targets). */
async function dockerStats(): Promise<ContainerStatsSource> {
  const [{ dockerClient }, { sampleContainerStats }] = await Promise.all([import('../stack/docker.js'), import('../stack/stats.js')]);
  const docker = dockerClient();
  return (ref, onSample, onError) => sampleContainerStats(docker, ref, onSample, { onError });
}

async function probe(cmd: ProbeCommand): Promise<number> {
  const target = await resolveTarget(cmd.target);
  if (!target.url || target.launch) throw new UsageError(`probe: "${cmd.target}" ${target.launch ? 'is a server this tool starts itself' : 'has no URL'}; probe reaches a running server (http(s)://, ws(s)://, .../sse or tcp://)`);
  const r = await probeMcp({ transport: target.transport, url: target.url, label: target.name, ...(target.headers ? { headers: target.headers } : {}) }, cmd.timeoutMs, version());
  if (r.ok) {
    process.stdout.write(`ok: ${r.serverName} ${r.serverVersion}, protocol ${r.protocolVersion}, ${r.tools.length} tools (${r.tools.slice(0, 8).join(', ')}${r.tools.length > 8 ? ', ...' : ''}), handshake ${r.handshakeMs} ms\n`);
    return EXIT.ok;
  }
  process.stderr.write(`probe ${target.url}: ${r.error}\n`);
  return EXIT.sloFailed;
}

async function pipe(cmd: PipeCommand): Promise<number> {
  const [command, ...args] = cmd.argv as [string, ...string[]];
  const server = await startTcpPipe({ host: cmd.host, port: cmd.port, command, args });
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().then(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return EXIT.ok;
}

async function stack(cmd: StackCommand): Promise<number> {
  const { runStack } = await import('../stack/stack.js');
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals += 1;
    process.stderr.write(`\n${sig}: stopping the simulator, then tearing the stack down${cmd.noCleanup ? ' (no: --no-cleanup)' : ''}...\n`);
    controller.abort();
    if (signals > 2) process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const outcome = await runStack({
      root: PACKAGE_ROOT,
      ...(cmd.composeFile !== undefined ? { composeFile: cmd.composeFile } : {}),
      project: cmd.project,
      scenarios: cmd.scenarios,
      durationMs: cmd.durationMs,
      seed: cmd.seed,
      outDir: cmd.out,
      noCleanup: cmd.noCleanup,
      monitoring: cmd.monitoring,
      ...(cmd.imagesEnv !== undefined ? { imagesEnv: cmd.imagesEnv } : {}),
      ...(cmd.serverCommand !== undefined ? { serverCommand: cmd.serverCommand } : {}),
      ...(cmd.serverImage !== undefined ? { serverImage: cmd.serverImage } : {}),
      ...(cmd.target !== undefined ? { target: cmd.target } : {}),
      ...(cmd.runArgs !== undefined ? { runArgs: cmd.runArgs } : {}),
      readyTimeoutMs: cmd.readyTimeoutMs,
      signal: controller.signal,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    for (const r of outcome.results) {
      const failed = r.slos.filter((s) => !s.passed).map((s) => s.id);
      process.stderr.write(`${r.scenario.name} [${r.client.profile}]: ${r.verdict.toUpperCase()}${failed.length ? ` (failed: ${failed.join(', ')})` : ''}${r.error ? ` (${r.error})` : ''}\n`);
    }
    for (const note of outcome.notes) process.stderr.write(`note: ${note}\n`);
    if (outcome.results.length) process.stdout.write(`${readFileSync(outcome.files.summary, 'utf8')}\n`);
    process.stderr.write(`reports: ${relative(process.cwd(), outcome.files.summary)}; logs: ${relative(process.cwd(), join(cmd.out, 'logs'))}/ (${Object.keys(outcome.files.logs).join(', ') || 'none'})\n`);
    return outcome.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function validate(files: string[]): Promise<number> {
  const plans = await loadPlans(files);
  for (const p of plans) process.stdout.write(`ok  ${relative(process.cwd(), p.source)}  (${p.scenario.name}; roles: ${p.rolesUsed.join(', ') || 'none'})\n`);
  return EXIT.ok;
}

async function list(): Promise<number> {
  const out = [
    'Scenarios:',
    ...(await listScenarios(SCENARIOS_DIR)).map((s) => `  ${s}`),
    'Targets:',
    ...(await listTargets()).map((t) => `  ${t}`),
    'Client profiles:',
    ...Object.values(CLIENT_PROFILES).map((c) => `  ${c.name}: ${c.description}`),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  return EXIT.ok;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const cmd = parseCommand(argv);
    switch (cmd.command) {
      case 'help':
        process.stdout.write(`${HELP}\n`);
        return EXIT.ok;
      case 'version':
        process.stdout.write(`${version()}\n`);
        return EXIT.ok;
      case 'list':
        return await list();
      case 'validate':
        return await validate(cmd.files);
      case 'run':
        return await run(cmd);
      case 'probe':
        return await probe(cmd);
      case 'pipe':
        return await pipe(cmd);
      case 'stack':
        return await stack(cmd);
    }
  } catch (err) {
    if (err instanceof ScenarioError) {
      process.stderr.write(`${formatIssues(err.issues)}\n`);
      return EXIT.badInput;
    }
    if (err instanceof TargetError) {
      process.stderr.write(`${formatIssues(err.issues)}\n`);
      return EXIT.badInput;
    }
    if (err instanceof BadInputError || err instanceof MissingRolesError) {
      process.stderr.write(`mcp-reliability: ${(err as Error).message}\n`);
      return EXIT.badInput;
    }
    if (err instanceof Error && err.name === 'StackError') {
      process.stderr.write(`mcp-reliability: stack: ${err.message}\n`);
      return EXIT.harness;
    }
    process.stderr.write(`mcp-reliability: harness failure: ${(err as Error).stack ?? String(err)}\n`);
    await stopAllServers(500);
    return EXIT.harness;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Whatever a misbehaving server left pending (sockets, SDK timers) must not keep the tester alive.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`mcp-reliability: harness failure: ${String(err)}\n`);
    process.exitCode = EXIT.harness;
  },
);

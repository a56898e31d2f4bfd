#!/usr/bin/env node
/** The `mcp-reliability` command: parse, dispatch, print, exit with the documented code. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { listScenarios, loadPlan, ScenarioError, formatIssues } from '../scenario/index.js';
import type { Plan } from '../scenario/types.js';
import { TOOL_ROLES } from '../scenario/types.js';
import { CLIENT_PROFILES, getClientProfile } from '../session/index.js';
import { HeaderError, headerSecrets, headersFromFlags, listTargets, parseRoleFlag, redactSecrets, resolveTarget, SCENARIOS_DIR, PACKAGE_ROOT, stopAllServers, TargetError, type TargetProfile, type TransportKind, TRANSPORTS } from '../target/index.js';
import { exitCodeFor, runSuite } from '../run/suite.js';
import { closeAllProxies } from '../run/proxy-placement.js';
import { stopAllFaults } from '../chaos/index.js';
import { CodedError, EXIT, exitCodeOf } from '../errors.js';
import { HELP, parseCommand, UsageError, type CompareCommand, type PipeCommand, type ProbeCommand, type ReportCommand, type RunCommand, type StackCommand } from './args.js';
import { mergeShards, readResults, renderRunReport, reportVerdicts } from '../report/index.js';
import { probeTarget } from '../stack/probe.js';
import { compareResults, regressions, renderComparison } from '../compare/index.js';
import { startTcpPipe } from '../stack/tcp-pipe.js';
import type { ContainerStatsSource } from '../run/runner.js';
import { createProgressSink } from './progress.js';


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

/** `--transport` and `--header` on a resolved target (run and probe alike). Header values are never put in a message. */
function applyTargetFlags(target: TargetProfile, cmd: { command: 'run' | 'probe'; target: string; transport?: string; headers: string[] }): TargetProfile {
  if (cmd.transport) {
    if (!(TRANSPORTS as readonly string[]).includes(cmd.transport) || cmd.transport === 'stdio' || cmd.transport === 'tcp' || !target.url) {
      throw new UsageError(`--transport "${cmd.transport}": expected streamable-http, sse or websocket, with a URL --target`, cmd.command);
    }
    target.transport = cmd.transport as TransportKind;
  }
  if (cmd.headers.length) {
    let headers: Record<string, string>;
    try {
      headers = headersFromFlags(cmd.headers, process.env, target.headers);
    } catch (err) {
      throw err instanceof HeaderError ? new UsageError(err.message, cmd.command) : err;
    }
    if (target.transport === 'stdio') throw new UsageError(`--header: "${cmd.target}" is a stdio server, which gets no HTTP headers; --header is for network targets (http(s)://... Streamable HTTP or .../sse)`, cmd.command);
    // The SDK's WebSocket transport and the tcp pipe send no HTTP headers: a silently dropped Authorization would be worse than an error.
    if (target.transport === 'websocket' || target.transport === 'tcp') throw new UsageError(`--header: "${cmd.target}" is a ${target.transport} target, whose transport sends no HTTP headers; --header works with Streamable HTTP and SSE targets`, cmd.command);
    target.headers = headers;
  }
  return target;
}

async function buildTarget(cmd: RunCommand): Promise<TargetProfile> {
  const target = applyTargetFlags(await resolveTarget(cmd.target), cmd);
  for (const flag of cmd.roles) {
    const { role, binding } = parseRoleFlag(flag, TOOL_ROLES);
    target.roles = { ...target.roles, [role]: binding };
    target.roleFlags = [...new Set([...(target.roleFlags ?? []), role])];
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
    checks: cmd.checks,
    logRequests: cmd.logRequests,
    ...(cmd.shard ? { shard: cmd.shard } : {}),
    ...(target.headers ? { secrets: headerSecrets(target.headers) } : {}),
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
  if (outcome.interrupted) return EXIT.interrupted;
  return exitCodeFor(outcome.results);
}

/** The Markdown to --out (else stdout), and the JSON to --json when asked for. */
function writeOutputs(cmd: { out?: string; json?: string }, markdown: string, json: () => unknown): void {
  const write = (file: string, text: string) => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  if (cmd.out) write(cmd.out, markdown);
  else process.stdout.write(markdown);
  if (cmd.json) write(cmd.json, `${JSON.stringify(json(), null, 2)}\n`);
}

/** One report over many results (the action's report renderer); the shards of a split load merged. */
function report(cmd: ReportCommand): number {
  const { results, files } = readResults(cmd.paths);
  const comparison = cmd.baseline.length ? compareResults(readResults(cmd.baseline).results, results) : undefined;
  writeOutputs(cmd, renderRunReport(results, comparison ? { comparison } : {}), () => ({ kind: 'mcp-reliability-merged-loads', version: 1, merged: mergeShards(results).merged }));
  process.stderr.write(`report over ${files.length} result(s)${cmd.out ? `: ${cmd.out}` : ''}${cmd.json ? `; merged loads: ${cmd.json}` : ''}\n`);
  const verdicts = reportVerdicts(results);
  if (verdicts.includes('error')) return EXIT.harness;
  return verdicts.includes('fail') ? EXIT.sloFailed : EXIT.ok;
}

/** Baseline against current: the Markdown comparison, its JSON, exit 1 on a regression (unless --fail-on never). */
function compare(cmd: CompareCommand): number {
  const baseline = readResults(cmd.baseline);
  const current = readResults(cmd.current);
  const cmp = compareResults(baseline.results, current.results);
  writeOutputs(cmd, renderComparison(cmp), () => cmp);
  const worse = regressions(cmp).length;
  process.stderr.write(`compared ${current.files.length} current with ${baseline.files.length} baseline result(s): ${cmp.verdict}${worse ? ` (${worse} metric(s) worse)` : ''}${cmd.out ? `; ${cmd.out}` : ''}${cmd.json ? `; ${cmd.json}` : ''}\n`);
  return cmp.verdict === 'worse' && cmd.failOn === 'regression' ? EXIT.sloFailed : EXIT.ok;
}

/** Container memory and CPU from the Docker engine (the runner gets it injected; dockerode is loaded only for container targets). */
async function dockerStats(): Promise<ContainerStatsSource> {
  const [{ dockerClient }, { sampleContainerStats }] = await Promise.all([import('../stack/docker.js'), import('../stack/stats.js')]);
  const docker = dockerClient();
  return (ref, onSample, onError) => sampleContainerStats(docker, ref, onSample, { onError });
}

/**
 * A URL (or a profile with a URL and no launch) is probed as it runs; a command or a profile with
 * "launch" is started, probed and stopped (also on failure and on SIGINT/SIGTERM: exit 130).
 */
async function probe(cmd: ProbeCommand): Promise<number> {
  const target = applyTargetFlags(await resolveTarget(cmd.target), cmd);
  const secrets = headerSecrets(target.headers ?? {});
  const say = (stream: NodeJS.WritableStream, line: string) => stream.write(`${redactSecrets(line, secrets)}\n`);
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    process.stderr.write(`\n${sig}: stopping the probe${target.launch ? ' and the server' : ''}...\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let r;
  try {
    r = await probeTarget(target, cmd.timeoutMs, { clientVersion: version(), signal: controller.signal, where: target.launch ? cmd.target : (target.url ?? cmd.target) });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (controller.signal.aborted) return EXIT.interrupted;
  if (r.ok) {
    say(process.stdout, `ok: ${r.serverName} ${r.serverVersion}, protocol ${r.protocolVersion}, ${r.tools.length} tools (${r.tools.slice(0, 8).join(', ')}${r.tools.length > 8 ? ', ...' : ''}), handshake ${r.handshakeMs} ms`);
    return EXIT.ok;
  }
  say(process.stderr, `probe ${r.where}: ${r.error}`);
  if (r.stderrTail?.length) say(process.stderr, `server stderr (last lines):\n${r.stderrTail.map((l) => `  ${l}`).join('\n')}`);
  if (r.logDir) say(process.stderr, `server logs: ${r.logDir}`);
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

async function list(json: boolean): Promise<number> {
  const [scenarios, targets] = await Promise.all([listScenarios(SCENARIOS_DIR), listTargets()]);
  if (json) {
    process.stdout.write(`${JSON.stringify({ scenarios, targets, clientProfiles: Object.keys(CLIENT_PROFILES) })}\n`);
    return EXIT.ok;
  }
  const out = [
    'Scenarios:',
    ...scenarios.map((s) => `  ${s}`),
    'Targets:',
    ...targets.map((t) => `  ${t}`),
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
        process.stdout.write(`${cmd.usage ?? HELP}\n`);
        return EXIT.ok;
      case 'version':
        process.stdout.write(`${version()}\n`);
        return EXIT.ok;
      case 'list':
        return await list(cmd.json);
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
      case 'report':
        return report(cmd);
      case 'compare':
        return compare(cmd);
    }
  } catch (err) {
    // Each error class carries its exit code (src/errors.ts); this only chooses the words.
    if (err instanceof ScenarioError || err instanceof TargetError) process.stderr.write(`${formatIssues(err.issues)}\n`);
    else if (err instanceof UsageError && err.command) process.stderr.write(`mcp-reliability ${err.command}: ${err.message}\n`);
    else if (err instanceof CodedError) process.stderr.write(`mcp-reliability: ${err.area ? `${err.area}: ` : ''}${err.message}\n`);
    else {
      process.stderr.write(`mcp-reliability: harness failure: ${(err as Error).stack ?? String(err)}\n`);
      await stopAllServers(500);
    }
    return exitCodeOf(err);
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

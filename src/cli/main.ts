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
import { HELP, parseCommand, UsageError, type RunCommand } from './args.js';
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
    ...(cmd.metricsPort !== undefined ? { metricsPort: cmd.metricsPort } : {}),
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

/**
 * Our load generator against autocannon, on the reference MCP server over Streamable HTTP.
 *
 * Ours: the high-load-stress scenario's `load` step (role probe → echo, concurrency 10, no rate),
 * taken from the shipped scenario file and run by the real step interpreter around a real Session
 * with the runner's Recorder and event log (bench/lib/scenario.ts), so it goes through the lean
 * path and pays the recording exactly as a scenario does. Reference: autocannon, in a child
 * process, sending the same `tools/call` body with the same session headers at the same
 * concurrency (10 connections, pipelining 1) to the same server process. For context, the plain
 * SDK path (Session.callTool, 10 concurrent callers) too.
 *
 * Rounds alternate (ours, autocannon, SDK; ours, autocannon, SDK; ...) after a discarded warm-up,
 * so drift of this shared machine hits every side alike; each round reports requests/s, the client
 * CPU per request (ours and SDK: this process's process.cpuUsage(); autocannon: its child's), the
 * server's CPU (% of one core) and the machine's (% of all cores). The server, the generator and
 * autocannon share the machine's cores, so client CPU per request decides how hard we can push.
 *
 *   node --import tsx bench/loadgen.ts [--quick]        (about 90 s; --quick about 15 s)
 */
import { pathToFileURL } from 'node:url';
import { loadPlan } from '../src/scenario/index.js';
import type { Step } from '../src/scenario/types.js';
import { resolveCall } from '../src/run/resolve-call.js';
import { resolveTarget, SCENARIOS_DIR } from '../src/target/index.js';
import { childThroughput } from './lib/autocannon-child.js';
import { openSession, startEverything, type Everything } from './lib/everything.js';
import { machineBusyPercent, machineCpu, median, processCpuMs } from './lib/proc.js';
import { openScenarioClient, type ScenarioClient } from './lib/scenario.js';

export const TARGET_RATIO = 0.8;

export interface LoadgenOptions {
  quick?: boolean;
  /** Measured rounds (each: ours, autocannon, SDK). Default 3 (quick: 1). */
  rounds?: number;
  /** Length of each side's run in a round. Default 8 s (quick: 3 s). */
  roundSeconds?: number;
  /** Length of each side's discarded warm-up run. Default 2 s (quick: 1 s). */
  warmupSeconds?: number;
  log?: (line: string) => void;
}

export interface SideFigures {
  requests: number;
  failures: number;
  seconds: number;
  requestsPerSecond: number;
  /** CPU of the client (this process, or autocannon's child) per request, µs. */
  clientCpuUsPerRequest: number;
  /** CPU of the server process during the run, % of one core. */
  serverCpuPercent: number | null;
  /** All cores of the machine, % busy during the run. */
  machineBusyPercent: number | null;
}

export interface LoadgenRound {
  round: number;
  ours: SideFigures;
  autocannon: SideFigures;
  sdk: SideFigures;
  /** ours / autocannon requests per second. */
  ratio: number;
  /** SDK / autocannon requests per second. */
  sdkRatio: number;
}

export interface LoadgenFigures {
  connections: number;
  roundSeconds: number;
  rounds: LoadgenRound[];
  median: {
    requestsPerSecond: { ours: number; autocannon: number; sdk: number };
    /** Median of the per-round ratios (each round's sides ran back to back). */
    ratio: number;
    sdkRatio: number;
    clientCpuUsPerRequest: { ours: number; autocannon: number; sdk: number };
    serverCpuPercent: { ours: number | null; autocannon: number | null; sdk: number | null };
  };
  target: number;
  met: boolean;
  /** The exact request autocannon sent. */
  autocannonRequest: { headers: Record<string, string>; body: string };
}

type Side = 'ours' | 'autocannon' | 'sdk';

/** The high-load-stress scenario's load step, from the shipped file, lasting `ms`. */
async function highLoadStep(): Promise<Step> {
  const plan = await loadPlan('high-load-stress', { scenariosDir: SCENARIOS_DIR });
  const step = plan.scenario.steps.find((s) => s.action === 'load');
  if (!step) throw new Error('high-load-stress has no load step');
  return step;
}

/** Measures one run of `fn` on this process's CPU and the server's; `fn` returns its request counts. */
async function measured(
  server: Everything,
  fn: () => Promise<{ requests: number; failures: number; seconds: number; clientCpuMs?: number }>,
): Promise<SideFigures> {
  const cpu0 = process.cpuUsage();
  const server0 = processCpuMs(server.pid);
  const machine0 = machineCpu();
  const t0 = performance.now();
  const r = await fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const server1 = processCpuMs(server.pid);
  const clientCpuMs = r.clientCpuMs ?? (cpu.user + cpu.system) / 1000;
  return {
    requests: r.requests,
    failures: r.failures,
    seconds: r.seconds,
    requestsPerSecond: r.requests / r.seconds,
    clientCpuUsPerRequest: r.requests > 0 ? (clientCpuMs * 1000) / r.requests : Number.NaN,
    serverCpuPercent: server0 !== null && server1 !== null ? (100 * (server1 - server0)) / wallMs : null,
    machineBusyPercent: machineBusyPercent(machine0, machineCpu()),
  };
}

export async function run(options: LoadgenOptions = {}): Promise<LoadgenFigures> {
  const quick = options.quick ?? false;
  const rounds = options.rounds ?? (quick ? 1 : 3);
  const roundSeconds = options.roundSeconds ?? (quick ? 3 : 8);
  const warmupSeconds = options.warmupSeconds ?? (quick ? 1 : 2);
  const log = options.log ?? (() => undefined);
  const step = await highLoadStep();
  const connections = step.concurrency ?? 10;
  const target = await resolveTarget('everything-http');
  const server = await startEverything();
  let client: ScenarioClient | undefined;
  try {
    client = await openScenarioClient(server.url, target.roles, 'loadgen');
    const c = client;
    // autocannon: its own session on the same server, same protocol version, same body shape as the lean path's.
    const headers = await openSession(server.url, c.session.protocolVersion);
    const probe = resolveCall(step, c.context(0), { index: 0, iteration: 0 });
    if (!probe) throw new Error('the probe role is not mapped by everything-http');
    const body = JSON.stringify({ jsonrpc: '2.0', id: 'lean-1', method: 'tools/call', params: { name: probe.name, arguments: probe.args } });

    const sides: Record<Side, (seconds: number) => Promise<SideFigures>> = {
      ours: (seconds) =>
        measured(server, async () => {
          const before = c.calls();
          const t0 = performance.now();
          await c.run([{ ...step, duration: seconds * 1000 }], seconds * 1000);
          const after = c.calls();
          return { requests: after.total - before.total, failures: after.failed - before.failed, seconds: (performance.now() - t0) / 1000 };
        }),
      autocannon: (seconds) =>
        measured(server, async () => {
          const r = await childThroughput({ url: server.url, headers, body, connections, pipelining: 1, seconds });
          return { requests: r.total, failures: r.failures, seconds: r.durationMs / 1000, clientCpuMs: r.cpuMs };
        }),
      sdk: (seconds) =>
        measured(server, async () => {
          const before = c.calls();
          const ctx = c.context(seconds * 1000);
          const t0 = performance.now();
          const deadline = Date.now() + seconds * 1000;
          const worker = async (index: number) => {
            for (let iteration = 0; Date.now() < deadline; iteration++) {
              const call = resolveCall(step, ctx, { index, iteration })!;
              await c.session.callTool(call.name, call.args, call.role ? { role: call.role } : {});
            }
          };
          await Promise.all(Array.from({ length: connections }, (_, i) => worker(i)));
          const after = c.calls();
          return { requests: after.total - before.total, failures: after.failed - before.failed, seconds: (performance.now() - t0) / 1000 };
        }),
    };
    const order: Side[] = ['ours', 'autocannon', 'sdk'];

    for (const side of order) await sides[side](warmupSeconds);
    log(`warm-up done (${warmupSeconds} s per side); ${rounds} round(s) of ${roundSeconds} s per side`);
    const results: LoadgenRound[] = [];
    for (let round = 1; round <= rounds; round++) {
      const figures = {} as Record<Side, SideFigures>;
      for (const side of order) figures[side] = await sides[side](roundSeconds);
      const r: LoadgenRound = {
        round,
        ...figures,
        ratio: figures.ours.requestsPerSecond / figures.autocannon.requestsPerSecond,
        sdkRatio: figures.sdk.requestsPerSecond / figures.autocannon.requestsPerSecond,
      };
      results.push(r);
      log(
        `round ${round}: ours ${r.ours.requestsPerSecond.toFixed(0)} req/s, autocannon ${r.autocannon.requestsPerSecond.toFixed(0)} req/s, ` +
          `SDK ${r.sdk.requestsPerSecond.toFixed(0)} req/s; ratio ${r.ratio.toFixed(3)}`,
      );
    }
    const med = (f: (r: LoadgenRound) => number) => median(results.map(f));
    const medOrNull = (f: (r: LoadgenRound) => number | null) => {
      const xs = results.map(f).filter((x): x is number => x !== null);
      return xs.length ? median(xs) : null;
    };
    const ratio = med((r) => r.ratio);
    return {
      connections,
      roundSeconds,
      rounds: results,
      median: {
        requestsPerSecond: { ours: med((r) => r.ours.requestsPerSecond), autocannon: med((r) => r.autocannon.requestsPerSecond), sdk: med((r) => r.sdk.requestsPerSecond) },
        ratio,
        sdkRatio: med((r) => r.sdkRatio),
        clientCpuUsPerRequest: {
          ours: med((r) => r.ours.clientCpuUsPerRequest),
          autocannon: med((r) => r.autocannon.clientCpuUsPerRequest),
          sdk: med((r) => r.sdk.clientCpuUsPerRequest),
        },
        serverCpuPercent: {
          ours: medOrNull((r) => r.ours.serverCpuPercent),
          autocannon: medOrNull((r) => r.autocannon.serverCpuPercent),
          sdk: medOrNull((r) => r.sdk.serverCpuPercent),
        },
      },
      target: TARGET_RATIO,
      met: ratio >= TARGET_RATIO,
      autocannonRequest: { headers, body },
    };
  } finally {
    await client?.close();
    await server.stop();
  }
}

export function format(f: LoadgenFigures): string {
  const pct = (x: number | null) => (x === null ? 'n/a' : x.toFixed(0));
  const row = (cells: string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(10) : c.padStart(9))).join(' | ')} |`;
  const lines = [
    `Load generator vs autocannon: tools/call echo, ${f.connections} in flight, ${f.rounds.length} round(s) of ${f.roundSeconds} s per side (after a discarded warm-up)`,
    '',
    row(['round', 'side', 'req/s', '× ac', 'failed', 'client CPU µs/req', 'server CPU %', 'machine %']),
    row(['-'.repeat(10), '-'.repeat(10), ...Array.from({ length: 6 }, () => '-'.repeat(9))]),
  ];
  for (const r of f.rounds) {
    for (const side of ['ours', 'autocannon', 'sdk'] as const) {
      const s = r[side];
      const ratio = side === 'ours' ? r.ratio : side === 'sdk' ? r.sdkRatio : 1;
      lines.push(row([String(r.round), side, s.requestsPerSecond.toFixed(0), ratio.toFixed(3), String(s.failures), s.clientCpuUsPerRequest.toFixed(0), pct(s.serverCpuPercent), pct(s.machineBusyPercent)]));
    }
  }
  const m = f.median;
  lines.push(
    row(['median', 'ours', m.requestsPerSecond.ours.toFixed(0), m.ratio.toFixed(3), '', m.clientCpuUsPerRequest.ours.toFixed(0), pct(m.serverCpuPercent.ours), '']),
    row(['median', 'autocannon', m.requestsPerSecond.autocannon.toFixed(0), '1.000', '', m.clientCpuUsPerRequest.autocannon.toFixed(0), pct(m.serverCpuPercent.autocannon), '']),
    row(['median', 'sdk', m.requestsPerSecond.sdk.toFixed(0), m.sdkRatio.toFixed(3), '', m.clientCpuUsPerRequest.sdk.toFixed(0), pct(m.serverCpuPercent.sdk), '']),
    '',
    `ratio ours/autocannon by round: ${f.rounds.map((r) => r.ratio.toFixed(3)).join(', ')}; median ${m.ratio.toFixed(3)}`,
    `target ours ≥ ${f.target} × autocannon: ${f.met ? 'MET' : 'NOT MET'}`,
  );
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run({ quick: process.argv.includes('--quick'), log: (line) => console.log(line) })
    .then((f) => console.log(`\n${format(f)}`))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}

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
 * Two targets, each judged on the median of the per-round ratios (each round's sides ran back to
 * back): client CPU per request ours ≤ 1.5 × autocannon's, and requests/s ours ≥ 0.95 × autocannon's.
 *
 * `--breakdown` adds, in every round, the same load step with the recording changed (for
 * attribution only: no event log; neither log nor Recorder), and prints where ours' client CPU per
 * request goes.
 *
 *   node --import tsx bench/loadgen.ts [--quick] [--breakdown]   (about 2.5 min; --quick about 15 s; --breakdown +2 min)
 */
import { resolveCall } from '../src/run/resolve-call.js';
import { resolveTarget } from '../src/target/index.js';
import { childThroughput } from './lib/autocannon-child.js';
import { openSession, startEverything } from './lib/everything.js';
import { highLoadStep, mainOf, measured, type SideFigures } from './lib/measure.js';
import { median } from './lib/proc.js';
import { openScenarioClient, type Recording, type ScenarioClient } from './lib/scenario.js';

/** Requests/s: ours ≥ this × autocannon's. */
export const TARGET_RATIO = 0.95;
/** Client CPU per request: ours ≤ this × autocannon's. */
export const TARGET_CPU_RATIO = 1.5;

export interface LoadgenOptions {
  quick?: boolean;
  /** Measured rounds (each: ours, autocannon, SDK). Default 5 (quick: 1). */
  rounds?: number;
  /** Length of each side's run in a round. Default 8 s (quick: 3 s). */
  roundSeconds?: number;
  /** Length of each side's discarded warm-up run. Default 2 s (quick: 1 s). */
  warmupSeconds?: number;
  /** Also run ours with the recording changed, to attribute its CPU (see BreakdownSide). */
  breakdown?: boolean;
  log?: (line: string) => void;
}

/** Ours with the recording changed (bench/lib/scenario.ts): no event log, neither log nor Recorder. */
export type BreakdownSide = 'no-log' | 'bare';
const BREAKDOWN: { side: BreakdownSide; recording: Recording; label: string }[] = [
  { side: 'no-log', recording: 'no-log', label: 'no log' },
  { side: 'bare', recording: 'none', label: 'no record' },
];


export interface LoadgenRound {
  round: number;
  ours: SideFigures;
  autocannon: SideFigures;
  sdk: SideFigures;
  /** ours / autocannon requests per second. */
  ratio: number;
  /** ours / autocannon client CPU per request. */
  cpuRatio: number;
  /** SDK / autocannon requests per second. */
  sdkRatio: number;
  /** With --breakdown: ours with the recording changed, in the same round. */
  breakdown?: Record<BreakdownSide, SideFigures>;
}

export interface LoadgenFigures {
  connections: number;
  roundSeconds: number;
  rounds: LoadgenRound[];
  median: {
    requestsPerSecond: { ours: number; autocannon: number; sdk: number };
    /** Median of the per-round ratios (each round's sides ran back to back). */
    ratio: number;
    /** Median of the per-round client CPU per request ratios, ours / autocannon. */
    cpuRatio: number;
    sdkRatio: number;
    clientCpuUsPerRequest: { ours: number; autocannon: number; sdk: number };
    serverCpuPercent: { ours: number | null; autocannon: number | null; sdk: number | null };
  };
  /** Requests/s target (ours ≥ target × autocannon). */
  target: number;
  /** Every target met. */
  met: boolean;
  /** Each target with what was measured (medians of per-round ratios). */
  targets: LoadgenTarget[];
  /** With --breakdown: medians of client CPU per request (µs) of each variant of ours. */
  breakdown?: Record<BreakdownSide, number>;
  /** The exact request autocannon sent. */
  autocannonRequest: { headers: Record<string, string>; body: string };
}

export interface LoadgenTarget {
  name: string;
  /** `≤` : measured must not exceed limit; `≥`: must reach it. */
  comparison: '≤' | '≥';
  limit: number;
  measured: number;
  met: boolean;
}

type Side = 'ours' | 'autocannon' | 'sdk';

export async function run(options: LoadgenOptions = {}): Promise<LoadgenFigures> {
  const quick = options.quick ?? false;
  const rounds = options.rounds ?? (quick ? 1 : 5);
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
        measured(() => server.pid, async () => {
          const before = c.calls();
          const t0 = performance.now();
          await c.run([{ ...step, duration: seconds * 1000 }], seconds * 1000);
          const after = c.calls();
          return { requests: after.total - before.total, failures: after.failed - before.failed, seconds: (performance.now() - t0) / 1000 };
        }),
      autocannon: (seconds) =>
        measured(() => server.pid, async () => {
          const r = await childThroughput({ url: server.url, headers, body, connections, pipelining: 1, seconds });
          return { requests: r.total, failures: r.failures, seconds: r.durationMs / 1000, clientCpuMs: r.cpuMs };
        }),
      sdk: (seconds) =>
        measured(() => server.pid, async () => {
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
    const variant = async (recording: Recording, seconds: number) => {
      c.recording = recording;
      try {
        return await sides.ours(seconds);
      } finally {
        c.recording = 'runner';
      }
    };

    for (const side of order) await sides[side](warmupSeconds);
    log(`warm-up done (${warmupSeconds} s per side); ${rounds} round(s) of ${roundSeconds} s per side`);
    const results: LoadgenRound[] = [];
    for (let round = 1; round <= rounds; round++) {
      const figures = {} as Record<Side, SideFigures>;
      for (const side of order) figures[side] = await sides[side](roundSeconds);
      let breakdown: Record<BreakdownSide, SideFigures> | undefined;
      if (options.breakdown) {
        breakdown = {} as Record<BreakdownSide, SideFigures>;
        for (const b of BREAKDOWN) breakdown[b.side] = await variant(b.recording, roundSeconds);
      }
      const r: LoadgenRound = {
        round,
        ...figures,
        ...(breakdown ? { breakdown } : {}),
        ratio: figures.ours.requestsPerSecond / figures.autocannon.requestsPerSecond,
        cpuRatio: figures.ours.clientCpuUsPerRequest / figures.autocannon.clientCpuUsPerRequest,
        sdkRatio: figures.sdk.requestsPerSecond / figures.autocannon.requestsPerSecond,
      };
      results.push(r);
      log(
        `round ${round}: ours ${r.ours.requestsPerSecond.toFixed(0)} req/s, autocannon ${r.autocannon.requestsPerSecond.toFixed(0)} req/s, ` +
          `SDK ${r.sdk.requestsPerSecond.toFixed(0)} req/s; ratio ${r.ratio.toFixed(3)}; client CPU/request ours ${r.ours.clientCpuUsPerRequest.toFixed(0)} µs, ` +
          `autocannon ${r.autocannon.clientCpuUsPerRequest.toFixed(0)} µs (${r.cpuRatio.toFixed(2)}×)`,
      );
    }
    const med = (f: (r: LoadgenRound) => number) => median(results.map(f));
    const medOrNull = (f: (r: LoadgenRound) => number | null) => {
      const xs = results.map(f).filter((x): x is number => x !== null);
      return xs.length ? median(xs) : null;
    };
    const ratio = med((r) => r.ratio);
    const cpuRatio = med((r) => r.cpuRatio);
    const targets: LoadgenTarget[] = [
      { name: 'client CPU per request, ours / autocannon', comparison: '≤', limit: TARGET_CPU_RATIO, measured: cpuRatio, met: cpuRatio <= TARGET_CPU_RATIO },
      { name: 'requests/s, ours / autocannon', comparison: '≥', limit: TARGET_RATIO, measured: ratio, met: ratio >= TARGET_RATIO },
    ];
    return {
      connections,
      roundSeconds,
      rounds: results,
      median: {
        requestsPerSecond: { ours: med((r) => r.ours.requestsPerSecond), autocannon: med((r) => r.autocannon.requestsPerSecond), sdk: med((r) => r.sdk.requestsPerSecond) },
        ratio,
        cpuRatio,
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
      met: targets.every((t) => t.met),
      targets,
      ...(options.breakdown
        ? { breakdown: Object.fromEntries(BREAKDOWN.map((b) => [b.side, med((r) => r.breakdown![b.side].clientCpuUsPerRequest)])) as Record<BreakdownSide, number> }
        : {}),
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
    row(['round', 'side', 'req/s', '× ac', 'failed', 'client CPU µs/req', 'CPU × ac', 'server CPU %', 'machine %']),
    row(['-'.repeat(10), '-'.repeat(10), ...Array.from({ length: 7 }, () => '-'.repeat(9))]),
  ];
  for (const r of f.rounds) {
    for (const side of ['ours', 'autocannon', 'sdk'] as const) {
      const s = r[side];
      const ratio = side === 'ours' ? r.ratio : side === 'sdk' ? r.sdkRatio : 1;
      const cpu = s.clientCpuUsPerRequest / r.autocannon.clientCpuUsPerRequest;
      lines.push(row([String(r.round), side, s.requestsPerSecond.toFixed(0), ratio.toFixed(3), String(s.failures), s.clientCpuUsPerRequest.toFixed(0), cpu.toFixed(2), pct(s.serverCpuPercent), pct(s.machineBusyPercent)]));
    }
    for (const b of r.breakdown ? BREAKDOWN : []) {
      const s = r.breakdown![b.side];
      const cells = [s.requestsPerSecond.toFixed(0), (s.requestsPerSecond / r.autocannon.requestsPerSecond).toFixed(3), String(s.failures), s.clientCpuUsPerRequest.toFixed(0)];
      lines.push(row([String(r.round), b.label, ...cells, (s.clientCpuUsPerRequest / r.autocannon.clientCpuUsPerRequest).toFixed(2), pct(s.serverCpuPercent), pct(s.machineBusyPercent)]));
    }
  }
  const m = f.median;
  const cpuOf = (x: number) => (x / m.clientCpuUsPerRequest.autocannon).toFixed(2);
  lines.push(
    row(['median', 'ours', m.requestsPerSecond.ours.toFixed(0), m.ratio.toFixed(3), '', m.clientCpuUsPerRequest.ours.toFixed(0), m.cpuRatio.toFixed(2), pct(m.serverCpuPercent.ours), '']),
    row(['median', 'autocannon', m.requestsPerSecond.autocannon.toFixed(0), '1.000', '', m.clientCpuUsPerRequest.autocannon.toFixed(0), '1.00', pct(m.serverCpuPercent.autocannon), '']),
    row(['median', 'sdk', m.requestsPerSecond.sdk.toFixed(0), m.sdkRatio.toFixed(3), '', m.clientCpuUsPerRequest.sdk.toFixed(0), cpuOf(m.clientCpuUsPerRequest.sdk), pct(m.serverCpuPercent.sdk), '']),
    '',
    `ratio ours/autocannon by round: ${f.rounds.map((r) => r.ratio.toFixed(3)).join(', ')}; median ${m.ratio.toFixed(3)}`,
    `client CPU per request ours/autocannon by round: ${f.rounds.map((r) => r.cpuRatio.toFixed(2)).join(', ')}; median ${m.cpuRatio.toFixed(2)}`,
    '(ours and autocannon medians of the ratios of each round; the median rows above are medians of each column)',
    '',
    ...f.targets.map((t) => `target ${t.name} ${t.comparison} ${t.limit}: measured ${t.measured.toFixed(2)}× — ${t.met ? 'MET' : 'NOT MET'}`),
  );
  const b = f.breakdown;
  if (b) {
    const us = (x: number) => `${x.toFixed(0)} µs`;
    lines.push(
      '',
      `where ours' client CPU per request goes (medians; differences between variants run in the same rounds): ` +
        `the sampled event log ${us(m.clientCpuUsPerRequest.ours - b['no-log'])}; ` +
        `Recorder ${us(b['no-log'] - b.bare)}; step interpreter + session + lean path ${us(b.bare)} (autocannon ${us(m.clientCpuUsPerRequest.autocannon)})`,
    );
  }
  return lines.join('\n');
}

mainOf(import.meta.url, (log) => run({ quick: process.argv.includes('--quick'), breakdown: process.argv.includes('--breakdown'), log }), format);

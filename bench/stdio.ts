/**
 * Our load step against a stdio server, next to a minimal reference driver on the same server.
 *
 * Ours: the high-load-stress scenario's `load` step (role probe → echo, concurrency 10, no rate)
 * run by the real step interpreter around a real Session on the `everything-stdio` target (started
 * as the runner starts it), with the runner's Recorder and event log (bench/lib/scenario.ts). On
 * stdio a load step takes the lean line path (src/session/lean-stdio.ts: one JSON line written per
 * call on the session's own StdioProcessTransport, the answer matched by id before the SDK's
 * schema parse; everything else stays on the SDK Client). Reference: a few lines that write line-delimited JSON-RPC `tools/call`
 * to another server-everything stdio process of the same target (the same command), keep the same
 * number in flight, and read the answers (JSON.parse, our id looked up): the least a client must do.
 *
 * Rounds alternate (ours, reference; ours, reference; ...) after a discarded warm-up; each reports
 * requests/s, client CPU per request (both sides run in this process, one at a time:
 * process.cpuUsage()), the server process's CPU (% of one core) and the machine's (% of all cores).
 *
 *   node --import tsx bench/stdio.ts [--quick]        (about 1.5 min; --quick about 15 s)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveCall } from '../src/run/resolve-call.js';
import { resolveTarget } from '../src/target/index.js';
import { startTarget, type RunningTarget } from '../src/target/launch.js';
import type { ServerProcess } from '../src/target/types.js';
import { highLoadStep, mainOf, measured, type SideFigures } from './lib/measure.js';
import { median } from './lib/proc.js';
import { openScenarioClient, type ScenarioClient } from './lib/scenario.js';

export interface StdioBenchOptions {
  quick?: boolean;
  /** Measured rounds (each: ours, reference). Default 5 (quick: 1). */
  rounds?: number;
  /** Length of each side's run in a round. Default 8 s (quick: 3 s). */
  roundSeconds?: number;
  /** Length of each side's discarded warm-up run. Default 2 s (quick: 1 s). */
  warmupSeconds?: number;
  log?: (line: string) => void;
}

export type StdioSide = SideFigures;

export interface StdioRound {
  round: number;
  ours: StdioSide;
  reference: StdioSide;
  /** ours / reference requests per second. */
  ratio: number;
  /** ours / reference client CPU per request. */
  cpuRatio: number;
}

export interface StdioFigures {
  concurrency: number;
  roundSeconds: number;
  rounds: StdioRound[];
  median: {
    requestsPerSecond: { ours: number; reference: number };
    clientCpuUsPerRequest: { ours: number; reference: number };
    serverCpuPercent: { ours: number | null; reference: number | null };
    /** Medians of the per-round ratios. */
    ratio: number;
    cpuRatio: number;
  };
}

type Side = 'ours' | 'reference';

/**
 * The reference client: line-delimited JSON-RPC on the process's stdin/stdout, answers matched by
 * id. `call` resolves with whether the answer was a result (not an error).
 */
export interface LineDriver {
  call(method: string, params: unknown): Promise<boolean>;
  notify(method: string, params?: unknown): void;
}

export function lineDriver(proc: ServerProcess): LineDriver {
  const waiting = new Map<number, (ok: boolean) => void>();
  let rest = '';
  let seq = 0;
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      if (!line) continue;
      const msg = JSON.parse(line) as { id?: number; result?: unknown; error?: unknown };
      const done = typeof msg.id === 'number' ? waiting.get(msg.id) : undefined;
      if (!done) continue; // a notification or a request to the client
      waiting.delete(msg.id!);
      done(msg.result !== undefined);
    }
  });
  return {
    call: (method, params) =>
      new Promise((resolve) => {
        const id = ++seq;
        waiting.set(id, resolve);
        proc.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
      }),
    notify: (method, params) => void proc.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method, ...(params ? { params } : {}) })}\n`),
  };
}

export async function run(options: StdioBenchOptions = {}): Promise<StdioFigures> {
  const quick = options.quick ?? false;
  const rounds = options.rounds ?? (quick ? 1 : 5);
  const roundSeconds = options.roundSeconds ?? (quick ? 3 : 8);
  const warmupSeconds = options.warmupSeconds ?? (quick ? 1 : 2);
  const log = options.log ?? (() => undefined);
  const step = await highLoadStep();
  const concurrency = step.concurrency ?? 10;
  const target = await resolveTarget('everything-stdio');
  const dir = mkdtempSync(join(tmpdir(), 'mcp-reliability-bench-stdio-'));
  let running: RunningTarget | undefined;
  let client: ScenarioClient | undefined;
  let refProc: ServerProcess | undefined;
  try {
    running = await startTarget(target, { logDir: join(dir, 'logs'), workDir: join(dir, 'work') });
    const live = running;
    client = await openScenarioClient(live.endpoint, target.roles, 'stdio');
    const c = client;
    // The reference's own server process: the same command, one no session or fault touches.
    if (!live.spawnDetached) throw new Error('a stdio target can spawn a detached server');
    const ref = await live.spawnDetached();
    refProc = ref;
    const driver = lineDriver(ref);
    const init = await driver.call('initialize', { protocolVersion: c.session.protocolVersion, capabilities: {}, clientInfo: { name: 'mcp-reliability-bench', version: '0.1.0' } });
    if (!init) throw new Error('the reference driver could not initialize the server');
    driver.notify('notifications/initialized');

    const sides: Record<Side, (seconds: number) => Promise<StdioSide>> = {
      ours: (seconds) =>
        measured(
          () => live.currentProcess()?.pid,
          async () => {
            const before = c.calls();
            const t0 = performance.now();
            await c.run([{ ...step, duration: seconds * 1000 }], seconds * 1000);
            const after = c.calls();
            return { requests: after.total - before.total, failures: after.failed - before.failed, seconds: (performance.now() - t0) / 1000 };
          },
        ),
      reference: (seconds) =>
        measured(
          () => ref.pid,
          async () => {
            const ctx = c.context(seconds * 1000);
            let requests = 0;
            let failures = 0;
            const t0 = performance.now();
            const deadline = Date.now() + seconds * 1000;
            const worker = async (index: number) => {
              for (let iteration = 0; Date.now() < deadline; iteration++) {
                // The same call the load step makes (probe role, its templated arguments).
                const call = resolveCall(step, ctx, { index, iteration })!;
                const ok = await driver.call('tools/call', { name: call.name, arguments: call.args });
                requests += 1;
                if (!ok) failures += 1;
              }
            };
            await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
            return { requests, failures, seconds: (performance.now() - t0) / 1000 };
          },
        ),
    };
    const order: Side[] = ['ours', 'reference'];
    for (const side of order) await sides[side](warmupSeconds);
    log(`warm-up done (${warmupSeconds} s per side); ${rounds} round(s) of ${roundSeconds} s per side`);
    const results: StdioRound[] = [];
    for (let round = 1; round <= rounds; round++) {
      const figures = {} as Record<Side, StdioSide>;
      for (const side of order) figures[side] = await sides[side](roundSeconds);
      const r: StdioRound = {
        round,
        ...figures,
        ratio: figures.ours.requestsPerSecond / figures.reference.requestsPerSecond,
        cpuRatio: figures.ours.clientCpuUsPerRequest / figures.reference.clientCpuUsPerRequest,
      };
      results.push(r);
      log(
        `round ${round}: ours ${r.ours.requestsPerSecond.toFixed(0)} req/s (${r.ours.clientCpuUsPerRequest.toFixed(0)} µs/req), ` +
          `reference ${r.reference.requestsPerSecond.toFixed(0)} req/s (${r.reference.clientCpuUsPerRequest.toFixed(0)} µs/req); ratio ${r.ratio.toFixed(3)}, CPU ${r.cpuRatio.toFixed(2)}×`,
      );
    }
    const med = (f: (r: StdioRound) => number) => median(results.map(f));
    const medOrNull = (f: (r: StdioRound) => number | null) => {
      const xs = results.map(f).filter((x): x is number => x !== null);
      return xs.length ? median(xs) : null;
    };
    return {
      concurrency,
      roundSeconds,
      rounds: results,
      median: {
        requestsPerSecond: { ours: med((r) => r.ours.requestsPerSecond), reference: med((r) => r.reference.requestsPerSecond) },
        clientCpuUsPerRequest: { ours: med((r) => r.ours.clientCpuUsPerRequest), reference: med((r) => r.reference.clientCpuUsPerRequest) },
        serverCpuPercent: { ours: medOrNull((r) => r.ours.serverCpuPercent), reference: medOrNull((r) => r.reference.serverCpuPercent) },
        ratio: med((r) => r.ratio),
        cpuRatio: med((r) => r.cpuRatio),
      },
    };
  } finally {
    await client?.close();
    await refProc?.stop();
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function format(f: StdioFigures): string {
  const pct = (x: number | null) => (x === null ? 'n/a' : x.toFixed(0));
  const row = (cells: string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(10) : c.padStart(9))).join(' | ')} |`;
  const lines = [
    `stdio load step vs a minimal line-delimited JSON-RPC driver: tools/call echo on server-everything (stdio), ${f.concurrency} in flight, ${f.rounds.length} round(s) of ${f.roundSeconds} s per side (after a discarded warm-up)`,
    '',
    row(['round', 'side', 'req/s', '× ref', 'failed', 'client CPU µs/req', 'CPU × ref', 'server CPU %', 'machine %']),
    row(['-'.repeat(10), '-'.repeat(10), ...Array.from({ length: 7 }, () => '-'.repeat(9))]),
  ];
  for (const r of f.rounds) {
    for (const side of ['ours', 'reference'] as const) {
      const s = r[side];
      const mine = side === 'ours';
      lines.push(row([String(r.round), side, s.requestsPerSecond.toFixed(0), mine ? r.ratio.toFixed(3) : '1.000', String(s.failures), s.clientCpuUsPerRequest.toFixed(0), mine ? r.cpuRatio.toFixed(2) : '1.00', pct(s.serverCpuPercent), pct(s.machineBusyPercent)]));
    }
  }
  const m = f.median;
  lines.push(
    row(['median', 'ours', m.requestsPerSecond.ours.toFixed(0), m.ratio.toFixed(3), '', m.clientCpuUsPerRequest.ours.toFixed(0), m.cpuRatio.toFixed(2), pct(m.serverCpuPercent.ours), '']),
    row(['median', 'reference', m.requestsPerSecond.reference.toFixed(0), '1.000', '', m.clientCpuUsPerRequest.reference.toFixed(0), '1.00', pct(m.serverCpuPercent.reference), '']),
    '',
    `ratio ours/reference req/s by round: ${f.rounds.map((r) => r.ratio.toFixed(3)).join(', ')}; median ${m.ratio.toFixed(3)}`,
    `client CPU per request ours/reference by round: ${f.rounds.map((r) => r.cpuRatio.toFixed(2)).join(', ')}; median ${m.cpuRatio.toFixed(2)}`,
  );
  return lines.join('\n');
}

mainOf(import.meta.url, (log) => run({ quick: process.argv.includes('--quick'), log }), format);

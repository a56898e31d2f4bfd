/**
 * `npm run bench [-- [loadgen] [stdio] [proxy] [memory] [--quick]]`: runs the named benches
 * (default: all four, in that order), prints each one's table, and writes every figure to
 * bench/results/latest.json. `--quick` shortens each bench for a smoke run (about 4 min in all
 * instead of about 50: the memory bench's 1, 5 and 30 min runs are most of it). Each bench prints
 * ratios against a reference measured in the same run, and the run ends with one table of every
 * target, its measured value and MET / NOT MET.
 * `--breakdown` makes loadgen also attribute its client CPU per request (about 2 min more).
 *
 * Before each bench, one second of the machine's CPU use is read: benches share this machine's
 * cores with whatever else runs, and a busy machine is named in the output, not hidden.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import * as loadgen from './loadgen.js';
import * as memory from './memory.js';
import * as proxy from './proxy.js';
import * as stdio from './stdio.js';
import { machineBusyPercent, machineCpu } from './lib/proc.js';

const BENCHES = ['loadgen', 'stdio', 'proxy', 'memory'] as const;
type BenchName = (typeof BENCHES)[number];

interface Flags {
  quick: boolean;
  /** loadgen: attribute ours' CPU per request (extra variants per round). */
  breakdown: boolean;
}

interface Bench {
  run(flags: Flags, log: (line: string) => void): Promise<unknown>;
  format(figures: unknown): string;
}

const bench: Record<BenchName, Bench> = {
  loadgen: { run: ({ quick, breakdown }, log) => loadgen.run({ quick, breakdown, log }), format: (f) => loadgen.format(f as loadgen.LoadgenFigures) },
  stdio: { run: ({ quick }, log) => stdio.run({ quick, log }), format: (f) => stdio.format(f as stdio.StdioFigures) },
  proxy: {
    run: ({ quick }, log) => proxy.run({ log, ...(quick ? { rounds: 1, requestsPerLatencyRound: 100, throughputSeconds: 2 } : {}) }),
    format: (f) => formatProxy(f as proxy.ProxyBenchResult),
  },
  memory: { run: ({ quick }, log) => memory.run({ quick, log }), format: (f) => memory.format(f as memory.MemoryFigures) },
};

/** bench/proxy.ts prints its own table only when run directly: the same table, as text. */
function formatProxy(r: proxy.ProxyBenchResult): string {
  const row = (name: string, a: string, b: string, c: string) => `| ${name.padEnd(16)} | ${a.padStart(10)} | ${b.padStart(10)} | ${c.padStart(12)} |`;
  const ms = (x: number) => x.toFixed(3);
  const signed = (x: number) => `${x >= 0 ? '+' : '−'}${ms(Math.abs(x))}`;
  return [
    `Chaos proxy overhead, no toxics (${r.rounds} rounds: ${r.requestsPerLatencyRound} interleaved sequential calls per side, then autocannon ABBA)`,
    '',
    row('', 'direct', 'proxied', 'difference'),
    row('-'.repeat(16), '-'.repeat(10), '-'.repeat(10), '-'.repeat(12)),
    row('latency p50 (ms)', ms(r.latencyMs.direct.p50), ms(r.latencyMs.proxied.p50), signed(r.addedLatencyMs.p50)),
    row('latency p99 (ms)', ms(r.latencyMs.direct.p99), ms(r.latencyMs.proxied.p99), signed(r.addedLatencyMs.p99)),
    row('req/s (10 conns)', r.requestsPerSecond.direct.toFixed(0), r.requestsPerSecond.proxied.toFixed(0), `×${r.throughputRatio.toFixed(3)}`),
    '',
    `throughput ratio by round: ${r.throughputRatioByRound.map((x) => x.toFixed(3)).join(', ')}; failed requests ${r.failures}`,
  ].join('\n');
}

function parseArgs(argv: string[]): { names: BenchName[] } & Flags {
  let quick = false;
  let breakdown = false;
  const names: BenchName[] = [];
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--breakdown') breakdown = true;
    else if ((BENCHES as readonly string[]).includes(arg)) names.push(arg as BenchName);
    else throw new Error(`unknown argument "${arg}"; usage: npm run bench -- [${BENCHES.join('] [')}] [--quick] [--breakdown]`);
  }
  // Always in the documented order, each once.
  return { names: names.length ? BENCHES.filter((b) => names.includes(b)) : [...BENCHES], quick, breakdown };
}

interface Target {
  bench: BenchName;
  name: string;
  comparison: '≤' | '≥';
  limit: number;
  measured: number;
  unit: string;
}

/** Proxy: keep it as good as it was measured (+0.04 ms p50, 0.95 × throughput): guard lines with room for this machine's noise. */
const PROXY_MAX_ADDED_P50_MS = 0.1;
const PROXY_MIN_THROUGHPUT = 0.9;
/** The event log of the longest memory run against the shortest's (the sampled log's size follows the run's intervals). */
const MAX_EVENT_LOG_RATIO = 1.2;

/** Every target of the benches that ran, each with its measured value: the one table `npm run bench` ends with. */
function targetsOf(results: Record<string, unknown>): Target[] {
  const out: Target[] = [];
  const figures = (name: BenchName) => (results[name] as { figures?: unknown } | undefined)?.figures;
  const lg = figures('loadgen') as loadgen.LoadgenFigures | undefined;
  for (const t of lg?.targets ?? []) out.push({ bench: 'loadgen', name: t.name, comparison: t.comparison, limit: t.limit, measured: t.measured, unit: '×' });
  const st = figures('stdio') as stdio.StdioFigures | undefined;
  if (st) {
    // The same treatment as Streamable HTTP, against a minimal line-delimited driver.
    out.push({ bench: 'stdio', name: 'client CPU per request, ours / minimal stdio driver', comparison: '≤', limit: loadgen.TARGET_CPU_RATIO, measured: st.median.cpuRatio, unit: '×' });
    out.push({ bench: 'stdio', name: 'requests/s, ours / minimal stdio driver', comparison: '≥', limit: loadgen.TARGET_RATIO, measured: st.median.ratio, unit: '×' });
  }
  const px = figures('proxy') as proxy.ProxyBenchResult | undefined;
  if (px) {
    out.push({ bench: 'proxy', name: 'latency p50 added by the chaos proxy', comparison: '≤', limit: PROXY_MAX_ADDED_P50_MS, measured: px.addedLatencyMs.p50, unit: 'ms' });
    out.push({ bench: 'proxy', name: 'throughput, proxied / direct', comparison: '≥', limit: PROXY_MIN_THROUGHPUT, measured: px.throughputRatio, unit: '×' });
  }
  const mem = figures('memory') as memory.MemoryFigures | undefined;
  if (mem) {
    const [first, last] = [mem.runs[0]!, mem.runs.at(-1)!];
    out.push({ bench: 'memory', name: `tester live heap after a forced full GC, ${last.durationSeconds} s run / ${first.durationSeconds} s run`, comparison: '≤', limit: memory.MAX_LIVE_HEAP_RATIO, measured: mem.liveHeapRatio, unit: '×' });
    out.push({ bench: 'memory', name: `event log size, ${last.durationSeconds} s run / ${first.durationSeconds} s run (requests ×${mem.requestRatio.toFixed(1)})`, comparison: '≤', limit: MAX_EVENT_LOG_RATIO, measured: mem.eventLogRatio, unit: '×' });
  }
  return out;
}

function formatTargets(targets: readonly Target[]): string {
  const met = (t: Target) => (t.comparison === '≤' ? t.measured <= t.limit : t.measured >= t.limit);
  const rows = targets.map((t) => `| ${t.bench.padEnd(7)} | ${t.name.padEnd(66)} | ${`${t.comparison} ${t.limit}${t.unit === 'ms' ? ' ms' : ''}`.padStart(8)} | ${`${t.measured.toFixed(3)}${t.unit === 'ms' ? ' ms' : '×'}`.padStart(10)} | ${met(t) ? 'MET' : 'NOT MET'} |`);
  return ['Targets (every ratio against its reference, measured in this run)', '', `| bench   | ${'target'.padEnd(66)} | limit    | measured   | verdict |`, `| ------- | ${'-'.repeat(66)} | -------- | ---------- | ------- |`, ...rows].join('\n');
}

async function backgroundBusyPercent(): Promise<number | null> {
  const before = machineCpu();
  await delay(1000);
  return machineBusyPercent(before, machineCpu());
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const startedAt = new Date().toISOString();
  const results: Record<string, unknown> = {};
  let failed = false;
  for (const name of args.names) {
    const busy = await backgroundBusyPercent();
    const busyNote = busy === null ? '' : `; machine ${busy.toFixed(0)} % busy before it started (${cpus().length} cores)`;
    console.log(`\n=== ${name}${args.quick ? ' (quick)' : ''}${busyNote}`);
    if (busy !== null && busy > 15) console.log(`warning: something else is using this machine's CPU: figures will be noisier than usual`);
    const t0 = performance.now();
    try {
      const figures = await bench[name].run(args, (line) => console.log(line));
      console.log(`\n${bench[name].format(figures)}`);
      results[name] = { seconds: Math.round((performance.now() - t0) / 1000), backgroundBusyPercent: busy, figures };
    } catch (err) {
      failed = true;
      console.error(`${name} failed: ${(err as Error).stack ?? String(err)}`);
      results[name] = { seconds: Math.round((performance.now() - t0) / 1000), backgroundBusyPercent: busy, error: String(err) };
    }
  }
  const targets = targetsOf(results);
  if (targets.length) console.log(`\n${formatTargets(targets)}`);
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json');
  mkdirSync(dirname(out), { recursive: true });
  const machine = { node: process.version, platform: process.platform, cores: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', loadAverageAtEnd: loadavg() };
  writeFileSync(out, `${JSON.stringify({ startedAt, endedAt: new Date().toISOString(), quick: args.quick, benches: args.names, machine, targets, results }, null, 2)}\n`);
  console.log(`\nfigures: ${relative(process.cwd(), out)}`);
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
    // A bench that left a socket or timer behind must not keep the process alive.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);

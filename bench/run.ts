/**
 * `npm run bench [-- [loadgen] [proxy] [memory] [--quick]]`: runs the named benches (default:
 * all three, in that order), prints each one's table, and writes every figure to
 * bench/results/latest.json. `--quick` shortens each bench for a smoke run (about 2 min in all
 * instead of about 10). Each bench prints ratios against a reference measured in the same run.
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
import { machineBusyPercent, machineCpu } from './lib/proc.js';

const BENCHES = ['loadgen', 'proxy', 'memory'] as const;
type BenchName = (typeof BENCHES)[number];

interface Bench {
  run(quick: boolean, log: (line: string) => void): Promise<unknown>;
  format(figures: unknown): string;
}

const bench: Record<BenchName, Bench> = {
  loadgen: { run: (quick, log) => loadgen.run({ quick, log }), format: (f) => loadgen.format(f as loadgen.LoadgenFigures) },
  proxy: {
    run: (quick, log) => proxy.run({ log, ...(quick ? { rounds: 1, requestsPerLatencyRound: 100, throughputSeconds: 2 } : {}) }),
    format: (f) => formatProxy(f as proxy.ProxyBenchResult),
  },
  memory: { run: (quick, log) => memory.run({ quick, log }), format: (f) => memory.format(f as memory.MemoryFigures) },
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

function parseArgs(argv: string[]): { names: BenchName[]; quick: boolean } {
  let quick = false;
  const names: BenchName[] = [];
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if ((BENCHES as readonly string[]).includes(arg)) names.push(arg as BenchName);
    else throw new Error(`unknown argument "${arg}"; usage: npm run bench -- [${BENCHES.join('] [')}] [--quick]`);
  }
  // Always in the documented order, each once.
  return { names: names.length ? BENCHES.filter((b) => names.includes(b)) : [...BENCHES], quick };
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
      const figures = await bench[name].run(args.quick, (line) => console.log(line));
      console.log(`\n${bench[name].format(figures)}`);
      results[name] = { seconds: Math.round((performance.now() - t0) / 1000), backgroundBusyPercent: busy, figures };
    } catch (err) {
      failed = true;
      console.error(`${name} failed: ${(err as Error).stack ?? String(err)}`);
      results[name] = { seconds: Math.round((performance.now() - t0) / 1000), backgroundBusyPercent: busy, error: String(err) };
    }
  }
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json');
  mkdirSync(dirname(out), { recursive: true });
  const machine = { node: process.version, platform: process.platform, cores: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', loadAverageAtEnd: loadavg() };
  writeFileSync(out, `${JSON.stringify({ startedAt, endedAt: new Date().toISOString(), quick: args.quick, benches: args.names, machine, results }, null, 2)}\n`);
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

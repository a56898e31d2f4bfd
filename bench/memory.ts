/**
 * The tester's own memory must not grow with the run's length or request count (latency lives in
 * constant-memory histograms, event logs are streamed, samples are capped).
 *
 * Runs the high-load scenario's pattern — a `load` step (role probe → echo, concurrency 10) paced
 * at a fixed rate, so that request count is proportional to run length — through the real CLI as
 * a child process, against server-everything over Streamable HTTP, once short and once long
 * (1 and 5 minutes; --quick: 15 and 45 s). The CLI process's RSS (VmRSS) is sampled every second
 * and its peak (VmHWM) read until it exits; the server runs in its own process group and is not
 * what is measured here. Reports requests made (result.json totals), each peak, long/short, and
 * RSS growth per minute over the steady part (a least-squares line from a quarter into the run
 * to the end of the load). Passes when the long run's peak is within 10 % of the short run's.
 *
 *   node --import tsx bench/memory.ts [--quick]        (about 6.5 min; --quick about 1.2 min)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatIssues, loadScenarioFile } from '../src/scenario/index.js';
import type { ScenarioFile } from '../src/scenario/types.js';
import { PACKAGE_ROOT } from '../src/target/index.js';
import { median, processMemory, slope } from './lib/proc.js';

export const MAX_PEAK_DIFFERENCE = 0.1;

export interface MemoryOptions {
  quick?: boolean;
  /** Short and long run lengths, seconds. Default 60 and 300 (quick: 15 and 45). */
  shortSeconds?: number;
  longSeconds?: number;
  /** The load step's pace, requests/s. Default 300. */
  rate?: number;
  concurrency?: number;
  log?: (line: string) => void;
}

export interface MemoryRun {
  durationSeconds: number;
  exitCode: number | null;
  verdict: string;
  /** result.json totals.requests (tools/call, plus the handshake's and the pinger's requests). */
  requests: number;
  toolCalls: number;
  failedRequests: number;
  /** Peak RSS (last VmHWM read before exit), bytes. */
  peakRssBytes: number;
  /** RSS at the end of the load, bytes. */
  finalRssBytes: number;
  /** Highest 1 s RSS sample in the steady part, bytes: growth shows here first (the VmHWM peak may be start-up). */
  steadyPeakRssBytes: number;
  /** Median RSS over the last quarter of the load, bytes: the level the run settled at, whatever the GC's timing. */
  lateRssBytes: number;
  /** Slope of RSS over the steady part (a quarter into the run → end of the load), MiB per minute. */
  growthMiBPerMinute: number;
  /**
   * The CLI's JS heap still live after each full GC (Mark-Compact) in the steady part, from V8's
   * --trace-gc: what a leak would grow. RSS peaks also depend on when V8 runs its first full GC.
   */
  liveHeapAfterFullGc: { count: number; maxMiB: number | null; lastMiB: number | null };
  /** Seconds since spawn, RSS in MiB: one sample a second. */
  samples: { t: number; rssMiB: number }[];
}

interface GcEvent {
  isolate: string;
  t: number;
  kind: string;
  afterMiB: number;
}

/** `[pid:0xisolate]   1234 ms: Mark-Compact 84.5 (117.6) -> 25.0 (92.1) MB, ...` (V8's MB are MiB). */
const GC_LINE = /^\[\d+:(0x[0-9a-f]+)\]\s+(\d+) ms: (Mark-Compact|Scavenge|Mark-Sweep|Minor Mark-Sweep)[^\d]*[\d.]+ \([\d.]+\) -> ([\d.]+) \(/;

function gcEvents(stdout: string): GcEvent[] {
  const events: GcEvent[] = [];
  for (const line of stdout.split('\n')) {
    const m = GC_LINE.exec(line);
    if (m) events.push({ isolate: m[1]!, t: Number(m[2]) / 1000, kind: m[3]!, afterMiB: Number(m[4]) });
  }
  // The main thread's isolate collects most often (the others: tsx's loader worker).
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.isolate, (counts.get(e.isolate) ?? 0) + 1);
  const main = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  return events.filter((e) => e.isolate === main);
}

export interface MemoryFigures {
  rate: number;
  concurrency: number;
  command: string;
  short: MemoryRun;
  long: MemoryRun;
  /** long / short peak RSS. */
  peakRatio: number;
  /** long / short highest steady-part RSS sample. */
  steadyPeakRatio: number;
  /** long / short median RSS over the last quarter of the load. */
  lateRssRatio: number;
  /** requests long / short: how much more work the long run did. */
  requestRatio: number;
  criterion: string;
  met: boolean;
}

const MiB = 1024 * 1024;

/** The inline scenario: the high-load pattern with its load step paced and lasting the whole run. */
export function memoryScenario(rate = 300, concurrency = 10): ScenarioFile {
  return {
    name: 'bench-memory',
    description: `The high-load-stress call pattern at a fixed pace: ${concurrency} workers, ${rate} requests/s of probe calls for the whole --duration.`,
    expect: { errorRate: 1, availability: 99, minRequests: 100 },
    steps: [
      { action: 'connect' },
      { action: 'initialize' },
      { action: 'list-tools' },
      { action: 'load', role: 'probe', concurrency, rate, fraction: 1, description: 'Sustained paced load for the whole run.' },
      { action: 'list-tools' },
    ],
  };
}

/** The CLI as a user runs it: the built one when present, else the TypeScript source through tsx. */
function cliCommand(): string[] {
  const built = join(PACKAGE_ROOT, 'lib', 'cli', 'main.js');
  if (existsSync(built)) return [built];
  return ['--import', 'tsx', join(PACKAGE_ROOT, 'src', 'cli', 'main.ts')];
}

interface ResultJson {
  verdict: string;
  totals: { requests: number; ok: number };
  latency: Record<string, { count?: number } | undefined>;
}

async function runOnce(scenarioPath: string, seconds: number, outDir: string, log: (line: string) => void): Promise<MemoryRun> {
  const args = [...cliCommand(), 'run', '--scenario', scenarioPath, '--target', 'everything-http', '--duration', `${seconds}s`, '--out', outDir, '--progress', 'none', '--no-summary'];
  // --trace-gc only prints (to stdout, which --no-summary leaves to it); it changes no GC decision.
  const child = spawn(process.execPath, ['--trace-gc', ...args], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4_000)));
  // If this bench dies, the CLI is asked to stop (it then stops its server, as on Ctrl-C).
  const stopOnExit = () => child.kill('SIGTERM');
  process.once('exit', stopOnExit);
  const spawned = performance.now();
  const samples: { t: number; rssMiB: number }[] = [];
  let peak = 0;
  let lastSampleAt = -Infinity;
  // Poll often (VmHWM just before exit), keep one RSS sample a second.
  const timer = setInterval(() => {
    const m = processMemory(child.pid!);
    if (!m) return;
    peak = Math.max(peak, m.hwm);
    const t = (performance.now() - spawned) / 1000;
    if (t - lastSampleAt >= 1) {
      samples.push({ t: Math.round(t * 10) / 10, rssMiB: m.rss / MiB });
      lastSampleAt = t;
    }
  }, 100);
  const progress = setInterval(() => log(`  ${seconds} s run: ${Math.round((performance.now() - spawned) / 1000)} s, RSS ${samples.at(-1)?.rssMiB.toFixed(1) ?? '?'} MiB`), 30_000);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
  process.off('exit', stopOnExit);
  clearInterval(timer);
  clearInterval(progress);
  const resultPath = join(outDir, 'test-results', 'bench-memory', 'result.json');
  if (!existsSync(resultPath)) throw new Error(`the CLI wrote no ${resultPath} (exit ${exitCode}): ${stderr}`);
  const result = JSON.parse(readFileSync(resultPath, 'utf8')) as ResultJson;
  // Steady part: from a quarter into the run to the end of the load (the load starts ~1-2 s after spawn).
  const steadySamples = samples.filter((s) => s.t >= seconds / 4 && s.t <= seconds);
  const steady = steadySamples.map((s) => ({ x: s.t / 60, y: s.rssMiB }));
  const atEnd = samples.filter((s) => s.t <= seconds).at(-1);
  const fullGcs = gcEvents(stdout).filter((e) => e.kind === 'Mark-Compact' && e.t >= seconds / 4 && e.t <= seconds);
  return {
    durationSeconds: seconds,
    exitCode,
    verdict: result.verdict,
    requests: result.totals.requests,
    toolCalls: result.latency['tools/call']?.count ?? 0,
    failedRequests: result.totals.requests - result.totals.ok,
    peakRssBytes: peak,
    finalRssBytes: (atEnd?.rssMiB ?? Number.NaN) * MiB,
    steadyPeakRssBytes: Math.max(...steadySamples.map((s) => s.rssMiB)) * MiB,
    lateRssBytes: median(samples.filter((s) => s.t >= (seconds * 3) / 4 && s.t <= seconds).map((s) => s.rssMiB)) * MiB,
    growthMiBPerMinute: slope(steady),
    liveHeapAfterFullGc: {
      count: fullGcs.length,
      maxMiB: fullGcs.length ? Math.max(...fullGcs.map((e) => e.afterMiB)) : null,
      lastMiB: fullGcs.at(-1)?.afterMiB ?? null,
    },
    samples,
  };
}

export async function run(options: MemoryOptions = {}): Promise<MemoryFigures> {
  const quick = options.quick ?? false;
  const shortSeconds = options.shortSeconds ?? (quick ? 15 : 60);
  const longSeconds = options.longSeconds ?? (quick ? 45 : 300);
  const rate = options.rate ?? 300;
  const concurrency = options.concurrency ?? 10;
  const log = options.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'mcp-reliability-bench-memory-'));
  try {
    const scenarioPath = join(dir, 'bench-memory.json');
    writeFileSync(scenarioPath, `${JSON.stringify(memoryScenario(rate, concurrency), null, 2)}\n`);
    const { plan, issues } = await loadScenarioFile(scenarioPath);
    if (!plan) throw new Error(`the inline scenario is invalid:\n${formatIssues(issues)}`);
    const runs: MemoryRun[] = [];
    for (const [name, seconds] of [['short', shortSeconds], ['long', longSeconds]] as const) {
      log(`${name} run: ${seconds} s at ${rate} req/s, ${concurrency} workers`);
      const r = await runOnce(scenarioPath, seconds, join(dir, name), log);
      log(`${name} run: ${r.requests} requests, peak RSS ${(r.peakRssBytes / MiB).toFixed(1)} MiB, growth ${r.growthMiBPerMinute.toFixed(2)} MiB/min, exit ${r.exitCode} (${r.verdict})`);
      runs.push(r);
    }
    const [short, long] = runs as [MemoryRun, MemoryRun];
    const peakRatio = long.peakRssBytes / short.peakRssBytes;
    return {
      rate,
      concurrency,
      command: `node ${cliCommand().join(' ')} run --scenario <tmp>/bench-memory.json --target everything-http --duration <n>s --out <tmp> --progress none --no-summary`,
      short,
      long,
      peakRatio,
      steadyPeakRatio: long.steadyPeakRssBytes / short.steadyPeakRssBytes,
      lateRssRatio: long.lateRssBytes / short.lateRssBytes,
      requestRatio: long.requests / short.requests,
      criterion: `long-run peak RSS within ${MAX_PEAK_DIFFERENCE * 100} % of the short run's`,
      met: Math.abs(peakRatio - 1) <= MAX_PEAK_DIFFERENCE,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function format(f: MemoryFigures): string {
  const mib = (b: number) => (b / MiB).toFixed(1);
  const heap = (r: MemoryRun) => {
    const h = r.liveHeapAfterFullGc;
    return h.count ? `max ${h.maxMiB!.toFixed(1)} MiB, last ${h.lastMiB!.toFixed(1)} MiB (${h.count} full GCs)` : 'no full GC';
  };
  const row = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(6) : c.padStart(14))).join(' | ')} |`;
  const line = (name: string, r: MemoryRun) =>
    row([name, `${r.durationSeconds} s`, String(r.requests), String(r.failedRequests), mib(r.peakRssBytes), mib(r.steadyPeakRssBytes), mib(r.lateRssBytes), r.growthMiBPerMinute.toFixed(2), `${r.exitCode} ${r.verdict}`]);
  return [
    `Tester memory (CLI process RSS), ${f.concurrency} workers at ${f.rate} req/s, server-everything over Streamable HTTP`,
    '',
    row(['run', 'duration', 'requests', 'failed', 'peak RSS MiB', 'steady max', 'last ¼ median', 'steady MiB/min', 'exit, verdict']),
    row(['-'.repeat(6), ...Array.from({ length: 8 }, () => '-'.repeat(14))]),
    line('short', f.short),
    line('long', f.long),
    '',
    `long/short: requests ×${f.requestRatio.toFixed(2)}, peak RSS (VmHWM) ×${f.peakRatio.toFixed(3)}, highest steady-part sample ×${f.steadyPeakRatio.toFixed(3)}, last-quarter median ×${f.lateRssRatio.toFixed(3)}`,
    `JS heap live after full GCs in the steady part: short ${heap(f.short)}; long ${heap(f.long)}`,
    `(peak: the CLI's VmHWM up to its exit; steady: a quarter into the run → end of the load, 1 s samples; a V8 heap that has not had`,
    ` its first full GC yet shows as a high peak followed by a drop, not as a growing last-quarter level)`,
    `criterion (${f.criterion}): ${f.met ? 'MET' : 'NOT MET'}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run({ quick: process.argv.includes('--quick'), log: (line) => console.log(line) })
    .then((f) => console.log(`\n${format(f)}`))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}

/**
 * The tester's own memory must not grow with the run's length or request count (latency lives in
 * constant-memory histograms, the time series reuses one, the event log is sampled and streamed,
 * every record list is capped).
 *
 * Runs the high-load scenario's pattern — a `load` step (role probe → echo, 10 workers) paced at a
 * fixed rate, so that the request count follows the run's length — through the real CLI as a child
 * process, against server-everything over Streamable HTTP, for 1, 5 and 30 minutes (--quick: 15,
 * 45 and 90 s), one after the other. Judged on the **live heap after a forced full GC** at the end
 * of each run (result.json `tester.liveHeapBytes`, taken by the runner before the result is
 * built, while everything the run holds is still referenced): what a leak grows, whatever V8's GC
 * timing. Peak RSS (VmHWM) is printed beside it: it moves with when V8 runs its first full GC, so
 * it is shown, not judged. Also the CLI's RSS slope over the steady part and the event log's size.
 * Passes when the longest run's live heap is within 1.10 × the shortest's.
 *
 *   node --import tsx bench/memory.ts [--quick]        (about 37 min; --quick about 2.7 min)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ScenarioResult } from '../src/report/result.js';
import { formatIssues, loadScenarioFile } from '../src/scenario/index.js';
import type { ScenarioFile } from '../src/scenario/types.js';
import { PACKAGE_ROOT } from '../src/target/index.js';
import { processMemory, slope } from './lib/proc.js';

/** Longest run's live heap over the shortest's, at most. */
export const MAX_LIVE_HEAP_RATIO = 1.1;

export interface MemoryOptions {
  quick?: boolean;
  /** Run lengths, seconds, shortest first. Default 60, 300, 1800 (quick: 15, 45, 90). */
  durations?: number[];
  /** The load step's pace, requests/s. Default 300. */
  rate?: number;
  concurrency?: number;
  log?: (line: string) => void;
}

export interface MemoryRun {
  durationSeconds: number;
  exitCode: number | null;
  verdict: string;
  requests: number;
  failedRequests: number;
  /** Heap live after the forced full GC at the run's end (result.json tester.liveHeapBytes). */
  liveHeapBytes: number;
  /** Heap in use at the end, before that GC. */
  heapUsedBytes: number;
  /** Peak RSS: the last VmHWM read before the CLI exited. */
  peakRssBytes: number;
  /** Slope of RSS over the steady part (a quarter into the run → end of the load), MiB per minute. */
  growthMiBPerMinute: number;
  eventLogBytes: number;
  timeSeriesPoints: number;
}

export interface MemoryFigures {
  rate: number;
  concurrency: number;
  command: string;
  runs: MemoryRun[];
  /** Longest / shortest live heap after a forced full GC. */
  liveHeapRatio: number;
  /** Longest / shortest peak RSS (shown, not judged). */
  peakRssRatio: number;
  /** Longest / shortest event log. */
  eventLogRatio: number;
  /** Longest / shortest requests: how much more work the long run did. */
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

/** The CLI as a user runs it after `npm start`: built from this source first (a stale lib/ would measure old code). */
function cliCommand(): string[] {
  return [join(PACKAGE_ROOT, 'lib', 'cli', 'main.js')];
}

function build(): void {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(PACKAGE_ROOT, 'tsconfig.build.json')], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
}

async function runOnce(scenarioPath: string, seconds: number, outDir: string, log: (line: string) => void): Promise<MemoryRun> {
  const args = [...cliCommand(), 'run', '--scenario', scenarioPath, '--target', 'everything-http', '--duration', `${seconds}s`, '--out', outDir, '--progress', 'none', '--no-summary', '--no-checks'];
  const child = spawn(process.execPath, args, { cwd: PACKAGE_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
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
      samples.push({ t, rssMiB: m.rss / MiB });
      lastSampleAt = t;
    }
  }, 100);
  const progress = setInterval(() => log(`  ${seconds} s run: ${Math.round((performance.now() - spawned) / 1000)} s, RSS ${samples.at(-1)?.rssMiB.toFixed(1) ?? '?'} MiB`), 60_000);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
  process.off('exit', stopOnExit);
  clearInterval(timer);
  clearInterval(progress);
  const resultPath = join(outDir, 'test-results', 'bench-memory', 'result.json');
  if (!existsSync(resultPath)) throw new Error(`the CLI wrote no ${resultPath} (exit ${exitCode}): ${stderr}`);
  const result = JSON.parse(readFileSync(resultPath, 'utf8')) as ScenarioResult;
  if (result.tester?.liveHeapBytes === undefined) throw new Error(`${resultPath} has no tester.liveHeapBytes: the runner could not force a GC`);
  const steady = samples.filter((s) => s.t >= seconds / 4 && s.t <= seconds).map((s) => ({ x: s.t / 60, y: s.rssMiB }));
  return {
    durationSeconds: seconds,
    exitCode,
    verdict: result.verdict,
    requests: result.totals.requests,
    failedRequests: result.totals.requests - result.totals.ok,
    liveHeapBytes: result.tester.liveHeapBytes,
    heapUsedBytes: result.tester.heapUsedBytes,
    peakRssBytes: peak,
    growthMiBPerMinute: slope(steady),
    eventLogBytes: result.tester.eventLogBytes,
    timeSeriesPoints: result.timeSeries?.points.length ?? 0,
  };
}

export async function run(options: MemoryOptions = {}): Promise<MemoryFigures> {
  const quick = options.quick ?? false;
  const durations = options.durations ?? (quick ? [15, 45, 90] : [60, 300, 1800]);
  const rate = options.rate ?? 300;
  const concurrency = options.concurrency ?? 10;
  const log = options.log ?? (() => undefined);
  log('building the CLI (tsc -p tsconfig.build.json)');
  build();
  const dir = mkdtempSync(join(tmpdir(), 'mcp-reliability-bench-memory-'));
  try {
    const scenarioPath = join(dir, 'bench-memory.json');
    writeFileSync(scenarioPath, `${JSON.stringify(memoryScenario(rate, concurrency), null, 2)}\n`);
    const { plan, issues } = await loadScenarioFile(scenarioPath);
    if (!plan) throw new Error(`the inline scenario is invalid:\n${formatIssues(issues)}`);
    const runs: MemoryRun[] = [];
    for (const seconds of durations) {
      log(`${seconds} s run at ${rate} req/s, ${concurrency} workers`);
      const r = await runOnce(scenarioPath, seconds, join(dir, String(seconds)), log);
      log(`${seconds} s run: ${r.requests} requests, live heap ${(r.liveHeapBytes / MiB).toFixed(1)} MiB, peak RSS ${(r.peakRssBytes / MiB).toFixed(1)} MiB, exit ${r.exitCode} (${r.verdict})`);
      runs.push(r);
    }
    const first = runs[0]!;
    const last = runs.at(-1)!;
    const liveHeapRatio = last.liveHeapBytes / first.liveHeapBytes;
    return {
      rate,
      concurrency,
      command: `node ${cliCommand().join(' ')} run --scenario <tmp>/bench-memory.json --target everything-http --duration <n>s --out <tmp> --progress none --no-summary --no-checks`,
      runs,
      liveHeapRatio,
      peakRssRatio: last.peakRssBytes / first.peakRssBytes,
      eventLogRatio: last.eventLogBytes / first.eventLogBytes,
      requestRatio: last.requests / first.requests,
      criterion: `live heap after a forced full GC, ${last.durationSeconds} s run ≤ ${MAX_LIVE_HEAP_RATIO} × the ${first.durationSeconds} s run's`,
      met: liveHeapRatio <= MAX_LIVE_HEAP_RATIO,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function format(f: MemoryFigures): string {
  const mib = (b: number) => (b / MiB).toFixed(1);
  const row = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(8) : c.padStart(13))).join(' | ')} |`;
  const first = f.runs[0]!;
  const line = (r: MemoryRun) =>
    row([`${r.durationSeconds} s`, String(r.requests), String(r.failedRequests), mib(r.liveHeapBytes), `×${(r.liveHeapBytes / first.liveHeapBytes).toFixed(3)}`, mib(r.heapUsedBytes), mib(r.peakRssBytes), r.growthMiBPerMinute.toFixed(2), (r.eventLogBytes / 1024).toFixed(0), String(r.timeSeriesPoints), `${r.exitCode} ${r.verdict}`]);
  return [
    `Tester memory (the CLI process), ${f.concurrency} workers at ${f.rate} req/s, server-everything over Streamable HTTP`,
    '',
    row(['run', 'requests', 'failed', 'live heap MiB', 'vs shortest', 'heap used MiB', 'peak RSS MiB', 'RSS MiB/min', 'event log KiB', 'series points', 'exit, verdict']),
    row(['-'.repeat(8), ...Array.from({ length: 10 }, () => '-'.repeat(13))]),
    ...f.runs.map(line),
    '',
    `longest/shortest: requests ×${f.requestRatio.toFixed(2)}, live heap after forced full GC ×${f.liveHeapRatio.toFixed(3)}, peak RSS ×${f.peakRssRatio.toFixed(3)} (shown, not judged: it follows V8's GC timing), event log ×${f.eventLogRatio.toFixed(3)}`,
    `(live heap: heapUsed after a full GC the runner forces at the run's end, everything the run holds still referenced; RSS MiB/min: the slope a quarter into the run → its end)`,
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

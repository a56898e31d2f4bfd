/**
 * What the client-side benchmarks share: the shipped high-load step, one side's figures measured
 * on this process's CPU and its server's, and the entry point of a benchmark file run on its own.
 */
import { pathToFileURL } from 'node:url';
import { loadPlan } from '../../src/scenario/index.js';
import type { Step } from '../../src/scenario/types.js';
import { SCENARIOS_DIR } from '../../src/target/index.js';
import { machineBusyPercent, machineCpu, processCpuMs } from './proc.js';

export interface SideFigures {
  requests: number;
  failures: number;
  seconds: number;
  requestsPerSecond: number;
  /** CPU of the client (this process, or a child's when it reports its own) per request, µs. */
  clientCpuUsPerRequest: number;
  /** CPU of the side's server process during the run, % of one core. */
  serverCpuPercent: number | null;
  /** All cores of the machine, % busy during the run. */
  machineBusyPercent: number | null;
}

/** The high-load-stress scenario's load step, from the shipped file. */
export async function highLoadStep(): Promise<Step> {
  const plan = await loadPlan('high-load-stress', { scenariosDir: SCENARIOS_DIR });
  const step = plan.scenario.steps.find((s) => s.action === 'load');
  if (!step) throw new Error('high-load-stress has no load step');
  return step;
}

/**
 * Measures one run of `fn` on this process's CPU (or `clientCpuMs` when `fn` reports it, e.g. a
 * child's) and the server's (`serverPid`, read before and after); `fn` returns its request counts.
 */
export async function measured(
  serverPid: () => number | undefined,
  fn: () => Promise<{ requests: number; failures: number; seconds: number; clientCpuMs?: number }>,
): Promise<SideFigures> {
  const pid = serverPid();
  const cpu0 = process.cpuUsage();
  const server0 = pid === undefined ? null : processCpuMs(pid);
  const machine0 = machineCpu();
  const t0 = performance.now();
  const r = await fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const server1 = pid === undefined ? null : processCpuMs(pid);
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

/** Runs a benchmark when its file is the one node was started with: figures logged as it goes, then the table. */
export function mainOf<F>(moduleUrl: string, run: (log: (line: string) => void) => Promise<F>, format: (f: F) => string): void {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? '').href) return;
  run((line) => console.log(line))
    .then((f) => console.log(`\n${format(f)}`))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}

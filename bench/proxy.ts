/**
 * What the chaos proxy costs when no toxic is active, against the real reference MCP server over
 * Streamable HTTP: added latency (p50, p99; sequential `tools/call` echo requests, direct and
 * proxied interleaved request by request) and throughput ratio (autocannon, 10 connections,
 * direct and proxied runs alternating in ABBA order). Both in one run, so that drift of this shared machine
 * (CPU frequency, other processes) hits both sides alike. The proxy runs in this process, as it
 * does in a real run (beside the simulated client), so it shares the event loop with the load
 * generator: the figures include that cost.
 *
 *   node --import tsx bench/proxy.ts        (about a minute)
 */
import { pathToFileURL } from 'node:url';
import { ChaosProxy } from '../src/chaos/proxy/index.js';
import { createRng } from '../src/chaos/rng.js';
import { openSession, startEverything } from './lib/everything.js';
import { interleavedLatencies, percentile, throughput } from './lib/load.js';

export interface ProxyBenchResult {
  rounds: number;
  requestsPerLatencyRound: number;
  latencyMs: { direct: { p50: number; p99: number }; proxied: { p50: number; p99: number } };
  addedLatencyMs: { p50: number; p99: number };
  requestsPerSecond: { direct: number; proxied: number };
  throughputRatio: number;
  /** proxied/direct per round: shows how much of the ratio is noise of this machine. */
  throughputRatioByRound: number[];
  failures: number;
}

export interface ProxyBenchOptions {
  rounds?: number;
  requestsPerLatencyRound?: number;
  throughputSeconds?: number;
  connections?: number;
  log?: (line: string) => void;
}

const ECHO_CALL = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'bench' } } });

export async function run(options: ProxyBenchOptions = {}): Promise<ProxyBenchResult> {
  const { rounds = 4, requestsPerLatencyRound = 500, throughputSeconds = 5, connections = 10, log = () => undefined } = options;
  const server = await startEverything();
  const proxy = await ChaosProxy.start({ upstream: { host: '127.0.0.1', port: server.port }, rng: createRng(1) });
  try {
    const headers = await openSession(server.url);
    const urls = { direct: server.url, proxied: proxy.url(server.url) };
    const samples = { direct: [] as number[], proxied: [] as number[] };
    const rps = { direct: [] as number[], proxied: [] as number[] };
    let failures = 0;
    // Warm-up: JIT, connection pools, the server's first-call paths.
    await interleavedLatencies([urls.direct, urls.proxied], headers, ECHO_CALL, 50);
    for (let round = 1; round <= rounds; round++) {
      const [direct, proxied] = await interleavedLatencies([urls.direct, urls.proxied], headers, ECHO_CALL, requestsPerLatencyRound);
      samples.direct.push(...direct!);
      samples.proxied.push(...proxied!);
      // ABBA order (BAAB in even rounds): the first run after the latency phase measures lower,
      // and a linear drift cancels too, so each side gets the first and the last slot equally.
      const first = round % 2 === 1 ? 'direct' : 'proxied';
      const second = first === 'direct' ? 'proxied' : 'direct';
      const sums = { direct: 0, proxied: 0 };
      for (const mode of [first, second, second, first] as const) {
        const t = await throughput(urls[mode], headers, ECHO_CALL, connections, throughputSeconds / 2);
        sums[mode] += t.requestsPerSecond / 2;
        failures += t.failures;
      }
      rps.direct.push(sums.direct);
      rps.proxied.push(sums.proxied);
      const line = [`direct ${sums.direct.toFixed(0)} req/s`, `proxied ${sums.proxied.toFixed(0)} req/s`];
      log(`round ${round}: p50 direct ${percentile(direct!, 0.5).toFixed(3)} ms, proxied ${percentile(proxied!, 0.5).toFixed(3)} ms; ${line.join(', ')}`);
    }
    const lat = (mode: 'direct' | 'proxied') => ({ p50: percentile(samples[mode], 0.5), p99: percentile(samples[mode], 0.99) });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const latencyMs = { direct: lat('direct'), proxied: lat('proxied') };
    const requestsPerSecond = { direct: mean(rps.direct), proxied: mean(rps.proxied) };
    return {
      rounds,
      requestsPerLatencyRound,
      latencyMs,
      addedLatencyMs: { p50: latencyMs.proxied.p50 - latencyMs.direct.p50, p99: latencyMs.proxied.p99 - latencyMs.direct.p99 },
      requestsPerSecond,
      throughputRatio: requestsPerSecond.proxied / requestsPerSecond.direct,
      throughputRatioByRound: rps.proxied.map((p, i) => p / rps.direct[i]!),
      failures,
    };
  } finally {
    await proxy.close();
    await server.stop();
  }
}

function print(r: ProxyBenchResult): void {
  const row = (name: string, a: string, b: string, c: string) => `| ${name.padEnd(16)} | ${a.padStart(10)} | ${b.padStart(10)} | ${c.padStart(12)} |`;
  const ms = (x: number) => x.toFixed(3);
  const signed = (x: number) => `${x >= 0 ? '+' : '−'}${ms(Math.abs(x))}`;
  console.log(`\nChaos proxy overhead, no toxics (${r.rounds} rounds: ${r.requestsPerLatencyRound} interleaved sequential calls per side, then autocannon ABBA)\n`);
  console.log(row('', 'direct', 'proxied', 'difference'));
  console.log(row('-'.repeat(16), '-'.repeat(10), '-'.repeat(10), '-'.repeat(12)));
  console.log(row('latency p50 (ms)', ms(r.latencyMs.direct.p50), ms(r.latencyMs.proxied.p50), signed(r.addedLatencyMs.p50)));
  console.log(row('latency p99 (ms)', ms(r.latencyMs.direct.p99), ms(r.latencyMs.proxied.p99), signed(r.addedLatencyMs.p99)));
  console.log(row('req/s (10 conns)', r.requestsPerSecond.direct.toFixed(0), r.requestsPerSecond.proxied.toFixed(0), `×${r.throughputRatio.toFixed(3)}`));
  console.log(`\nthroughput ratio by round: ${r.throughputRatioByRound.map((x) => x.toFixed(3)).join(', ')}`);
  console.log(`added latency: p50 ${ms(r.addedLatencyMs.p50)} ms, p99 ${ms(r.addedLatencyMs.p99)} ms; throughput ratio ${r.throughputRatio.toFixed(3)}; failed requests ${r.failures}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run({ log: (line) => console.log(line) })
    .then(print)
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}

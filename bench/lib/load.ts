/**
 * Load helpers for benches: sequential keep-alive requests for latency, autocannon for throughput,
 * and percentiles. autocannon ships no types; the slice used here is typed locally.
 */
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as (options: AutocannonOptions) => Promise<AutocannonResult>;

export interface Throughput {
  requestsPerSecond: number;
  total: number;
  failures: number;
}

export async function throughput(url: string, headers: Record<string, string>, body: string, connections: number, seconds: number): Promise<Throughput> {
  const r = await autocannon({ url, connections, duration: seconds, method: 'POST', headers, body });
  return { requestsPerSecond: r.requests.average, total: r.requests.total, failures: r.errors + r.timeouts + r.non2xx };
}

/**
 * `count` POSTs to each URL, one request at a time, alternating between the URLs request by
 * request (each on its own keep-alive connection), so that machine drift hits every URL alike.
 * Returns each URL's request times in ms.
 */
export async function interleavedLatencies(urls: readonly string[], headers: Record<string, string>, body: string, count: number): Promise<number[][]> {
  const agents = urls.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
  const times = urls.map(() => [] as number[]);
  try {
    for (let i = 0; i < count; i++) {
      for (let u = 0; u < urls.length; u++) {
        // Rotate which URL goes first, so neither always follows the other.
        const k = (u + i) % urls.length;
        const started = performance.now();
        const status = await post(agents[k]!, urls[k]!, headers, body);
        if (status !== 200) throw new Error(`HTTP ${status} from ${urls[k]}`);
        times[k]!.push(performance.now() - started);
      }
    }
  } finally {
    for (const agent of agents) agent.destroy();
  }
  return times;
}

function post(agent: Agent, url: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Nearest-rank percentile (q in 0..1) of unsorted samples. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * autocannon in a child process, so that its CPU time is not mixed with the bench process's (where
 * our own generator runs). The child loads the installed autocannon library, runs it once, and
 * prints one JSON line: the counts, autocannon's own timing, and the child's CPU time during the run.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AUTOCANNON = require.resolve('autocannon');

export interface ChildThroughputOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  pipelining?: number;
  seconds: number;
}

export interface ChildThroughput {
  /** Responses received (any status). */
  total: number;
  /** total / the run's measured duration. */
  requestsPerSecond: number;
  durationMs: number;
  /** errors + timeouts + non-2xx responses. */
  failures: number;
  latencyMs: { p50: number; p99: number };
  /** CPU (user + system) the autocannon child spent during the run, ms. */
  cpuMs: number;
}

// CommonJS, run with `node -e`: argv = [node, autocannonPath, optionsJson].
const CHILD = `
const autocannon = require(process.argv[1]);
const opts = JSON.parse(process.argv[2]);
const c0 = process.cpuUsage();
autocannon(opts).then((r) => {
  const c = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({
    total: r.requests.total, durationS: r.duration, errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx,
    p50: r.latency.p50, p99: r.latency.p99, cpuMs: (c.user + c.system) / 1000,
  }) + '\\n');
}, (err) => { console.error(err); process.exit(1); });
`;

interface ChildLine {
  total: number;
  durationS: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  p50: number;
  p99: number;
  cpuMs: number;
}

export async function childThroughput(o: ChildThroughputOptions): Promise<ChildThroughput> {
  const opts = {
    url: o.url,
    connections: o.connections,
    pipelining: o.pipelining ?? 1,
    duration: o.seconds,
    method: 'POST',
    headers: o.headers,
    body: o.body,
  };
  const child = spawn(process.execPath, ['-e', CHILD, AUTOCANNON, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4_000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`autocannon child exited with ${code}: ${err}`);
  const r = JSON.parse(out.trim().split('\n').pop()!) as ChildLine;
  return {
    total: r.total,
    requestsPerSecond: r.total / r.durationS,
    durationMs: r.durationS * 1000,
    failures: r.errors + r.timeouts + r.non2xx,
    latencyMs: { p50: r.p50, p99: r.p99 },
    cpuMs: r.cpuMs,
  };
}

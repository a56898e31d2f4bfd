/**
 * Is an MCP server really there? Not an open port: a full `initialize` handshake and a
 * `tools/list` answer, within a deadline. The stack waits on it before a run, the compose
 * healthcheck runs it (`mcp-reliability probe <url>`) inside the server's container, and
 * `probe <command|profile>` starts a server, probes it and stops it again (probeTarget).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '../session/connection.js';
import { describeNetworkError } from '../session/transports/network.js';
import { startTarget, type RunningTarget } from '../target/launch.js';
import type { Endpoint, TargetProfile } from '../target/types.js';

export type ProbeResult =
  | { ok: true; serverName: string; serverVersion: string; protocolVersion: string; tools: string[]; handshakeMs: number }
  | { ok: false; error: string; /** Where it failed: no session (initialize), or no tool list. */ stage?: 'initialize' | 'tools/list'; timedOut?: boolean };

export async function probeMcp(endpoint: Endpoint, timeoutMs: number, clientVersion = '0', signal?: AbortSignal): Promise<ProbeResult> {
  const abort = new AbortController();
  const deadline = setTimeout(() => abort.abort(), timeoutMs);
  const onAbort = () => abort.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  let connection: Connection | undefined;
  const noop = () => undefined;
  try {
    connection = await Connection.open({
      endpoint,
      clientName: 'mcp-reliability-probe',
      clientVersion,
      handshakeTimeoutMs: timeoutMs,
      abort: abort.signal,
      signals: { violation: noop, down: noop, sessionLost: noop, error: noop, serverRequest: noop },
    });
    const remaining = Math.max(1, timeoutMs - connection.handshakeMs);
    const listed = await connection.client.listTools(undefined, { timeout: remaining, signal: abort.signal });
    const info = connection.serverInfo;
    return { ok: true, serverName: info.name, serverVersion: info.version, protocolVersion: connection.protocolVersion, tools: listed.tools.map((t) => t.name), handshakeMs: Math.round(connection.handshakeMs) };
  } catch (err) {
    // A network error's cause (ECONNREFUSED, a TLS problem) says more than "fetch failed".
    const why = (err as { cause?: unknown }).cause ? describeNetworkError(err) : (err as Error).message;
    const stage = connection ? ('tools/list' as const) : ('initialize' as const);
    if (signal?.aborted) return { ok: false, error: `interrupted (${why})`, stage };
    return abort.signal.aborted ? { ok: false, error: `no MCP answer within ${timeoutMs} ms (${why})`, stage, timedOut: true } : { ok: false, error: why, stage };
  } finally {
    clearTimeout(deadline);
    signal?.removeEventListener('abort', onAbort);
    await connection?.close('graceful').catch(() => undefined);
  }
}

/** Probe until it answers or `timeoutMs` is over; the last failure says why. */
export async function waitForMcp(endpoint: Endpoint, timeoutMs: number, opts: { intervalMs?: number; attemptMs?: number; signal?: AbortSignal } = {}): Promise<ProbeResult> {
  const until = Date.now() + timeoutMs;
  let last: ProbeResult = { ok: false, error: 'not probed yet' };
  while (Date.now() < until && !opts.signal?.aborted) {
    last = await probeMcp(endpoint, Math.min(opts.attemptMs ?? 5_000, Math.max(500, until - Date.now())));
    if (last.ok) return last;
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 1_000));
  }
  return last.ok ? last : { ok: false, error: `no MCP answer within ${Math.round(timeoutMs / 1000)} s: ${last.error}` };
}

export type TargetProbeResult = ProbeResult & {
  /** What was probed: the URL, or for a server this tool started, its command or profile name. */
  where: string;
  /** A server this tool started and that did not answer: its log folder (kept) and the last lines of its stderr. */
  logDir?: string;
  stderrTail?: string[];
};

/** The last few non-empty lines of a log file (none when it is missing). */
function tail(path: string, lines = 8): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(-lines).map((l) => (l.length > 300 ? `${l.slice(0, 300)}...` : l));
  } catch {
    return [];
  }
}

/**
 * Why a server this tool started is gone, when initialize failed because it went away on its own:
 * its exit code or signal (waits up to `waitMs` for the exit to be seen). SIGKILL is what the
 * connection's own teardown sends, so it says nothing about the server.
 */
async function exitReason(running: RunningTarget, waitMs: number): Promise<string | undefined> {
  const proc = running.currentProcess();
  if (!proc) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const exit = await Promise.race([proc.exited, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs)))]);
  clearTimeout(timer);
  if (!exit || exit.signal === 'SIGKILL') return undefined;
  return exit.signal ? `the server was killed by ${exit.signal}` : `the server exited with code ${exit.code}`;
}

/**
 * Probe any target: one reached by URL as it runs; one this tool starts (a stdio command, a
 * profile with "launch") is started with its logs in a temporary folder, probed, and stopped —
 * always, also when it fails or `signal` aborts. On failure the folder is kept and named, with the
 * last lines of the server's stderr and, if it exited, how.
 */
export async function probeTarget(profile: TargetProfile, timeoutMs: number, opts: { clientVersion?: string; signal?: AbortSignal; where?: string } = {}): Promise<TargetProbeResult> {
  const where = opts.where ?? profile.url ?? profile.name;
  if (!profile.launch) {
    if (!profile.url) return { ok: false, error: `target ${profile.name} has neither "url" nor "launch"`, where };
    const endpoint: Endpoint = { transport: profile.transport, url: profile.url, label: profile.name, ...(profile.headers ? { headers: profile.headers } : {}) };
    return { ...(await probeMcp(endpoint, timeoutMs, opts.clientVersion, opts.signal)), where };
  }
  const dir = mkdtempSync(join(tmpdir(), 'mcp-reliability-probe-'));
  const logDir = join(dir, 'logs');
  let running: RunningTarget | undefined;
  let result: ProbeResult;
  try {
    running = await startTarget(profile, { logDir, workDir: join(dir, 'work') });
    result = await probeMcp(running.endpoint, timeoutMs, opts.clientVersion, opts.signal);
    if (!result.ok && result.stage === 'initialize' && !result.timedOut && !opts.signal?.aborted) {
      const exited = await exitReason(running, 2000);
      if (exited) result = { ...result, error: `${result.error} (${exited})` };
    }
  } catch (err) {
    result = { ok: false, error: (err as Error).message };
  } finally {
    await running?.stop();
  }
  if (result.ok) {
    rmSync(dir, { recursive: true, force: true });
    return { ...result, where };
  }
  return { ...result, where, logDir, stderrTail: tail(join(logDir, 'server.stderr.log')) };
}

/**
 * Start (or locate) the server under test and hand the session an Endpoint. Local processes get
 * their stderr captured, their memory sampled, and are stopped — with their children — at the end.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForListening } from '../net/ready.js';
import { spawnServer } from './process.js';
import { serverPath } from './paths.js';
import { createStdoutValve } from '../chaos/process/valve.js';
import type { Endpoint, LaunchSpec, ServerProcess, StdoutValve, TargetProfile } from './types.js';

export interface StartOptions {
  /** Folder for this run's server logs (`server.stderr.log`). */
  logDir: string;
  /** Scratch folder available to profiles as `{{workdir}}`. */
  workDir: string;
}

export interface RunningTarget {
  profile: TargetProfile;
  endpoint: Endpoint;
  /** The server process now running, if this tool started one (stdio: the current connection's). */
  currentProcess(): ServerProcess | undefined;
  /** Local network targets: stop and start the server again on the same port. */
  restart?(): Promise<void>;
  /**
   * stdio targets: the valve between every server process's stdout and the session (process
   * faults delay, hold or cut the stream with it). Open — plain pass-through — unless a fault set it.
   */
  stdoutValve?(): StdoutValve;
  /**
   * stdio targets: start one more server process that no session uses and no fault touches (the
   * active protocol checks' own connection). stop() stops it too if the caller did not.
   */
  spawnDetached?(): Promise<ServerProcess>;
  /** Stop everything this target started. Idempotent. */
  stop(): Promise<void>;
  stderrPath?: string;
}

/**
 * `{{port}}` (a free port), `{{workdir}}` (the run's scratch folder) and `{{resolve:<module>}}`: the
 * file a module specifier resolves to from this package (a server shipped inside a dependency,
 * wherever npm put it).
 */
function fill(text: string, vars: Record<string, string>): string {
  return text
    .replace(/\{\{(port|workdir)\}\}/g, (m, key: string) => vars[key] ?? m)
    .replace(/\{\{resolve:([^}]+)\}\}/g, (_m, spec: string) => {
      try {
        return fileURLToPath(import.meta.resolve(spec));
      } catch (err) {
        throw new Error(`{{resolve:${spec}}}: the module cannot be found from mcp-reliability (${(err as Error).message})`);
      }
    });
}

function concreteLaunch(spec: LaunchSpec, vars: Record<string, string>): LaunchSpec {
  const env: Record<string, string> = { PATH: serverPath() };
  for (const [k, v] of Object.entries(spec.env ?? {})) env[k] = fill(v, vars);
  return { ...spec, args: (spec.args ?? []).map((a) => fill(a, vars)), env };
}

export async function startTarget(profile: TargetProfile, opts: StartOptions): Promise<RunningTarget> {
  mkdirSync(opts.logDir, { recursive: true });
  mkdirSync(opts.workDir, { recursive: true });
  const stderrPath = join(opts.logDir, 'server.stderr.log');
  const needsPort = JSON.stringify([profile.launch, profile.url]).includes('{{port}}');
  const vars: Record<string, string> = { workdir: opts.workDir, port: needsPort ? String(await freePort()) : '' };
  const label = profile.name;

  if (profile.transport === 'stdio') {
    if (!profile.launch) throw new Error(`target ${profile.name}: a stdio target needs "launch"`);
    const spec = concreteLaunch(profile.launch, vars);
    let current: ServerProcess | undefined;
    const all = new Set<ServerProcess>();
    const valve = createStdoutValve();
    return {
      profile,
      stderrPath,
      endpoint: {
        transport: 'stdio',
        label,
        openStdio: async () => {
          const proc = await spawnServer({ ...spec, stderrPath, label });
          all.add(proc);
          current = valve.attach(proc);
          return current;
        },
      },
      currentProcess: () => current,
      stdoutValve: () => valve,
      spawnDetached: async () => {
        const proc = await spawnServer({ ...spec, stderrPath, label });
        all.add(proc);
        return proc;
      },
      stop: async () => {
        valve.clear();
        await Promise.all([...all].map((p) => p.stop()));
      },
    };
  }

  if (!profile.url) throw new Error(`target ${profile.name}: a ${profile.transport} target needs "url"`);
  const url = fill(profile.url, vars);
  const endpoint: Endpoint = { transport: profile.transport, url, label, ...(profile.headers ? { headers: profile.headers } : {}) };
  if (!profile.launch) {
    return { profile, endpoint, currentProcess: () => undefined, stop: async () => undefined };
  }
  const spec = concreteLaunch(profile.launch, vars);
  const readyMs = spec.readyTimeoutMs ?? 30_000;
  let proc: ServerProcess | undefined;
  let restarting: Promise<void> | undefined;
  const launch = async () => {
    const p = await spawnServer({ ...spec, stderrPath, label, stdoutIsLog: true });
    proc = p;
    try {
      await waitForListening(url, readyMs, () => p.isRunning());
    } catch (err) {
      await p.stop();
      throw new Error(`target ${profile.name} did not start: ${(err as Error).message} (see ${stderrPath})`);
    }
  };
  await launch();
  return {
    profile,
    endpoint,
    stderrPath,
    currentProcess: () => proc,
    restart: async () => {
      const run = (async () => {
        await proc?.stop();
        await launch();
      })();
      restarting = run;
      try {
        await run;
      } finally {
        if (restarting === run) restarting = undefined;
      }
    },
    stop: async () => {
      // A restart in flight would spawn a server after we stopped the old one: let it finish first.
      await restarting?.catch(() => undefined);
      await proc?.stop();
    },
  };
}

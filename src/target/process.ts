/**
 * Local server processes: spawn in their own process group (so children die with them), capture
 * stderr to a log file, stop the whole group with SIGTERM then SIGKILL, and make sure nothing is
 * left behind when the tester exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CappedLog } from './capped-log.js';
import type { LaunchSpec, ServerProcess } from './types.js';

export interface SpawnOptions extends LaunchSpec {
  /** Append the server's stderr here (created with its folder; capped, see capped-log.ts). */
  stderrPath?: string;
  /** Also copy the server's stderr to this stream (e.g. this process's own stderr). */
  stderrTo?: NodeJS.WritableStream;
  /**
   * A network server's stdout is only its log: append it to the stderr log too. (Left unread, a
   * pipe fills and a server that logs every request blocks on its next write.)
   */
  stdoutIsLog?: boolean;
  label?: string;
}

const live = new Set<LocalProcess>();
let exitHookInstalled = false;

/** Kill every live process group synchronously: the last line of defence on process exit. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of live) p.killGroupNow('SIGKILL');
  });
}

class LocalProcess implements ServerProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private running = true;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly child: ChildProcess,
    private readonly stderrLog: CappedLog | undefined,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.running = false;
        live.delete(this);
        // Children of the server may still hold the group; reap them too.
        this.killGroupNow('SIGKILL');
        resolve({ code, signal });
      });
    });
    child.once('close', () => this.stderrLog?.end());
    live.add(this);
    installExitHook();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
  get stdin() {
    return this.child.stdin!;
  }
  get stdout() {
    return this.child.stdout!;
  }

  isRunning(): boolean {
    return this.running;
  }

  signal(sig: NodeJS.Signals): void {
    if (sig === 'SIGKILL' || sig === 'SIGSTOP' || sig === 'SIGCONT') this.killGroupNow(sig);
    else if (this.running) this.child.kill(sig);
  }

  /** Signal the whole process group; ignores groups that are already gone. */
  killGroupNow(sig: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig);
    } catch {
      // ESRCH: the group is gone.
    }
  }

  stop(graceMs = 3000): Promise<void> {
    this.stopping ??= (async () => {
      if (!this.running) return;
      this.killGroupNow('SIGCONT'); // a paused server cannot handle SIGTERM
      this.killGroupNow('SIGTERM');
      const timer = setTimeout(() => this.killGroupNow('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    })();
    return this.stopping;
  }
}

/** Spawn a server process. Resolves once the process has started (not when it is ready). */
export async function spawnServer(opts: SpawnOptions): Promise<ServerProcess> {
  // Capped: the first 8 MiB and the last 2 MiB of what the server writes (capped-log.ts).
  const stderrLog = opts.stderrPath ? new CappedLog(opts.stderrPath) : undefined;
  const child = spawn(opts.command, opts.args ?? [], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true, // own process group: we can signal the server and its children together
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderrLog?.write(chunk);
    opts.stderrTo?.write(chunk);
  });
  if (opts.stdoutIsLog) child.stdout!.on('data', (chunk: Buffer) => stderrLog?.write(chunk));
  // A server that dies must not crash the tester with EPIPE on a write to its stdin.
  child.stdin!.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (err) =>
      reject(new Error(`could not start ${opts.label ?? 'server'}: ${opts.command} ${(opts.args ?? []).join(' ')}: ${err.message}`)),
    );
  });
  return new LocalProcess(child, stderrLog);
}

/** Stop every process this module started (used on SIGINT/SIGTERM and at the end of a run). */
export async function stopAllServers(graceMs = 2000): Promise<void> {
  await Promise.all([...live].map((p) => p.stop(graceMs)));
}

/**
 * Resident set size (bytes) of a whole process group, summed from /proc: a server started through
 * a wrapper (npx, a shell) is measured with its children. Null where unavailable (not Linux, gone).
 */
export async function readGroupRss(pgid: number): Promise<number | null> {
  const { readFile, readdir } = await import('node:fs/promises');
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return null;
  }
  let total = 0;
  let found = false;
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      // Fields after the parenthesised command: state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      const status = await readFile(`/proc/${name}/status`, 'utf8');
      const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      if (m) {
        total += Number(m[1]) * 1024;
        found = true;
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return found ? total : null;
}

export { freePort, waitForHttp, waitForListening } from '../net/ready.js';

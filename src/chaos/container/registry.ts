/**
 * Every container fault that is active now, so a run stopped at any moment (SIGINT, SIGTERM, an
 * error) can lift them all: containers unpaused, reconnected to their networks, their memory
 * limit restored, netem removed, and a stopped or killed container started again. Unlike process
 * faults (where the run's end stops the server anyway), the container is not this run's: the
 * Compose stack is left whole for the next scenario. At process exit only synchronous work runs,
 * so the last resort is one blocking engine call per fault (unpause, start) over the Docker socket.
 */
import { spawnSync } from 'node:child_process';
import type { Fault } from '../fault.js';

export interface ActiveContainerFault {
  fault: Fault;
  /** Lift the fault for the end of the run, without waiting for the server to listen again. Never rejects. */
  teardown(): Promise<void>;
  /** An engine API path to POST synchronously at process exit if the fault is still active, e.g. `/containers/<id>/unpause`. */
  exitPath?: string;
}

const active = new Map<Fault, ActiveContainerFault>();
let exitHookInstalled = false;

export function registerContainerFault(entry: ActiveContainerFault): void {
  active.set(entry.fault, entry);
  installExitHook();
}

export function unregisterContainerFault(fault: Fault): void {
  active.delete(fault);
}

/** The container faults active now (started and not yet lifted), in start order. */
export function activeContainerFaults(): Fault[] {
  return [...active.keys()];
}

/** Lift every active container fault (see the file comment). Idempotent; never rejects. */
export async function stopAllContainerFaults(): Promise<void> {
  const entries = [...active.values()];
  await Promise.allSettled(entries.map((e) => e.teardown()));
  for (const e of entries) active.delete(e.fault);
}

/** The unix socket dockerode's default client uses, or undefined for a TCP DOCKER_HOST (no blocking call then). */
function socketPath(): string | undefined {
  const host = process.env.DOCKER_HOST;
  if (!host) return '/var/run/docker.sock';
  return host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
}

const POST_SCRIPT =
  "const r=require('http').request({socketPath:process.argv[1],path:process.argv[2],method:'POST'},(res)=>{res.resume();res.on('end',()=>process.exit(0))});r.on('error',()=>process.exit(1));r.end()";

/** One blocking POST to the engine (a child node process, at most 3 s): the only way left at process exit. */
function postNow(path: string): void {
  const socket = socketPath();
  if (!socket) return;
  spawnSync(process.execPath, ['-e', POST_SCRIPT, socket, path], { timeout: 3_000, stdio: 'ignore' });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const e of active.values()) {
      if (e.exitPath === undefined) continue;
      try {
        postNow(e.exitPath);
      } catch {
        // nothing more can be done at exit
      }
    }
  });
}

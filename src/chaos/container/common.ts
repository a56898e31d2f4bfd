/** What every container fault shares: its public shape, options, the action log, and starting the container again. */
import { performance } from 'node:perf_hooks';
import type Docker from 'dockerode';
import type { ContainerRef } from '../../contracts.js';
import { waitForListening } from '../../net/ready.js';
import type { Fault } from '../fault.js';
import type { ChaosProxy } from '../proxy/index.js';
import { defaultDocker, dockerMessage, findServiceContainer, statusOf, type Located } from './docker.js';
import type { ContainerTargetFaultSpec } from './spec.js';

export interface ContainerFault extends Fault {
  readonly kind: ContainerTargetFaultSpec['kind'];
  readonly spec: ContainerTargetFaultSpec;
}

/** One thing a fault did to the container, for reports and timelines (the same shape as a process fault's action). */
export interface ContainerFaultAction {
  /** Date.now() */
  at: number;
  kind: ContainerTargetFaultSpec['kind'];
  action:
    | 'paused'
    | 'unpaused'
    | 'signal'
    | 'exited'
    | 'still-running'
    | 'stopped'
    | 'restarting'
    | 'restarted'
    | 'restart-failed'
    | 'disconnected'
    | 'reconnected'
    | 'memory-set'
    | 'memory-restored'
    | 'netem-added'
    | 'netem-removed'
    | 'netem-unavailable';
  detail: string;
}

export interface ContainerFaultOptions {
  /** Called for every action (paused, signal sent, exit seen, started again, network (re)connected, …). */
  onAction?(action: ContainerFaultAction): void;
  /** The Docker client; default: dockerode's default (DOCKER_HOST, else /var/run/docker.sock), created on first use. */
  docker?: Docker;
  /**
   * The server's URL as the client reaches it. Once the container runs again (kill, terminate,
   * stop, restart), the fault waits until the server answers there (waitServing) before it
   * reports `restarted`, as a process fault waits for a local server to listen.
   */
  url?: string;
  /** How long to wait for that (default 30,000 ms). */
  readyTimeoutMs?: number;
  /** kill/terminate: how long start() waits for the container to exit before resolving anyway (default 5,000 ms). */
  exitWaitMs?: number;
  /** netem: where the kernel has no netem qdisc, latency/loss go on this chaos proxy instead (without one the fault fails). */
  proxy?: ChaosProxy;
  /** A line for the report's notes (the netem fallback says so here). */
  note?(text: string): void;
}

export interface ContainerCtx {
  readonly ref: ContainerRef;
  readonly opts: ContainerFaultOptions;
  readonly exitWaitMs: number;
  docker(): Promise<Docker>;
  /** The service's container, looked up once (by its Compose labels) and remembered. */
  locate(): Promise<Located>;
  act(action: ContainerFaultAction['action'], detail: string): void;
}

export function containerCtx(ref: ContainerRef, kind: ContainerTargetFaultSpec['kind'], opts: ContainerFaultOptions): ContainerCtx {
  let located: Promise<Located> | undefined;
  const docker = () => (opts.docker ? Promise.resolve(opts.docker) : defaultDocker());
  return {
    ref,
    opts,
    exitWaitMs: opts.exitWaitMs ?? 5_000,
    docker,
    locate() {
      const found = (located ??= docker().then((d) => findServiceContainer(d, ref)));
      found.catch(() => (located = undefined)); // a failed lookup is retried next time
      return found;
    },
    act(action, detail) {
      try {
        opts.onAction?.({ at: Date.now(), kind, action, detail });
      } catch {
        // a listener's failure must not break the fault
      }
    },
  };
}

/** A Docker call's error as an Error naming the fault and the container. */
export function failure(kind: string, c: Located | undefined, what: string, err: unknown): Error {
  return new Error(`${kind}: ${what}${c ? ` ${c.name}` : ''} failed: ${dockerMessage(err)}`);
}

/** Run a Docker call, treating "not modified" (304) and the given conflict statuses as done. */
export async function tolerate(call: Promise<unknown>, ok: readonly number[] = [304]): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (!ok.includes(statusOf(err) ?? -1)) throw err;
  }
}

/** The container has exited within `ms` (it is watched with Docker's wait; the request never outlives the wait). */
export async function exitsWithin(c: Located, ms: number): Promise<{ exited: boolean; code?: number }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  try {
    const res = (await c.container.wait({ condition: 'not-running', abortSignal: abort.signal })) as { StatusCode?: number };
    return { exited: true, ...(res.StatusCode !== undefined ? { code: res.StatusCode } : {}) };
  } catch {
    return { exited: false };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Wait until the server at `url` answers again. Over plain HTTP (http:, ws:) that is any HTTP
 * response to an OPTIONS request (no MCP handler runs for it): a TCP accept is not enough, because
 * a published port is held open by Docker's userland proxy while nothing in the container listens
 * yet. Over TLS (the certificate may not verify here) or raw TCP, a TCP accept.
 */
export async function waitServing(url: string, timeoutMs: number): Promise<void> {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'ws:') return waitForListening(url, timeoutMs);
  u.protocol = 'http:';
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(u, { method: 'OPTIONS', signal: AbortSignal.timeout(Math.min(2_000, Math.max(1, deadline - Date.now()))) });
      await res.body?.cancel().catch(() => undefined);
      return;
    } catch (err) {
      last = ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing answered HTTP at ${u.host} within ${timeoutMs} ms${last ? ` (last: ${last})` : ''}`);
}

/**
 * Start the container again (docker start; docker restart if it still runs, e.g. it ignored a
 * SIGTERM) and, with `wait`, until the server answers at its URL again. Reports
 * restarting, then restarted or restart-failed; rejects with the reason when it fails.
 */
export async function startAgain(ctx: ContainerCtx, kind: string, wait: boolean): Promise<void> {
  const t0 = performance.now();
  let c: Located | undefined;
  try {
    c = await ctx.locate();
    const info = await c.container.inspect();
    if (info.State.Running && !info.State.Paused) {
      ctx.act('restarting', `docker restart ${c.name}${kind === 'restart' ? '' : ' (it still runs)'}`);
      await c.container.restart();
    } else {
      ctx.act('restarting', `docker start ${c.name}`);
      if (info.State.Paused) await tolerate(c.container.unpause(), [304, 409]);
      else await tolerate(c.container.start());
    }
    if (wait && ctx.opts.url) await waitServing(ctx.opts.url, ctx.opts.readyTimeoutMs ?? 30_000);
  } catch (err) {
    const message = dockerMessage(err);
    ctx.act('restart-failed', message);
    throw new Error(`${kind}: container ${c?.name ?? `of service "${ctx.ref.service}"`} could not be started again: ${message}`);
  }
  const where = wait && ctx.opts.url ? `, answering at ${new URL(ctx.opts.url).host}` : '';
  ctx.act('restarted', `container ${c.name} running again after ${Math.round(performance.now() - t0)} ms${where}`);
}

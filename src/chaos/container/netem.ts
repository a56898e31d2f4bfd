/**
 * netem: kernel network emulation on the server container's interfaces, set with `tc` by a
 * short-lived helper container that shares the server's network namespace (NetworkMode
 * `container:<id>`, CAP_NET_ADMIN). netem shapes what leaves an interface, so it delays and drops
 * what the server sends (its responses, and its ACKs): the client sees every round trip latencyMs
 * (± jitterMs) longer, and lost segments retransmitted by the real TCP stack.
 *
 * Not every kernel has the netem qdisc (it is a module; a CI runner's Ubuntu has it, some
 * machines do not). netemAvailable() tries one on `lo` first. Without netem the fault falls back
 * to the chaos proxy's latency/loss toxics on the server-to-client direction, and says so in a
 * note; with no proxy to fall back to it fails with the kernel's reason.
 */
import type Docker from 'dockerode';
import { proxyFault, type ChaosProxy, type NetworkFaultSpec } from '../proxy/index.js';
import type { Fault } from '../fault.js';
import type { ContainerFaultSpec } from './spec.js';
import { failure, type ContainerCtx, type ContainerFault } from './common.js';
import { dockerMessage, type Located } from './docker.js';
import { registerContainerFault, unregisterContainerFault } from './registry.js';

type Spec = Extract<ContainerFaultSpec, { kind: 'netem' }>;

/** The image the tc helper runs (it must have /usr/sbin/tc). */
export function netemImage(): string {
  return process.env.MCP_RELIABILITY_NETEM_IMAGE || 'mcp-reliability:local';
}

/** How long one tc helper may take (create, start, run, remove). */
const HELPER_TIMEOUT_MS = 30_000;

/** Run `tc <args>` in the network namespace of container `containerId`; its exit code and output (stdout and stderr). */
export async function runTc(docker: Docker, containerId: string, args: string[], image = netemImage()): Promise<{ code: number; output: string }> {
  let helper: Docker.Container;
  try {
    helper = await docker.createContainer({
      Image: image,
      Entrypoint: ['/usr/sbin/tc'],
      Cmd: args,
      User: '0',
      Tty: true, // one raw stream: stdout and stderr in order, no multiplexing
      Labels: { 'mcp-reliability.helper': 'netem' },
      HostConfig: { NetworkMode: `container:${containerId}`, CapAdd: ['NET_ADMIN'] },
    });
  } catch (err) {
    const missing = /no such image/i.test(dockerMessage(err));
    throw new Error(missing ? `the tc helper image "${image}" is not on this engine (build it, or set MCP_RELIABILITY_NETEM_IMAGE to an image with /usr/sbin/tc)` : `creating the tc helper (${image}): ${dockerMessage(err)}`);
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), HELPER_TIMEOUT_MS);
  try {
    await helper.start();
    const res = (await helper.wait({ abortSignal: abort.signal })) as { StatusCode: number };
    const logs = await helper.logs({ stdout: true, stderr: true, follow: false });
    return { code: res.StatusCode, output: logs.toString('utf8').replace(/\r/g, '').trim() };
  } catch (err) {
    throw new Error(abort.signal.aborted ? `the tc helper did not finish within ${HELPER_TIMEOUT_MS} ms` : `running tc ${args.join(' ')}: ${dockerMessage(err)}`);
  } finally {
    clearTimeout(timer);
    await helper.remove({ force: true }).catch(() => undefined);
  }
}

export type NetemPreflight = { ok: true } | { ok: false; reason: string };

/**
 * Whether netem works for this container: adds a netem qdisc on its `lo` in a helper and deletes
 * it again. `{ok: false, reason}` carries tc's own words (e.g. "Error: Specified qdisc kind is
 * unknown." where the kernel has no netem) or why the helper could not run.
 */
export async function netemAvailable(docker: Docker, containerId: string): Promise<NetemPreflight> {
  try {
    const added = await runTc(docker, containerId, ['qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
    if (added.code !== 0) return { ok: false, reason: added.output || `tc exited with code ${added.code}` };
    await runTc(docker, containerId, ['qdisc', 'del', 'dev', 'lo', 'root']);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

/** Preflight answers per container, for chaos schedules that draw netem again and again. */
const preflights = new Map<string, Promise<NetemPreflight>>();

function cachedPreflight(docker: Docker, containerId: string): Promise<NetemPreflight> {
  let answer = preflights.get(containerId);
  if (!answer) {
    answer = netemAvailable(docker, containerId);
    preflights.set(containerId, answer);
  }
  return answer;
}

/** tc's netem arguments for a spec: `delay 100ms 20ms 25% loss random 5% 25%`. */
export function netemArgs(spec: Spec): string[] {
  const correlation = spec.correlationPercent !== undefined ? [`${spec.correlationPercent}%`] : [];
  const out: string[] = [];
  if (spec.latencyMs !== undefined) {
    out.push('delay', `${spec.latencyMs}ms`);
    if (spec.jitterMs !== undefined && spec.jitterMs > 0) out.push(`${spec.jitterMs}ms`, ...correlation);
  }
  if (spec.lossPercent !== undefined) out.push('loss', 'random', `${spec.lossPercent}%`, ...correlation);
  return out;
}

/** The same degradation on the chaos proxy, server-to-client (what netem on the server's egress shapes). */
export function proxyFallbackSpecs(spec: Spec): NetworkFaultSpec[] {
  const out: NetworkFaultSpec[] = [];
  const correlation = spec.correlationPercent !== undefined ? { correlation: spec.correlationPercent / 100 } : {};
  if (spec.latencyMs !== undefined) out.push({ kind: 'latency', latencyMs: spec.latencyMs, ...(spec.jitterMs !== undefined ? { jitterMs: spec.jitterMs } : {}), ...correlation, direction: 'downstream' });
  if (spec.lossPercent !== undefined) out.push({ kind: 'loss', percent: spec.lossPercent, direction: 'downstream' });
  return out;
}

function describeNetem(spec: Spec): string {
  const parts: string[] = [];
  if (spec.latencyMs !== undefined) parts.push(`delay ${spec.latencyMs}${spec.jitterMs ? `±${spec.jitterMs}` : ''} ms`);
  if (spec.lossPercent !== undefined) parts.push(`loss ${spec.lossPercent} %`);
  if (spec.correlationPercent !== undefined) parts.push(`correlation ${spec.correlationPercent} %`);
  return parts.join(', ');
}

/** The container's interfaces but `lo`, as `tc qdisc show` lists them (every interface has a root qdisc). */
async function interfacesOf(docker: Docker, c: Located): Promise<string[]> {
  const shown = await runTc(docker, c.id, ['qdisc', 'show']);
  if (shown.code !== 0) throw new Error(`netem: tc qdisc show in container ${c.name}: ${shown.output}`);
  const devices = new Set([...shown.output.matchAll(/\bdev (\S+)/g)].map((m) => m[1]!));
  devices.delete('lo');
  return [...devices];
}

export function netemFault(ctx: ContainerCtx, spec: Spec): ContainerFault {
  let applied: { docker: Docker; c: Located; devices: string[] } | undefined;
  let fallback: Fault[] | undefined;
  const lift = async (): Promise<void> => {
    const a = applied;
    const f = fallback;
    applied = undefined;
    fallback = undefined;
    unregisterContainerFault(fault);
    if (f) await Promise.all(f.map((t) => t.stop().catch(() => undefined)));
    if (!a) return;
    for (const dev of a.devices) {
      // A container restarted since has lost the qdisc already: tc's complaint then is no failure.
      const res = await runTc(a.docker, a.c.id, ['qdisc', 'del', 'dev', dev, 'root']).catch((err: Error) => ({ code: -1, output: err.message }));
      ctx.act('netem-removed', `tc qdisc del dev ${dev} root in ${a.c.name}${res.code === 0 ? '' : `: ${res.output}`}`);
    }
  };
  const useProxy = async (proxy: ChaosProxy, reason: string): Promise<void> => {
    const toxics = proxyFallbackSpecs(spec).map((s) => proxyFault(proxy, s));
    fallback = toxics;
    registerContainerFault({ fault, teardown: () => lift().catch(() => undefined) });
    for (const t of toxics) await t.start();
    const text = `netem unavailable (${reason}): latency/loss applied by the chaos proxy instead`;
    ctx.act('netem-unavailable', text);
    ctx.opts.note?.(text);
  };
  const fault: ContainerFault = {
    kind: 'netem',
    spec,
    describe: () =>
      `netem: ${describeNetem(spec)} on ${spec.device ?? 'every interface'} of the container of service "${ctx.ref.service}" (what the server sends); the chaos proxy's latency/loss where the kernel has no netem`,
    async start() {
      if (applied || fallback) return;
      const docker = await ctx.docker();
      const c = await ctx.locate();
      const pre = await cachedPreflight(docker, c.id);
      if (!pre.ok) {
        if (ctx.opts.proxy) return useProxy(ctx.opts.proxy, pre.reason);
        throw new Error(`netem: netem unavailable (${pre.reason}), and no chaos proxy runs for this target to apply latency/loss instead`);
      }
      const devices = spec.device !== undefined ? [spec.device] : await interfacesOf(docker, c);
      if (devices.length === 0) throw new Error(`netem: container ${c.name} has no network interface but lo`);
      const done: string[] = [];
      applied = { docker, c, devices: done };
      registerContainerFault({ fault, teardown: () => lift().catch(() => undefined) });
      for (const dev of devices) {
        const args = ['qdisc', 'add', 'dev', dev, 'root', 'netem', ...netemArgs(spec)];
        const res = await runTc(docker, c.id, args).catch((err: unknown) => {
          throw failure('netem', c, `tc ${args.join(' ')} in`, err);
        });
        if (res.code !== 0) throw new Error(`netem: tc ${args.join(' ')} in container ${c.name} failed: ${res.output || `exit code ${res.code}`}`);
        done.push(dev);
        ctx.act('netem-added', `tc ${args.join(' ')} in ${c.name}`);
      }
    },
    stop: lift,
  };
  return fault;
}

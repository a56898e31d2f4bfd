/**
 * network-disconnect: the container is taken off its networks (all of them, or the one named),
 * so its service name stops resolving and its connections go silent; lifted, it is connected
 * again with the same aliases (the Compose service name resolves again), static addresses and links.
 */
import type Docker from 'dockerode';
import type { ContainerFaultSpec } from './spec.js';
import { failure, tolerate, type ContainerCtx, type ContainerFault } from './common.js';
import type { Located } from './docker.js';
import { registerContainerFault, unregisterContainerFault } from './registry.js';

type Spec = Extract<ContainerFaultSpec, { kind: 'network-disconnect' }>;

/** A network the container was on, and how to put it back exactly. */
interface Attachment {
  network: string;
  endpoint: Docker.EndpointSettings;
}

/** What to reconnect with: the endpoint's aliases (the service name among them), static IPAM config, links. */
function endpointConfig(settings: Docker.EndpointSettings | undefined): Docker.EndpointSettings {
  const out: Docker.EndpointSettings = {};
  if (settings?.Aliases?.length) out.Aliases = [...new Set(settings.Aliases)];
  if (settings?.IPAMConfig && Object.values(settings.IPAMConfig).some((v) => v !== undefined && v !== '')) out.IPAMConfig = settings.IPAMConfig;
  if (settings?.Links?.length) out.Links = settings.Links;
  return out;
}

/** The networks to take the container off: all, or the one `name` designates (its name, Compose's `<project>_<name>`, or an id prefix). */
export async function attachmentsOf(c: Located, project: string, name?: string): Promise<Attachment[]> {
  const info = await c.container.inspect();
  const mode = info.HostConfig.NetworkMode ?? '';
  const nets = Object.entries(info.NetworkSettings.Networks ?? {}) as [string, Docker.EndpointSettings][];
  if (nets.length === 0 || mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
    throw new Error(`network-disconnect: container ${c.name} has no network of its own to disconnect from (network mode ${JSON.stringify(mode || 'none')})`);
  }
  const chosen = name === undefined ? nets : nets.filter(([net, ep]) => net === name || net === `${project}_${name}` || (name.length >= 12 && ep.NetworkID?.startsWith(name)));
  if (chosen.length === 0) {
    throw new Error(`network-disconnect: container ${c.name} is not on a network "${name}" (it is on ${nets.map(([n]) => n).join(', ')})`);
  }
  return chosen.map(([network, ep]) => ({ network, endpoint: endpointConfig(ep) }));
}

export function networkDisconnectFault(ctx: ContainerCtx, spec: Spec): ContainerFault {
  let detached: { c: Located; docker: Docker; attachments: Attachment[] } | undefined;
  const reconnect = async (): Promise<void> => {
    const d = detached;
    detached = undefined;
    unregisterContainerFault(fault);
    if (!d) return;
    const problems: string[] = [];
    for (const a of d.attachments) {
      try {
        // 403/409: it is on that network already (lifted twice, or someone reconnected it); 404: gone.
        await tolerate(d.docker.getNetwork(a.network).connect({ Container: d.c.id, EndpointConfig: a.endpoint }), [403, 404, 409]);
        ctx.act('reconnected', `docker network connect${a.endpoint.Aliases?.length ? ` --alias ${a.endpoint.Aliases.join(',')}` : ''} ${a.network} ${d.c.name}`);
      } catch (err) {
        problems.push(failure('network-disconnect', d.c, `docker network connect ${a.network}`, err).message);
      }
    }
    if (problems.length > 0) throw new Error(problems.join('; '));
  };
  const fault: ContainerFault = {
    kind: 'network-disconnect',
    spec,
    describe: () => `network-disconnect: the container of service "${ctx.ref.service}" off ${spec.network !== undefined ? `network "${spec.network}"` : 'all its networks'} (reconnected with the same aliases when lifted)`,
    async start() {
      if (detached) return;
      const docker = await ctx.docker();
      const c = await ctx.locate();
      const attachments = await attachmentsOf(c, ctx.ref.project, spec.network);
      const done: Attachment[] = [];
      // Registered before the first disconnect: whatever happens next, stop() and teardown reconnect what was disconnected.
      detached = { c, docker, attachments: done };
      registerContainerFault({ fault, teardown: () => reconnect().catch(() => undefined) });
      for (const a of attachments) {
        try {
          await docker.getNetwork(a.network).disconnect({ Container: c.id, Force: true });
        } catch (err) {
          throw failure('network-disconnect', c, `docker network disconnect ${a.network}`, err);
        }
        done.push(a);
        ctx.act('disconnected', `docker network disconnect ${a.network} ${c.name}`);
      }
    },
    stop: reconnect,
  };
  return fault;
}

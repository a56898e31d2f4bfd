/**
 * Proxy placement: when a scenario injects network faults, the runner starts a ChaosProxy in front
 * of the network target's URL and gives the session the proxied endpoint (same scheme and path,
 * host and port of the proxy). Every proxy started here is closed at the end of its run, and
 * closeAllProxies() closes whatever is left (a signal handler's last resort).
 */
import { ChaosProxy, type Rng } from '../chaos/index.js';
import type { Endpoint } from '../target/types.js';

const live = new Set<ChaosProxy>();

export interface PlacedProxy {
  proxy: ChaosProxy;
  /** The endpoint the session must use: the target's, with the proxy's host and port. */
  endpoint: Endpoint;
  /** For the Result: `127.0.0.1:port` each. */
  listen: string;
  upstream: string;
  /** Idempotent. */
  close(): Promise<void>;
}

function defaultPort(protocol: string): number {
  return protocol === 'https:' || protocol === 'wss:' ? 443 : 80;
}

/** Start a proxy in front of `endpoint.url` (a network endpoint), with the run's seeded rng for its toxics. */
export async function placeProxy(endpoint: Endpoint, rng: Rng): Promise<PlacedProxy> {
  if (!endpoint.url) throw new Error(`endpoint ${endpoint.label} has no URL to put the chaos proxy in front of`);
  const target = new URL(endpoint.url);
  const upstream = { host: target.hostname.replace(/^\[|\]$/g, ''), port: Number(target.port || defaultPort(target.protocol)) };
  const proxy = await ChaosProxy.start({ upstream, rng });
  live.add(proxy);
  return {
    proxy,
    endpoint: { ...endpoint, url: proxy.url(endpoint.url) },
    listen: `${proxy.host}:${proxy.port}`,
    upstream: `${upstream.host}:${upstream.port}`,
    close: async () => {
      live.delete(proxy);
      await proxy.close();
    },
  };
}

/** Close every proxy still open (idempotent; never rejects). */
export async function closeAllProxies(): Promise<void> {
  const open = [...live];
  live.clear();
  await Promise.allSettled(open.map((p) => p.close()));
}

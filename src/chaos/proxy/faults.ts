/**
 * Network faults as `Fault`s: a spec becomes a toxic; start() adds it to the proxy, stop() removes
 * it (idempotent, and harmless once the proxy is closed).
 */
import type { Fault } from '../fault.js';
import type { ChaosProxy } from './proxy.js';
import { validateNetworkFault, type NetworkFaultSpec } from './spec.js';
import { bandwidth, blackhole, down, idleCut, latency, loss, reset, slicer } from './toxics/index.js';
import type { Toxic } from './types.js';

export { NETWORK_FAULT_KINDS, validateNetworkFault, type NetworkFaultKind, type NetworkFaultSpec } from './spec.js';

/** The toxic a spec describes. Throws with the validator's words when the spec is invalid. */
export function toxicFromSpec(spec: NetworkFaultSpec): Toxic {
  const problems = validateNetworkFault(spec);
  if (problems.length > 0) throw new Error(`invalid network fault: ${problems.join('; ')}`);
  switch (spec.kind) {
    case 'latency':
      return latency(spec);
    case 'loss':
      return loss(spec);
    case 'bandwidth':
      return bandwidth(spec);
    case 'slicer':
      return slicer(spec);
    case 'reset':
      return reset(spec);
    case 'blackhole':
      return blackhole();
    case 'down':
      return down(spec);
    case 'idle-cut':
      return idleCut(spec);
  }
}

function where(spec: NetworkFaultSpec): string {
  if (spec.kind === 'down') return '';
  const direction = spec.direction ?? 'both';
  const scope = spec.scope ?? 'all';
  return ` (${direction === 'both' ? 'both directions' : direction}, ${scope === 'all' ? 'all connections' : 'new connections'})`;
}

export function proxyFault(proxy: ChaosProxy, spec: NetworkFaultSpec): Fault {
  const toxic = toxicFromSpec(spec);
  let id: string | undefined;
  return {
    kind: spec.kind,
    describe: () => `${toxic.describe()}${where(spec)}`,
    async start() {
      if (id !== undefined) return;
      id = proxy.addToxic(toxic, { direction: spec.direction ?? 'both', scope: spec.kind === 'down' ? 'all' : (spec.scope ?? 'all') });
    },
    async stop() {
      const current = id;
      id = undefined;
      if (current !== undefined) await proxy.removeToxic(current);
    },
  };
}

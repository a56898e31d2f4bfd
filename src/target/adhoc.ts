/** Targets given on the command line: a server command (stdio) or a URL. Roles come later, from the server's tool list or flags. */
import type { TargetProfile, TransportKind } from './types.js';

export interface AdhocSpec {
  command?: string;
  url?: string;
  /** Override the transport inferred from the URL. */
  transport?: TransportKind;
}

export function transportForUrl(url: string): TransportKind {
  const u = new URL(url);
  if (u.protocol === 'ws:' || u.protocol === 'wss:') return 'websocket';
  if (u.protocol === 'tcp:') return 'tcp';
  if (/\/sse\/?$/.test(u.pathname)) return 'sse';
  return 'streamable-http';
}

export function adhocTarget(spec: AdhocSpec): TargetProfile {
  if (spec.url) {
    const transport = spec.transport ?? transportForUrl(spec.url);
    return { name: `adhoc-${transport}`, description: `ad-hoc target at ${spec.url}`, transport, url: spec.url, roles: {}, source: '<command line>' };
  }
  if (!spec.command) throw new Error('an ad-hoc target needs a command or a URL');
  return {
    name: 'adhoc-stdio',
    description: `ad-hoc stdio server: ${spec.command}`,
    transport: 'stdio',
    // Through the shell so quoting works as the user typed it; `exec` keeps the server as the group leader.
    launch: { command: 'sh', args: ['-c', `exec ${spec.command}`] },
    roles: {},
    source: '<command line>',
  };
}

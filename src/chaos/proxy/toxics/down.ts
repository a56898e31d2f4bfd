/**
 * down: the server is gone. The proxy closes its listening socket, so a new connection is refused
 * by the kernel (ECONNREFUSED) — what a client sees when the server process has died on a live
 * host, more faithful than accepting and resetting (which a client reports as ECONNRESET after a
 * successful connect). Existing connections are reset (`resetExisting`, default true: a dying
 * process's sockets are torn down) when the toxic is added with scope `all`. On removal the proxy
 * listens again on the same port.
 */
import type { Toxic } from '../types.js';

export interface DownOptions {
  resetExisting?: boolean;
}

export function down({ resetExisting = true }: DownOptions = {}): Toxic {
  return {
    kind: 'down',
    describe: () => `down (new connections refused${resetExisting ? ', existing ones reset' : ''})`,
    start: (proxy) => proxy.suspendListening(),
    stop: (proxy) => proxy.resumeListening(),
    attach(conn, ctx) {
      if (!resetExisting) return;
      ctx.decide('reset', 0);
      conn.reset();
    },
  };
}

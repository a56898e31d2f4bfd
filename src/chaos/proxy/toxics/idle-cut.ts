/**
 * idle-cut: a load balancer or NAT drops connections that carried no byte (either way) for longer
 * than idleMs: FIN to both sides by default (AWS ALB, nginx), RST with `rst` (NAT/conntrack
 * expiry seen by the next packet). One timer per connection, re-armed for the remaining idle time.
 */
import { performance } from 'node:perf_hooks';
import type { Toxic } from '../types.js';

export interface IdleCutOptions {
  idleMs: number;
  rst?: boolean;
}

export function idleCut({ idleMs, rst = false }: IdleCutOptions): Toxic {
  return {
    kind: 'idle-cut',
    describe: () => `idle-cut after ${idleMs} ms without traffic (${rst ? 'RST' : 'FIN'})`,
    attach(conn, ctx) {
      let timer: NodeJS.Timeout | undefined;
      const check = () => {
        timer = undefined;
        if (conn.finished) return;
        const idle = performance.now() - conn.lastActivityAt;
        if (idle >= idleMs) {
          ctx.decide(rst ? 'reset' : 'close', Math.round(idle));
          if (rst) conn.reset();
          else conn.close();
          return;
        }
        // Activity since the timer was armed (or a timer firing a hair early): wait for the rest.
        timer = setTimeout(check, Math.max(1, idleMs - idle));
      };
      timer = setTimeout(check, Math.max(0, idleMs - (performance.now() - conn.lastActivityAt)));
      return () => {
        if (timer !== undefined) clearTimeout(timer);
      };
    },
  };
}

/**
 * reset: abort connections with an RST (both peers see ECONNRESET), as a crashing middlebox or a
 * conntrack flush does. Without options the connection is reset at once: existing ones when the
 * toxic is added with scope `all`, and every new one right after it is accepted (the handshake
 * completed, so the client sees ECONNRESET on connect or on its first read, depending on timing). `afterMs`: reset that long after the
 * toxic met the connection. `afterBytes`: reset once that many bytes passed in the toxic's
 * direction(s) (the bytes up to the limit are delivered first). Both: whichever comes first.
 */
import { isEnd, RST, type Stage, type StageContext, type Toxic } from '../types.js';

export interface ResetOptions {
  afterMs?: number;
  afterBytes?: number;
}

export function reset({ afterMs, afterBytes }: ResetOptions = {}): Toxic {
  const when = [afterMs !== undefined ? `after ${afterMs} ms` : '', afterBytes !== undefined ? `after ${afterBytes} B` : '']
    .filter(Boolean)
    .join(' or ');
  const toxic: Toxic = {
    kind: 'reset',
    describe: () => `reset connections with RST${when ? ` ${when}` : ''}`,
    attach(conn, ctx) {
      if (afterMs === undefined) {
        if (afterBytes !== undefined) return;
        ctx.decide('reset', 0);
        conn.reset();
        return;
      }
      const timer = setTimeout(() => {
        ctx.decide('reset', afterMs);
        conn.reset();
      }, afterMs);
      return () => clearTimeout(timer);
    },
  };
  if (afterBytes !== undefined) toxic.stage = (ctx) => byteLimit(ctx, afterBytes);
  return toxic;
}

function byteLimit(ctx: StageContext, limit: number): Stage {
  let passed = 0;
  let tripped = false;
  return {
    push(item) {
      if (tripped) {
        if (!isEnd(item)) ctx.discard(item.length);
        return;
      }
      if (isEnd(item)) {
        ctx.emit(item);
        return;
      }
      const room = limit - passed;
      if (item.length < room) {
        passed += item.length;
        ctx.emit(item);
        return;
      }
      tripped = true;
      if (room > 0) ctx.emit(item.subarray(0, room));
      if (item.length > room) ctx.discard(item.length - room);
      ctx.decide('reset', limit, limit);
      // The RST travels in-band, so toxics after this one (latency) still deliver the bytes first.
      ctx.emit(RST);
    },
    stop() {},
  };
}

/**
 * blackhole: the path swallows everything in the toxic's direction while both sockets stay open
 * (half-open: nothing arrives, nothing fails). Swallowed bytes stay on the backpressure account
 * until the toxic is removed, so a sender stalls after a window's worth of bytes, as a TCP sender
 * without ACKs does. On removal the swallowed bytes are lost (the stream resumes with a gap, as
 * requested by the design: a real TCP would retransmit them); a FIN or RST that arrived meanwhile
 * is delivered then, so the connection can still end instead of lingering for ever.
 */
import { isEnd, type StreamEnd, type Stage, type StageContext, type Toxic } from '../types.js';

export function blackhole(): Toxic {
  return {
    kind: 'blackhole',
    describe: () => 'blackhole (bytes swallowed, connections kept open)',
    stage(ctx: StageContext): Stage {
      let swallowed = 0;
      let end: StreamEnd | undefined;
      return {
        push(item) {
          if (isEnd(item)) end ??= item;
          else swallowed += item.length;
        },
        stop(flush) {
          if (swallowed > 0) ctx.decide('swallowed', swallowed);
          ctx.discard(swallowed);
          swallowed = 0;
          if (flush && end) ctx.emit(end);
        },
      };
    },
  };
}

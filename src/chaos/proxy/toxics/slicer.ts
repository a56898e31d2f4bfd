/**
 * slicer: cuts each chunk into pieces of sizeBytes ± variationBytes (uniform, at least 1 byte)
 * with delayMs between pieces, so the receiver sees many small reads — the case that breaks
 * parsers assuming one read = one message (split JSON lines, split SSE events, split frames).
 */
import { isEnd, type Item, type Stage, type StageContext, type Toxic } from '../types.js';

export interface SlicerOptions {
  sizeBytes: number;
  variationBytes?: number;
  delayMs?: number;
}

export function slicer({ sizeBytes, variationBytes = 0, delayMs = 0 }: SlicerOptions): Toxic {
  return {
    kind: 'slicer',
    describe: () => `slicer ${sizeBytes}${variationBytes > 0 ? `±${variationBytes}` : ''} B pieces, ${delayMs} ms apart`,
    stage(ctx: StageContext): Stage {
      const queue: Item[] = [];
      let timer: NodeJS.Timeout | undefined;
      let offset = 0;

      const pieceSize = () => {
        const size = Math.round(sizeBytes - variationBytes + 2 * variationBytes * ctx.rng());
        return Math.max(1, size);
      };
      const pump = () => {
        timer = undefined;
        while (queue.length > 0) {
          ctx.emit(queue.shift()!);
          if (delayMs > 0 && queue.length > 0) {
            timer = setTimeout(pump, delayMs);
            return;
          }
        }
      };
      return {
        push(item) {
          if (isEnd(item)) queue.push(item);
          else {
            for (let pos = 0; pos < item.length; ) {
              const size = Math.min(pieceSize(), item.length - pos);
              ctx.decide('slice', size, offset + pos);
              queue.push(item.subarray(pos, pos + size));
              pos += size;
            }
            offset += item.length;
          }
          if (timer === undefined) pump();
        },
        stop(flush) {
          if (timer !== undefined) clearTimeout(timer);
          timer = undefined;
          const held = queue.splice(0);
          if (flush) for (const item of held) ctx.emit(item);
        },
      };
    },
  };
}

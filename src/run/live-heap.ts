/**
 * The tester's live heap: the bytes still reachable after a full garbage collection, forced. A
 * plain heapUsed (or RSS) depends on when V8 last ran its full GC, so a flat heap can read as
 * growth; after a forced full GC only what is still referenced counts, which is what a leak grows.
 * Node exposes `gc()` only with --expose-gc; without it the flag is set at run time and `gc` is
 * taken from a fresh context (V8 reads the flag when a context is created). One full GC at the end
 * of a run costs tens of milliseconds.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

function gcFunction(): (() => void) | null {
  if (collect !== undefined) return collect;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return (collect = exposed);
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    collect = typeof fn === 'function' ? (fn as () => void) : null;
  } catch {
    collect = null;
  }
  return collect;
}

/** Heap bytes in use after a forced full GC; null when no GC could be forced. */
export function liveHeapBytes(): number | null {
  const gc = gcFunction();
  if (!gc) return null;
  gc();
  return process.memoryUsage().heapUsed;
}

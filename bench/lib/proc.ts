/**
 * Linux /proc readings for benches: a process's CPU time and memory, the machine's CPU use, and
 * small statistics helpers. Everything returns null where /proc is unavailable (not Linux) or the
 * process is gone, so a bench degrades to fewer columns instead of failing.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

/** User + system CPU time of a process in ms (10 ms resolution), or null. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may contain spaces: split after its closing parenthesis. utime, stime are fields 14, 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

export interface ProcMemory {
  /** Resident set size now (VmRSS), bytes. */
  rss: number;
  /** Peak resident set size so far (VmHWM), bytes. */
  hwm: number;
}

/** VmRSS and VmHWM of a process, or null (gone, zombie, not Linux). */
export function processMemory(pid: number): ProcMemory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Number(m[1]) * 1024 : null;
    };
    const rss = kib('VmRSS');
    const hwm = kib('VmHWM');
    return rss === null || hwm === null ? null : { rss, hwm };
  } catch {
    return null;
  }
}

/** Jiffies of all CPUs: total and idle (idle + iowait), from the first line of /proc/stat. */
export interface MachineCpu {
  total: number;
  idle: number;
}

export function machineCpu(): MachineCpu | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user/nice).
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { total, idle: (v[3] ?? 0) + (v[4] ?? 0) };
  } catch {
    return null;
  }
}

/** Share of all CPUs busy between two readings, in % (100 = every core busy), or null. */
export function machineBusyPercent(from: MachineCpu | null, to: MachineCpu | null): number | null {
  if (!from || !to || to.total <= from.total) return null;
  return (100 * (to.total - from.total - (to.idle - from.idle))) / (to.total - from.total);
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Least-squares slope of y over x. NaN with fewer than two distinct x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

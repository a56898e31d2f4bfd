/**
 * Chaos schedules (pure): which fault starts when, drawn from a list with the run's seeded RNG, so
 * the same --seed replays the same fault timeline. The runner asks for the whole schedule of a
 * chaos step when the step starts, then sleeps from one draw to the next.
 */
import type { Rng } from './rng.js';

export interface ChaosScheduleOptions {
  /** How many faults there are to draw from (the step's `faults` list). */
  faultCount: number;
  /** A fault starts every intervalMs: the first after one interval (a quiet baseline), then one per interval. */
  intervalMs: number;
  /** How long each drawn fault is held; must be shorter than intervalMs, so faults never overlap. */
  holdMs: number;
  /** The schedule's length (ms). Only draws whose hold ends within it are made. */
  lengthMs: number;
  /** Seeded; one draw per fault. Share one stream per run (e.g. forkRng(seed, 'chaos')). */
  rng: Rng;
  /** Indexes of `faults` that may not be drawn (e.g. optional faults this target cannot have). */
  exclude?: ReadonlySet<number>;
}

export interface ChaosDraw {
  /** Offset from the start of the schedule (ms). */
  atMs: number;
  holdMs: number;
  /** Index into the step's `faults` list. */
  faultIndex: number;
}

/** Problems with schedule options, in words (empty when fine). */
export function validateChaosSchedule(opts: Pick<ChaosScheduleOptions, 'intervalMs' | 'holdMs' | 'faultCount'>): string[] {
  const problems: string[] = [];
  if (!(opts.intervalMs > 0)) problems.push(`interval must be greater than 0 ms (got ${opts.intervalMs})`);
  if (!(opts.holdMs >= 0)) problems.push(`hold must be at least 0 ms (got ${opts.holdMs})`);
  if (opts.holdMs >= opts.intervalMs) problems.push(`hold (${opts.holdMs} ms) must be shorter than interval (${opts.intervalMs} ms), so that one fault is lifted before the next starts`);
  if (opts.faultCount < 1) problems.push('faults must list at least one fault');
  return problems;
}

/**
 * Draws at intervalMs, 2·intervalMs, … while the draw's hold still ends within lengthMs. Each
 * draw picks one of the allowed faults uniformly (one rng value per draw, none when nothing is
 * allowed). Deterministic: the same rng state gives the same schedule.
 */
export function chaosSchedule(opts: ChaosScheduleOptions): ChaosDraw[] {
  const problems = validateChaosSchedule(opts);
  if (problems.length > 0) throw new Error(`invalid chaos schedule: ${problems.join('; ')}`);
  const allowed = Array.from({ length: opts.faultCount }, (_, i) => i).filter((i) => !opts.exclude?.has(i));
  const draws: ChaosDraw[] = [];
  if (allowed.length === 0) return draws;
  for (let at = opts.intervalMs; at + opts.holdMs <= opts.lengthMs; at += opts.intervalMs) {
    const pick = allowed[Math.min(allowed.length - 1, Math.floor(opts.rng() * allowed.length))] as number;
    draws.push({ atMs: at, holdMs: opts.holdMs, faultIndex: pick });
  }
  return draws;
}

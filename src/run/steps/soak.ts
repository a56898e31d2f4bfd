/**
 * soak: repeat the child steps until the soak's time is up. Its length follows the run's
 * --duration (`fraction` of it, default 1 = until the run's end) unless `duration` fixes it, so
 * one scenario file serves a 60 s pull-request run and a 1 h nightly run.
 */
import type { Step } from '../../scenario/types.js';
import type { RunContext, StepRunner } from '../context.js';
import { sleep } from '../sleep.js';

/** When a soak or load step that starts now must end (ms epoch). */
export function stepDeadline(step: Step, ctx: RunContext, now = Date.now()): number {
  const length = step.duration ?? (step.fraction ?? 1) * ctx.durationMs;
  return Math.min(ctx.deadline, now + length);
}

export const soak: StepRunner = async (step, ctx, scope) => {
  const deadline = Math.min(scope.deadline, stepDeadline(step, ctx));
  for (let i = 0; !ctx.signal.aborted && Date.now() < deadline; i++) {
    await ctx.runSteps(step.steps ?? [], ctx, { deadline, template: { ...scope.template, iteration: i } });
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(step.interval ?? 0, left), ctx.signal);
    if (Date.now() >= deadline) break;
  }
};

/**
 * chaos: for its time (`duration`, `fraction` of the run, default until the run's end) a fault
 * drawn from `faults` starts every `interval` ms — the first one interval after the step starts —
 * and is held `hold` ms. The draws come from the run's chaos stream (forkRng(seed, 'chaos')), and
 * the whole schedule is drawn when the step starts, so the same seed gives the same timeline.
 * Faults an optional chaos step's target cannot have are never drawn.
 */
import { chaosSchedule } from '../../chaos/schedule.js';
import { faultsOf, type StepRunner } from '../context.js';
import { sleep } from '../sleep.js';
import { stepDeadline } from './soak.js';

export const chaos: StepRunner = async (step, ctx, scope) => {
  const runtime = faultsOf(ctx);
  const faults = step.faults ?? [];
  if (faults.length === 0 || runtime.isSkipped(step)) return;
  const source = runtime.pointerOf(step);
  const startedAt = Date.now();
  const deadline = Math.min(scope.deadline, stepDeadline(step, ctx, startedAt));
  const draws = chaosSchedule({
    faultCount: faults.length,
    intervalMs: step.interval ?? 0,
    holdMs: step.hold ?? 0,
    lengthMs: Math.max(0, deadline - startedAt),
    rng: runtime.chaosRng,
    exclude: runtime.excludedOf(step),
  });
  for (const draw of draws) {
    await sleep(startedAt + draw.atMs - Date.now(), ctx.signal);
    if (ctx.signal.aborted || Date.now() >= deadline) return;
    const handle = await runtime.start(faults[draw.faultIndex]!, { source: `${source}/faults/${draw.faultIndex}`, fromStep: false });
    if (!handle) continue;
    await sleep(Math.min(draw.holdMs, deadline - Date.now()), ctx.signal);
    if (ctx.signal.aborted) return;
    await runtime.lift(handle);
  }
  await sleep(deadline - Date.now(), ctx.signal);
};

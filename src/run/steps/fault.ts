/**
 * fault: inject `fault`. With `duration` the step holds it that long (cut short at the end of the
 * run or the enclosing soak) and then lifts it; without, it starts it and goes on, and the fault
 * stays until a fault-stop step names its `id` or the run ends. An optional step the target
 * cannot have is skipped (the runner notes it once). A fault whose hold would outlast the run (or
 * the enclosing soak) is not injected at all, with a note: a cut-short fault measures nothing.
 */
import { faultsOf, type StepRunner } from '../context.js';
import { sleep } from '../sleep.js';

export const fault: StepRunner = async (step, ctx, scope) => {
  const faults = faultsOf(ctx);
  if (!step.fault || faults.isSkipped(step)) return;
  const source = faults.pointerOf(step);
  const deadline = Math.min(scope.deadline, ctx.deadline);
  const left = deadline - Date.now();
  if (left <= 0 || (step.duration !== undefined && step.duration > left)) {
    ctx.note(`fault ${step.fault.kind} at ${source} was not injected ${left > 0 ? `when its ${step.duration} ms hold would have outlasted the run` : "after the run's time was up"}`);
    return;
  }
  const handle = await faults.start(step.fault, { source, fromStep: true, ...(step.id !== undefined ? { id: step.id } : {}) });
  if (!handle || step.duration === undefined) return;
  await sleep(step.duration, ctx.signal);
  // Interrupted: the runner's teardown lifts it (without restarting a killed server).
  if (ctx.signal.aborted) return;
  await faults.lift(handle);
};

/** fault-stop: lift the fault a fault step started with `id` (without `id`: every fault a fault step started and nothing lifted yet). */
import { faultsOf, type StepRunner } from '../context.js';

export const faultStop: StepRunner = async (step, ctx) => {
  await faultsOf(ctx).stopFromSteps(step.id);
};

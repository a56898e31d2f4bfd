/** repeat, parallel and wait: control flow over child steps. */
import type { StepRunner } from '../context.js';
import { runSteps } from '../interpreter.js';
import { sleep } from '../sleep.js';

/** `count` iterations of the child steps, `interval` ms apart; `{{iteration}}` is 0-based. */
export const repeat: StepRunner = async (step, ctx, scope) => {
  const count = step.count ?? 1;
  for (let i = 0; i < count && !ctx.signal.aborted; i++) {
    if (i > 0) await sleep(step.interval ?? 0, ctx.signal);
    if (Date.now() >= scope.deadline) break;
    await runSteps(step.steps ?? [], ctx, { ...scope, template: { ...scope.template, iteration: i } });
  }
};

/** `count` concurrent copies of the child steps on the same session, as a client issuing parallel tool calls; `{{index}}` is 0-based. */
export const parallel: StepRunner = async (step, ctx, scope) => {
  const count = step.count ?? 1;
  await Promise.all(
    Array.from({ length: count }, (_, index) => runSteps(step.steps ?? [], ctx, { ...scope, template: { ...scope.template, index } })),
  );
};

export const wait: StepRunner = async (step, ctx) => {
  await sleep(step.duration ?? 0, ctx.signal);
};

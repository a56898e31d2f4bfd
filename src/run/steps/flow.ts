/** repeat, parallel and wait: control flow over child steps. */
import { loopDeadline, type StepRunner } from '../context.js';
import { sleep } from '../sleep.js';

/** `count` iterations of the child steps, `interval` ms apart; `{{iteration}}` is 0-based. */
export const repeat: StepRunner = async (step, ctx, scope) => {
  const count = step.count ?? 1;
  const deadline = loopDeadline(ctx, scope);
  for (let i = 0; i < count && !ctx.signal.aborted; i++) {
    if (i > 0) await sleep(step.interval ?? 0, ctx.signal);
    if (ctx.signal.aborted || Date.now() >= deadline) break;
    await ctx.runSteps(step.steps ?? [], ctx, { ...scope, deadline, template: { ...scope.template, iteration: i } });
  }
};

/** `count` concurrent copies of the child steps on the same session, as a client issuing parallel tool calls; `{{index}}` is 0-based. */
export const parallel: StepRunner = async (step, ctx, scope) => {
  const count = step.count ?? 1;
  if (ctx.signal.aborted) return;
  const deadline = loopDeadline(ctx, scope);
  await Promise.all(Array.from({ length: count }, (_, index) => ctx.runSteps(step.steps ?? [], ctx, { ...scope, deadline, template: { ...scope.template, index } })));
};

export const wait: StepRunner = async (step, ctx) => {
  await sleep(step.duration ?? 0, ctx.signal);
};

/** call-tool, list-tools and ping: `count` requests in sequence, `interval` ms apart. */
import type { Step } from '../../scenario/types.js';
import type { RunContext, StepRunner, StepScope } from '../context.js';
import { resolveCall } from '../resolve-call.js';
import { sleep } from '../sleep.js';

async function times(step: Step, ctx: RunContext, scope: StepScope, once: (i: number) => Promise<void>): Promise<void> {
  const count = step.count ?? 1;
  for (let i = 0; i < count && !ctx.signal.aborted; i++) {
    if (i > 0) await sleep(step.interval ?? 0, ctx.signal);
    if (count > 1 && Date.now() >= scope.deadline) break;
    await once(i);
  }
}

export const callTool: StepRunner = (step, ctx, scope) =>
  times(step, ctx, scope, async (i) => {
    const template = step.count && step.count > 1 ? { ...scope.template, iteration: i } : scope.template;
    const call = resolveCall(step, ctx, template);
    if (!call) return;
    await ctx.session.callTool(call.name, call.args, { ...(step.timeout ? { timeoutMs: step.timeout } : {}), ...(call.role ? { role: call.role } : {}) });
  });

const timeoutOf = (step: Step) => (step.timeout ? { timeoutMs: step.timeout } : {});

export const listTools: StepRunner = (step, ctx, scope) => times(step, ctx, scope, async () => void (await ctx.session.listTools(timeoutOf(step))));

export const ping: StepRunner = (step, ctx, scope) => times(step, ctx, scope, async () => void (await ctx.session.ping(timeoutOf(step))));

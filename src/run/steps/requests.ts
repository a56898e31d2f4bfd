/**
 * call-tool, list-tools and ping: `count` requests in sequence, `interval` ms apart. The first
 * request runs even after the run's deadline (a closing check, within the hard deadline); the
 * following ones only before it, like any loop.
 */
import type { Step } from '../../scenario/types.js';
import { loopDeadline, type RunContext, type StepRunner, type StepScope } from '../context.js';
import { resolveCall, type ResolvedCall } from '../resolve-call.js';
import { sleep } from '../sleep.js';

async function times(step: Step, ctx: RunContext, scope: StepScope, once: (i: number) => Promise<void>): Promise<void> {
  const count = step.count ?? 1;
  const deadline = loopDeadline(ctx, scope);
  for (let i = 0; i < count && !ctx.interrupt.aborted; i++) {
    if (i > 0) {
      await sleep(step.interval ?? 0, ctx.signal);
      if (ctx.signal.aborted || Date.now() >= deadline) break;
    }
    await once(i);
  }
}

/** One role call: a tool call, or the MCP request a method role stands for (a server that lists no tools). */
export async function issueCall(ctx: RunContext, call: ResolvedCall, timeout: { timeoutMs?: number }): Promise<void> {
  const opts = { ...timeout, ...(call.role ? { role: call.role } : {}) };
  switch (call.method) {
    case undefined:
      await ctx.session.callTool(call.name, call.args, opts);
      return;
    case 'ping':
      await ctx.session.ping(opts);
      return;
    case 'tools/list':
      await ctx.session.listTools(opts);
      return;
    default:
      await ctx.session.listing(call.method, opts);
  }
}

export const callTool: StepRunner = (step, ctx, scope) =>
  times(step, ctx, scope, async (i) => {
    const template = step.count && step.count > 1 ? { ...scope.template, iteration: i } : scope.template;
    const call = resolveCall(step, ctx, template);
    if (!call) return;
    await issueCall(ctx, call, step.timeout ? { timeoutMs: step.timeout } : {});
  });

const timeoutOf = (step: Step) => (step.timeout ? { timeoutMs: step.timeout } : {});

export const listTools: StepRunner = (step, ctx, scope) => times(step, ctx, scope, async () => void (await ctx.session.listTools(timeoutOf(step))));

export const ping: StepRunner = (step, ctx, scope) => times(step, ctx, scope, async () => void (await ctx.session.ping(timeoutOf(step))));

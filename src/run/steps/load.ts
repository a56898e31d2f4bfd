/**
 * load: drive `concurrency` workers of tool calls until the step's time is up (a fraction of the
 * run's --duration, or `duration`), optionally paced to `rate` requests/s across all workers.
 * On Streamable HTTP, stdio and tcp it uses the session's lean path (JSON-RPC POSTs with the
 * session's headers, or request lines on the session's own stream) so the generator is not what
 * limits the test; on SSE and WebSocket the SDK client.
 */
import type { StepRunner } from '../context.js';
import { resolveCall } from '../resolve-call.js';
import { sleep } from '../sleep.js';
import { issueCall } from './requests.js';
import { stepDeadline } from './soak.js';

export const load: StepRunner = async (step, ctx, scope) => {
  const deadline = Math.min(scope.deadline, stepDeadline(step, ctx));
  const concurrency = step.concurrency ?? 10;
  if (ctx.signal.aborted || Date.now() >= deadline) return;
  const binding = step.role ? ctx.roles[step.role] : undefined;
  // A role that stands for an MCP request (no tools on the server), or a tool that asks the client
  // something during the call, goes through the SDK client: the lean path answers no server request.
  const lean = binding?.method || binding?.asksClient ? null : ctx.session.leanCaller(concurrency);
  const started = Date.now();
  let issued = 0;
  const worker = async (index: number) => {
    for (let iteration = 0; !ctx.signal.aborted; iteration++) {
      if (step.rate) {
        const slot = started + (issued++ * 1000) / step.rate;
        await sleep(slot - Date.now(), ctx.signal);
      }
      if (Date.now() >= deadline || ctx.signal.aborted) return;
      const call = resolveCall(step, ctx, { ...scope.template, index, iteration });
      if (!call) return;
      const timeout = step.timeout ? { timeoutMs: step.timeout } : {};
      if (lean) await lean.call(call.name, call.args, { ...(call.role ? { role: call.role } : {}), ...timeout });
      else await issueCall(ctx, call, timeout);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  } finally {
    lean?.close();
  }
};

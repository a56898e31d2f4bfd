/**
 * The step interpreter: dispatch each step to its runner, in order. No step starts after the
 * scope's deadline (a soak's end, or the run's hard deadline at the top) or an interrupt; loops stop
 * at the run's deadline themselves (see RunContext). A step with
 * `"background": true` (soak, load, chaos) starts and the next step runs at once; the list waits
 * for its background steps before it returns, so a background step lasts its own time.
 */
import type { Step, StepAction } from '../scenario/types.js';
import type { RunContext, StepRunner, StepScope } from './context.js';
import { chaos } from './steps/chaos.js';
import { connect, disconnect, forceDisconnect, reconnect } from './steps/connection.js';
import { faultStop } from './steps/fault-stop.js';
import { fault } from './steps/fault.js';
import { parallel, repeat, wait } from './steps/flow.js';
import { load } from './steps/load.js';
import { callTool, listTools, ping } from './steps/requests.js';
import { soak } from './steps/soak.js';
import { verifyState } from './steps/verify-state.js';

const RUNNERS: Record<StepAction, StepRunner> = {
  connect,
  initialize: connect,
  'call-tool': callTool,
  'list-tools': listTools,
  ping,
  repeat,
  parallel,
  wait,
  'verify-state': verifyState,
  disconnect,
  'force-disconnect': forceDisconnect,
  reconnect,
  soak,
  load,
  fault,
  'fault-stop': faultStop,
  chaos,
};

export async function runSteps(steps: Step[], ctx: RunContext, scope: StepScope): Promise<void> {
  const background: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;
  try {
    for (const step of steps) {
      if (ctx.interrupt.aborted || Date.now() >= scope.deadline) break;
      const running = RUNNERS[step.action](step, ctx, scope);
      // A handler at once: a background step failing early must not be an unhandled rejection.
      if (step.background) background.push(running.catch((error: unknown) => void (failure ??= { error })));
      else await running;
    }
  } finally {
    await Promise.all(background);
  }
  if (failure) throw failure.error;
}

/** The step interpreter: dispatch each step to its runner, in order. */
import type { Step, StepAction } from '../scenario/types.js';
import type { RunContext, StepRunner, StepScope } from './context.js';
import { connect, disconnect, forceDisconnect, reconnect } from './steps/connection.js';
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
};

export async function runSteps(steps: Step[], ctx: RunContext, scope: StepScope): Promise<void> {
  for (const step of steps) {
    if (ctx.signal.aborted || Date.now() >= scope.deadline) return;
    await RUNNERS[step.action](step, ctx, scope);
  }
}

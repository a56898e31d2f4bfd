/**
 * The action's main step: inputs validated before anything starts, then the mode. SIGINT and
 * SIGTERM (the runner cancelling: SIGINT, then SIGTERM 7.5 s later) stop the run, which writes what
 * it measured; what was not uploaded is uploaded by the post step.
 */
import * as core from '@actions/core';
import { exitCodeOf } from '../errors.js';
import { listScenarios } from '../scenario/index.js';
import { SCENARIOS_DIR } from '../target/index.js';
import { Artifacts } from './artifacts.js';
import { runnerEnv } from './github-env.js';
import { InputError, parseInputs } from './inputs.js';
import { commentMode, reportMode } from './report-mode.js';
import { runMode, stepFails } from './run-mode.js';

async function main(): Promise<void> {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    core.warning(`${sig}: stopping the run; what was measured is written and uploaded`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let inputs;
  try {
    inputs = parseInputs((name) => core.getInput(name), await listScenarios(SCENARIOS_DIR));
  } catch (err) {
    if (err instanceof InputError) {
      for (const p of err.problems) core.error(p);
      core.setFailed(`bad input: ${err.problems.length} problem(s), nothing was started`);
      return;
    }
    throw err;
  }
  core.saveState('mode', inputs.mode);
  const deps = { artifacts: new Artifacts(), env: runnerEnv(), signal: controller.signal };
  try {
    if (inputs.mode === 'run') {
      const outcome = await runMode(inputs, deps);
      const verdict = outcome.results[0]?.verdict ?? 'error';
      if (stepFails(inputs.failOn, Number(outcome.exitCode))) core.setFailed(`${inputs.scenario}: ${verdict.toUpperCase()} (exit code ${outcome.exitCode}); see the job summary`);
    } else if (inputs.mode === 'report') {
      await reportMode(inputs, deps);
    } else {
      await commentMode(inputs, deps);
    }
  } catch (err) {
    core.setOutput('exit-code', String(exitCodeOf(err)));
    core.setFailed(err instanceof Error ? err.message : String(err));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().then(
  () => {
    // Whatever a misbehaving server left pending must not keep the step alive.
    setTimeout(() => process.exit(), 2000).unref();
  },
  (err: unknown) => core.setFailed(`harness failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
);

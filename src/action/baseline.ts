/**
 * The baseline of report mode: the latest successful scheduled (nightly) runs of a workflow on the
 * repository's default branch, found through the REST API (`actions: read`), and their scenario
 * run artifacts downloaded (the latest attempt of each), every result checked against the schema.
 * A baseline is help, not a requirement: whatever is missing (no nightly yet, a token without
 * `actions: read`, an expired or broken artifact) becomes a line in the report, never a failure.
 */
import { join } from 'node:path';
import type { getOctokit } from '@actions/github';
import { codeSpan, readResultFile, resultFilesAt, type ScenarioResult } from '../report/index.js';
import type { Artifacts } from './artifacts.js';
import { defaultBranch, workflowFile, type RunnerEnv } from './github-env.js';
import type { ActionInputs } from './inputs.js';
import { latestRunArtifacts, REPORT_LIMITS } from './report-mode.js';

type Octokit = ReturnType<typeof getOctokit>;

export interface BaselineRun {
  id: number;
  number: number;
  url: string;
  createdAt: string;
}

export interface Baseline {
  workflow: string;
  branch: string;
  runs: BaselineRun[];
  results: ScenarioResult[];
  /** What went wrong on the way, in words (the report shows them). */
  problems: string[];
}

/**
 * The baseline named for the report's heading, built from its parts only: comment mode reads them
 * from an untrusted artifact, so the run links are made from numeric ids and the names escaped.
 */
export function baselineLabel(b: { workflow: string; branch: string; runs: readonly { id: number; number: number }[] }, env: RunnerEnv): string {
  const { owner, repo } = env.repository;
  const runs = b.runs.filter((r) => Number.isSafeInteger(r.id) && Number.isSafeInteger(r.number));
  const links = runs.map((r) => `[#${r.number}](${env.serverUrl}/${owner}/${repo}/actions/runs/${r.id})`).join(', ');
  return `${links} — the latest successful scheduled run${runs.length > 1 ? 's' : ''} of ${codeSpan(b.workflow, false)} on ${codeSpan(b.branch, false)}`;
}

export async function findBaseline(octokit: Octokit, inp: ActionInputs, env: RunnerEnv, artifacts: Artifacts): Promise<Baseline> {
  const { owner, repo } = env.repository;
  const workflow = inp.baselineWorkflow || workflowFile(env);
  const branch = defaultBranch(env);
  const none = (why: string): Baseline => ({ workflow, branch, runs: [], results: [], problems: [why] });
  if (!workflow) return none('no baseline: the running workflow is unknown (GITHUB_WORKFLOW_REF); set baseline-workflow');
  let listed;
  try {
    listed = await octokit.rest.actions.listWorkflowRuns({ owner, repo, workflow_id: workflow, branch, event: 'schedule', status: 'success', exclude_pull_requests: true, per_page: inp.baselineRuns + 1 });
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 404) return none(`no baseline: no workflow ${workflow} in ${owner}/${repo}, or the token may not read Actions (give the job actions: read)`);
    if (status === 403) return none(`no baseline: the token may not read Actions runs (HTTP 403): give the job actions: read`);
    throw err;
  }
  const runs = listed.data.workflow_runs
    .filter((r) => String(r.id) !== env.runId)
    .slice(0, inp.baselineRuns)
    .map((r) => ({ id: r.id, number: r.run_number, url: r.html_url, createdAt: r.created_at }));
  if (runs.length === 0) return none(`no baseline yet: no successful scheduled run of ${workflow} on ${branch}`);
  const results: ScenarioResult[] = [];
  const problems: string[] = [];
  for (const run of runs) {
    const findBy = { token: inp.githubToken, workflowRunId: run.id, repositoryOwner: owner, repositoryName: repo };
    for (const a of latestRunArtifacts(await artifacts.list(findBy), inp.artifactName)) {
      if (a.size > REPORT_LIMITS.artifactBytes) {
        problems.push(`baseline run #${run.number}: ${a.name} is ${a.size} bytes, over the ${REPORT_LIMITS.artifactBytes}-byte limit: left out`);
        continue;
      }
      try {
        const into = await artifacts.download(a.id, join(env.temp, 'mcp-reliability-baseline', String(run.id), a.name), findBy);
        for (const file of resultFilesAt(into)) results.push(readResultFile(file, `baseline run #${run.number} ${a.name}: ${file.slice(into.length + 1)}`));
      } catch (err) {
        problems.push(`baseline run #${run.number}: ${a.name} left out: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  if (results.length === 0) problems.push(`the baseline run${runs.length > 1 ? 's' : ''} ${runs.map((r) => `#${r.number}`).join(', ')} had no ${inp.artifactName}-<scenario>-attempt<n> artifact with a readable result`);
  return { workflow, branch, runs, results, problems };
}

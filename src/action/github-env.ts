/** What the action reads from the runner's environment (GITHUB_*, RUNNER_*), in one place. */
import { readFileSync } from 'node:fs';

export interface RunnerEnv {
  repository: { owner: string; repo: string };
  runId: string;
  runAttempt: number;
  serverUrl: string;
  eventName: string;
  event: Record<string, unknown>;
  workspace: string;
  temp: string;
  sha: string;
  /** `owner/repo/.github/workflows/<file>@<ref>` of the running workflow (GITHUB_WORKFLOW_REF). */
  workflowRef: string;
}

export function runnerEnv(env: NodeJS.ProcessEnv = process.env): RunnerEnv {
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '/').split('/');
  let event: Record<string, unknown> = {};
  try {
    if (env.GITHUB_EVENT_PATH) event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as Record<string, unknown>;
  } catch {
    event = {};
  }
  return {
    repository: { owner, repo },
    runId: env.GITHUB_RUN_ID ?? '0',
    runAttempt: Number(env.GITHUB_RUN_ATTEMPT ?? '1') || 1,
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
    eventName: env.GITHUB_EVENT_NAME ?? '',
    event,
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    temp: env.RUNNER_TEMP ?? '/tmp',
    sha: env.GITHUB_SHA ?? '',
    workflowRef: env.GITHUB_WORKFLOW_REF ?? '',
  };
}

/** The run's page and its artifacts on GitHub. */
export function runLinks(e: RunnerEnv): { run: string; artifacts: string } {
  const run = `${e.serverUrl}/${e.repository.owner}/${e.repository.repo}/actions/runs/${e.runId}`;
  return { run, artifacts: `${run}#artifacts` };
}

/** A same-repository pull request of this event: its number and head SHA (null for others, and for forks: their token cannot write). */
export function sameRepoPullRequest(e: RunnerEnv): { number: number; headSha: string; fork: boolean } | null {
  const pr = e.event.pull_request as { number?: number; head?: { sha?: string; repo?: { full_name?: string } }; base?: { repo?: { full_name?: string } } } | undefined;
  if (!pr || typeof pr.number !== 'number') return null;
  const fork = pr.head?.repo?.full_name !== undefined && pr.head.repo.full_name !== pr.base?.repo?.full_name;
  return { number: pr.number, headSha: pr.head?.sha ?? e.sha, fork };
}

/** The running workflow's file name (`reliability.yml`), from GITHUB_WORKFLOW_REF; '' when unknown. */
export function workflowFile(e: RunnerEnv): string {
  const path = e.workflowRef.split('@')[0] ?? '';
  return path.includes('/.github/workflows/') ? path.slice(path.lastIndexOf('/') + 1) : '';
}

/** The repository's default branch, from the event payload (every event carries `repository`). */
export function defaultBranch(e: RunnerEnv): string {
  const repo = e.event.repository as { default_branch?: unknown } | undefined;
  return typeof repo?.default_branch === 'string' && repo.default_branch ? repo.default_branch : 'main';
}

/**
 * Webhook event payloads with the shapes GitHub writes to GITHUB_EVENT_PATH, plus the context the
 * runner derives from each event (GITHUB_REF, GITHUB_SHA, GITHUB_HEAD_REF, GITHUB_BASE_REF).
 *
 * Only the fields actions commonly read are filled in, with GitHub's names and types; ids are
 * stable per name so the same repository gets the same id across payloads.
 */
import { createHash } from 'node:crypto';

export interface GitHubEvent {
  /** GITHUB_EVENT_NAME */
  name: string;
  /** The webhook payload (written to GITHUB_EVENT_PATH). */
  payload: Record<string, unknown>;
  /** GITHUB_REF */
  ref: string;
  /** GITHUB_SHA */
  sha: string;
  /** GITHUB_HEAD_REF (pull_request events only) */
  headRef?: string;
  /** GITHUB_BASE_REF (pull_request events only) */
  baseRef?: string;
  /** GITHUB_ACTOR */
  actor: string;
}

/** A deterministic fake 40-hex sha for a label. */
export function fakeSha(label: string): string {
  return createHash('sha1').update(label).digest('hex');
}

function stableId(label: string, base = 1): number {
  return base + (createHash('sha1').update(label).digest().readUInt32BE(0) % 900_000_000);
}

export function userPayload(login: string, type: 'User' | 'Bot' | 'Organization' = 'User'): Record<string, unknown> {
  const id = login === 'github-actions[bot]' ? 41898282 : stableId(`user:${login}`);
  return {
    login,
    id,
    node_id: `U_${Buffer.from(String(id)).toString('base64url')}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    html_url: `https://github.com/${login}`,
    url: `https://api.github.com/users/${login}`,
    type,
    site_admin: false,
  };
}

/** A `repository` object for `owner/name`. */
export function repositoryPayload(fullName: string, o: { fork?: boolean; private?: boolean; defaultBranch?: string; id?: number } = {}): Record<string, unknown> {
  const [owner, name] = fullName.split('/') as [string, string];
  const id = o.id ?? stableId(`repo:${fullName.toLowerCase()}`);
  return {
    id,
    node_id: `R_${Buffer.from(String(id)).toString('base64url')}`,
    name,
    full_name: fullName,
    private: o.private ?? false,
    owner: userPayload(owner),
    html_url: `https://github.com/${fullName}`,
    description: null,
    fork: o.fork ?? false,
    url: `https://api.github.com/repos/${fullName}`,
    default_branch: o.defaultBranch ?? 'main',
    visibility: o.private ? 'private' : 'public',
  };
}

export interface PullRequestEventOptions {
  /** Base repository `owner/name`. */
  repo: string;
  number: number;
  /** Head branch; `repo` defaults to the base repository (same-repo PR). A fork: `forker/name`. */
  head: { ref: string; sha?: string; repo?: string };
  base?: { ref?: string; sha?: string };
  action?: 'opened' | 'synchronize' | 'reopened' | 'closed' | 'edited' | 'labeled';
  title?: string;
  /** PR author; default the head repository's owner. */
  user?: string;
  draft?: boolean;
}

/** A `pull_request` event (same repository, or a fork when `head.repo` is another repository). */
export function pullRequestEvent(o: PullRequestEventOptions): GitHubEvent {
  const headRepo = o.head.repo ?? o.repo;
  const fork = headRepo.toLowerCase() !== o.repo.toLowerCase();
  const headOwner = headRepo.split('/')[0]!;
  const baseOwner = o.repo.split('/')[0]!;
  const headSha = o.head.sha ?? fakeSha(`${headRepo}:${o.head.ref}`);
  const baseRef = o.base?.ref ?? 'main';
  const baseSha = o.base?.sha ?? fakeSha(`${o.repo}:${baseRef}`);
  const author = o.user ?? headOwner;
  const id = stableId(`pr:${o.repo}#${o.number}`);
  const pr = {
    url: `https://api.github.com/repos/${o.repo}/pulls/${o.number}`,
    id,
    node_id: `PR_${Buffer.from(String(id)).toString('base64url')}`,
    html_url: `https://github.com/${o.repo}/pull/${o.number}`,
    number: o.number,
    state: o.action === 'closed' ? 'closed' : 'open',
    locked: false,
    title: o.title ?? `PR ${o.number}`,
    user: userPayload(author),
    body: null,
    draft: o.draft ?? false,
    merged: false,
    head: {
      label: `${headOwner}:${o.head.ref}`,
      ref: o.head.ref,
      sha: headSha,
      user: userPayload(headOwner),
      repo: repositoryPayload(headRepo, { fork }),
    },
    base: {
      label: `${baseOwner}:${baseRef}`,
      ref: baseRef,
      sha: baseSha,
      user: userPayload(baseOwner),
      repo: repositoryPayload(o.repo),
    },
    author_association: fork ? 'CONTRIBUTOR' : 'MEMBER',
  };
  return {
    name: 'pull_request',
    payload: { action: o.action ?? 'opened', number: o.number, pull_request: pr, repository: repositoryPayload(o.repo), sender: userPayload(author) },
    ref: `refs/pull/${o.number}/merge`,
    sha: fakeSha(`merge:${o.repo}#${o.number}:${headSha}`),
    headRef: o.head.ref,
    baseRef,
    actor: author,
  };
}

/** A `schedule` event. */
export function scheduleEvent(o: { repo: string; cron?: string; workflow?: string; branch?: string; sha?: string }): GitHubEvent {
  const branch = o.branch ?? 'main';
  return {
    name: 'schedule',
    payload: { schedule: o.cron ?? '0 3 * * *', workflow: o.workflow ?? '.github/workflows/reliability.yml', repository: repositoryPayload(o.repo) },
    ref: `refs/heads/${branch}`,
    sha: o.sha ?? fakeSha(`${o.repo}:${branch}`),
    actor: o.repo.split('/')[0]!,
  };
}

/** A `workflow_dispatch` event; input values are strings in the payload, as GitHub sends them. */
export function workflowDispatchEvent(o: {
  repo: string;
  inputs?: Record<string, string | number | boolean>;
  ref?: string;
  sha?: string;
  workflow?: string;
  actor?: string;
}): GitHubEvent {
  const ref = o.ref ?? 'refs/heads/main';
  const actor = o.actor ?? o.repo.split('/')[0]!;
  return {
    name: 'workflow_dispatch',
    payload: {
      inputs: Object.fromEntries(Object.entries(o.inputs ?? {}).map(([k, v]) => [k, String(v)])),
      ref,
      repository: repositoryPayload(o.repo),
      sender: userPayload(actor),
      workflow: o.workflow ?? '.github/workflows/reliability.yml',
    },
    ref,
    sha: o.sha ?? fakeSha(`${o.repo}:${ref}`),
    actor,
  };
}

export interface WorkflowRunEventOptions {
  /** The base repository (where both workflows run). */
  repo: string;
  /** The triggering run's id (GET /actions/runs/{id} and its artifacts). */
  runId: number;
  /** The triggering workflow's name. */
  workflowName?: string;
  /** `owner/name` of the head repository: another repository for a fork PR. */
  headRepo?: string;
  headBranch: string;
  headSha: string;
  /** The event of the triggering run (default pull_request). */
  event?: string;
  conclusion?: 'success' | 'failure' | 'cancelled' | 'skipped' | null;
  action?: 'completed' | 'requested' | 'in_progress';
  /**
   * PRs GitHub lists in `workflow_run.pull_requests`. Default: for a same-repo PR pass its number;
   * for a fork it must be [] (GitHub never lists fork PRs here).
   */
  pullRequests?: Array<{ number: number; baseRef?: string; baseSha?: string }>;
  runNumber?: number;
  runAttempt?: number;
  actor?: string;
  /** GITHUB_SHA of the workflow_run run itself: the default branch's head. */
  defaultBranchSha?: string;
}

/** A `workflow_run` event (the privileged follow-up of a pull_request run, e.g. to comment). */
export function workflowRunEvent(o: WorkflowRunEventOptions): GitHubEvent {
  const headRepo = o.headRepo ?? o.repo;
  const fork = headRepo.toLowerCase() !== o.repo.toLowerCase();
  if (fork && o.pullRequests && o.pullRequests.length > 0) throw new Error('GitHub sends pull_requests: [] for fork PRs; do not pass any');
  const baseRepo = repositoryPayload(o.repo);
  const small = (full: string) => {
    const r = repositoryPayload(full);
    return { id: r.id, url: r.url, name: r.name };
  };
  const actor = o.actor ?? headRepo.split('/')[0]!;
  const workflowPath = '.github/workflows/reliability.yml';
  const run = {
    id: o.runId,
    name: o.workflowName ?? 'Reliability',
    node_id: `WFR_${Buffer.from(String(o.runId)).toString('base64url')}`,
    head_branch: o.headBranch,
    head_sha: o.headSha,
    path: workflowPath,
    display_title: o.workflowName ?? 'Reliability',
    run_number: o.runNumber ?? 1,
    event: o.event ?? 'pull_request',
    status: o.action === 'completed' || o.action === undefined ? 'completed' : o.action === 'requested' ? 'queued' : 'in_progress',
    conclusion: o.action === undefined || o.action === 'completed' ? (o.conclusion === undefined ? 'success' : o.conclusion) : null,
    workflow_id: stableId(`workflow:${o.repo}:${workflowPath}`),
    url: `https://api.github.com/repos/${o.repo}/actions/runs/${o.runId}`,
    html_url: `https://github.com/${o.repo}/actions/runs/${o.runId}`,
    pull_requests: (o.pullRequests ?? []).map((p) => ({
      url: `https://api.github.com/repos/${o.repo}/pulls/${p.number}`,
      id: stableId(`pr:${o.repo}#${p.number}`),
      number: p.number,
      head: { ref: o.headBranch, sha: o.headSha, repo: small(headRepo) },
      base: { ref: p.baseRef ?? 'main', sha: p.baseSha ?? fakeSha(`${o.repo}:${p.baseRef ?? 'main'}`), repo: small(o.repo) },
    })),
    actor: userPayload(actor),
    triggering_actor: userPayload(actor),
    run_attempt: o.runAttempt ?? 1,
    artifacts_url: `https://api.github.com/repos/${o.repo}/actions/runs/${o.runId}/artifacts`,
    head_commit: { id: o.headSha, message: 'commit', author: { name: actor, email: `${actor}@users.noreply.github.com` } },
    repository: baseRepo,
    head_repository: repositoryPayload(headRepo, { fork }),
  };
  return {
    name: 'workflow_run',
    payload: {
      action: o.action ?? 'completed',
      workflow_run: run,
      workflow: { id: run.workflow_id, name: run.name, path: workflowPath, state: 'active' },
      repository: baseRepo,
      sender: userPayload(actor),
    },
    ref: 'refs/heads/main',
    sha: o.defaultBranchSha ?? fakeSha(`${o.repo}:main`),
    actor,
  };
}

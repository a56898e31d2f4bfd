/**
 * A loopback GitHub REST API fake (node:http) for `@actions/github` / Octokit and for
 * `@actions/artifact`'s cross-run calls. It keeps seedable in-memory state (repositories, issues,
 * pull requests, comments, workflow runs) and records every request.
 *
 * Implemented (paths under `/repos/{owner}/{repo}` and, as GitHub's Link headers use them, under
 * `/repositories/{id}`):
 *  - `GET /user` (a GITHUB_TOKEN gets 403 "Resource not accessible by integration"), `GET /repos/{o}/{r}`
 *  - issues: `GET /issues/{n}`, `GET|POST /issues/{n}/comments` (per_page ≤ 100, default 30, page,
 *    since; Link rel="next"/"last"/"first"/"prev"), `GET|PATCH|DELETE /issues/comments/{id}`
 *  - pulls: `GET /pulls` (state, head=`owner:branch`, base, sort, direction, pagination),
 *    `GET /pulls/{n}`, `GET /commits/{sha}/pulls`
 *  - actions: `GET /actions/runs/{id}`, `GET /actions/runs/{id}/artifacts` (name, pagination),
 *    `GET /actions/artifacts` (name), `GET|DELETE /actions/artifacts/{id}`,
 *    `GET /actions/artifacts/{id}/zip` → 302 to a signed blob URL of the artifacts service
 *
 * Refused as GitHub refuses: no `Authorization` (401 "Requires authentication"), an unknown token
 * (401 "Bad credentials"), a token without the permission the endpoint needs (403 "Resource not
 * accessible by integration"; a fork PR's read-only token gets this on every write), a repository the
 * token cannot see (404), unknown issues/comments/PRs/runs/artifacts (404), comment bodies that are
 * missing or over 65,536 characters (422), an expired artifact's zip (410).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ArtifactsService, StoredArtifact } from './artifacts.js';
import { closeServer, listenLoopback, readBody, sendJson } from './common.js';

export type Permission = 'none' | 'read' | 'write';
export type Scope = 'actions' | 'contents' | 'issues' | 'metadata' | 'pull_requests' | 'statuses' | 'checks';
export type Permissions = Partial<Record<Scope, Permission>>;

export interface GitHubUser {
  login: string;
  id: number;
  type: 'User' | 'Bot' | 'Organization';
}

/** The identity a GITHUB_TOKEN's writes are attributed to. */
export const GITHUB_ACTIONS_BOT: GitHubUser = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };

/** The GitHub App behind a GITHUB_TOKEN, as in `performed_via_github_app`. */
const GITHUB_ACTIONS_APP = { id: 15368, slug: 'github-actions', node_id: 'MDM6QXBwMTUzNjg=', name: 'GitHub Actions' };

export interface TokenSpec {
  /** `installation`: a GITHUB_TOKEN (acts as github-actions[bot]; no `GET /user`). `user`: a personal token acting as `user`. */
  kind?: 'installation' | 'user';
  /** For `user` tokens; default a User named `octocat`. */
  user?: GitHubUser;
  /** What the token may do; scopes left out are `none` (metadata is always `read`). */
  permissions: Permissions;
  /** `owner/name` of the repositories the token can see; default every repository (GITHUB_TOKEN: its own only). */
  repositories?: string[];
}

/** A GITHUB_TOKEN with the permissions a same-repo pull_request/push run gets from `permissions: write-all`. */
export function writeToken(repositories?: string[]): TokenSpec {
  return {
    kind: 'installation',
    permissions: { actions: 'write', contents: 'write', issues: 'write', metadata: 'read', pull_requests: 'write', statuses: 'write', checks: 'write' },
    ...(repositories ? { repositories } : {}),
  };
}

/** The read-only GITHUB_TOKEN a pull_request run from a fork gets (every scope `read`). */
export function readOnlyToken(repositories?: string[]): TokenSpec {
  return {
    kind: 'installation',
    permissions: { actions: 'read', contents: 'read', issues: 'read', metadata: 'read', pull_requests: 'read', statuses: 'read', checks: 'read' },
    ...(repositories ? { repositories } : {}),
  };
}

export interface RepoRecord {
  id: number;
  owner: GitHubUser;
  name: string;
  fullName: string;
  private: boolean;
  defaultBranch: string;
  /** Set for forks: `owner/name` of the parent. */
  parent?: string;
}

export interface CommentRecord {
  id: number;
  repo: string;
  issueNumber: number;
  body: string;
  user: GitHubUser;
  /** True when a GITHUB_TOKEN wrote it (performed_via_github_app is set). */
  viaApp: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface PullRequestRecord {
  number: number;
  id: number;
  repo: string;
  title: string;
  body: string;
  user: GitHubUser;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  head: { repo: string | null; ref: string; sha: string; owner: string };
  base: { ref: string; sha: string };
  createdAt: Date;
  updatedAt: Date;
}

export interface IssueRecord {
  number: number;
  id: number;
  repo: string;
  title: string;
  user: GitHubUser;
  state: 'open' | 'closed';
  createdAt: Date;
}

export interface WorkflowRunRecord {
  id: number;
  repo: string;
  /** The Actions Results run backend id (the `Actions.Results:<run>:…` of this run's runtime token). */
  backendId: string;
  name: string;
  path: string;
  event: string;
  status: string;
  conclusion: string | null;
  headBranch: string | null;
  headSha: string;
  /** `owner/name` the head commit lives in (a fork for fork PRs). */
  headRepo: string;
  runNumber: number;
  runAttempt: number;
  actor: GitHubUser;
  /** Explicit `pull_requests`; when absent it is computed as GitHub does (same-repo PRs only). */
  pullRequests?: number[];
  workflowId: number;
  createdAt: Date;
}

export interface RestRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The token (without its `token`/`Bearer` prefix), if any. */
  token: string | undefined;
  headers: IncomingMessage['headers'];
  body: unknown;
  status: number;
  at: Date;
}

export interface RestFakeOptions {
  /** Artifacts service for the actions artifacts endpoints (and the `/zip` redirect). */
  artifacts?: ArtifactsService;
  /** Tokens the fake accepts. */
  tokens?: Record<string, TokenSpec>;
  /** Used in `html_url`s (default https://github.com). */
  serverUrl?: string;
  /** Lifetime of the signed URL the `/zip` endpoint redirects to (default 60 s, as on GitHub). */
  zipUrlTtlSeconds?: number;
}

export interface SeedPullRequest {
  /** `owner/name` of the base repository (created when new). */
  repo: string;
  number?: number;
  title?: string;
  body?: string;
  user?: GitHubUser;
  state?: 'open' | 'closed';
  draft?: boolean;
  merged?: boolean;
  /** Head: `repo` is the fork's `owner/name` (default the base repo: a same-repo PR), or null for a deleted fork. */
  head: { repo?: string | null; ref: string; sha: string; owner?: string };
  base?: { ref?: string; sha?: string };
}

export interface SeedRun {
  repo: string;
  id?: number;
  backendId?: string;
  name?: string;
  path?: string;
  event?: string;
  status?: string;
  conclusion?: string | null;
  headBranch?: string | null;
  headSha?: string;
  headRepo?: string;
  runNumber?: number;
  runAttempt?: number;
  actor?: GitHubUser;
  pullRequests?: number[];
}

export interface GitHubRestFake {
  /** GITHUB_API_URL for clients: `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  readonly requests: RestRequest[];
  addToken(token: string, spec: TokenSpec): void;
  addRepo(fullName: string, o?: { id?: number; private?: boolean; defaultBranch?: string; ownerType?: GitHubUser['type']; parent?: string }): RepoRecord;
  addIssue(repo: string, o?: { number?: number; title?: string; user?: GitHubUser; state?: 'open' | 'closed' }): IssueRecord;
  addPullRequest(pr: SeedPullRequest): PullRequestRecord;
  /** Seed comments on an issue/PR: a count (authored by `o.user`, default users `reviewer-<i>`) or explicit bodies. */
  addComments(repo: string, issueNumber: number, comments: number | Array<{ body: string; user?: GitHubUser; viaApp?: boolean }>, o?: { user?: GitHubUser }): CommentRecord[];
  addWorkflowRun(run: SeedRun): WorkflowRunRecord;
  repo(fullName: string): RepoRecord | undefined;
  /** All comments of an issue/PR, oldest first. */
  comments(repo: string, issueNumber: number): CommentRecord[];
  comment(id: number): CommentRecord | undefined;
  pullRequest(repo: string, number: number): PullRequestRecord | undefined;
  run(id: number): WorkflowRunRecord | undefined;
  /** Requests matching a method and a path pattern (string: exact path; RegExp: test). */
  requestsTo(method: string, path: string | RegExp): RestRequest[];
  close(): Promise<void>;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly docs = 'https://docs.github.com/rest',
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const notFound = (docs?: string) => new HttpFailure(404, 'Not Found', docs);

function nodeId(prefix: string, id: number): string {
  return `${prefix}_kwDO${Buffer.from(String(id)).toString('base64url')}`;
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export async function startGitHubRest(opts: RestFakeOptions = {}): Promise<GitHubRestFake> {
  const serverUrl = (opts.serverUrl ?? 'https://github.com').replace(/\/$/, '');
  const tokens = new Map<string, TokenSpec>(Object.entries(opts.tokens ?? {}));
  const repos = new Map<string, RepoRecord>();
  const issues = new Map<string, IssueRecord>();
  const pulls = new Map<string, PullRequestRecord>();
  const comments = new Map<number, CommentRecord>();
  const runs = new Map<number, WorkflowRunRecord>();
  const requests: RestRequest[] = [];
  const counters = new Map<string, number>();
  let nextUserId = 100_000;
  let nextId = 2_000_000_000;
  let nextCommentId = 1_500_000_000;
  let nextRunId = 9_000_000_000;
  let apiUrl = '';
  const key = (repo: string, n: number) => `${repo.toLowerCase()}#${n}`;

  // --- JSON shapes -------------------------------------------------------------------------------
  const userJson = (u: GitHubUser) => ({
    login: u.login,
    id: u.id,
    node_id: nodeId(u.type === 'Bot' ? 'BOT' : 'U', u.id),
    avatar_url: `https://avatars.githubusercontent.com/${u.type === 'Bot' ? 'in/15368' : `u/${u.id}`}?v=4`,
    gravatar_id: '',
    url: `${apiUrl}/users/${encodeURIComponent(u.login)}`,
    html_url: u.type === 'Bot' ? `${serverUrl}/apps/${u.login.replace(/\[bot\]$/, '')}` : `${serverUrl}/${u.login}`,
    type: u.type,
    user_view_type: 'public',
    site_admin: false,
  });
  const repoJson = (r: RepoRecord) => ({
    id: r.id,
    node_id: nodeId('R', r.id),
    name: r.name,
    full_name: r.fullName,
    private: r.private,
    owner: userJson(r.owner),
    html_url: `${serverUrl}/${r.fullName}`,
    fork: r.parent !== undefined,
    url: `${apiUrl}/repos/${r.fullName}`,
    default_branch: r.defaultBranch,
    visibility: r.private ? 'private' : 'public',
  });
  const commentJson = (c: CommentRecord) => {
    const isPr = pulls.has(key(c.repo, c.issueNumber));
    return {
      url: `${apiUrl}/repos/${c.repo}/issues/comments/${c.id}`,
      html_url: `${serverUrl}/${c.repo}/${isPr ? 'pull' : 'issues'}/${c.issueNumber}#issuecomment-${c.id}`,
      issue_url: `${apiUrl}/repos/${c.repo}/issues/${c.issueNumber}`,
      id: c.id,
      node_id: nodeId('IC', c.id),
      user: userJson(c.user),
      created_at: c.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      updated_at: c.updatedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      body: c.body,
      author_association: c.user.type === 'Bot' ? 'NONE' : 'CONTRIBUTOR',
      reactions: { url: `${apiUrl}/repos/${c.repo}/issues/comments/${c.id}/reactions`, total_count: 0, '+1': 0, '-1': 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 },
      performed_via_github_app: c.viaApp ? { ...GITHUB_ACTIONS_APP, owner: userJson({ login: 'github', id: 9919, type: 'Organization' }) } : null,
    };
  };
  const iso = (d: Date | null | undefined) => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : null);
  const branchJson = (repo: string | null, ref: string, sha: string, owner: string) => {
    const r = repo ? repos.get(repo.toLowerCase()) : undefined;
    const ownerUser = r?.owner ?? { login: owner, id: 0, type: 'User' as const };
    return { label: `${owner}:${ref}`, ref, sha, user: userJson(ownerUser), repo: r ? repoJson(r) : null };
  };
  const pullJson = (p: PullRequestRecord, full = false) => {
    const base = repos.get(p.repo.toLowerCase())!;
    const out: Record<string, unknown> = {
      url: `${apiUrl}/repos/${p.repo}/pulls/${p.number}`,
      id: p.id,
      node_id: nodeId('PR', p.id),
      html_url: `${serverUrl}/${p.repo}/pull/${p.number}`,
      issue_url: `${apiUrl}/repos/${p.repo}/issues/${p.number}`,
      comments_url: `${apiUrl}/repos/${p.repo}/issues/${p.number}/comments`,
      number: p.number,
      state: p.state,
      locked: false,
      title: p.title,
      user: userJson(p.user),
      body: p.body,
      created_at: iso(p.createdAt),
      updated_at: iso(p.updatedAt),
      closed_at: p.state === 'closed' ? iso(p.updatedAt) : null,
      merged_at: p.merged ? iso(p.updatedAt) : null,
      draft: p.draft,
      head: branchJson(p.head.repo, p.head.ref, p.head.sha, p.head.owner),
      base: branchJson(base.fullName, p.base.ref, p.base.sha, base.owner.login),
      author_association: 'CONTRIBUTOR',
    };
    if (full) {
      Object.assign(out, {
        merged: p.merged,
        mergeable: p.state === 'open' ? true : null,
        comments: [...comments.values()].filter((c) => c.repo.toLowerCase() === p.repo.toLowerCase() && c.issueNumber === p.number).length,
        commits: 1,
      });
    }
    return out;
  };
  const issueJson = (repo: string, n: number) => {
    const pr = pulls.get(key(repo, n));
    const is = issues.get(key(repo, n));
    const rec = pr ?? is!;
    return {
      url: `${apiUrl}/repos/${repo}/issues/${n}`,
      id: rec.id,
      node_id: nodeId('I', rec.id),
      number: n,
      title: rec.title,
      user: userJson(rec.user),
      state: rec.state,
      comments: [...comments.values()].filter((c) => c.repo.toLowerCase() === repo.toLowerCase() && c.issueNumber === n).length,
      html_url: `${serverUrl}/${repo}/${pr ? 'pull' : 'issues'}/${n}`,
      ...(pr ? { pull_request: { url: `${apiUrl}/repos/${repo}/pulls/${n}`, html_url: `${serverUrl}/${repo}/pull/${n}` } } : {}),
    };
  };
  const runPullRequests = (run: WorkflowRunRecord) => {
    const numbers =
      run.pullRequests ??
      [...pulls.values()]
        .filter((p) => p.repo.toLowerCase() === run.repo.toLowerCase() && p.state === 'open' && p.head.repo?.toLowerCase() === run.repo.toLowerCase() && p.head.ref === run.headBranch && p.head.sha === run.headSha)
        .map((p) => p.number);
    return numbers
      .map((n) => pulls.get(key(run.repo, n)))
      .filter((p): p is PullRequestRecord => p !== undefined)
      .map((p) => {
        const base = repos.get(p.repo.toLowerCase())!;
        const headRepo = p.head.repo ? repos.get(p.head.repo.toLowerCase()) : undefined;
        const small = (r: RepoRecord) => ({ id: r.id, url: `${apiUrl}/repos/${r.fullName}`, name: r.name });
        return {
          url: `${apiUrl}/repos/${p.repo}/pulls/${p.number}`,
          id: p.id,
          number: p.number,
          head: { ref: p.head.ref, sha: p.head.sha, repo: headRepo ? small(headRepo) : null },
          base: { ref: p.base.ref, sha: p.base.sha, repo: small(base) },
        };
      });
  };
  const runJson = (run: WorkflowRunRecord) => {
    const repo = repos.get(run.repo.toLowerCase())!;
    const headRepo = repos.get(run.headRepo.toLowerCase()) ?? repo;
    return {
      id: run.id,
      name: run.name,
      node_id: nodeId('WFR', run.id),
      head_branch: run.headBranch,
      head_sha: run.headSha,
      path: run.path,
      display_title: run.name,
      run_number: run.runNumber,
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: run.workflowId,
      check_suite_id: run.id + 1,
      url: `${apiUrl}/repos/${run.repo}/actions/runs/${run.id}`,
      html_url: `${serverUrl}/${run.repo}/actions/runs/${run.id}`,
      pull_requests: runPullRequests(run),
      created_at: iso(run.createdAt),
      updated_at: iso(run.createdAt),
      actor: userJson(run.actor),
      run_attempt: run.runAttempt,
      run_started_at: iso(run.createdAt),
      triggering_actor: userJson(run.actor),
      jobs_url: `${apiUrl}/repos/${run.repo}/actions/runs/${run.id}/jobs`,
      logs_url: `${apiUrl}/repos/${run.repo}/actions/runs/${run.id}/logs`,
      artifacts_url: `${apiUrl}/repos/${run.repo}/actions/runs/${run.id}/artifacts`,
      head_commit: { id: run.headSha, tree_id: createHash('sha1').update(run.headSha).digest('hex'), message: 'commit', timestamp: iso(run.createdAt) },
      repository: repoJson(repo),
      head_repository: repoJson(headRepo),
    };
  };
  const runOfArtifact = (a: StoredArtifact) => [...runs.values()].find((r) => r.backendId === a.runBackendId);
  const artifactJson = (a: StoredArtifact, run: WorkflowRunRecord) => {
    const repo = repos.get(run.repo.toLowerCase())!;
    const headRepo = repos.get(run.headRepo.toLowerCase()) ?? repo;
    const expired = a.expiresAt !== undefined && a.expiresAt.getTime() < Date.now();
    return {
      id: a.id,
      node_id: nodeId('MDg6QXJ0aWZhY3Q', a.id),
      name: a.name,
      size_in_bytes: a.size ?? 0,
      url: `${apiUrl}/repos/${run.repo}/actions/artifacts/${a.id}`,
      archive_download_url: `${apiUrl}/repos/${run.repo}/actions/artifacts/${a.id}/zip`,
      expired,
      digest: a.digest ?? null,
      created_at: iso(a.createdAt),
      updated_at: iso(a.finalizedAt ?? a.createdAt),
      expires_at: iso(a.expiresAt ?? new Date(a.createdAt.getTime() + 90 * 86400_000)),
      workflow_run: { id: run.id, repository_id: repo.id, head_repository_id: headRepo.id, head_branch: run.headBranch, head_sha: run.headSha },
    };
  };

  // --- seeding -------------------------------------------------------------------------------------
  const addRepo: GitHubRestFake['addRepo'] = (fullName, o = {}) => {
    const existing = repos.get(fullName.toLowerCase());
    if (existing) return existing;
    const [owner, name] = fullName.split('/');
    if (!owner || !name) throw new Error(`repository must be owner/name, got ${fullName}`);
    const r: RepoRecord = {
      id: o.id ?? nextId++,
      owner: { login: owner, id: nextUserId++, type: o.ownerType ?? 'User' },
      name,
      fullName,
      private: o.private ?? false,
      defaultBranch: o.defaultBranch ?? 'main',
      ...(o.parent ? { parent: o.parent } : {}),
    };
    repos.set(fullName.toLowerCase(), r);
    return r;
  };
  const nextNumber = (repo: string) => {
    const n = (counters.get(repo.toLowerCase()) ?? 0) + 1;
    counters.set(repo.toLowerCase(), n);
    return n;
  };
  const takeNumber = (repo: string, n: number | undefined) => {
    if (n === undefined) return nextNumber(repo);
    if (issues.has(key(repo, n)) || pulls.has(key(repo, n))) throw new Error(`${repo}#${n} already exists`);
    counters.set(repo.toLowerCase(), Math.max(counters.get(repo.toLowerCase()) ?? 0, n));
    return n;
  };
  let seedUsers = 0;
  const someone = (): GitHubUser => ({ login: `reviewer-${++seedUsers}`, id: nextUserId++, type: 'User' });

  // --- request handling -----------------------------------------------------------------------------
  interface Ctx {
    method: string;
    query: URLSearchParams;
    token: TokenSpec;
    body: unknown;
    res: ServerResponse;
    /** The path as requested (for Link headers). */
    basePath: string;
  }

  const authenticate = (req: IncomingMessage): { raw: string; spec: TokenSpec } => {
    const h = req.headers.authorization;
    if (!h) throw new HttpFailure(401, 'Requires authentication');
    const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(h);
    if (!m) throw new HttpFailure(401, 'Bad credentials');
    const spec = tokens.get(m[1]!);
    if (!spec) throw new HttpFailure(401, 'Bad credentials');
    return { raw: m[1]!, spec };
  };

  const denied = (t: TokenSpec, docs: string, accepted: string) =>
    new HttpFailure(403, t.kind === 'user' ? 'Resource not accessible by personal access token' : 'Resource not accessible by integration', docs, {}, { 'x-accepted-github-permissions': accepted });

  /** Can the token see the repository at all? (404 when not, like a private repo.) For writes also: is it in scope? */
  const repoFor = (t: TokenSpec, fullName: string, write: boolean, docs: string): RepoRecord => {
    const r = repos.get(fullName.toLowerCase());
    if (!r) throw notFound(docs);
    const inScope = !t.repositories || t.repositories.some((x) => x.toLowerCase() === fullName.toLowerCase());
    if (!inScope) {
      if (r.private) throw notFound(docs);
      if (write) throw denied(t, docs, 'contents=write');
    }
    return r;
  };
  const has = (t: TokenSpec, scope: Scope, need: 'read' | 'write') => {
    const p = scope === 'metadata' ? 'read' : (t.permissions[scope] ?? 'none');
    return need === 'read' ? p === 'read' || p === 'write' : p === 'write';
  };
  const requireAny = (t: TokenSpec, scopes: Scope[], need: 'read' | 'write', docs: string) => {
    if (!scopes.some((s) => has(t, s, need))) throw denied(t, docs, scopes.map((s) => `${s}=${need}`).join('; '));
  };

  const paginate = <T>(ctx: Ctx, items: T[], docs: string): T[] => {
    const perPageRaw = ctx.query.get('per_page');
    const pageRaw = ctx.query.get('page');
    let perPage = perPageRaw === null ? 30 : Number(perPageRaw);
    if (!Number.isInteger(perPage) || perPage < 1) perPage = 30;
    perPage = Math.min(perPage, 100);
    const page = pageRaw === null ? 1 : Number(pageRaw);
    if (!Number.isInteger(page) || page < 1) throw new HttpFailure(422, 'Invalid request.\n\npage must be a positive integer.', docs);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (p: number, rel: string) => {
      const q = new URLSearchParams(ctx.query);
      q.set('page', String(p));
      return `<${apiUrl}${ctx.basePath}?${q.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(Math.min(page - 1, last), 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    if (links.length) ctx.res.setHeader('link', links.join(', '));
    return items.slice((page - 1) * perPage, page * perPage);
  };

  const issueExists = (repo: string, n: number) => issues.has(key(repo, n)) || pulls.has(key(repo, n));
  const commentBody = (body: unknown, docs: string): string => {
    const b = (body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || body === null || !('body' in b)) throw new HttpFailure(422, 'Invalid request.\n\n"body" wasn\'t supplied.', docs);
    if (typeof b.body !== 'string') throw new HttpFailure(422, `Invalid request.\n\nFor 'properties/body', ${JSON.stringify(b.body)} is not a string.`, docs);
    if (codePoints(b.body) > 65536) {
      throw new HttpFailure(422, 'Validation Failed', docs, {
        errors: [{ resource: 'IssueComment', code: 'unprocessable', field: 'data', message: 'Body is too long (maximum is 65536 characters)' }],
      });
    }
    if (b.body.trim() === '') {
      throw new HttpFailure(422, 'Validation Failed', docs, { errors: [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }] });
    }
    return b.body;
  };
  const author = (t: TokenSpec) => (t.kind === 'user' ? (t.user ?? { login: 'octocat', id: 583231, type: 'User' as const }) : GITHUB_ACTIONS_BOT);

  const DOCS = {
    listComments: 'https://docs.github.com/rest/issues/comments#list-issue-comments',
    createComment: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
    getComment: 'https://docs.github.com/rest/issues/comments#get-an-issue-comment',
    updateComment: 'https://docs.github.com/rest/issues/comments#update-an-issue-comment',
    deleteComment: 'https://docs.github.com/rest/issues/comments#delete-an-issue-comment',
    getIssue: 'https://docs.github.com/rest/issues/issues#get-an-issue',
    listPulls: 'https://docs.github.com/rest/pulls/pulls#list-pull-requests',
    getPull: 'https://docs.github.com/rest/pulls/pulls#get-a-pull-request',
    commitPulls: 'https://docs.github.com/rest/commits/commits#list-pull-requests-associated-with-a-commit',
    getRun: 'https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run',
    workflowRuns: 'https://docs.github.com/rest/actions/workflow-runs#list-workflow-runs-for-a-workflow',
    runArtifacts: 'https://docs.github.com/rest/actions/artifacts#list-workflow-run-artifacts',
    repoArtifacts: 'https://docs.github.com/rest/actions/artifacts#list-artifacts-for-a-repository',
    getArtifact: 'https://docs.github.com/rest/actions/artifacts#get-an-artifact',
    deleteArtifact: 'https://docs.github.com/rest/actions/artifacts#delete-an-artifact',
    downloadArtifact: 'https://docs.github.com/rest/actions/artifacts#download-an-artifact',
    getUser: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
    getRepo: 'https://docs.github.com/rest/repos/repos#get-a-repository',
  };

  const requireArtifacts = () => {
    if (!opts.artifacts) throw new HttpFailure(404, 'Not Found (the REST fake was started without an artifacts service)');
    return opts.artifacts;
  };
  const artifactInRepo = (repo: RepoRecord, id: number, docs: string) => {
    const a = requireArtifacts().artifact(id);
    if (!a || !a.finalizedAt || a.deleted) throw notFound(docs);
    const run = runOfArtifact(a);
    if (!run || run.repo.toLowerCase() !== repo.fullName.toLowerCase()) throw notFound(docs);
    return { a, run };
  };

  /** Route a repository-scoped request; returns [status, body]. */
  const routeRepo = (ctx: Ctx, repoName: string, rest: string[]): [number, unknown] => {
    const t = ctx.token;
    const m = ctx.method;
    const [a0, a1, a2, a3] = rest;
    // GET /repos/{o}/{r}
    if (rest.length === 0 && m === 'GET') return [200, repoJson(repoFor(t, repoName, false, DOCS.getRepo))];

    if (a0 === 'issues') {
      // /issues/comments/{id}
      if (a1 === 'comments' && a2 && rest.length === 3) {
        const docs = m === 'PATCH' ? DOCS.updateComment : m === 'DELETE' ? DOCS.deleteComment : DOCS.getComment;
        const repo = repoFor(t, repoName, m !== 'GET', docs);
        const c = comments.get(Number(a2));
        if (!c || c.repo.toLowerCase() !== repo.fullName.toLowerCase()) throw notFound(docs);
        const onPr = pulls.has(key(c.repo, c.issueNumber));
        const scopes: Scope[] = onPr ? ['issues', 'pull_requests'] : ['issues'];
        if (m === 'GET') {
          requireAny(t, scopes, 'read', docs);
          return [200, commentJson(c)];
        }
        if (m === 'PATCH') {
          requireAny(t, scopes, 'write', docs);
          c.body = commentBody(ctx.body, docs);
          c.updatedAt = new Date(Math.max(Date.now(), c.updatedAt.getTime() + 1000));
          return [200, commentJson(c)];
        }
        if (m === 'DELETE') {
          requireAny(t, scopes, 'write', docs);
          comments.delete(c.id);
          return [204, undefined];
        }
      }
      // /issues/{n} and /issues/{n}/comments
      if (a1 && /^\d+$/.test(a1)) {
        const n = Number(a1);
        if (rest.length === 2 && m === 'GET') {
          const repo = repoFor(t, repoName, false, DOCS.getIssue);
          if (!issueExists(repo.fullName, n)) throw notFound(DOCS.getIssue);
          requireAny(t, pulls.has(key(repo.fullName, n)) ? ['issues', 'pull_requests'] : ['issues'], 'read', DOCS.getIssue);
          return [200, issueJson(repo.fullName, n)];
        }
        if (a2 === 'comments' && rest.length === 3) {
          const docs = m === 'POST' ? DOCS.createComment : DOCS.listComments;
          const repo = repoFor(t, repoName, m === 'POST', docs);
          if (!issueExists(repo.fullName, n)) throw notFound(docs);
          const scopes: Scope[] = pulls.has(key(repo.fullName, n)) ? ['issues', 'pull_requests'] : ['issues'];
          if (m === 'GET') {
            requireAny(t, scopes, 'read', docs);
            const since = ctx.query.get('since');
            const sinceMs = since ? Date.parse(since) : NaN;
            const list = [...comments.values()]
              .filter((c) => c.repo.toLowerCase() === repo.fullName.toLowerCase() && c.issueNumber === n)
              .filter((c) => Number.isNaN(sinceMs) || c.updatedAt.getTime() >= sinceMs)
              .sort((x, y) => x.id - y.id);
            ctx.basePath = `/repositories/${repo.id}/issues/${n}/comments`;
            return [200, paginate(ctx, list, docs).map(commentJson)];
          }
          if (m === 'POST') {
            requireAny(t, scopes, 'write', docs);
            const body = commentBody(ctx.body, docs);
            const now = new Date();
            const c: CommentRecord = { id: nextCommentId++, repo: repo.fullName, issueNumber: n, body, user: author(t), viaApp: t.kind !== 'user', createdAt: now, updatedAt: now };
            comments.set(c.id, c);
            ctx.res.setHeader('location', `${apiUrl}/repos/${repo.fullName}/issues/comments/${c.id}`);
            return [201, commentJson(c)];
          }
        }
      }
    }

    if (a0 === 'pulls' && m === 'GET') {
      if (rest.length === 1) {
        const repo = repoFor(t, repoName, false, DOCS.listPulls);
        requireAny(t, ['pull_requests'], 'read', DOCS.listPulls);
        const state = ctx.query.get('state') ?? 'open';
        if (!['open', 'closed', 'all'].includes(state)) {
          throw new HttpFailure(422, 'Validation Failed', DOCS.listPulls, { errors: [{ resource: 'Search', field: 'state', code: 'invalid' }] });
        }
        const head = ctx.query.get('head');
        const base = ctx.query.get('base');
        // GitHub ignores a `head` without the `owner:` prefix (it returns every PR), so does this fake.
        const headFilter = head && head.includes(':') ? { owner: head.slice(0, head.indexOf(':')), ref: head.slice(head.indexOf(':') + 1) } : undefined;
        const sort = ctx.query.get('sort') ?? 'created';
        const direction = ctx.query.get('direction') ?? (sort === 'created' ? 'desc' : 'desc');
        const list = [...pulls.values()]
          .filter((p) => p.repo.toLowerCase() === repo.fullName.toLowerCase())
          .filter((p) => state === 'all' || p.state === state)
          .filter((p) => !headFilter || (p.head.owner.toLowerCase() === headFilter.owner.toLowerCase() && p.head.ref === headFilter.ref))
          .filter((p) => !base || p.base.ref === base)
          .sort((x, y) => {
            const k = sort === 'updated' ? y.updatedAt.getTime() - x.updatedAt.getTime() : y.number - x.number;
            return direction === 'asc' ? -k : k;
          });
        ctx.basePath = `/repositories/${repo.id}/pulls`;
        return [200, paginate(ctx, list, DOCS.listPulls).map((p) => pullJson(p))];
      }
      if (rest.length === 2 && a1 && /^\d+$/.test(a1)) {
        const repo = repoFor(t, repoName, false, DOCS.getPull);
        requireAny(t, ['pull_requests'], 'read', DOCS.getPull);
        const p = pulls.get(key(repo.fullName, Number(a1)));
        if (!p) throw notFound(DOCS.getPull);
        return [200, pullJson(p, true)];
      }
    }

    if (a0 === 'commits' && a2 === 'pulls' && rest.length === 3 && m === 'GET') {
      const repo = repoFor(t, repoName, false, DOCS.commitPulls);
      requireAny(t, ['pull_requests'], 'read', DOCS.commitPulls);
      // Only commits that exist in this repository: a fork-only head commit finds nothing.
      const list = [...pulls.values()].filter(
        (p) => p.repo.toLowerCase() === repo.fullName.toLowerCase() && p.head.sha === a1 && p.head.repo?.toLowerCase() === repo.fullName.toLowerCase(),
      );
      ctx.basePath = `/repositories/${repo.id}/commits/${a1}/pulls`;
      return [200, paginate(ctx, list, DOCS.commitPulls).map((p) => pullJson(p))];
    }

    if (a0 === 'actions') {
      // GET /actions/workflows/{workflow_id}/runs: the id, or the workflow's file name; newest first.
      if (a1 === 'workflows' && a2 && a3 === 'runs' && rest.length === 4 && m === 'GET') {
        const docs = DOCS.workflowRuns;
        const repo = repoFor(t, repoName, false, docs);
        requireAny(t, ['actions'], 'read', docs);
        const inRepo = [...runs.values()].filter((r) => r.repo.toLowerCase() === repo.fullName.toLowerCase());
        const ofWorkflow = inRepo.filter((r) => (/^\d+$/.test(a2) ? r.workflowId === Number(a2) : r.path.split('/').pop() === a2));
        if (ofWorkflow.length === 0) throw notFound(docs);
        const q = (name: string) => ctx.query.get(name);
        const status = q('status');
        const CONCLUSIONS = ['success', 'failure', 'cancelled', 'neutral', 'skipped', 'timed_out', 'action_required', 'stale'];
        const list = ofWorkflow
          .filter((r) => q('branch') === null || r.headBranch === q('branch'))
          .filter((r) => q('event') === null || r.event === q('event'))
          .filter((r) => q('head_sha') === null || r.headSha === q('head_sha'))
          .filter((r) => status === null || (CONCLUSIONS.includes(status) ? r.conclusion === status : r.status === status))
          .sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || y.id - x.id);
        ctx.basePath = `/repos/${repo.fullName}/actions/workflows/${a2}/runs`;
        const exclude = q('exclude_pull_requests') === 'true';
        const page = paginate(ctx, list, docs).map((r) => ({ ...runJson(r), ...(exclude ? { pull_requests: [] } : {}) }));
        return [200, { total_count: list.length, workflow_runs: page }];
      }
      if (a1 === 'runs' && a2 && /^\d+$/.test(a2) && m === 'GET') {
        const docs = rest.length === 3 ? DOCS.getRun : DOCS.runArtifacts;
        const repo = repoFor(t, repoName, false, docs);
        requireAny(t, ['actions'], 'read', docs);
        const run = runs.get(Number(a2));
        if (!run || run.repo.toLowerCase() !== repo.fullName.toLowerCase()) throw notFound(docs);
        if (rest.length === 3) return [200, runJson(run)];
        if (a3 === 'artifacts' && rest.length === 4) {
          const name = ctx.query.get('name');
          const list = opts.artifacts ? opts.artifacts.listFinalized(run.backendId, name ?? undefined).sort((x, y) => y.id - x.id) : [];
          ctx.basePath = `/repos/${repo.fullName}/actions/runs/${run.id}/artifacts`;
          const page = paginate(ctx, list, docs);
          return [200, { total_count: list.length, artifacts: page.map((x) => artifactJson(x, run)) }];
        }
      }
      if (a1 === 'artifacts') {
        if (rest.length === 2 && m === 'GET') {
          const repo = repoFor(t, repoName, false, DOCS.repoArtifacts);
          requireAny(t, ['actions'], 'read', DOCS.repoArtifacts);
          const name = ctx.query.get('name');
          const list = (opts.artifacts?.artifacts() ?? [])
            .filter((x) => x.finalizedAt && !x.deleted && (name === null || x.name === name))
            .map((x) => ({ x, run: runOfArtifact(x) }))
            .filter((e): e is { x: StoredArtifact; run: WorkflowRunRecord } => e.run !== undefined && e.run.repo.toLowerCase() === repo.fullName.toLowerCase())
            .sort((p, q) => q.x.id - p.x.id);
          ctx.basePath = `/repos/${repo.fullName}/actions/artifacts`;
          const page = paginate(ctx, list, DOCS.repoArtifacts);
          return [200, { total_count: list.length, artifacts: page.map((e) => artifactJson(e.x, e.run)) }];
        }
        if (a2 && /^\d+$/.test(a2)) {
          const id = Number(a2);
          if (rest.length === 3 && m === 'GET') {
            const repo = repoFor(t, repoName, false, DOCS.getArtifact);
            requireAny(t, ['actions'], 'read', DOCS.getArtifact);
            const { a, run } = artifactInRepo(repo, id, DOCS.getArtifact);
            return [200, artifactJson(a, run)];
          }
          if (rest.length === 3 && m === 'DELETE') {
            const repo = repoFor(t, repoName, true, DOCS.deleteArtifact);
            requireAny(t, ['actions'], 'write', DOCS.deleteArtifact);
            const { a } = artifactInRepo(repo, id, DOCS.deleteArtifact);
            requireArtifacts().deleteArtifact(a.id);
            return [204, undefined];
          }
          if (rest.length === 4 && m === 'GET') {
            const repo = repoFor(t, repoName, false, DOCS.downloadArtifact);
            requireAny(t, ['actions'], 'read', DOCS.downloadArtifact);
            if (a3 !== 'zip') throw notFound(DOCS.downloadArtifact);
            const { a } = artifactInRepo(repo, id, DOCS.downloadArtifact);
            if (a.expiresAt && a.expiresAt.getTime() < Date.now()) throw new HttpFailure(410, 'Artifact has expired', DOCS.downloadArtifact);
            ctx.res.setHeader('location', requireArtifacts().signedDownloadUrl(a.id, opts.zipUrlTtlSeconds ?? 60));
            return [302, undefined];
          }
        }
      }
    }
    throw notFound();
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const record: RestRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        token: undefined,
        headers: req.headers,
        body: undefined,
        status: 0,
        at: new Date(),
      };
      requests.push(record);
      const raw = await readBody(req);
      const headers: Record<string, string> = {
        'x-github-request-id': randomUUID().toUpperCase().slice(0, 23).replace(/-/g, ':'),
        'x-github-api-version-selected': '2022-11-28',
        'x-github-media-type': 'github.v3; format=json',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': String(Math.max(0, 5000 - requests.length)),
        'x-ratelimit-used': String(requests.length),
        'x-ratelimit-resource': 'core',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      };
      try {
        let body: unknown = undefined;
        if (raw.length) {
          try {
            body = JSON.parse(raw.toString('utf8'));
          } catch {
            throw new HttpFailure(400, 'Problems parsing JSON');
          }
        }
        record.body = body;
        const auth = authenticate(req);
        record.token = auth.raw;
        const ctx: Ctx = { method: req.method ?? 'GET', query: url.searchParams, token: auth.spec, body, res, basePath: url.pathname };
        const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
        let status: number;
        let out: unknown;
        if (parts[0] === 'user' && parts.length === 1 && ctx.method === 'GET') {
          if (auth.spec.kind !== 'user') throw new HttpFailure(403, 'Resource not accessible by integration', DOCS.getUser);
          [status, out] = [200, userJson(author(auth.spec))];
        } else if (parts[0] === 'repos' && parts.length >= 3) {
          [status, out] = routeRepo(ctx, `${parts[1]}/${parts[2]}`, parts.slice(3));
        } else if (parts[0] === 'repositories' && parts[1] && /^\d+$/.test(parts[1])) {
          const r = [...repos.values()].find((x) => x.id === Number(parts[1]));
          if (!r) throw notFound();
          [status, out] = routeRepo(ctx, r.fullName, parts.slice(2));
        } else {
          throw notFound();
        }
        record.status = status;
        if (out === undefined) {
          res.writeHead(status, headers);
          res.end();
        } else {
          sendJson(res, status, out, headers);
        }
      } catch (err) {
        const f = err instanceof HttpFailure ? err : new HttpFailure(500, `fake error: ${(err as Error).message}`);
        record.status = f.status;
        sendJson(res, f.status, { message: f.message, ...f.extra, documentation_url: f.docs, status: String(f.status) }, { ...headers, ...f.headers });
      }
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const port = await listenLoopback(server);
  apiUrl = `http://127.0.0.1:${port}`;

  return {
    url: apiUrl,
    requests,
    addToken: (token, spec) => void tokens.set(token, spec),
    addRepo,
    addIssue(repo, o = {}) {
      addRepo(repo);
      const n = takeNumber(repo, o.number);
      const rec: IssueRecord = { number: n, id: nextId++, repo, title: o.title ?? `Issue ${n}`, user: o.user ?? someone(), state: o.state ?? 'open', createdAt: new Date() };
      issues.set(key(repo, n), rec);
      return rec;
    },
    addPullRequest(pr) {
      const base = addRepo(pr.repo);
      const headRepoName = pr.head.repo === undefined ? pr.repo : pr.head.repo;
      if (headRepoName && headRepoName.toLowerCase() !== pr.repo.toLowerCase()) addRepo(headRepoName, { parent: base.fullName });
      const n = takeNumber(pr.repo, pr.number);
      const now = new Date();
      const rec: PullRequestRecord = {
        number: n,
        id: nextId++,
        repo: base.fullName,
        title: pr.title ?? `PR ${n}`,
        body: pr.body ?? '',
        user: pr.user ?? { login: (headRepoName ?? pr.head.owner ?? 'someone').split('/')[0]!, id: nextUserId++, type: 'User' },
        state: pr.state ?? 'open',
        draft: pr.draft ?? false,
        merged: pr.merged ?? false,
        head: { repo: headRepoName, ref: pr.head.ref, sha: pr.head.sha, owner: pr.head.owner ?? (headRepoName ?? 'ghost/x').split('/')[0]! },
        base: { ref: pr.base?.ref ?? base.defaultBranch, sha: pr.base?.sha ?? createHash('sha1').update(`${base.fullName}@${n}`).digest('hex') },
        createdAt: now,
        updatedAt: now,
      };
      pulls.set(key(pr.repo, n), rec);
      return rec;
    },
    addComments(repo, issueNumber, list, o = {}) {
      if (!issueExists(repo, issueNumber)) throw new Error(`${repo}#${issueNumber} does not exist: add the issue or PR first`);
      const seeds = typeof list === 'number' ? Array.from({ length: list }, (_, i) => ({ body: `Comment ${i + 1}`, user: o.user, viaApp: false })) : list;
      const start = Date.now() - seeds.length * 1000;
      return seeds.map((s, i) => {
        const at = new Date(start + i * 1000);
        const user = s.user ?? o.user ?? someone();
        const c: CommentRecord = { id: nextCommentId++, repo: repos.get(repo.toLowerCase())!.fullName, issueNumber, body: s.body, user, viaApp: s.viaApp ?? false, createdAt: at, updatedAt: at };
        comments.set(c.id, c);
        return c;
      });
    },
    addWorkflowRun(r) {
      addRepo(r.repo);
      if (r.headRepo && r.headRepo.toLowerCase() !== r.repo.toLowerCase()) addRepo(r.headRepo, { parent: r.repo });
      const rec: WorkflowRunRecord = {
        id: r.id ?? nextRunId++,
        repo: repos.get(r.repo.toLowerCase())!.fullName,
        backendId: r.backendId ?? randomUUID(),
        name: r.name ?? 'CI',
        path: r.path ?? '.github/workflows/ci.yml',
        event: r.event ?? 'push',
        status: r.status ?? 'completed',
        conclusion: r.conclusion === undefined ? 'success' : r.conclusion,
        headBranch: r.headBranch === undefined ? 'main' : r.headBranch,
        headSha: r.headSha ?? createHash('sha1').update(randomUUID()).digest('hex'),
        headRepo: r.headRepo ?? r.repo,
        runNumber: r.runNumber ?? runs.size + 1,
        runAttempt: r.runAttempt ?? 1,
        actor: r.actor ?? { login: 'octocat', id: 583231, type: 'User' },
        workflowId: 100_000 + createHash('sha1').update(r.path ?? 'ci').digest().readUInt16BE(0),
        createdAt: new Date(),
        ...(r.pullRequests ? { pullRequests: r.pullRequests } : {}),
      };
      runs.set(rec.id, rec);
      return rec;
    },
    repo: (fullName) => repos.get(fullName.toLowerCase()),
    comments: (repo, n) => [...comments.values()].filter((c) => c.repo.toLowerCase() === repo.toLowerCase() && c.issueNumber === n).sort((x, y) => x.id - y.id),
    comment: (id) => comments.get(id),
    pullRequest: (repo, n) => pulls.get(key(repo, n)),
    run: (id) => runs.get(id),
    requestsTo: (method, path) => requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path))),
    close: () => closeServer(server),
  };
}

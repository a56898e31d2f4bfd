/**
 * Report mode (after the matrix) and comment mode (a workflow_run workflow). Report: every run
 * artifact of this workflow run (the latest attempt per scenario) downloaded, one report rendered
 * with the CLI's renderer, the job summary, a `<prefix>-report` artifact (the results, the PR and
 * head SHA they are for), and the sticky comment when the token may write. Comment: the report
 * artifact of the triggering run, treated as untrusted data — size-limited, every result checked
 * against the result schema, the PR found from the run's head repository, branch and SHA (the
 * PR number in the artifact must agree, never trusted alone) — rendered afresh and posted.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { BadInputError, EXIT, HarnessError } from '../errors.js';
import { checkResult, readResultFile, renderRunReport, reportVerdicts, resultFilesAt, type ScenarioResult } from '../report/index.js';
import type { Artifacts, ListedArtifact } from './artifacts.js';
import { runLinks, sameRepoPullRequest, type RunnerEnv } from './github-env.js';
import type { ActionInputs } from './inputs.js';
import { COMMENT_MAX_CHARS, STICKY_MARKER, upsertSticky } from './sticky.js';
import { compareResults, regressions, type Comparison } from '../compare/index.js';
import { baselineLabel, findBaseline } from './baseline.js';

/** The report artifact's JSON (untrusted when read back in comment mode). */
export interface ReportDocument {
  kind: 'mcp-reliability-report';
  version: 1;
  repository: string;
  runId: string;
  pr: number | null;
  headSha: string;
  results: ScenarioResult[];
  /** The baseline (the nightly runs) and its results: comment mode compares again from them. */
  baseline?: { workflow: string; branch: string; runs: { id: number; number: number }[]; results: ScenarioResult[] };
}

/** Limits on what comment mode reads: the artifact, and report.json inside it. */
export const REPORT_LIMITS = { artifactBytes: 20 << 20, jsonBytes: 10 << 20, results: 50, baselineResults: 200 } as const;

export interface ReportDeps {
  artifacts: Artifacts;
  env: RunnerEnv;
}

/** The report artifact of one attempt of the report job (a re-run uploads a new one). */
export function reportArtifactName(prefix: string, attempt: number): string {
  return `${prefix}-report-attempt${attempt}`;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The latest attempt's report artifact among `all`. */
export function latestReportArtifact(all: readonly ListedArtifact[], prefix: string): ListedArtifact | undefined {
  const re = new RegExp(`^${escapeRe(prefix)}-report-attempt(\\d+)$`);
  return all
    .map((a) => ({ a, attempt: Number(re.exec(a.name)?.[1] ?? NaN) }))
    .filter((x) => Number.isFinite(x.attempt))
    .sort((x, y) => y.attempt - x.attempt)[0]?.a;
}

/** The latest attempt of each scenario run among `<prefix>-<slug>-attempt<n>` artifacts. */
export function latestRunArtifacts(all: readonly ListedArtifact[], prefix: string): ListedArtifact[] {
  const best = new Map<string, { a: ListedArtifact; attempt: number }>();
  const report = new RegExp(`^${escapeRe(prefix)}-report-attempt\\d+$`);
  for (const a of all) {
    const m = new RegExp(`^${escapeRe(prefix)}-(.+)-attempt(\\d+)$`).exec(a.name);
    if (!m || report.test(a.name)) continue;
    const attempt = Number(m[2]);
    const seen = best.get(m[1]!);
    if (!seen || attempt > seen.attempt) best.set(m[1]!, { a, attempt });
  }
  return [...best.values()].map((v) => v.a).sort((x, y) => x.name.localeCompare(y.name));
}

/** A result from an artifact, schema-checked: one that is not is a harness error of the run that made it. */
function asHarnessError<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof BadInputError) throw new HarnessError(err.message);
    throw err;
  }
}

function setReportOutputs(results: readonly ScenarioResult[], reportPath: string): void {
  // A split load counts once, by its merged verdict.
  const verdicts = reportVerdicts(results);
  const verdict = verdicts.length === 0 || verdicts.includes('error') ? 'error' : verdicts.every((v) => v === 'pass') ? 'pass' : 'fail';
  core.setOutput('verdict', verdict);
  core.setOutput('exit-code', String(verdict === 'error' ? EXIT.harness : verdict === 'fail' ? EXIT.sloFailed : EXIT.ok));
  core.setOutput('scenario', results.map((r) => r.scenario.name).join(','));
  const avail = results.map((r) => r.totals.availabilityPercent).filter((v): v is number => v !== null);
  core.setOutput('availability', avail.length ? String(Math.min(...avail)) : '');
  const p95 = results.map((r) => (r.latency['tools/call'] ?? r.latency['role:probe'])?.p95).filter((v): v is number => typeof v === 'number');
  core.setOutput('p95-ms', p95.length ? String(Math.max(...p95)) : '');
  core.setOutput('report-path', reportPath);
  core.setOutput('summary-path', reportPath);
}

export async function reportMode(inp: ActionInputs, deps: ReportDeps): Promise<void> {
  const { env, artifacts } = deps;
  const dir = join(env.temp, 'mcp-reliability-report');
  mkdirSync(dir, { recursive: true });
  const runs = latestRunArtifacts(await artifacts.list(), inp.artifactName);
  const results: ScenarioResult[] = [];
  for (const a of runs) {
    const into = await artifacts.download(a.id, join(dir, 'runs', a.name));
    for (const file of resultFilesAt(into)) results.push(asHarnessError(() => readResultFile(file, `${a.name}: ${file.slice(into.length + 1)}`)));
  }
  results.sort((x, y) => x.scenario.name.localeCompare(y.scenario.name) || x.client.profile.localeCompare(y.client.profile));
  if (runs.length === 0) core.warning(`no artifact named ${inp.artifactName}-<scenario>-attempt<n> in this run: did the run jobs upload with the same artifact-name?`);
  const links = runLinks(env);
  const pr = sameRepoPullRequest(env);
  const baseline = inp.baseline === 'nightly' ? await findBaseline(getOctokit(inp.githubToken), inp, env, artifacts) : null;
  for (const p of baseline?.problems ?? []) core.notice(p);
  const against = baseline && baseline.results.length ? { workflow: baseline.workflow, branch: baseline.branch, runs: baseline.runs.map((r) => ({ id: r.id, number: r.number })), results: baseline.results } : undefined;
  const comparison = against ? compareResults(against.results, results) : undefined;
  const view = { links, ...(comparison ? { comparison, baselineLabel: baselineLabel(against!, env) } : {}) };
  const markdown = renderRunReport(results, view);
  const reportPath = join(dir, 'report.md');
  writeFileSync(reportPath, markdown);
  const doc: ReportDocument = { kind: 'mcp-reliability-report', version: 1, repository: `${env.repository.owner}/${env.repository.repo}`, runId: env.runId, pr: pr?.number ?? null, headSha: pr?.headSha ?? env.sha, results, ...(against ? { baseline: against } : {}) };
  const out = join(dir, 'artifact');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'report.json'), `${JSON.stringify(doc)}\n`);
  writeFileSync(join(out, 'report.md'), markdown);
  await artifacts.uploadDir(reportArtifactName(inp.artifactName, env.runAttempt), out, inp.retentionDays);
  await core.summary.addRaw(markdown).write();
  setReportOutputs(results, reportPath);
  core.setOutput('baseline-verdict', comparison?.verdict ?? '');
  core.setOutput('pr-number', pr ? String(pr.number) : '');
  core.setOutput('comment-url', '');
  try {
    await postComment(inp, env, pr, results, view);
  } finally {
    failOnRegression(inp, comparison);
  }
}

/** `fail-on: regression`: the report step fails when a scenario got worse than the baseline. */
function failOnRegression(inp: ActionInputs, comparison: Comparison | undefined): void {
  if (inp.failOn !== 'regression' || comparison?.verdict !== 'worse') return;
  const worse = regressions(comparison).map(({ scenario, metric }) => `${metric.label} in ${scenario.key}`);
  core.setFailed(`worse than the baseline: ${worse.slice(0, 10).join('; ')}${worse.length > 10 ? `; and ${worse.length - 10} more` : ''}`);
}

async function postComment(inp: ActionInputs, env: RunnerEnv, pr: ReturnType<typeof sameRepoPullRequest>, results: ScenarioResult[], view: { links: ReturnType<typeof runLinks>; comparison?: Comparison; baselineLabel?: string }): Promise<void> {
  if (!inp.comment || !pr) return;
  if (pr.fork) {
    core.notice("a pull request from a fork: its token cannot write; the workflow_run workflow (mode: comment) posts the comment");
    return;
  }
  try {
    const body = renderRunReport(results, { ...view, marker: STICKY_MARKER, maxChars: COMMENT_MAX_CHARS });
    const posted = await upsertSticky(getOctokit(inp.githubToken), { ...env.repository, issueNumber: pr.number }, body);
    core.setOutput('comment-url', posted.url);
    core.info(`${posted.created ? 'posted' : 'updated'} the reliability comment: ${posted.url}`);
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 403 || status === 404) core.warning(`the token may not comment on #${pr.number} (HTTP ${status}): give the report job pull-requests: write, or post from a workflow_run workflow (mode: comment)`);
    else throw err;
  }
}

interface WorkflowRunPayload {
  id?: number;
  event?: string;
  head_sha?: string;
  head_branch?: string;
  html_url?: string;
  head_repository?: { owner?: { login?: string } };
}

/** Read report.json from a downloaded report artifact as untrusted data. */
export function readReport(dir: string): ReportDocument {
  const file = join(dir, 'report.json');
  const size = statSync(file, { throwIfNoEntry: false })?.size;
  if (size === undefined) throw new HarnessError('the report artifact holds no report.json');
  if (size > REPORT_LIMITS.jsonBytes) throw new HarnessError(`report.json is ${size} bytes, over the ${REPORT_LIMITS.jsonBytes}-byte limit: refused`);
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Partial<ReportDocument>;
  if (doc.kind !== 'mcp-reliability-report' || doc.version !== 1 || !Array.isArray(doc.results)) throw new HarnessError('report.json is not an mcp-reliability report (kind, version, results)');
  if (doc.results.length > REPORT_LIMITS.results) throw new HarnessError(`report.json holds ${doc.results.length} results, over the limit of ${REPORT_LIMITS.results}: refused`);
  const results = doc.results.map((r, i) => asHarnessError(() => checkResult(r, `report.json /results/${i}`)));
  let baseline: ReportDocument['baseline'];
  if (doc.baseline !== undefined) {
    const b = doc.baseline as Partial<NonNullable<ReportDocument['baseline']>> | null;
    const runsOk = Array.isArray(b?.runs) && b.runs.every((r) => Number.isSafeInteger(r?.id) && Number.isSafeInteger(r?.number));
    if (!b || !Array.isArray(b.results) || typeof b.workflow !== 'string' || typeof b.branch !== 'string' || !runsOk) throw new HarnessError('report.json /baseline is not {workflow, branch, runs: [{id, number}], results}');
    if (b.results.length > REPORT_LIMITS.baselineResults) throw new HarnessError(`report.json holds ${b.results.length} baseline results, over the limit of ${REPORT_LIMITS.baselineResults}: refused`);
    baseline = { workflow: b.workflow, branch: b.branch, runs: b.runs!.map((r) => ({ id: r.id, number: r.number })), results: b.results.map((r, i) => asHarnessError(() => checkResult(r, `report.json /baseline/results/${i}`))) };
  }
  return { kind: 'mcp-reliability-report', version: 1, repository: String(doc.repository ?? ''), runId: String(doc.runId ?? ''), pr: typeof doc.pr === 'number' ? doc.pr : null, headSha: String(doc.headSha ?? ''), results, ...(baseline ? { baseline } : {}) };
}

export async function commentMode(inp: ActionInputs, deps: ReportDeps): Promise<void> {
  const { env, artifacts } = deps;
  const run = env.event.workflow_run as WorkflowRunPayload | undefined;
  if (!run || typeof run.id !== 'number') throw new BadInputError('mode comment runs in a workflow_run workflow (on: workflow_run), whose event names the finished run');
  core.setOutput('comment-url', '');
  core.setOutput('pr-number', '');
  if (run.event !== 'pull_request') {
    core.notice(`the triggering run was a ${run.event ?? 'non-pull-request'} event: no pull request to comment on`);
    return;
  }
  const octokit = getOctokit(inp.githubToken);
  const { owner, repo } = env.repository;
  const headOwner = run.head_repository?.owner?.login ?? owner;
  // The PR comes from the run itself (head repository, branch, SHA), never from the artifact alone: fork PRs have pull_requests: [].
  const prs = await octokit.paginate(octokit.rest.pulls.list, { owner, repo, state: 'open', head: `${headOwner}:${run.head_branch ?? ''}`, per_page: 100 });
  const pr = prs.find((p) => p.head.sha === run.head_sha);
  if (!pr) {
    core.notice(`no open pull request has head ${headOwner}:${run.head_branch} at ${run.head_sha}: nothing to comment on`);
    return;
  }
  const findBy = { token: inp.githubToken, workflowRunId: run.id, repositoryOwner: owner, repositoryName: repo };
  const artifact = latestReportArtifact(await artifacts.list(findBy), inp.artifactName);
  const name = artifact?.name ?? `${inp.artifactName}-report-attempt<n>`;
  if (!artifact) {
    core.warning(`run ${run.id} has no ${name} artifact: did its report job run?`);
    return;
  }
  if (artifact.size > REPORT_LIMITS.artifactBytes) throw new HarnessError(`the ${name} artifact is ${artifact.size} bytes, over the ${REPORT_LIMITS.artifactBytes}-byte limit: refused`);
  const dir = await artifacts.download(artifact.id, join(env.temp, 'mcp-reliability-comment'), findBy);
  const doc = readReport(dir);
  if (doc.pr !== null && doc.pr !== pr.number) throw new HarnessError(`the report artifact says it is for PR #${doc.pr}, but run ${run.id} belongs to PR #${pr.number}: refused`);
  if (doc.headSha && doc.headSha !== run.head_sha) throw new HarnessError(`the report artifact is for commit ${doc.headSha}, the run for ${run.head_sha}: refused`);
  // The comparison is made again here from the checked results: the artifact's own Markdown is never posted.
  const comparison = doc.baseline ? compareResults(doc.baseline.results, doc.results) : undefined;
  const against = comparison ? { comparison, baselineLabel: baselineLabel(doc.baseline!, env) } : {};
  const body = renderRunReport(doc.results, { ...against, marker: STICKY_MARKER, links: { ...(run.html_url ? { run: run.html_url, artifacts: `${run.html_url}#artifacts` } : {}) }, maxChars: COMMENT_MAX_CHARS });
  const posted = await upsertSticky(octokit, { owner, repo, issueNumber: pr.number }, body);
  core.setOutput('comment-url', posted.url);
  core.setOutput('pr-number', String(pr.number));
  await core.summary.addRaw(renderRunReport(doc.results, { ...against, ...(run.html_url ? { links: { run: run.html_url } } : {}) })).write();
  core.info(`${posted.created ? 'posted' : 'updated'} the reliability comment on #${pr.number}: ${posted.url}`);
}

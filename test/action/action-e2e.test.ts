/**
 * The bundled action (dist/) run the way the GitHub runner runs it (test/helpers/github/runner.ts:
 * INPUT_*, file commands, STATE_* for post, event payloads, cancellation), against loopback fakes
 * of GitHub's own services that the unmodified @actions/artifact and Octokit clients talk to:
 * the artifact Results service with a real blob store (azurite), and the REST API.
 *
 * Proven here: run jobs upload one artifact each whose files download back byte-identical, with
 * outputs and the job summary set; the report job over four scenario artifacts posts one sticky
 * comment on a PR that already has 150 others, and a second report updates it (still one); a fork
 * PR's comment, from a workflow_run, lands on the right PR, and a report artifact that names
 * another PR is refused; a PR's report is compared with the latest successful nightly on the
 * default branch (found over REST, its artifacts downloaded), and `fail-on: regression` fails it
 * when the server got slower.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startArtifactsService, unzip, type ArtifactsService } from '../helpers/github/artifacts.js';
import { readOnlyToken, startGitHubRest, writeToken, type GitHubRestFake } from '../helpers/github/rest.js';
import { createJob, pullRequestEvent, scheduleEvent, workflowRunEvent, type Job } from '../helpers/github/runner.js';
import { STICKY_MARKER } from '../../src/action/sticky.js';

const ROOT = join(import.meta.dirname, '..', '..');
const REPO = 'acme/widgets';
const SCENARIOS = ['connection-stability', 'high-load-stress', 'network-chaos', 'reconnection-resilience'];

describe('the bundled action against loopback GitHub fakes', { timeout: 420_000 }, () => {
  let artifacts: ArtifactsService;
  let rest: GitHubRestFake;
  const jobs: Job[] = [];
  before(async () => {
    artifacts = await startArtifactsService();
    rest = await startGitHubRest({ artifacts, tokens: { ghs_write: writeToken([REPO]), ghs_read: readOnlyToken([REPO]) } });
  });
  after(async () => {
    for (const j of jobs) j.close();
    await rest?.close();
    await artifacts?.close();
  });

  const headSha = 'a'.repeat(40);
  let prNumber = 0;
  let runId = 0;

  test('four run jobs (runner local) each upload one artifact; its files come back byte-identical; outputs and job summary are set', async () => {
    const pr = rest.addPullRequest({ repo: REPO, head: { ref: 'feature', sha: headSha } });
    prNumber = pr.number;
    rest.addComments(REPO, pr.number, 150);
    const run = rest.addWorkflowRun({ repo: REPO, event: 'pull_request', headBranch: 'feature', headSha, pullRequests: [pr.number] });
    runId = run.id;
    for (const scenario of SCENARIOS) {
      const job = createJob({ repository: REPO, event: pullRequestEvent({ repo: REPO, number: pr.number, head: { ref: 'feature', sha: headSha } }), runId: run.id, apiUrl: rest.url, resultsUrl: artifacts.resultsUrl, runtimeToken: artifacts.runtimeToken(run.backendId), token: 'ghs_read' });
      jobs.push(job);
      const { main, post } = await job.runAction({ actionDir: ROOT, inputs: { mode: 'run', scenario, duration: '4s', runner: 'local', target: 'sdk-example-http', 'fail-on': 'never' }, timeoutMs: 120_000 });
      assert.equal(main.exitCode, 0, `${scenario}: ${main.stdout}\n${main.stderr}`);
      assert.ok(['pass', 'fail'].includes(main.outputs.verdict ?? ''), JSON.stringify(main.outputs));
      assert.equal(main.outputs.scenario, scenario);
      assert.equal(main.outputs['artifact-name'], `mcp-reliability-${scenario}-attempt1`);
      assert.match(main.outputs.availability ?? '', /^\d+(\.\d+)?$/);
      assert.match(main.summary, new RegExp(`${scenario}`));
      assert.equal(post?.exitCode, 0, post?.stdout);
      const stored = artifacts.artifact(Number(main.outputs['artifact-id']));
      assert.ok(stored, `artifact ${main.outputs['artifact-id']} exists`);
      const files = unzip(await artifacts.readArtifact(stored.id));
      const resultPath = `test-results/${scenario}/result.json`;
      assert.ok(files.has(resultPath), [...files.keys()].join(', '));
      assert.ok(files.get(resultPath)!.equals(readFileSync(main.outputs['result-path']!)), 'the result downloads back byte-identical');
      assert.ok(files.has(`reports/${scenario}.md`) && [...files.keys()].some((f) => f.startsWith('logs/')), 'reports and logs are in it');
    }
    if (SCENARIOS.includes('connection-stability')) assert.equal(artifacts.listFinalized(run.backendId).length, SCENARIOS.length);
  });

  test('report over the four artifacts posts one sticky comment beside 150 others; a second report updates it', async () => {
    const runReport = async (runAttempt: number) => {
      const run = rest.run(runId)!;
      const job = createJob({ repository: REPO, event: pullRequestEvent({ repo: REPO, number: prNumber, head: { ref: 'feature', sha: headSha } }), runId, runAttempt, apiUrl: rest.url, resultsUrl: artifacts.resultsUrl, runtimeToken: artifacts.runtimeToken(run.backendId, 'report'), token: 'ghs_write' });
      jobs.push(job);
      const { main } = await job.runAction({ actionDir: ROOT, inputs: { mode: 'report' }, timeoutMs: 120_000 });
      assert.equal(main.exitCode, 0, `${main.stdout}\n${main.stderr}`);
      return main;
    };
    const first = await runReport(1);
    const ours = () => rest.comments(REPO, prNumber).filter((c) => c.body.includes(STICKY_MARKER));
    assert.equal(ours().length, 1);
    assert.equal(rest.comments(REPO, prNumber).length, 151);
    const body = ours()[0]!.body;
    for (const s of SCENARIOS) assert.ok(body.includes(s), `the comment names ${s}`);
    assert.match(body, /actions\/runs\/\d+/);
    assert.equal(first.outputs['pr-number'], String(prNumber));
    assert.ok(first.outputs['comment-url']);
    assert.match(first.summary, /MCP reliability/);
    // A re-run of the report job (attempt 2): its own report artifact, the same one comment.
    await runReport(2);
    assert.equal(ours().length, 1, 'updated in place, not duplicated');
    assert.equal(rest.comments(REPO, prNumber).length, 151);
  });

  test('a fork PR: the workflow_run comment lands on the right PR; a report artifact naming another PR is refused', async () => {
    const forkSha = 'b'.repeat(40);
    const forkPr = rest.addPullRequest({ repo: REPO, head: { repo: 'forker/widgets', ref: 'fix', sha: forkSha } });
    const forkRun = rest.addWorkflowRun({ repo: REPO, event: 'pull_request', headRepo: 'forker/widgets', headBranch: 'fix', headSha: forkSha, pullRequests: [] });
    const inRun = (event: ReturnType<typeof pullRequestEvent>, token: string, job = 'report') => {
      const j = createJob({ repository: REPO, event, runId: forkRun.id, apiUrl: rest.url, resultsUrl: artifacts.resultsUrl, runtimeToken: artifacts.runtimeToken(forkRun.backendId, job), token });
      jobs.push(j);
      return j;
    };
    // The fork's own run: one scenario, then its report job (read-only token: no comment, a notice).
    const forkEvent = pullRequestEvent({ repo: REPO, number: forkPr.number, head: { repo: 'forker/widgets', ref: 'fix', sha: forkSha } });
    const ran = await inRun(forkEvent, 'ghs_read', 'run').runAction({ actionDir: ROOT, inputs: { mode: 'run', scenario: 'connection-stability', duration: '3s', runner: 'local', target: 'sdk-example-http', 'fail-on': 'never' }, timeoutMs: 120_000 });
    assert.equal(ran.main.exitCode, 0, ran.main.stdout);
    const reported = await inRun(forkEvent, 'ghs_read').runAction({ actionDir: ROOT, inputs: { mode: 'report' }, timeoutMs: 120_000 });
    assert.equal(reported.main.exitCode, 0, reported.main.stdout);
    assert.match(reported.main.stdout, /fork/);
    assert.equal(rest.comments(REPO, forkPr.number).length, 0);
    // The comment workflow: in the base repository, with a token that may write.
    const commentJob = createJob({ repository: REPO, event: workflowRunEvent({ repo: REPO, runId: forkRun.id, headRepo: 'forker/widgets', headBranch: 'fix', headSha: forkSha }), apiUrl: rest.url, resultsUrl: artifacts.resultsUrl, runtimeToken: artifacts.runtimeToken('comment-run'), token: 'ghs_write' });
    jobs.push(commentJob);
    const commented = await commentJob.runAction({ actionDir: ROOT, inputs: { mode: 'comment' }, timeoutMs: 120_000 });
    assert.equal(commented.main.exitCode, 0, `${commented.main.stdout}\n${commented.main.stderr}`);
    assert.equal(commented.main.outputs['pr-number'], String(forkPr.number));
    const onFork = rest.comments(REPO, forkPr.number).filter((c) => c.body.includes(STICKY_MARKER));
    assert.equal(onFork.length, 1);
    assert.ok(onFork[0]!.body.includes('connection-stability'));
    assert.equal(rest.comments(REPO, prNumber).filter((c) => c.body.includes(STICKY_MARKER)).length, 1, 'the other PR keeps its one comment');

    // A run whose report artifact claims another PR (#prNumber) than the one its head belongs to: refused.
    const liarSha = 'c'.repeat(40);
    const liarPr = rest.addPullRequest({ repo: REPO, head: { repo: 'mallory/widgets', ref: 'evil', sha: liarSha } });
    const liarRun = rest.addWorkflowRun({ repo: REPO, event: 'pull_request', headRepo: 'mallory/widgets', headBranch: 'evil', headSha: liarSha, pullRequests: [] });
    const forged = pullRequestEvent({ repo: REPO, number: prNumber, head: { ref: 'feature', sha: liarSha } });
    const forger = createJob({ repository: REPO, event: forged, runId: liarRun.id, apiUrl: rest.url, resultsUrl: artifacts.resultsUrl, runtimeToken: artifacts.runtimeToken(liarRun.backendId, 'report'), token: 'ghs_read' });
    jobs.push(forger);
    const liarReport = await forger.runAction({ actionDir: ROOT, inputs: { mode: 'report', comment: 'false' }, timeoutMs: 120_000 });
    assert.equal(liarReport.main.exitCode, 0, liarReport.main.stdout);
    const refuseJob = createJob({ repository: REPO, event: workflowRunEvent({ repo: REPO, runId: liarRun.id, headRepo: 'mallory/widgets', headBranch: 'evil', headSha: liarSha }), apiUrl: rest.url, resultsUrl: artifacts.resultsUrl, runtimeToken: artifacts.runtimeToken('comment-run-2'), token: 'ghs_write' });
    jobs.push(refuseJob);
    const refused = await refuseJob.runAction({ actionDir: ROOT, inputs: { mode: 'comment' }, timeoutMs: 120_000 });
    assert.equal(refused.main.exitCode, 1);
    assert.match(refused.main.stdout, new RegExp(`says it is for PR #${prNumber}, but run ${liarRun.id} belongs to PR #${liarPr.number}: refused`));
    assert.equal(rest.comments(REPO, liarPr.number).length, 0);
    assert.equal(rest.comments(REPO, prNumber).filter((c) => c.body.includes(STICKY_MARKER)).length, 1);
  });

  test('report compares with the latest successful nightly on main: the comment says what got worse, fail-on regression fails the step', async () => {
    const workflow = '.github/workflows/reliability.yml';
    const scenario = join(ROOT, 'test', 'fixtures', 'scenarios-run', 'compare-load.json');
    const server = join(ROOT, 'test', 'fixtures', 'servers', 'tunable-stdio.mjs');
    const runJob = async (run: { id: number; backendId: string }, event: ReturnType<typeof scheduleEvent>, serverArgs: string) => {
      const job = createJob({ repository: REPO, event, runId: run.id, apiUrl: rest.url, resultsUrl: artifacts.resultsUrl, runtimeToken: artifacts.runtimeToken(run.backendId, 'run'), token: 'ghs_read' });
      jobs.push(job);
      const { main } = await job.runAction({ actionDir: ROOT, inputs: { mode: 'run', scenario, target: `node ${server} ${serverArgs}`.trim(), runner: 'local', duration: '8s', 'fail-on': 'never' }, timeoutMs: 120_000 });
      assert.equal(main.exitCode, 0, `${main.stdout}\n${main.stderr}`);
    };
    // A failed nightly of a slow server (never a baseline: not successful), then a successful one of the fast server.
    const failed = rest.addWorkflowRun({ repo: REPO, event: 'schedule', headBranch: 'main', path: workflow, conclusion: 'failure' });
    await runJob(failed, scheduleEvent({ repo: REPO }), '--delay-ms 50');
    const nightly = rest.addWorkflowRun({ repo: REPO, event: 'schedule', headBranch: 'main', path: workflow });
    await runJob(nightly, scheduleEvent({ repo: REPO }), '');
    // The pull request makes every call 50 ms slower.
    const sha = 'd'.repeat(40);
    const pr = rest.addPullRequest({ repo: REPO, head: { ref: 'slower', sha } });
    const prRun = rest.addWorkflowRun({ repo: REPO, event: 'pull_request', headBranch: 'slower', headSha: sha, path: workflow, pullRequests: [pr.number] });
    const prEvent = pullRequestEvent({ repo: REPO, number: pr.number, head: { ref: 'slower', sha } });
    await runJob(prRun, prEvent, '--delay-ms 50');
    const lookupsBefore = rest.requestsTo('GET', /\/actions\/workflows\/reliability\.yml\/runs$/).length;
    const report = createJob({ repository: REPO, event: prEvent, runId: prRun.id, apiUrl: rest.url, resultsUrl: artifacts.resultsUrl, runtimeToken: artifacts.runtimeToken(prRun.backendId, 'report'), token: 'ghs_write' });
    jobs.push(report);
    const { main } = await report.runAction({ actionDir: ROOT, inputs: { mode: 'report', 'fail-on': 'regression' }, timeoutMs: 120_000 });

    assert.equal(main.exitCode, 1, `${main.stdout}\n${main.stderr}`);
    assert.equal(main.outputs['baseline-verdict'], 'worse');
    assert.match(main.stdout, /::error::worse than the baseline: p50 tools\/call in compare-load/);
    const lookups = rest.requestsTo('GET', /\/actions\/workflows\/reliability\.yml\/runs$/).slice(lookupsBefore);
    assert.equal(lookups.length, 1);
    assert.deepEqual({ branch: lookups[0]!.query.branch, event: lookups[0]!.query.event, status: lookups[0]!.query.status }, { branch: 'main', event: 'schedule', status: 'success' });
    const comments = rest.comments(REPO, pr.number).filter((c) => c.body.includes(STICKY_MARKER));
    assert.equal(comments.length, 1);
    const body = comments[0]!.body;
    const lines = body.split('\n');
    assert.match(lines[1]!, /^## MCP reliability: /);
    assert.match(lines[2]!, /^\*\*Compared with the baseline: WORSE\*\* — p50 tools\/call in `compare-load` \(/);
    assert.match(body, new RegExp(`### Against the baseline: \\[#\\d+\\]\\(https://github\\.localhost/${REPO}/actions/runs/${nightly.id}\\) — the latest successful scheduled run of \`reliability\\.yml\` on \`main\``));
    assert.ok(!body.includes(`/actions/runs/${failed.id})`), 'the failed nightly is no baseline');
    assert.match(body, /\| p95 tools\/call \| +[\d.]+ ms \| +[\d.]+ ms \| +\+[\d.]+ ms \| \*\*worse\*\* \|/);
    assert.match(body, /\| availability +\| +100\.00 % \| +100\.00 % \| +±0\.00 pp \| same +\|/);
    assert.match(main.summary, /Compared with the baseline: WORSE/);
  });
});

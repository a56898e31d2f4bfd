/**
 * The loopback GitHub fakes (test/helpers/github/*) proven against the UNMODIFIED clients:
 * `@actions/artifact` (upload, list, get, download, cross-run download through REST),
 * `@actions/github`'s Octokit (pagination, create/update comment, 403s, pulls.list by head) and
 * `@actions/core` (outputs, state, summary, annotations) — each running in a child process started
 * by the runner harness, with the environment set before the client is imported, as on GitHub.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRuntimeToken, startArtifactsService, TWIRP_PREFIX, unzip, type ArtifactsService } from '../helpers/github/artifacts.js';
import { readOnlyToken, startGitHubRest, writeToken, GITHUB_ACTIONS_BOT, type GitHubRestFake } from '../helpers/github/rest.js';
import {
  createJob,
  fakeSha,
  inputEnvName,
  node24,
  parseFileCommand,
  parseWorkflowCommands,
  pullRequestEvent,
  scheduleEvent,
  workflowDispatchEvent,
  workflowRunEvent,
  type Job,
  type JobOptions,
} from '../helpers/github/runner.js';

const REPO = 'acme/widgets';
const FORK = 'forker/widgets';
const WRITE_TOKEN = `ghs_write_${randomUUID().replace(/-/g, '')}`;
const READ_TOKEN = `ghs_read_${randomUUID().replace(/-/g, '')}`;
const NODE = node24() ?? process.execPath;
const url = (spec: string) => import.meta.resolve(spec);
const IMPORTS = {
  artifact: url('@actions/artifact'),
  core: url('@actions/core'),
  github: url('@actions/github'),
};

let artifacts: ArtifactsService;
let rest: GitHubRestFake;
const scratch = mkdtempSync(join(tmpdir(), 'gh-fakes-'));
const jobs: Job[] = [];

before(async () => {
  artifacts = await startArtifactsService();
  rest = await startGitHubRest({ artifacts, tokens: { [WRITE_TOKEN]: writeToken([REPO]), [READ_TOKEN]: readOnlyToken([REPO]) } });
  rest.addRepo(REPO);
});

after(async () => {
  for (const j of jobs) j.close();
  await rest?.close();
  await artifacts?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Write an .mjs step script with absolute imports of the real clients (it runs outside the repo tree). */
function script(name: string, body: string): string {
  const file = join(scratch, name);
  writeFileSync(
    file,
    `import * as core from ${JSON.stringify(IMPORTS.core)};\n` +
      `import * as github from ${JSON.stringify(IMPORTS.github)};\n` +
      `import { DefaultArtifactClient } from ${JSON.stringify(IMPORTS.artifact)};\n` +
      `const out = (k, v) => core.setOutput(k, JSON.stringify(v));\n` +
      `try {\n${body}\n} catch (err) { core.setFailed(String(err && err.stack || err)); }\n`,
  );
  return file;
}

function job(o: Partial<JobOptions> & { event: JobOptions['event'] }): Job {
  const j = createJob({ repository: REPO, apiUrl: rest.url, resultsUrl: artifacts.resultsUrl, token: WRITE_TOKEN, node: NODE, ...o });
  jobs.push(j);
  return j;
}

const json = (s: string | undefined): unknown => JSON.parse(s ?? 'null');

describe('artifacts service + @actions/artifact', () => {
  const runBackendId = randomUUID();
  const jobBackendId = randomUUID();
  let uploadRun: number;
  let artifactId: number;
  let sources: Map<string, Buffer>;

  test('uploadArtifact (nested file, > 8 MiB so several blocks) then list/get/download in the same run: byte-identical', async () => {
    const run = rest.addWorkflowRun({ repo: REPO, backendId: runBackendId, event: 'pull_request', headBranch: 'feature', headSha: fakeSha('h1') });
    uploadRun = run.id;
    const j = job({ event: scheduleEvent({ repo: REPO }), runId: run.id, runtimeToken: artifacts.runtimeToken(runBackendId, jobBackendId) });
    sources = new Map([
      ['report.json', Buffer.from(JSON.stringify({ ok: true, n: 42 }))],
      ['nested/deeper/log.txt', Buffer.from('line 1\nline 2\n')],
      ['big.bin', randomBytes(9 * 1024 * 1024 + 12345)],
    ]);
    for (const [rel, data] of sources) {
      mkdirSync(join(j.workspace, 'results', rel, '..'), { recursive: true });
      writeFileSync(join(j.workspace, 'results', rel), data);
    }
    const entry = script(
      'upload.mjs',
      `const client = new DefaultArtifactClient();
       const root = process.env.GITHUB_WORKSPACE + '/results';
       const files = ${JSON.stringify([...sources.keys()])}.map((f) => root + '/' + f);
       const up = await client.uploadArtifact('reliability-results', files, root, { retentionDays: 5 });
       out('upload', up);
       out('list', await client.listArtifacts());
       out('get', await client.getArtifact('reliability-results'));
       const dl = await client.downloadArtifact(up.id, { path: process.env.RUNNER_TEMP + '/dl' });
       out('download', dl);
       try { await client.uploadArtifact('reliability-results', files, root); out('dup', 'uploaded twice'); } catch (e) { out('dup', String(e.message)); }`,
    );
    const r = await j.runStep({ entry });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    const up = json(r.outputs.upload) as { id: number; size: number; digest: string };
    artifactId = up.id;
    const stored = artifacts.artifact(up.id);
    assert.ok(stored?.finalizedAt, 'finalized');
    assert.equal(stored.name, 'reliability-results');
    assert.equal(stored.runBackendId, runBackendId);
    assert.equal(stored.size, up.size);
    assert.equal(stored.digest, `sha256:${up.digest}`);
    assert.ok(stored.expiresAt && stored.expiresAt.getTime() > Date.now() + 4 * 86400_000, 'retention reached CreateArtifact');

    const list = json(r.outputs.list) as { artifacts: Array<{ id: number; name: string; size: number }> };
    assert.deepEqual(list.artifacts.map((a) => [a.id, a.name, a.size]), [[up.id, 'reliability-results', up.size]]);
    const got = json(r.outputs.get) as { artifact: { id: number; digest: string } };
    assert.equal(got.artifact.id, up.id);
    assert.equal(got.artifact.digest, `sha256:${up.digest}`);
    assert.deepEqual(json(r.outputs.download), { downloadPath: join(j.runnerTemp, 'dl'), digestMismatch: false });
    for (const [rel, data] of sources) assert.ok(readFileSync(join(j.runnerTemp, 'dl', rel)).equals(data), `${rel} differs after download`);
    assert.match(String(json(r.outputs.dup)), /\(409\).*an artifact with this name already exists on the workflow run/);

    // Several blocks, committed in order, and the stored zip holds exactly the files.
    const blocks = await artifacts.blockList(up.id);
    assert.ok(blocks.length >= 2, `expected several blocks, got ${blocks.length}`);
    assert.equal(blocks[0]!.size, 8 * 1024 * 1024);
    assert.equal(blocks.reduce((n, b) => n + b.size, 0), up.size);
    const puts = artifacts.blobRequests.filter((b) => b.blob === stored.blobName && b.method === 'PUT');
    assert.equal(puts.filter((b) => b.comp === 'block').length, blocks.length);
    assert.equal(puts.filter((b) => b.comp === 'blocklist').length, 1);
    const zip = await artifacts.readArtifact(up.id);
    assert.equal(`sha256:${createHash('sha256').update(zip).digest('hex')}`, stored.digest);
    const entries = unzip(zip);
    assert.deepEqual([...entries.keys()].sort(), [...sources.keys()].sort());
    for (const [rel, data] of sources) assert.ok(entries.get(rel)!.equals(data));
    const methods = artifacts.calls.map((c) => `${c.method}:${c.status}`);
    assert.ok(methods.includes('CreateArtifact:200') && methods.includes('FinalizeArtifact:200') && methods.includes('CreateArtifact:409'), methods.join(' '));
  });

  test('cross-run downloadArtifact with findBy goes through the REST fake (302 to a signed blob URL)', async () => {
    const otherRun = rest.addWorkflowRun({ repo: REPO, event: 'workflow_run' });
    const j = job({
      event: workflowRunEvent({ repo: REPO, runId: uploadRun, headBranch: 'feature', headSha: fakeSha('h1') }),
      runId: otherRun.id,
      runtimeToken: artifacts.runtimeToken(otherRun.backendId, randomUUID()),
    });
    const entry = script(
      'cross-run.mjs',
      `const client = new DefaultArtifactClient();
       const findBy = { token: process.env.INPUT_TOKEN, workflowRunId: Number(process.env.INPUT_RUN), repositoryOwner: 'acme', repositoryName: 'widgets' };
       out('list', await client.listArtifacts({ findBy }));
       out('get', await client.getArtifact('reliability-results', { findBy }));
       out('dl', await client.downloadArtifact(Number(process.env.INPUT_ID), { path: process.env.RUNNER_TEMP + '/x', findBy }));
       try { await client.downloadArtifact(Number(process.env.INPUT_ID), { path: process.env.RUNNER_TEMP + '/y' }); out('internal', 'found'); }
       catch (e) { out('internal', e.name + ': ' + e.message); }
       try { await client.downloadArtifact(Number(process.env.INPUT_ID), { path: process.env.RUNNER_TEMP + '/z', findBy: { ...findBy, repositoryName: 'other' } }); out('otherRepo', 'found'); }
       catch (e) { out('otherRepo', String(e.message)); }`,
    );
    const r = await j.runStep({ entry, inputs: { token: WRITE_TOKEN, run: uploadRun, id: artifactId } });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    const list = json(r.outputs.list) as { artifacts: Array<{ id: number; name: string }> };
    assert.deepEqual(list.artifacts.map((a) => a.id), [artifactId]);
    assert.equal((json(r.outputs.get) as { artifact: { id: number } }).artifact.id, artifactId);
    for (const [rel, data] of sources) assert.ok(readFileSync(join(j.runnerTemp, 'x', rel)).equals(data), `${rel} differs after cross-run download`);
    // Without findBy the other run's token cannot see it (ListArtifacts is per run).
    assert.match(String(json(r.outputs.internal)), /ArtifactNotFoundError: No artifacts found for ID/);
    assert.match(String(json(r.outputs.otherRepo)), /Not Found/);
    const zipReq = rest.requestsTo('GET', `/repos/${REPO}/actions/artifacts/${artifactId}/zip`);
    assert.equal(zipReq.length, 1);
    assert.equal(zipReq[0]!.status, 302);
    assert.equal(zipReq[0]!.token, WRITE_TOKEN);
    assert.equal(rest.requestsTo('GET', `/repos/${REPO}/actions/runs/${uploadRun}/artifacts`)[0]?.status, 200);
  });

  test('the blob store refuses forged, altered, expired or wrongly-scoped signed URLs', async () => {
    const good = artifacts.signedDownloadUrl(artifactId);
    assert.equal((await fetch(good)).status, 200);
    const u = new URL(good);
    const sig = u.searchParams.get('sig')!;
    const variants: Array<[string, URL]> = [];
    const forged = new URL(good);
    const flipped = Buffer.from(sig, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    forged.searchParams.set('sig', flipped.toString('base64'));
    variants.push(['altered signature', forged]);
    const widened = new URL(good);
    widened.searchParams.set('sp', 'rw');
    variants.push(['permissions widened', widened]);
    const moved = new URL(good);
    moved.pathname = moved.pathname.replace(/artifacts\/[0-9a-f]+/, `artifacts/${'0'.repeat(64)}`);
    variants.push(['other blob, same signature', moved]);
    const later = new URL(good);
    later.searchParams.set('se', '2099-01-01T00:00:00Z');
    variants.push(['expiry extended', later]);
    variants.push(['expired', new URL(artifacts.signedDownloadUrl(artifactId, -60))]);
    const unsigned = new URL(good);
    unsigned.searchParams.delete('sig');
    variants.push(['no signature', unsigned]);
    for (const [label, v] of variants) {
      const res = await fetch(v);
      const text = await res.text();
      assert.equal(res.status, 403, `${label}: got ${res.status} ${text}`);
      // Azure says AuthenticationFailed for a bad signature; azurite says AuthorizationFailure.
      assert.match(text, /<Code>(AuthenticationFailed|AuthorizationFailure)<\/Code>/, label);
    }
    // A read URL cannot write, an upload URL cannot read.
    const put = await fetch(`${good}&comp=block&blockid=${Buffer.from('x').toString('base64')}`, { method: 'PUT', body: 'evil' });
    assert.equal(put.status, 403, await put.text());
    const created = artifacts.calls.find((c) => c.method === 'CreateArtifact' && c.status === 200)!.response as { signed_upload_url: string };
    const read = await fetch(created.signed_upload_url);
    assert.equal(read.status, 403);
    assert.match(await read.text(), /AuthorizationPermissionMismatch/);
  });

  test('skipArchive uploads a raw file; the download is saved under the name from Content-Disposition', async () => {
    const run = rest.addWorkflowRun({ repo: REPO });
    const j = job({ event: scheduleEvent({ repo: REPO }), runId: run.id, runtimeToken: artifacts.runtimeToken(run.backendId, randomUUID()) });
    const body = JSON.stringify({ scenarios: 3 });
    writeFileSync(join(j.workspace, 'summary.json'), body);
    const entry = script(
      'raw.mjs',
      `const client = new DefaultArtifactClient();
       const up = await client.uploadArtifact('ignored', [process.env.GITHUB_WORKSPACE + '/summary.json'], process.env.GITHUB_WORKSPACE, { skipArchive: true });
       await client.downloadArtifact(up.id, { path: process.env.RUNNER_TEMP + '/raw' });
       out('up', up);`,
    );
    const r = await j.runStep({ entry });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    const stored = artifacts.artifact((json(r.outputs.up) as { id: number }).id)!;
    assert.deepEqual([stored.name, stored.mimeType], ['summary.json', 'application/json']);
    assert.equal(readFileSync(join(j.runnerTemp, 'raw', 'summary.json'), 'utf8'), body);
  });

  test('GITHUB_SERVER_URL must be github.com, *.ghe.com or *.localhost: anything else is GHES and refused', async () => {
    const run = rest.addWorkflowRun({ repo: REPO });
    const j = job({ event: scheduleEvent({ repo: REPO }), serverUrl: 'https://github.example.com', runtimeToken: artifacts.runtimeToken(run.backendId, randomUUID()) });
    writeFileSync(join(j.workspace, 'a.txt'), 'x');
    const entry = script('ghes.mjs', `try { await new DefaultArtifactClient().uploadArtifact('a', [process.env.GITHUB_WORKSPACE + '/a.txt'], process.env.GITHUB_WORKSPACE); out('r', 'ok'); } catch (e) { out('r', e.name); }`);
    const r = await j.runStep({ entry });
    assert.equal(json(r.outputs.r), 'GHESNotSupportedError');
    const unset = job({ event: scheduleEvent({ repo: REPO }), serverUrl: null });
    const r2 = await unset.runStep({ entry: script('server-url.mjs', `out('r', process.env.GITHUB_SERVER_URL ?? null);`) });
    assert.equal(json(r2.outputs.r), null);
  });

  test('Twirp refuses bad tokens and scopes, unknown artifacts, and a finalize whose size or hash does not match', async () => {
    const run = randomUUID();
    const jobId = randomUUID();
    const token = artifacts.runtimeToken(run, jobId);
    const call = async (method: string, body: unknown, auth: string | null = `Bearer ${token}`) => {
      const res = await fetch(`${artifacts.resultsUrl.replace(/\/$/, '')}${TWIRP_PREFIX}${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, string> };
    };
    const ids = { workflow_run_backend_id: run, workflow_job_run_backend_id: jobId };
    assert.deepEqual((await call('ListArtifacts', ids, null)).status, 401);
    const unsigned = makeRuntimeToken({ runBackendId: run, jobBackendId: jobId });
    assert.equal((await call('ListArtifacts', ids, `Bearer ${unsigned}`)).body.code, 'unauthenticated');
    const noScope = artifacts.runtimeToken(run, jobId, { scp: 'Actions.GenericRead:00000000-0000-0000-0000-000000000000' });
    assert.deepEqual(Object.values(await call('ListArtifacts', ids, `Bearer ${noScope}`)).map((v) => (typeof v === 'object' ? v.code : v)), [403, 'permission_denied']);
    const expired = artifacts.runtimeToken(run, jobId, { expiresInSeconds: -10 });
    assert.equal((await call('ListArtifacts', ids, `Bearer ${expired}`)).status, 401);
    const otherRun = await call('ListArtifacts', { ...ids, workflow_run_backend_id: randomUUID() });
    assert.deepEqual([otherRun.status, otherRun.body.code], [403, 'permission_denied']);
    const missing = await call('GetSignedArtifactURL', { ...ids, name: 'nope' });
    assert.deepEqual([missing.status, missing.body.code], [404, 'not_found']);
    const badRoute = await call('Nope', ids);
    assert.deepEqual([badRoute.status, badRoute.body.code], [404, 'bad_route']);

    const created = await call('CreateArtifact', { ...ids, name: 'raw', version: 7, mime_type: 'application/zip' });
    assert.equal(created.status, 200);
    const data = Buffer.from('not really a zip');
    const put = await fetch(created.body.signed_upload_url!, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob', 'x-ms-version': '2023-11-03' }, body: data });
    assert.equal(put.status, 201, await put.text());
    const sha = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    const wrongSize = await call('FinalizeArtifact', { ...ids, name: 'raw', size: String(data.length + 1), hash: sha });
    assert.deepEqual([wrongSize.status, wrongSize.body.code], [400, 'invalid_argument']);
    const wrongHash = await call('FinalizeArtifact', { ...ids, name: 'raw', size: String(data.length), hash: `sha256:${'0'.repeat(64)}` });
    assert.deepEqual([wrongHash.status, wrongHash.body.code], [400, 'invalid_argument']);
    const ok = await call('FinalizeArtifact', { ...ids, name: 'raw', size: String(data.length), hash: sha });
    assert.equal(ok.status, 200);
    assert.equal(artifacts.artifact(Number(ok.body.artifact_id))?.digest, sha);
    const otherJob = await call('CreateArtifact', { ...ids, workflow_job_run_backend_id: randomUUID(), name: 'x', version: 7 });
    assert.deepEqual([otherJob.status, otherJob.body.code], [403, 'permission_denied']);
  });

  test('the real client retries a 503 from Twirp and from the blob store, then succeeds', async () => {
    const run = rest.addWorkflowRun({ repo: REPO });
    const j = job({ event: scheduleEvent({ repo: REPO }), runId: run.id, runtimeToken: artifacts.runtimeToken(run.backendId, randomUUID()) });
    writeFileSync(join(j.workspace, 'a.txt'), 'retry me');
    artifacts.failTwirp('CreateArtifact', 503, 1);
    artifacts.failBlob({ method: 'PUT', comp: 'block', status: 503, times: 1 });
    const entry = script('retry.mjs', `out('up', await new DefaultArtifactClient().uploadArtifact('retried', [process.env.GITHUB_WORKSPACE + '/a.txt'], process.env.GITHUB_WORKSPACE));`);
    const r = await j.runStep({ entry, timeoutMs: 60_000 });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Attempt 1 of 5 failed with error: Failed request: \(503\)/);
    const id = (json(r.outputs.up) as { id: number }).id;
    assert.equal(unzip(await artifacts.readArtifact(id)).get('a.txt')?.toString(), 'retry me');
    assert.ok(artifacts.blobRequests.some((b) => b.injected && b.comp === 'block'), 'the blob fault was hit');
  });
});

describe('REST fake + @actions/github (Octokit)', () => {
  test('paginate reads 150+ comments across Link pages; create and update a sticky comment; GET /user is 403', async () => {
    const pr = rest.addPullRequest({ repo: REPO, head: { ref: 'feature', sha: fakeSha('same-repo-head') } });
    rest.addComments(REPO, pr.number, 150);
    const ev = pullRequestEvent({ repo: REPO, number: pr.number, head: { ref: 'feature', sha: pr.head.sha } });
    const j = job({ event: ev });
    const entry = script(
      'comments.mjs',
      `const octokit = github.getOctokit(core.getInput('github-token', { required: true }));
       const { owner, repo, number } = github.context.issue;
       const all = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: number, per_page: 100 });
       const byDefault = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: number });
       const created = await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body: '<!-- mcp-reliability -->\\nfirst' });
       const again = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: number, per_page: 100 });
       const mine = again.find((c) => c.user.login === 'github-actions[bot]' && c.body.includes('<!-- mcp-reliability -->'));
       const updated = await octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body: '<!-- mcp-reliability -->\\nsecond' });
       let user; try { await octokit.rest.users.getAuthenticated(); user = 'allowed'; } catch (e) { user = e.status + ' ' + e.message; }
       out('r', { all: all.length, firstIds: all.slice(0, 2).map((c) => c.id), byDefault: byDefault.length, created: { id: created.data.id, status: created.status, user: created.data.user }, again: again.length, updated: { status: updated.status, body: updated.data.body, id: updated.data.id }, user, number });`,
    );
    const r = await j.runStep({ entry, inputs: { 'github-token': WRITE_TOKEN } });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.equal(r.env[inputEnvName('github-token')], WRITE_TOKEN);
    assert.equal(inputEnvName('github-token'), 'INPUT_GITHUB-TOKEN');
    const o = json(r.outputs.r) as {
      all: number;
      byDefault: number;
      created: { id: number; status: number; user: { login: string; type: string } };
      again: number;
      updated: { status: number; body: string; id: number };
      user: string;
      number: number;
    };
    assert.equal(o.number, pr.number);
    assert.equal(o.all, 150);
    assert.equal(o.byDefault, 150);
    assert.equal(o.created.status, 201);
    assert.deepEqual([o.created.user.login, o.created.user.type], [GITHUB_ACTIONS_BOT.login, 'Bot']);
    assert.equal(o.again, 151);
    assert.deepEqual([o.updated.status, o.updated.id, o.updated.body], [200, o.created.id, '<!-- mcp-reliability -->\nsecond']);
    assert.match(o.user, /^403 Resource not accessible by integration/);

    const stored = rest.comments(REPO, pr.number);
    assert.equal(stored.length, 151);
    assert.equal(stored.at(-1)!.body, '<!-- mcp-reliability -->\nsecond');
    assert.equal(stored.at(-1)!.user.login, 'github-actions[bot]');
    // Octokit followed GitHub-style Link URLs (/repositories/{id}/…), 2 pages at 100, 5 at the default 30.
    const repoId = rest.repo(REPO)!.id;
    const pages = rest.requestsTo('GET', `/repositories/${repoId}/issues/${pr.number}/comments`);
    assert.deepEqual(pages.map((p) => [p.query.page, p.query.per_page ?? '30']).slice(0, 5), [['2', '100'], ['2', '30'], ['3', '30'], ['4', '30'], ['5', '30']]);
    const firstPage = rest.requestsTo('GET', `/repos/${REPO}/issues/${pr.number}/comments`)[0]!;
    assert.equal(firstPage.query.per_page, '100');
  });

  test('the link header has next/last on the first page and prev/first on the last, ≤ 100 per page', async () => {
    const pr = rest.addPullRequest({ repo: REPO, head: { ref: 'links', sha: fakeSha('links') } });
    rest.addComments(REPO, pr.number, 250);
    const get = (q: string) => fetch(`${rest.url}/repos/${REPO}/issues/${pr.number}/comments?${q}`, { headers: { authorization: `token ${WRITE_TOKEN}` } });
    const first = await get('per_page=500');
    assert.equal(((await first.json()) as unknown[]).length, 100);
    const link = first.headers.get('link')!;
    assert.match(link, /<http:\/\/127\.0\.0\.1:\d+\/repositories\/\d+\/issues\/\d+\/comments\?per_page=500&page=2>; rel="next"/);
    assert.match(link, /page=3>; rel="last"/);
    const last = await get('per_page=100&page=3');
    assert.equal(((await last.json()) as unknown[]).length, 50);
    assert.match(last.headers.get('link')!, /page=2>; rel="prev".*page=1>; rel="first"/);
    assert.doesNotMatch(last.headers.get('link')!, /rel="next"/);
    const none = await fetch(`${rest.url}/repos/${REPO}/issues/${pr.number}/comments`);
    assert.equal(none.status, 401);
    const bad = await fetch(`${rest.url}/repos/${REPO}/issues/${pr.number}/comments`, { headers: { authorization: 'token nope' } });
    assert.deepEqual([bad.status, ((await bad.json()) as { message: string }).message], [401, 'Bad credentials']);
    const tooLong = await fetch(`${rest.url}/repos/${REPO}/issues/${pr.number}/comments`, {
      method: 'POST',
      headers: { authorization: `token ${WRITE_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'x'.repeat(65537) }),
    });
    assert.equal(tooLong.status, 422);
    assert.equal((await fetch(`${rest.url}/repos/${REPO}/issues/99999/comments`, { headers: { authorization: `token ${WRITE_TOKEN}` } })).status, 404);
  });

  test("a fork PR's read-only token gets 403 on create and update, and can still read", async () => {
    const pr = rest.addPullRequest({ repo: REPO, head: { repo: FORK, ref: 'patch-1', sha: fakeSha('fork-head') } });
    const [existing] = rest.addComments(REPO, pr.number, 1);
    const j = job({ event: pullRequestEvent({ repo: REPO, number: pr.number, head: { repo: FORK, ref: 'patch-1', sha: pr.head.sha } }), token: READ_TOKEN });
    const entry = script(
      'readonly.mjs',
      `const octokit = github.getOctokit(core.getInput('github-token'));
       const { owner, repo, number } = github.context.issue;
       const res = {};
       res.list = (await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: number })).length;
       try { await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body: 'hi' }); res.create = 'created'; } catch (e) { res.create = e.status + ' ' + e.message; }
       try { await octokit.rest.issues.updateComment({ owner, repo, comment_id: Number(core.getInput('comment')), body: 'hi' }); res.update = 'updated'; } catch (e) { res.update = e.status + ' ' + e.message; }
       res.fork = github.context.payload.pull_request.head.repo.fork;
       out('r', res);`,
    );
    const r = await j.runStep({ entry, actionYml: actionYml(), inputs: { comment: existing!.id } });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.equal(r.env['INPUT_GITHUB-TOKEN'], READ_TOKEN, 'the action.yml default ${{ github.token }} was applied');
    const o = json(r.outputs.r) as Record<string, unknown>;
    assert.equal(o.list, 1);
    assert.match(String(o.create), /^403 Resource not accessible by integration/);
    assert.match(String(o.update), /^403 Resource not accessible by integration/);
    assert.equal(o.fork, true);
    assert.equal(rest.comments(REPO, pr.number).length, 1);
  });

  test('workflow_run of a fork PR: pull_requests is [], the PR is found with pulls.list({head: owner:branch}) and head.sha', async () => {
    const headSha = fakeSha('fork-wr-head');
    const pr = rest.addPullRequest({ repo: REPO, head: { repo: FORK, ref: 'fix-bug', sha: headSha } });
    rest.addPullRequest({ repo: REPO, head: { ref: 'fix-bug', sha: fakeSha('same-name-other-owner') } });
    const triggering = rest.addWorkflowRun({ repo: REPO, event: 'pull_request', headRepo: FORK, headBranch: 'fix-bug', headSha });
    const ev = workflowRunEvent({ repo: REPO, runId: triggering.id, headRepo: FORK, headBranch: 'fix-bug', headSha });
    const j = job({ event: ev });
    const entry = script(
      'find-pr.mjs',
      `const octokit = github.getOctokit(core.getInput('github-token'));
       const wr = github.context.payload.workflow_run;
       const { owner, repo } = github.context.repo;
       const head = wr.head_repository.owner.login + ':' + wr.head_branch;
       const found = await octokit.paginate(octokit.rest.pulls.list, { owner, repo, head, state: 'open' });
       const match = found.filter((p) => p.head.sha === wr.head_sha);
       const bare = await octokit.rest.pulls.list({ owner, repo, head: wr.head_branch, state: 'all' });
       const viaCommit = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: wr.head_sha });
       const run = await octokit.rest.actions.getWorkflowRun({ owner, repo, run_id: wr.id });
       const one = await octokit.rest.pulls.get({ owner, repo, pull_number: match[0].number });
       out('r', { payloadPrs: wr.pull_requests.length, head, found: found.map((p) => p.number), match: match.map((p) => p.number), bare: bare.data.length, viaCommit: viaCommit.data.length, runPrs: run.data.pull_requests.length, runHeadRepo: run.data.head_repository.full_name, oneSha: one.data.head.sha, oneFork: one.data.head.repo.fork });`,
    );
    const r = await j.runStep({ entry, actionYml: actionYml() });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    const o = json(r.outputs.r) as Record<string, unknown>;
    assert.equal(o.payloadPrs, 0);
    assert.equal(o.head, 'forker:fix-bug');
    assert.deepEqual(o.match, [pr.number]);
    assert.deepEqual(o.found, [pr.number]);
    assert.ok((o.bare as number) >= 2, 'a head without owner: is ignored by GitHub (every PR comes back)');
    assert.equal(o.viaCommit, 0, 'commits/{sha}/pulls finds nothing for a fork-only commit');
    assert.equal(o.runPrs, 0);
    assert.equal(o.runHeadRepo, FORK);
    assert.deepEqual([o.oneSha, o.oneFork], [headSha, true]);
  });
});

/** A small action.yml (inputs with a hyphen, a space and a `${{ github.token }}` default). */
function actionYml(dir = join(scratch, 'action'), main = 'main.mjs', post?: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'action.yml');
  writeFileSync(
    file,
    `name: test action
inputs:
  github-token:
    default: \${{ github.token }}
  fail on:
    default: 'never'
  comment:
    required: false
runs:
  using: node24
  main: ${main}
${post ? `  post: ${post}\n  post-if: always()\n` : ''}`,
  );
  return file;
}

describe('runner harness', () => {
  test('outputs, state → STATE_ in post, env/path to later steps, summary and workflow commands round-trip through @actions/core', async () => {
    const dir = join(scratch, 'roundtrip');
    actionYml(dir, 'main.mjs', 'post.mjs');
    writeFileSync(
      join(dir, 'main.mjs'),
      `import * as core from ${JSON.stringify(IMPORTS.core)};
       import * as github from ${JSON.stringify(IMPORTS.github)};
       core.setOutput('multi', 'line one\\nline two');
       core.setOutput('plain', core.getInput('fail on'));
       core.setOutput('duration', github.context.payload.inputs.duration);
       core.setOutput('token-set', String(core.getInput('github-token') !== ''));
       core.saveState('pid', String(process.pid));
       core.saveState('note', 'with=equals\\nand newline');
       core.exportVariable('FROM_MAIN', 'exported');
       core.addPath('/opt/fake-bin');
       core.startGroup('Scenario smoke');
       core.info('inside');
       core.endGroup();
       core.warning('slow handshake', { file: 'scenarios/a.json', startLine: 3, title: 'a: b, c' });
       core.notice('fyi');
       core.setSecret('s3cr3t');
       console.log('::stop-commands::tok123');
       console.log('::error::not a command while stopped');
       console.log('::tok123::');
       await core.summary.addHeading('Reliability').addTable([['scenario', 'ok'], ['smoke', 'yes']]).write();
       core.error('final error annotation');`,
    );
    writeFileSync(
      join(dir, 'post.mjs'),
      `import * as core from ${JSON.stringify(IMPORTS.core)};
       core.setOutput('seen-pid', core.getState('pid'));
       core.setOutput('seen-note', core.getState('note'));
       core.setOutput('from-main', process.env.FROM_MAIN ?? '');
       core.setOutput('path-first', process.env.PATH.split(':')[0]);
       await core.summary.addRaw('post ran').write();`,
    );
    const ev = workflowDispatchEvent({ repo: REPO, inputs: { duration: 30, scenarios: 'smoke,soak' } });
    const j = job({ event: ev });
    const r = await j.runAction({ actionDir: dir, inputs: { 'fail on': 'slo', 'fial-on': 'typo' } });
    assert.deepEqual(r.main.runnerWarnings, ["Unexpected input(s) 'fial-on', valid inputs are ['github-token', 'fail on', 'comment']"]);
    assert.equal(r.node, NODE);
    const m = r.main;
    assert.equal(m.exitCode, 0, m.stdout + m.stderr);
    assert.equal(m.conclusion, 'success');
    assert.deepEqual(m.outputs, { multi: 'line one\nline two', plain: 'slo', duration: '30', 'token-set': 'true' });
    assert.equal(m.env['INPUT_FAIL_ON'], 'slo');
    assert.equal(m.env['INPUT_COMMENT'], '', 'declared inputs without a default are set to empty');
    assert.deepEqual(m.state.note, 'with=equals\nand newline');
    assert.deepEqual(m.exportedEnv, { FROM_MAIN: 'exported' });
    assert.deepEqual(m.addedPath, ['/opt/fake-bin']);
    assert.match(m.summary, /<h1>Reliability<\/h1>/);
    assert.match(m.summary, /<td>smoke<\/td>/);
    const cmds = m.commands.map((c) => c.command);
    assert.deepEqual(cmds.filter((c) => c !== 'debug'), ['group', 'endgroup', 'warning', 'notice', 'add-mask', 'stop-commands', 'error']);
    const warning = m.annotations.find((a) => a.command === 'warning')!;
    assert.deepEqual(warning.properties, { title: 'a: b, c', file: 'scenarios/a.json', line: '3' });
    assert.equal(m.commands.find((c) => c.command === 'group')!.message, 'Scenario smoke');
    assert.deepEqual(m.masks, ['s3cr3t']);
    assert.deepEqual(m.annotations.filter((a) => a.command === 'error').map((a) => a.message), ['final error annotation']);

    const p = r.post!;
    assert.ok(p, 'post ran');
    assert.equal(p.exitCode, 0, p.stdout + p.stderr);
    assert.equal(p.env.STATE_pid, m.state.pid);
    assert.deepEqual(p.outputs, { 'seen-pid': m.state.pid, 'seen-note': 'with=equals\nand newline', 'from-main': 'exported', 'path-first': '/opt/fake-bin' });
    assert.equal(p.summary, 'post ran');
    assert.notEqual(p.files.output, m.files.output, 'each step gets fresh files');
  });

  test('cancellation delivers SIGINT, then SIGTERM, then SIGKILLs the tree; post-if: always() still runs', async () => {
    const dir = join(scratch, 'cancel');
    actionYml(dir, 'main.mjs', 'post.mjs');
    writeFileSync(
      join(dir, 'main.mjs'),
      `import { spawn } from 'node:child_process';
       const child = spawn('sleep', ['300'], { stdio: 'ignore' });
       process.on('SIGINT', () => console.log('got SIGINT'));
       process.on('SIGTERM', () => console.log('got SIGTERM'));
       console.log('grandchild ' + child.pid);
       console.log('ready');
       setInterval(() => {}, 1000);`,
    );
    writeFileSync(join(dir, 'post.mjs'), `console.log('post after cancel');`);
    const j = job({ event: scheduleEvent({ repo: REPO }) });
    const r = await j.runAction({ actionDir: dir, cancel: { whenOutput: 'ready', sigtermAfterMs: 400, killAfterMs: 400 } });
    const m = r.main;
    assert.equal(m.conclusion, 'cancelled');
    assert.deepEqual(m.signals.map((s) => s.signal), ['SIGINT', 'SIGTERM', 'SIGKILL']);
    assert.ok(m.signals[1]!.atMs - m.signals[0]!.atMs >= 350, JSON.stringify(m.signals));
    assert.equal(m.signal, 'SIGKILL');
    const out = m.stdout;
    assert.ok(out.indexOf('got SIGINT') >= 0 && out.indexOf('got SIGINT') < out.indexOf('got SIGTERM'), out);
    const grandchild = Number(/grandchild (\d+)/.exec(out)![1]);
    await new Promise((r2) => setTimeout(r2, 200));
    const alive = existsSync(`/proc/${grandchild}/stat`) && !/\) Z /.test(readFileSync(`/proc/${grandchild}/stat`, 'utf8'));
    assert.equal(alive, false, 'the grandchild was killed with the tree');
    assert.match(r.post!.stdout, /post after cancel/);
  });

  test('a process a step leaves behind is an orphan; close() terminates it like the runner at job end', async () => {
    const entry = join(scratch, 'leak.mjs');
    writeFileSync(entry, `import { spawn } from 'node:child_process'; const c = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' }); c.unref(); console.log('leaked ' + c.pid);`);
    const j = createJob({ repository: REPO, event: scheduleEvent({ repo: REPO }), node: NODE });
    const r = await j.runStep({ entry });
    assert.equal(r.exitCode, 0, r.stderr);
    const leaked = Number(/leaked (\d+)/.exec(r.stdout)![1]);
    assert.deepEqual(j.orphans().map((p) => p.pid), [leaked]);
    assert.deepEqual(j.close().map((p) => [p.pid, p.cmdline]), [[leaked, 'sleep 300']]);
    await new Promise((r2) => setTimeout(r2, 200));
    assert.deepEqual(j.orphans(), []);
  });

  test('a step that exits on SIGINT is not escalated', async () => {
    const entry = join(scratch, 'graceful.mjs');
    writeFileSync(entry, `process.on('SIGINT', () => { console.log('cleaning up'); process.exit(130); }); console.log('ready'); setInterval(() => {}, 1000);`);
    const j = job({ event: scheduleEvent({ repo: REPO }) });
    const r = await j.runStep({ entry, cancel: { whenOutput: 'ready', sigtermAfterMs: 2000 } });
    assert.deepEqual(r.signals.map((s) => s.signal), ['SIGINT']);
    assert.equal(r.exitCode, 130);
    assert.equal(r.conclusion, 'cancelled');
    assert.match(r.stdout, /cleaning up/);
  });

  test('file-command and workflow-command parsing follow the runner', () => {
    assert.deepEqual(parseFileCommand('a=1\n\nb<<EOF\nx\n\ny\nEOF\nc=has=equals\n'), { a: '1', b: 'x\n\ny', c: 'has=equals' });
    assert.throws(() => parseFileCommand('b<<EOF\nnever closed\n'), /Matching delimiter not found/);
    assert.throws(() => parseFileCommand('just text\n'), /Invalid format/);
    assert.deepEqual(parseWorkflowCommands('::error file=a%2Cb.ts,line=2::boom%0Anext\nnoise\n::endgroup::'), [
      { command: 'error', properties: { file: 'a,b.ts', line: '2' }, message: 'boom\nnext', stream: 'stdout' },
      { command: 'endgroup', properties: {}, message: '', stream: 'stdout' },
    ]);
  });

  test('payload builders have the shapes @actions/github reads', () => {
    const same = pullRequestEvent({ repo: REPO, number: 5, head: { ref: 'feat' } });
    assert.equal(same.ref, 'refs/pull/5/merge');
    assert.equal((same.payload.pull_request as { head: { repo: { fork: boolean } } }).head.repo.fork, false);
    const fork = pullRequestEvent({ repo: REPO, number: 6, head: { ref: 'feat', repo: FORK } });
    const head = (fork.payload.pull_request as { head: { label: string; repo: { full_name: string; fork: boolean } } }).head;
    assert.deepEqual([head.label, head.repo.full_name, head.repo.fork], ['forker:feat', FORK, true]);
    const wr = workflowRunEvent({ repo: REPO, runId: 1, headRepo: FORK, headBranch: 'feat', headSha: fakeSha('x') });
    const run = wr.payload.workflow_run as { pull_requests: unknown[]; head_repository: { owner: { login: string }; name: string } };
    assert.deepEqual([run.pull_requests, run.head_repository.owner.login, run.head_repository.name], [[], 'forker', 'widgets']);
    assert.throws(() => workflowRunEvent({ repo: REPO, runId: 1, headRepo: FORK, headBranch: 'feat', headSha: 'x', pullRequests: [{ number: 1 }] }));
    const sameWr = workflowRunEvent({ repo: REPO, runId: 2, headBranch: 'feat', headSha: 'y', pullRequests: [{ number: 5 }] });
    assert.equal((sameWr.payload.workflow_run as { pull_requests: Array<{ number: number }> }).pull_requests[0]!.number, 5);
    assert.deepEqual(workflowDispatchEvent({ repo: REPO, inputs: { duration: 60, scenarios: 'a,b' } }).payload.inputs, { duration: '60', scenarios: 'a,b' });
    assert.equal(scheduleEvent({ repo: REPO, cron: '*/5 * * * *' }).payload.schedule, '*/5 * * * *');
  });
});

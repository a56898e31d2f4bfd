/**
 * The bundled action's run mode on the Compose stack, on the real Docker engine (offline images,
 * as .ci/run builds them), with the loopback GitHub fakes: a completed run uploads its artifact
 * with Prometheus' answers in it and leaves nothing behind; a run cancelled the way the runner
 * cancels (SIGINT mid-run, SIGTERM later) still uploads what it measured, and after the post step
 * no container, network or volume of the project is left.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerClient, engineAvailable, projectContainers } from '../../src/stack/docker.js';
import { detectCompose } from '../../src/stack/compose.js';
import { freePort } from '../../src/net/ready.js';
import { startArtifactsService, unzip, type ArtifactsService } from '../helpers/github/artifacts.js';
import { startGitHubRest, writeToken, type GitHubRestFake } from '../helpers/github/rest.js';
import { createJob, pullRequestEvent, type Job } from '../helpers/github/runner.js';

const ROOT = join(import.meta.dirname, '..', '..');
const REPO = 'acme/widgets';
const IMAGES_ENV = join(ROOT, '.mcp-reliability', 'offline-images.env');

function runAsync(cmd: string, args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'ignore' });
    child.once('close', resolve);
  });
}

async function skipReason(): Promise<string | undefined> {
  const engine = await engineAvailable();
  if (!engine.ok) return `no Docker engine answers (${engine.reason}): .ci/run installs and starts one`;
  try {
    await detectCompose();
  } catch (err) {
    return (err as Error).message;
  }
  if (!existsSync(join(ROOT, 'lib', 'cli', 'main.js')) && (await runAsync('npm', ['run', '--silent', 'build'])) !== 0) return 'npm run build failed';
  if (!existsSync(IMAGES_ENV) && (await runAsync(join(ROOT, 'tools', 'offline-images.sh'), [])) !== 0) return 'tools/offline-images.sh failed (it needs busybox and prometheus: .ci/run installs them)';
  return undefined;
}

async function leftovers(project: string): Promise<string[]> {
  const docker = dockerClient();
  const label = { label: [`com.docker.compose.project=${project}`] };
  const containers = (await projectContainers(docker, project)).map((c) => `container ${c.Names.join(',')}`);
  const networks = (await docker.listNetworks({ filters: label })).map((n) => `network ${n.Name}`);
  const volumes = ((await docker.listVolumes({ filters: label })).Volumes ?? []).map((v) => `volume ${v.Name}`);
  return [...containers, ...networks, ...volumes];
}

describe('the bundled action, runner compose, on a real Docker engine', { timeout: 600_000 }, () => {
  let skip: string | undefined;
  let artifacts: ArtifactsService;
  let rest: GitHubRestFake;
  const jobs: Job[] = [];
  before(async () => {
    skip = await skipReason();
    artifacts = await startArtifactsService();
    rest = await startGitHubRest({ artifacts, tokens: { ghs_write: writeToken([REPO]) } });
  });
  after(async () => {
    for (const j of jobs) j.close();
    await rest?.close();
    await artifacts?.close();
  });

  async function jobFor(runId: number, backendId: string): Promise<{ job: Job; env: Record<string, string> }> {
    const pr = rest.addPullRequest({ repo: REPO, head: { ref: `compose-${runId}`, sha: 'd'.repeat(40) } });
    const job = createJob({ repository: REPO, event: pullRequestEvent({ repo: REPO, number: pr.number, head: { ref: `compose-${runId}`, sha: 'd'.repeat(40) } }), runId, apiUrl: rest.url, resultsUrl: artifacts.resultsUrl, runtimeToken: artifacts.runtimeToken(backendId), token: 'ghs_write' });
    jobs.push(job);
    // Free host ports, so parallel stacks (other tests) do not collide; the offline images.
    const env = { MCP_RELIABILITY_IMAGES_ENV: IMAGES_ENV, MCP_SERVER_PORT: String(await freePort()), PROMETHEUS_PORT: String(await freePort()), SIMULATOR_METRICS_PORT: String(await freePort()) };
    return { job, env };
  }

  const inputs = { mode: 'run', scenario: 'connection-stability', runner: 'compose', 'server-command': 'mcp-server-everything streamableHttp', 'server-port': '3001', 'fail-on': 'never' };

  test('a completed compose run: the artifact holds the result, reports, logs and prometheus.json; nothing is left', async (t) => {
    if (skip) return t.skip(skip);
    const run = rest.addWorkflowRun({ repo: REPO, event: 'pull_request', headBranch: 'compose', headSha: 'd'.repeat(40) });
    const { job, env } = await jobFor(run.id, run.backendId);
    const { main, post } = await job.runAction({ actionDir: ROOT, inputs: { ...inputs, duration: '12s' }, env, timeoutMs: 300_000 });
    assert.equal(main.exitCode, 0, `${main.stdout}\n${main.stderr}`);
    assert.ok(['pass', 'fail'].includes(main.outputs.verdict ?? ''), main.stdout);
    assert.equal(post?.exitCode, 0);
    const files = unzip(await artifacts.readArtifact(Number(main.outputs['artifact-id'])));
    for (const f of ['test-results/connection-stability/result.json', 'test-results/connection-stability/prometheus.json', 'reports/connection-stability.md', 'logs/mcp-server.log']) assert.ok(files.has(f), `${f} in ${[...files.keys()].join(', ')}`);
    assert.ok(files.get('test-results/connection-stability/result.json')!.equals(readFileSync(main.outputs['result-path']!)), 'the result downloads back byte-identical');
    assert.deepEqual(await leftovers(`mcpr-${run.id}-1-connection-stability`), []);
  });

  test('a server from a Dockerfile in the repository, SIGINT mid-run (then SIGTERM, as the runner cancels): what was measured is uploaded; after post nothing of the project is left', async (t) => {
    if (skip) return t.skip(skip);
    const run = rest.addWorkflowRun({ repo: REPO, event: 'pull_request', headBranch: 'cancel', headSha: 'd'.repeat(40) });
    const { job, env } = await jobFor(run.id, run.backendId);
    // The user's server image: here built on the offline app image, which has server-everything.
    const base = /^MCP_RELIABILITY_IMAGE=(.+)$/m.exec(readFileSync(IMAGES_ENV, 'utf8'))?.[1] ?? 'mcp-reliability:local';
    writeFileSync(join(job.workspace, 'Dockerfile'), `FROM ${base}\nCMD ["mcp-server-everything", "streamableHttp"]\n`);
    const { 'server-command': _command, ...fromDockerfile } = inputs;
    const { main, post } = await job.runAction({
      actionDir: ROOT,
      inputs: { ...fromDockerfile, 'server-dockerfile': 'Dockerfile', duration: '120s' },
      env,
      // Once the simulator runs: SIGINT, SIGTERM 7.5 s later, SIGKILL 2.5 s after that.
      cancel: { whenOutput: /stack: running /, sigtermAfterMs: 7500, killAfterMs: 2500 },
      timeoutMs: 300_000,
    });
    assert.notEqual(main.conclusion, 'success');
    assert.match(main.stdout, /Building the server image from Dockerfile/);
    assert.equal(post?.exitCode, 0, post?.stdout);
    const project = `mcpr-${run.id}-1-connection-stability`;
    assert.deepEqual(await leftovers(project), [], 'post tore the project down');
    const uploaded = artifacts.listFinalized(run.backendId);
    assert.equal(uploaded.length, 1, 'main or post uploaded what the run wrote');
    const files = unzip(await artifacts.readArtifact(uploaded[0]!.id));
    assert.ok([...files.keys()].some((f) => f.startsWith('logs/')), [...files.keys()].join(', '));
  });
});

/**
 * The action's post step (post-if: always()): when the main step was cancelled or crashed before it
 * finished, tear the Compose project down (`down -v`: no container, network or volume left) and
 * upload whatever the run wrote. Both are handed over in the step state by main.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { PACKAGE_ROOT } from '../target/index.js';
import { Artifacts } from './artifacts.js';

async function teardown(project: string, outDir: string): Promise<void> {
  const { ComposeProject, detectCompose } = await import('../stack/compose.js');
  const cli = await detectCompose();
  mkdirSync(join(outDir, 'logs'), { recursive: true });
  const compose = new ComposeProject(cli, {
    file: join(PACKAGE_ROOT, 'docker-compose.mcp-reliability.yml'),
    project,
    env: { MCP_RELIABILITY_PROJECT: project },
    profiles: ['monitoring'],
    logPath: join(outDir, 'logs', 'compose-post.log'),
  });
  const down = await compose.down();
  if (down.code === 0) core.info(`post: the Compose project ${project} is down (down -v)`);
  else core.warning(`post: down -v of ${project} exited ${down.code}: see logs/compose-post.log in the artifact`);
}

async function post(): Promise<void> {
  if (core.getState('mode') !== 'run') return;
  const outDir = core.getState('out-dir');
  const project = core.getState('compose-project');
  const finished = core.getState('done') === 'true';
  if (project && !finished) await teardown(project, outDir || join(process.env.RUNNER_TEMP ?? '/tmp', 'mcp-reliability-post'));
  if (core.getState('uploaded') !== 'true' && outDir && existsSync(outDir)) {
    const retention = core.getState('retention-days');
    const uploaded = await new Artifacts().uploadDir(core.getState('artifact-name'), outDir, retention ? Number(retention) : undefined);
    core.info(uploaded ? `post: uploaded what the run wrote as ${core.getState('artifact-name')} (${uploaded.size} bytes)` : 'post: the run wrote nothing to upload');
  }
}

post().then(
  () => setTimeout(() => process.exit(), 2000).unref(),
  (err: unknown) => core.warning(`post: ${err instanceof Error ? err.message : String(err)}`),
);

/**
 * The CLI's stack-side commands as a user runs them: `probe` against a real server (exit 0 with
 * what it found) and a dead port (exit 1, why), `pipe` serving a real stdio server over TCP, and
 * the bad input of `run --container`, `stack` and `pipe`, each stopped with exit 2 before
 * anything starts.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { probeMcp } from '../../src/stack/probe.js';
import { freePort } from '../../src/net/ready.js';
import { EVERYTHING_BIN, startEverything, type TestServer } from '../helpers/servers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

function cli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('probe', { timeout: 120_000 }, () => {
  let server: TestServer | undefined;
  after(async () => server?.stop());

  test('a real server: initialize + tools/list, exit 0 with server, protocol and tools', async () => {
    server = await startEverything('streamable-http');
    const r = cli(['probe', server.endpoint.url!, '--timeout', '10s']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ok: mcp-servers\/everything .*protocol 20\d\d-\d\d-\d\d, \d+ tools \(.*echo/);
  });

  test('nothing listening: exit 1 and the reason', async () => {
    const port = await freePort();
    const r = cli(['probe', `http://127.0.0.1:${port}/mcp`, '--timeout', '2s']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`probe http://127.0.0.1:${port}/mcp: .*(ECONNREFUSED|fetch failed|refused)`, 'i'));
  });
});

test('pipe serves a stdio server over TCP: probe over tcp:// answers, every connection its own server', { timeout: 60_000 }, async (t) => {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'pipe', '--listen', `127.0.0.1:${port}`, '--', process.execPath, EVERYTHING_BIN, 'stdio'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  t.after(() => child.kill('SIGTERM'));
  let log = '';
  child.stderr.on('data', (c: Buffer) => (log += c.toString()));
  for (let i = 0; i < 100 && !log.includes('listening'); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(log, new RegExp(`pipe: listening on 127.0.0.1:${port}`));
  for (const attempt of [1, 2]) {
    const r = await probeMcp({ transport: 'tcp', url: `tcp://127.0.0.1:${port}`, label: 'pipe' }, 15_000);
    assert.ok(r.ok, `attempt ${attempt}: ${r.ok ? '' : r.error}`);
    assert.equal(r.serverName, 'mcp-servers/everything');
    assert.ok(r.tools.includes('echo'));
  }
  for (let i = 0; i < 50 && (log.match(/server pid/g) ?? []).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal((log.match(/connected, server pid \d+/g) ?? []).length, 2, log);
  const stopped = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  assert.equal(await stopped, 0);
});

test('bad input for run --container, stack and pipe: exit 2 before anything starts', () => {
  const out = mkdtempSync(join(tmpdir(), 'mcpr-stack-cli-'));
  const cases: [string[], RegExp][] = [
    [['run', '--compose-project', 'x'], /--compose-project needs --container <service>/],
    [['run', '--container', 'mcp-server', '--compose-project', 'Bad Name'], /--compose-project "Bad Name": expected lowercase letters/],
    [['run', '--container', 'mcp-server'], /--container mcp-server: the target must be reached by URL .*"sdk-example-http" is started by this tool/],
    [['run', '--metrics-linger', 'later'], /--metrics-linger: /],
    [['pipe', '--listen', '0.0.0.0:3001'], /pipe: expected the stdio server command after "--"/],
    [['pipe', '--listen', 'nowhere', '--', 'cat'], /pipe: --listen "nowhere": expected host:port/],
    [['probe'], /probe: expected one target/],
    [['stack', '--duration', 'forever'], /--duration: /],
    [['stack', '--bogus'], /stack: unknown option "--bogus"/],
    [['stack', '--out', out, '--images-env', join(out, 'missing.env')], /--images-env .*missing\.env: no such file \(tools\/offline-images\.sh writes one\)/],
    [['stack', '--out', out, '--scenario', 'no-such-scenario'], /no-such-scenario/],
    [['stack', '--out', out, '--target', 'everything-stdio'], /stack target "everything-stdio" is a server this tool starts itself/],
    [['stack', '--out', out, '--target', 'everything-http'], /stack target "everything-http" is a server this tool starts itself: .*tcp:\/\/mcp-server:3001/],
  ];
  for (const [args, pattern] of cases) {
    const r = cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, pattern, args.join(' '));
  }
  // Nothing was started: no container logs, no results.
  assert.deepEqual(readdirSync(out).filter((f) => f !== 'logs' && f !== 'reports'), []);
});

test('stack without a Docker engine: exit 3 with the reason, and nothing started', () => {
  const out = mkdtempSync(join(tmpdir(), 'mcpr-stack-cli-'));
  const r = cli(['stack', '--out', out, '--duration', '5s'], { ...process.env, DOCKER_HOST: `unix://${join(out, 'no-engine.sock')}` });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /stack: no Docker engine answers \(.*no-engine\.sock.*\): start dockerd, or run without Docker \(mcp-reliability run\)/);
});

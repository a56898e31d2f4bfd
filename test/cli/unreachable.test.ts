/**
 * A target that cannot be reached or started is a harness failure with its cause (exit 3), in the
 * console and in the report, never "fills no tool for roles" or failed SLOs: nothing listens at the
 * URL, a command that does not exist, a server answering 500 to notifications/initialized, a server
 * that wants credentials (with the hint how to give them; a given token is never printed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadEndpoint, fixtureHttp } from '../helpers/servers.js';

const ROOT = join(import.meta.dirname, '..', '..');

function cli(args: string[], env: Record<string, string> = {}) {
  const out = mkdtempSync(join(tmpdir(), 'mcpr-unreachable-'));
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'run', '--scenario', 'connection-stability', '--duration', '3s', '--progress', 'none', '--out', out, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  const report = (() => {
    try {
      return readFileSync(join(out, 'reports', 'connection-stability.md'), 'utf8');
    } catch {
      return '';
    }
  })();
  return { code: r.status, stderr: r.stderr, stdout: r.stdout, report, out };
}

/** Every file under a folder, as text (to prove a secret is nowhere). */
function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((p) => statSync(p).isFile())
    .map((p) => readFileSync(p, 'utf8'))
    .join('\n');
}

test('nothing listens at the URL: exit 3, "fetch failed" with ECONNREFUSED in the console and the report', async () => {
  const { url } = await deadEndpoint();
  const r = cli(['--target', url!]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /connection-stability \[resilient\]: ERROR \(.*did not complete the MCP handshake: fetch failed \(ECONNREFUSED/);
  assert.match(r.report, /Verdict: ERROR.*fetch failed \(ECONNREFUSED/);
  assert.doesNotMatch(r.stderr, /fills no tool/);
});

test('a command that does not exist: exit 3 with the shell\'s own words from the server\'s stderr', () => {
  const r = cli(['--target', 'no-such-mcp-server --stdio']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /did not complete the MCP handshake/);
  assert.match(r.stderr, /the server's stderr ends with: .*no-such-mcp-server: not found/);
});

test('a server answering 500 to notifications/initialized: exit 3 naming the status and its body', async () => {
  const server = await fixtureHttp('misbehaving-http.mjs', { FIXTURE_INITIALIZED_STATUS: '500' });
  try {
    const r = cli(['--target', server.endpoint.url!]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /HTTP 500: .*the server failed to handle notifications\/initialized/);
  } finally {
    await server.stop();
  }
});

test('a server that wants credentials: exit 3 with the hint; with --header it runs, and the token appears in no output', async () => {
  const token = 's3cr3t-token-value';
  const server = await fixtureHttp('misbehaving-http.mjs', { FIXTURE_REQUIRE_TOKEN: token });
  try {
    const refused = cli(['--target', server.endpoint.url!]);
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /HTTP 401/);
    assert.match(refused.stderr, /the server wants credentials: pass them with --header 'Authorization: Bearer \$\{TOKEN\}'/);
    const ok = cli(['--target', server.endpoint.url!, '--header', 'Authorization: Bearer ${FIXTURE_TOKEN}'], { FIXTURE_TOKEN: token });
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(!`${ok.stdout}\n${ok.stderr}\n${allText(ok.out)}`.includes(token), 'the token is printed or written nowhere');
  } finally {
    await server.stop();
  }
});

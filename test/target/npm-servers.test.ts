/**
 * Real MCP servers from npm the tests never tuned for, run as a new user would — a command, no
 * --role flags: @modelcontextprotocol/server-filesystem (its tools need a real path: the role
 * prover takes one from list_allowed_directories) and @modelcontextprotocol/server-sequential-
 * thinking (one tool with four required arguments: it plays every role). Every shipped scenario a
 * stdio target can run passes; network-chaos is left out with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listScenarios, loadPlan } from '../../src/scenario/index.js';
import { getClientProfile } from '../../src/session/index.js';
import { resolveTarget, SCENARIOS_DIR } from '../../src/target/index.js';
import { runSuite } from '../../src/run/suite.js';

async function runAll(command: string) {
  const names = await listScenarios(SCENARIOS_DIR);
  return runSuite({
    inapplicable: 'skip',
    plans: await Promise.all(names.map((n) => loadPlan(n, { scenariosDir: SCENARIOS_DIR }))),
    target: await resolveTarget(command),
    clients: [getClientProfile('resilient')],
    durationMs: 8000,
    seed: 1,
    outDir: mkdtempSync(join(tmpdir(), 'mcpr-npm-')),
    signal: new AbortController().signal,
    toolVersion: 'test',
  });
}

const failing = (r: { slos: { passed: boolean; id: string; note?: string }[] }) =>
  r.slos
    .filter((s) => !s.passed)
    .map((s) => `${s.id}${s.note ? `: ${s.note}` : ''}`)
    .join('; ');

test('server-filesystem, no --role: roles proven with a directory the server allows; every stdio scenario passes', { timeout: 300_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'mcpr-fs-root-'));
  writeFileSync(join(root, 'notes.txt'), 'hello');
  const { results, skipped } = await runAll(`mcp-server-filesystem ${root}`);
  assert.deepEqual(results.map((r) => r.scenario.name).sort(), ['connection-stability', 'high-load-stress', 'reconnection-resilience']);
  assert.deepEqual(skipped.map((s) => s.scenario), ['network-chaos']);
  for (const r of results) assert.equal(r.verdict, 'pass', `${r.scenario.name}: ${failing(r)}`);
  const roles = results[0]!.roles!;
  for (const b of Object.values(roles.bindings)) assert.equal(b?.source, 'inferred');
  // Whatever was chosen, a path argument points into the allowed directory, not at a made-up file.
  for (const b of Object.values(roles.bindings)) for (const v of Object.values(b?.params ?? {})) if (typeof v === 'string') assert.ok(v.startsWith('/'), `${b?.tool}: ${v}`);
  const never = roles.trials.filter((t) => t.verdict === 'not tried').map((t) => t.tool);
  for (const destructive of ['write_file', 'edit_file', 'move_file', 'create_directory']) assert.ok(never.includes(destructive), `${destructive} was not called`);
});

test('server-sequential-thinking, a bare command on PATH, no --role: its one tool plays probe and work; every stdio scenario passes', { timeout: 300_000 }, async () => {
  const { results } = await runAll('mcp-server-sequential-thinking');
  assert.equal(results.length, 3);
  for (const r of results) assert.equal(r.verdict, 'pass', `${r.scenario.name}: ${failing(r)}`);
  const { bindings } = results[0]!.roles!;
  assert.equal(bindings.probe?.tool, 'sequentialthinking');
  assert.equal(bindings.work?.tool, 'sequentialthinking');
});

/** The CLI as a user runs it: real processes, real server-everything, exit codes and files on disk. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ScenarioResult } from '../../src/report/result.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BAD = join(ROOT, 'test', 'fixtures', 'scenarios');
const RUNNABLE = join(ROOT, 'test', 'fixtures', 'scenarios-run');

function cli(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const badCases: [string, RegExp[]][] = [
  ['syntax-error.json', [/syntax-error\.json:6:25: invalid JSON: trailing comma/, /hint: JSON allows no comma/]],
  ['unknown-action.json', [/\/steps\/2\/action: unknown action "call-tol"/, /hint: did you mean "call-tool"\?/]],
  ['wrong-type.json', [/\/steps\/1\/count: "count" must be an integer ≥ 1, got the string "ten"/]],
  ['missing-steps.json', [/\/steps\/1: a "repeat" step needs "steps"/]],
  ['missing-expect.json', [/missing required property "expect"/, /hint: add e\.g\. "expect": \{"availability": 99\}/]],
  ['negative-count.json', [/\/steps\/1\/count: "count" must be ≥ 1, got -3/]],
  ['unknown-role.json', [/\/steps\/1\/role: unknown role "prob"/, /expected: one of probe, work, state-write, state-read/]],
  ['unknown-placeholder.json', [/unknown placeholder "\{\{idx\}\}"/]],
  ['tool-and-role.json', [/"tool" and "role" are mutually exclusive/]],
  ['typo-property.json', [/\/steps\/1\/cont: unknown property "cont"/, /did you mean "count"\?/]],
];

for (const [file, patterns] of badCases) {
  test(`validate ${file}: exit 2 with file, pointer and hint`, () => {
    const r = cli(['validate', join(BAD, file)]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(file), r.stderr);
    for (const p of patterns) assert.match(r.stderr, p);
  });
}

test('run with a bad scenario stops before anything starts (exit 2, no logs written)', () => {
  const out = mkdtempSync(join(tmpdir(), 'mcpr-cli-'));
  const r = cli(['run', '--scenario', join(BAD, 'unknown-role.json'), '--out', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown role "prob"/);
  assert.equal(existsSync(join(out, 'logs')), false);
});

test('usage errors exit 2 with what was expected', () => {
  const cases: [string[], RegExp][] = [
    [['run', '--duration', 'soon'], /--duration: .*expected a duration like 90s/],
    [['run', '--target', 'no-such-target'], /unknown target "no-such-target"/],
    [['run', '--client-profile', 'claude'], /unknown client profile "claude"; choose one of: claude-code, resilient/],
    [['run', '--role', 'probe'], /--role "probe": expected role=tool/],
    [['run', '--bogus'], /^mcp-reliability run: unknown option "--bogus"; valid options: /m],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['run', '--scenario', 'no-such-scenario'], /no-such-scenario/],
  ];
  for (const [args, pattern] of cases) {
    const r = cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
});

test("a role the profile leaves open is inferred and proven, the profile's own role kept", () => {
  const out = mkdtempSync(join(tmpdir(), 'mcpr-cli-'));
  const r = cli(['run', '--scenario', join(RUNNABLE, 'quick-pass.json'), '--target', join(ROOT, 'test', 'fixtures', 'targets', 'probe-only.json'), '--duration', '2s', '--out', out, '--progress', 'none']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(readFileSync(join(out, 'test-results', 'quick-pass', 'result.json'), 'utf8')) as ScenarioResult;
  assert.deepEqual(result.roles?.bindings.probe, { tool: 'echo', params: { message: 'hi' }, source: 'profile' });
  assert.equal(result.roles?.bindings.work?.source, 'inferred');
});

test('no tool qualifies for a role: exit 2 before the run, every candidate with why it was rejected, and a --role line to copy', () => {
  const server = `node ${join(ROOT, 'test', 'fixtures', 'servers', 'tools-stdio.mjs')}`;
  const r = cli(['run', '--scenario', 'connection-stability', '--target', server, '--out', mkdtempSync(join(tmpdir(), 'mcpr-cli-'))]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /fills no tool for roles probe, work: no tool qualified/);
  assert.match(r.stderr, /get_file_info \{"path":"mcp-reliability"\}: rejected — tool error: ENOENT: no such file or directory/);
  assert.match(r.stderr, /read_file \{"path":"mcp-reliability"\}: rejected — tool error: ENOENT/);
  assert.match(r.stderr, /write_file: not tried — its name suggests it changes something/);
  assert.match(r.stderr, /--role 'probe=get_file_info:\{"path":"mcp-reliability"\}'/);
  assert.doesNotMatch(r.stderr, /write_file was called/);
});

test('a server whose only tool qualifies gets it for both probe and work', () => {
  const out = mkdtempSync(join(tmpdir(), 'mcpr-cli-'));
  const server = `node ${join(ROOT, 'test', 'fixtures', 'servers', 'tools-stdio.mjs')}`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'run', '--scenario', join(RUNNABLE, 'quick-pass.json'), '--target', server, '--duration', '2s', '--out', out, '--progress', 'none'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, FIXTURE_TOOLS: 'one' } });
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(readFileSync(join(out, 'test-results', 'quick-pass', 'result.json'), 'utf8')) as ScenarioResult;
  assert.deepEqual(result.roles?.bindings.probe, { tool: 'compute', params: { a: 1, b: 1 }, source: 'inferred' });
  assert.deepEqual(result.roles?.bindings.work, { tool: 'compute', params: { a: 1, b: 1 }, source: 'inferred' });
  assert.ok(result.notes?.some((n) => /only compute qualified: it plays both probe and work/.test(n)), JSON.stringify(result.notes));
});

test('an unmet SLO exits 1 and the reports name it', () => {
  const out = mkdtempSync(join(tmpdir(), 'mcpr-cli-'));
  const r = cli(['run', '--scenario', join(RUNNABLE, 'impossible-latency.json'), '--duration', '5s', '--out', out, '--progress', 'none']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /impossible-latency \[resilient\]: FAIL \(failed: latency\.tools\/call\.p50\)/);
  const report = readFileSync(join(out, 'reports', 'impossible-latency.md'), 'utf8');
  assert.match(report, /FAIL/);
  assert.match(report, /latency\.tools\/call\.p50/);
  const junit = readFileSync(join(out, 'reports', 'junit.xml'), 'utf8');
  assert.match(junit, /name="latency\.tools\/call\.p50[^"]*"[^>]*>\s*<failure message="measured [\d.]+ ms, limit ≤ 0\.001 ms"/);
  const result = JSON.parse(readFileSync(join(out, 'test-results', 'impossible-latency', 'result.json'), 'utf8'));
  const slo = result.slos.find((s: { id: string }) => s.id === 'latency.tools/call.p50');
  assert.equal(slo.passed, false);
  assert.ok(slo.measured > 0.001);
});

test('a passing run exits 0 and writes every output, the result valid against its schema', () => {
  const out = mkdtempSync(join(tmpdir(), 'mcpr-cli-'));
  const r = cli(['run', '--scenario', join(RUNNABLE, 'quick-pass.json'), '--duration', '3s', '--out', out, '--progress', 'plain']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\| quick-pass +\| `sdk-example-http` \| `resilient` +\| PASS/);
  for (const f of ['reports/summary.md', 'reports/junit.xml', 'reports/quick-pass.md', 'test-results/quick-pass/result.json', 'logs/quick-pass/events.ndjson', 'logs/quick-pass/server.stderr.log']) {
    assert.ok(existsSync(join(out, f)), `${f} exists`);
  }
  const result = JSON.parse(readFileSync(join(out, 'test-results', 'quick-pass', 'result.json'), 'utf8')) as ScenarioResult;
  const schema = JSON.parse(readFileSync(join(ROOT, 'src', 'report', 'result.schema.json'), 'utf8'));
  const validate = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true }).compile(schema);
  assert.ok(validate(structuredClone(result)), JSON.stringify(validate.errors));
  assert.equal(result.verdict, 'pass');
  assert.ok(result.totals.requests >= 5);
  assert.ok(result.latency['tool:greet']!.count >= 1 && result.latency['tool:list-files']!.count >= 1);
  assert.ok(result.memory && result.memory.samples >= 1, 'server memory was sampled');
  const events = readFileSync(join(out, 'logs', 'quick-pass', 'events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(events.some((e) => e.type === 'connected'));
  // Sampled (the default): the interval lines count every request; the request lines are what the result says was logged.
  const intervals = events.filter((e) => e.type === 'requests-interval');
  assert.ok(intervals.length >= 1);
  assert.equal(intervals.reduce((n, e) => n + e.requests, 0), result.totals.requests);
  assert.equal(events.filter((e) => e.type === 'request').length, result.logs.requests?.requestsLogged);
  assert.equal(result.logs.requests?.mode, 'sampled');
  assert.equal(result.logs.requests?.requests, result.totals.requests);
  assert.ok(result.tester && result.tester.peakRssBytes > 0 && result.tester.eventLogBytes === statSync(join(out, 'logs', 'quick-pass', 'events.ndjson')).size);
  // The live heap after the forced full GC: measured (the CLI can force one on this Node), a real heap, below the process's peak RSS.
  const live = result.tester?.liveHeapBytes;
  assert.ok(live !== undefined && live > 1024 * 1024 && live < result.tester!.peakRssBytes, `live heap ${String(live)}`);
  assert.equal(result.timeSeries?.points.reduce((n, p) => n + p.requests, 0), result.totals.requests);
});

test('--log-requests all: every request in events.ndjson.gz, the result points at it', () => {
  const out = mkdtempSync(join(tmpdir(), 'mcpr-cli-'));
  const r = cli(['run', '--scenario', join(RUNNABLE, 'quick-pass.json'), '--duration', '2s', '--out', out, '--progress', 'none', '--log-requests', 'all']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(readFileSync(join(out, 'test-results', 'quick-pass', 'result.json'), 'utf8')) as ScenarioResult;
  assert.equal(result.logs.events, 'logs/quick-pass/events.ndjson.gz');
  assert.equal(existsSync(join(out, 'logs', 'quick-pass', 'events.ndjson')), false);
  const events = gunzipSync(readFileSync(join(out, result.logs.events))).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
  assert.equal(events.filter((e) => e.type === 'request').length, result.totals.requests);
  assert.equal(events.filter((e) => e.type === 'requests-interval').length, 0);
  assert.deepEqual({ mode: result.logs.requests?.mode, logged: result.logs.requests?.requestsLogged }, { mode: 'all', logged: result.totals.requests });
  const bad = cli(['run', '--scenario', join(RUNNABLE, 'quick-pass.json'), '--log-requests', 'some', '--out', out]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--log-requests "some": expected sampled or all/);
});

test('an ad-hoc stdio command target gets its roles inferred from the tool list', () => {
  const out = mkdtempSync(join(tmpdir(), 'mcpr-cli-'));
  const r = cli(['run', '--scenario', join(RUNNABLE, 'quick-pass.json'), '--target', 'mcp-server-everything stdio', '--duration', '2s', '--out', out, '--progress', 'none']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(readFileSync(join(out, 'test-results', 'quick-pass', 'result.json'), 'utf8'));
  assert.equal(result.target.name, 'adhoc-stdio');
  assert.ok(result.notes.some((n: string) => /roles inferred from the server's tools, each proven by one call before the run: probe=echo \{"message":"mcp-reliability"\}, work=get-env/.test(n)), result.notes.join('\n'));
});

test('a harness failure (output folder cannot be created) exits 3', () => {
  // A folder below a regular file cannot exist (ENOTDIR).
  const file = join(mkdtempSync(join(tmpdir(), 'mcpr-cli-')), 'a-file');
  writeFileSync(file, 'not a folder');
  const r = cli(['run', '--scenario', join(RUNNABLE, 'quick-pass.json'), '--out', join(file, 'out'), '--duration', '1s']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /harness failure/);
});

test('list names the shipped scenarios, targets and client profiles', () => {
  const r = cli(['list']);
  assert.equal(r.code, 0);
  for (const name of readdirSync(join(ROOT, 'scenarios')).filter((f) => !f.includes('schema')).map((f) => f.replace('.json', ''))) assert.ok(r.stdout.includes(name));
  assert.match(r.stdout, /everything-ws/);
  assert.match(r.stdout, /claude-code: /);
});

test('list --json: the scenario, target and profile names a workflow builds its matrix from', () => {
  const r = cli(['list', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const listed = JSON.parse(r.stdout) as { scenarios: string[]; targets: string[]; clientProfiles: string[] };
  assert.deepEqual(listed.scenarios, readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.json') && !f.includes('schema')).map((f) => f.replace('.json', '')).sort());
  assert.ok(listed.targets.includes('sdk-example-http'));
  assert.deepEqual(listed.clientProfiles, ['resilient', 'claude-code']);
});

/**
 * The CLI with faults: network-chaos passes against everything-http (a short --duration) with a
 * report naming every fault with MTTD, MTTR and phase stats; against a stdio target it is bad
 * input (exit 2) before anything starts, naming the step, the fault kind and the transport.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ScenarioResult } from '../../src/report/result.js';

const ROOT = join(import.meta.dirname, '..', '..');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('network-chaos against everything-stdio: exit 2 before anything starts, naming the step pointer, the kind, the transport, with a hint', () => {
  const out = mkdtempSync(join(tmpdir(), 'mcpr-nc-stdio-'));
  const r = cli(['run', '--scenario', 'network-chaos', '--target', 'everything-stdio', '--out', out]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^scenarios\/network-chaos\.json: \/steps\/5\/fault: "latency" is a network fault, but target "everything-stdio" uses stdio: there is no connection for the chaos proxy to act on$/m);
  assert.match(r.stderr, /^ {2}expected: a network target \(streamable-http, sse or websocket\)$/m);
  assert.match(r.stderr, /^ {2}hint: run this scenario against a network target, e\.g\. --target everything-http; or mark the step "optional": true/m);
  assert.match(r.stderr, /\/steps\/7\/fault: "loss"/);
  assert.match(r.stderr, /\/steps\/9\/fault: "reset"/);
  assert.equal(existsSync(join(out, 'logs')), false, 'nothing started');
});

test('network-chaos --target sdk-example-http --duration 25s: exit 0, and the report names every fault with MTTD, MTTR and phase stats', { timeout: 120_000 }, (t) => {
  const out = mkdtempSync(join(tmpdir(), 'mcpr-nc-http-'));
  const r = cli(['run', '--scenario', 'network-chaos', '--target', 'sdk-example-http', '--duration', '25s', '--out', out, '--progress', 'none', '--no-summary']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(readFileSync(join(out, 'test-results', 'network-chaos', 'result.json'), 'utf8')) as ScenarioResult;
  const schema = JSON.parse(readFileSync(join(ROOT, 'src', 'report', 'result.schema.json'), 'utf8'));
  const validate = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true }).compile(schema);
  assert.ok(validate(structuredClone(result)), JSON.stringify(validate.errors));
  assert.equal(result.verdict, 'pass');
  const fixed = result.faults.windows.slice(0, 4);
  assert.deepEqual(fixed.map((w) => w.kind), ['latency', 'loss', 'reset', 'pause']);
  for (const w of fixed) {
    t.diagnostic(`#${w.index} ${w.kind} +${w.startOffsetMs} ms held ${w.heldMs} ms: MTTD ${w.mttdMs} (${w.detectedBy}), MTTR ${w.mttrMs}; p50 before/during/after ${w.phases?.before.p50}/${w.phases?.during.p50}/${w.phases?.after.p50} ms`);
    assert.ok(w.phases && w.phases.before.requests > 0 && w.phases.after.requests > 0, `${w.kind} has phase stats`);
    assert.ok(w.mttrMs !== null, `${w.kind} was recovered from`);
  }
  assert.ok(fixed[3]!.mttdMs !== null && fixed[3]!.mttdMs <= 2000 + 500 + 500, 'the pause is noticed by the 2 s probe timeout');
  assert.ok(result.faults.proxy !== null);
  for (const s of result.slos) t.diagnostic(`${s.id}: ${JSON.stringify(s.measured)} (limit ${s.comparator} ${s.limit})`);
  const report = readFileSync(join(out, 'reports', 'network-chaos.md'), 'utf8');
  const rows = report.split('\n').filter((l) => /^\| +\d+ \| `/.test(l));
  for (const [i, kind] of ['latency', 'loss', 'reset', 'pause'].entries()) {
    const row = rows[i] ?? '';
    assert.match(row, new RegExp(`^\\| +${i + 1} \\| \`${kind}\``), row);
    const cells = row.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    assert.equal(cells.length, 9);
    assert.match(cells[4]!, /^(not noticed|[\d.]+ m?s \(`.+`\))$/, `MTTD cell: ${cells[4]}`);
    assert.match(cells[5]!, /^[\d.]+ m?s$/, `MTTR cell: ${cells[5]}`);
    // A one-shot reset's during phase lasts ~0 ms: no request was sent in it.
    for (const phase of cells.slice(6)) assert.match(phase, /^([\d.]+ m?s \/ [\d.]+ m?s \/ [\d.]+ m?s|—) · \d+ err \/ \d+ req$/, phase);
  }
  assert.match(report, /\(`faultRecoverWithinSeconds`\) +\| +≤ 10 s \| +[\d.]+ s \| pass/);
});

test('network-chaos against server-everything over Streamable HTTP finds its defects: events of other streams replayed after the reset, 400 for an unknown session, no Origin check', { timeout: 120_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'mcpr-nc-everything-'));
  const r = cli(['run', '--scenario', 'network-chaos', '--target', 'everything-http', '--duration', '16s', '--out', out, '--progress', 'none', '--no-summary']);
  assert.equal(r.code, 1, r.stderr);
  const result = JSON.parse(readFileSync(join(out, 'test-results', 'network-chaos', 'result.json'), 'utf8')) as ScenarioResult;
  const finding = (kind: string) => result.violations.find((v) => v.kind === kind);
  // After the reset the client resumes its GET stream with Last-Event-ID; the server's event store replays
  // every stream's events onto it: answers to requests already answered, and its priming events as `{}`.
  assert.equal(finding('unknown-response-id')?.severity, 'error');
  assert.match(finding('unknown-response-id')!.samples[0]!, /"result"/);
  assert.equal(finding('invalid-jsonrpc')?.severity, 'error');
  assert.equal(result.slos.find((s) => s.id === 'maxProtocolViolations')?.passed, false);
  // The active checks: 400 instead of 404 for an unknown session, and a foreign Origin and Host accepted.
  assert.equal(finding('session-lost-400')?.bySource.check, 1);
  assert.equal(finding('origin-not-validated')?.bySource.check, 1);
  const report = readFileSync(join(out, 'reports', 'network-chaos.md'), 'utf8');
  assert.match(report, /Unknown or expired session not answered with 404/);
  assert.match(report, /Foreign Origin and Host accepted/);
  assert.match(report, /\[Transports › Security warning\]\(https:\/\/modelcontextprotocol\.io\/specification\/2025-11-25\/basic\/transports#security-warning\)/);
});

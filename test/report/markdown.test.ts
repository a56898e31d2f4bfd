import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderScenarioReport, renderSummary, codeSpan, escapeText } from '../../src/report/index.js';
import { buildSampleResult } from './sample-result.js';

/** Cells of a GFM table row: split on pipes that are not backslash-escaped. */
function cells(row: string): string[] {
  return row.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '').split(/(?<!\\)\|/).map((c) => c.trim());
}

/** Every table in the document: each row has as many cells as its header. */
function assertTablesWellFormed(markdown: string): number {
  let tables = 0;
  const blocks = markdown.split(/\n\n+/).filter((b) => b.startsWith('|'));
  for (const block of blocks) {
    const rows = block.trimEnd().split('\n');
    const width = cells(rows[0] ?? '').length;
    assert.match(rows[1] ?? '', /^\|( *:?-+:? *\|)+$/, `delimiter row of table:\n${block}`);
    for (const row of rows) assert.equal(cells(row).length, width, `row has the wrong number of cells:\n${row}`);
    tables += 1;
  }
  return tables;
}

const sloRow = (markdown: string, id: string) => markdown.split('\n').find((line) => line.startsWith('|') && line.includes(`(\`${id}\`)`));

test('scenario report: title badge, headline, SLO rows with limits and measured values', () => {
  const { result } = buildSampleResult();
  const md = renderScenarioReport(result);
  assert.ok(md.startsWith('# FAIL · flaky \\| "server"\n'), md.slice(0, 80));
  assert.match(md, /Target `everything` \(streamable-http\) · client profile `claude-code` · duration 2m 00s \(requested 2m 00s\) · seed 42/);
  assert.match(md, /\*\*Verdict: FAIL\*\* — 6 of 13 SLOs failed: `errorRate`/);
  assert.deepEqual(cells(sloRow(md, 'availability') ?? ''), ['Availability: answered requests (results and tool errors) / all requests (pings included) (`availability`)', '≥ 60.00 %', '71.43 %', 'pass']);
  assert.deepEqual(cells(sloRow(md, 'errorRate') ?? '').slice(1), ['≤ 5.00 %', '14.29 %', '**FAIL**']);
  assert.deepEqual(cells(sloRow(md, 'latency.tool:missing.p95') ?? '').slice(1), ['≤ 50.0 ms', 'not measured', '**FAIL** — no calls to tool missing were made']);
  assert.ok(assertTablesWellFormed(md) >= 6);
});

test('scenario report sections: latency, availability, disconnections with recovery, drift, state, hygiene, memory', () => {
  const md = renderScenarioReport(buildSampleResult().result);
  for (const heading of ['SLOs', 'Protocol findings', 'Latency', 'Availability', 'Requests never answered', 'Connections and reconnects', 'Disconnections', 'Session expiries', 'Tool roles', 'Tool list', 'State checks', 'Protocol checks', 'Client capabilities and server requests', 'Server memory']) {
    assert.match(md, new RegExp(`^## ${heading}$`, 'm'), heading);
  }
  const callRow = md.split('\n').find((l) => l.startsWith('| `tools/call`'));
  assert.deepEqual(cells(callRow ?? '').slice(1, 5), ['12', '1', '1', '2']);
  assert.match(md, /Availability: \*\*71\.43 %\*\* \(10 of 14 requests answered, pings included\)/);
  assert.match(md, /\| `transport-closed` +\| +no +\| +1\.50 s \| +2 \|/);
  assert.match(md, /\| `ping-timeout` +\| +no +\| +\*\*never\*\* \|/);
  assert.match(md, /- Final listing \(2\): `echo`, `get-sum`/);
  assert.match(md, /- expected 42, got undefined/);
  assert.match(md, /- RSS start 100\.0 MiB, peak 104\.0 MiB, end 104\.0 MiB \(5 samples\)/);
  assert.match(md, /Growth \(least squares\): 2\.0 MiB\/min/);
});

test('untrusted text is escaped: pipes, backticks, HTML', () => {
  const md = renderScenarioReport(buildSampleResult().result);
  assert.ok(md.includes('``log 0 \\| with `tick` and <b>html</b> & more``'), 'sample as a double-backtick code span with escaped pipe');
  assert.ok(md.includes('> A \\<scripted\\> run'));
  assert.equal(escapeText('a|b<c>`d`*e*'), 'a\\|b\\<c\\>\\`d\\`\\*e\\*');
  assert.equal(codeSpan('x | y'), '`x \\| y`');
  assert.equal(codeSpan('`start'), '`` `start ``');
  assert.equal(codeSpan('a ``` b'), '````a ``` b````');
  assert.equal(codeSpan('line1\nline2\u0007'), '`line1 ⏎ line2\\x07`');
  assert.equal(codeSpan(''), '*(empty)*');
});

test('run notes are listed under the headline', () => {
  const { result } = buildSampleResult();
  const md = renderScenarioReport({ ...result, notes: ['roles inferred: probe=echo_tool', 'the run was interrupted'] });
  assert.match(md, /^- Note: roles inferred: probe=echo\\_tool$/m);
  assert.match(md, /^- Note: the run was interrupted$/m);
});

test('rendering is deterministic', () => {
  const a = buildSampleResult().result;
  const b = buildSampleResult().result;
  assert.equal(renderScenarioReport(a), renderScenarioReport(b));
  assert.equal(renderSummary([a, b]), renderSummary([b, a]));
});

test('error verdict: ERROR badge with what broke', () => {
  const md = renderScenarioReport(buildSampleResult(undefined, 'stack failed: <docker> not running').result, { headingLevel: 2 });
  assert.ok(md.startsWith('## ERROR · '));
  assert.match(md, /\*\*Verdict: ERROR\*\* — the harness failed: stack failed: \\<docker\\> not running/);
  assert.match(md, /^### SLOs$/m);
});

test('summary: one row per run; with several client profiles, one row per scenario and one column per profile, never a sum of unlike runs', () => {
  const pass = buildSampleResult({ availability: 50 }).result;
  const other = { ...pass, client: { ...pass.client, profile: 'naive' }, totals: { ...pass.totals, ok: 5, requests: 10, availabilityPercent: 50 } };
  const failing = { ...buildSampleResult().result, scenario: { ...pass.scenario, name: 'load' }, totals: { ...pass.totals, ok: 2800, requests: 2800, availabilityPercent: 100 } };
  const md = renderSummary([pass, other, failing]);
  assert.ok(md.startsWith('3 run(s): 2 passed, 1 failed, 0 errored.'));
  assert.equal(assertTablesWellFormed(md), 2);
  const [runs, byProfile] = md.split('What each client profile experienced');
  const rows = (runs ?? '').split('\n').filter((l) => /^\| (flaky|load)/.test(l));
  assert.equal(rows.length, 3);
  assert.deepEqual(cells(rows[0] ?? ''), ['flaky \\| "server"', '`everything`', '`claude-code`', 'PASS', '71.43 %', '14', '5.00 s', '3', '0', '6/1/0', '—']);
  assert.match(rows[2] ?? '', /\*\*FAIL\*\*.*`errorRate`, `latency\.role:probe\.p99`/);
  // The per-profile view: each scenario on its own row; the 2,800-request load run does not lift the 71 % run.
  const profileRows = (byProfile ?? '').split('\n').filter((l) => /^\| (flaky|load)/.test(l));
  assert.deepEqual(cells(profileRows[0] ?? ''), ['flaky \\| "server"', '71.43 % (14 requests)', '50.00 % (10 requests)']);
  assert.deepEqual(cells(profileRows[1] ?? ''), ['load', '100.00 % **FAIL** (2800 requests)', '—']);
  assert.doesNotMatch(md, /over its runs/);
  // One profile: no second table.
  assert.equal(assertTablesWellFormed(renderSummary([pass])), 1);
  assert.equal(renderSummary([]), '_No scenario results._\n');
});

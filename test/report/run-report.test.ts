/** The report of a whole workflow run (job summary and PR comment): one renderer, and the comment's size limit. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderRunReport } from '../../src/report/index.js';
import { buildSampleResult } from './sample-result.js';

test('the run report: marker first, overall verdict, the summary table, each failing SLO with measured value and limit, links', () => {
  const failing = buildSampleResult().result;
  const md = renderRunReport([failing], { marker: '<!-- m -->', links: { run: 'https://github.example/o/r/actions/runs/9', artifacts: 'https://github.example/o/r/actions/runs/9#artifacts' } });
  assert.ok(md.startsWith('<!-- m -->\n## MCP reliability: **FAIL**'));
  assert.match(md, /\| `errorRate` +\| +14\.29 % \| +≤ 5\.00 % \|/);
  assert.match(md, /<details><summary>flaky \\\| "server" · `claude-code` · FAIL<\/summary>/);
  assert.match(md, /\[the workflow run\]\(https:\/\/github\.example\/o\/r\/actions\/runs\/9\)/);
});

test('a report that would exceed the comment limit drops scenario details from the end, says so, and stays under the limit', () => {
  const one = buildSampleResult().result;
  const many = Array.from({ length: 60 }, (_, i) => ({ ...one, scenario: { ...one.scenario, name: `scenario-${i}` } }));
  const full = renderRunReport(many);
  assert.ok(full.length > 65_000, `${full.length} characters uncut`);
  const cut = renderRunReport(many, { maxChars: 65_000, links: { run: 'https://github.example/run' } });
  assert.ok(cut.length <= 65_000, `${cut.length}`);
  assert.match(cut, /_Details of \d+ scenario\(s\) left out to fit the comment; see the links below\._/);
  assert.match(cut, /Full reports, results and logs: \[the workflow run\]/);
  // With nothing to drop, the text itself is cut with the pointer.
  const tiny = renderRunReport([one], { maxChars: 300 });
  assert.ok(tiny.length <= 300);
  assert.match(tiny, /…cut to 300 characters: see the job summary/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJUnit, escapeXml } from '../../src/report/index.js';
import type { ScenarioResult } from '../../src/report/result.js';
import { buildSampleResult } from './sample-result.js';

/**
 * A small well-formedness check: balanced tags with one root, quoted attributes without raw `<`,
 * `&` only in entities, no characters XML 1.0 forbids.
 */
function assertWellFormed(xml: string): void {
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'));
  const body = xml.slice(xml.indexOf('?>') + 2);
  assert.doesNotMatch(body, /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u, 'invalid XML character');
  assert.doesNotMatch(body, /&(?!(amp|lt|gt|quot|apos|#\d+);)/, 'bare ampersand');
  const stack: string[] = [];
  let roots = 0;
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/gy;
  for (const m of body.matchAll(token)) {
    if (m[6]) assert.fail(`stray '<' at ${m.index}: ${body.slice(m.index, m.index + 60)}`);
    if (m[5] !== undefined) {
      if (stack.length === 0) assert.match(m[5], /^\s*$/, 'text outside the root element');
      continue;
    }
    const [, closing, name, , selfClosing] = m;
    if (closing) assert.equal(stack.pop(), name, `mismatched </${name}>`);
    else if (!selfClosing) {
      if (stack.length === 0) roots += 1;
      stack.push(name as string);
    } else if (stack.length === 0) roots += 1;
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.equal(roots, 1, 'exactly one root element');
}

const count = (xml: string, needle: RegExp) => (xml.match(needle) ?? []).length;
const attr = (xml: string, element: string, name: string) => new RegExp(`<${element}\\b[^>]*\\s${name}="([^"]*)"`).exec(xml)?.[1];

test('a testsuite per scenario, a testcase per SLO, failures for failed SLOs', () => {
  const { result } = buildSampleResult();
  const xml = renderJUnit([result]);
  assertWellFormed(xml);
  assert.equal(count(xml, /<testsuite /g), 1);
  assert.equal(count(xml, /<testcase /g), result.slos.length);
  const failed = result.slos.filter((s) => !s.passed).length;
  assert.equal(failed, 6);
  assert.equal(count(xml, /<failure /g), failed);
  assert.equal(attr(xml, 'testsuites', 'failures'), String(failed));
  assert.equal(attr(xml, 'testsuite', 'failures'), String(failed));
  assert.equal(attr(xml, 'testsuite', 'tests'), String(result.slos.length));
  assert.equal(attr(xml, 'testsuite', 'time'), '120.000');
  assert.equal(attr(xml, 'testsuite', 'errors'), '0');
  assert.match(xml, /<failure message="measured 14\.29 %, limit ≤ 5\.00 %" type="slo">/);
  assert.match(xml, /not measured, limit ≤ 50\.0 ms: no calls to tool missing were made/);
});

test('verdict error adds an <error> testcase', () => {
  const ok = buildSampleResult({ availability: 50 }).result;
  const broken = buildSampleResult({ availability: 50 }, 'docker <daemon> & "compose" failed').result;
  const xml = renderJUnit([ok, broken]);
  assertWellFormed(xml);
  assert.equal(count(xml, /<testsuite /g), 2);
  assert.equal(count(xml, /<testcase /g), 3);
  assert.equal(count(xml, /<error /g), 1);
  assert.equal(attr(xml, 'testsuites', 'errors'), '1');
  assert.equal(attr(xml, 'testsuites', 'time'), '240.000');
  assert.match(xml, /<error message="docker &lt;daemon&gt; &amp; &quot;compose&quot; failed" type="harness-error">/);
});

test('escapes markup and strips characters XML 1.0 cannot hold', () => {
  assert.equal(escapeXml(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f');
  assert.equal(escapeXml('x\u0000y\u0007z\u001b\uFFFE\uD800ok\u{1F600}\ttab'), 'xyzok\u{1F600}\ttab');
  const { result } = buildSampleResult({ availability: 99 });
  const hostile: ScenarioResult = {
    ...result,
    scenario: { ...result.scenario, name: 'evil "name" <x> & \u0001\u0008 \'q\'' },
    slos: result.slos.map((s) => ({ ...s, note: 'line1\nline2 </failure><x>\u0000' })),
  };
  const xml = renderJUnit([hostile]);
  assertWellFormed(xml);
  assert.match(xml, /name="evil &quot;name&quot; &lt;x&gt; &amp;  &apos;q&apos; \(everything, claude-code\)"/);
  assert.match(xml, /message="[^"]*line1&#10;line2 &lt;\/failure&gt;&lt;x&gt;"/);
  assert.match(xml, />[^<]*line1\nline2 &lt;\/failure&gt;&lt;x&gt;<\/failure>/);
});

test('an empty list is still a valid document', () => {
  const xml = renderJUnit([]);
  assertWellFormed(xml);
  assert.match(xml, /<testsuites name="mcp-reliability" tests="0" failures="0" errors="0" time="0.000">/);
});

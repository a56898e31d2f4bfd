/**
 * JUnit XML for CI test viewers (pure): a <testsuite> per scenario run, a <testcase> per SLO,
 * <failure> for a failed SLO, <error> when the harness itself failed. Times in seconds.
 */
import type { ScenarioResult, SloResult } from './result.js';
import { formatSloLimit, formatSloValue } from './format.js';

/** Characters XML 1.0 forbids (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF). */
const INVALID_XML_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Escapes text for XML element content and attribute values, dropping characters XML 1.0 cannot hold. */
export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML_CHARS, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Attribute value: also keeps line breaks and tabs (attribute normalization would turn them into spaces). */
function attr(text: string | number): string {
  return escapeXml(String(text)).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

export function renderJUnit(results: readonly ScenarioResult[]): string {
  const suites = results.map(renderSuite);
  const tests = suites.reduce((n, s) => n + s.tests, 0);
  const failures = suites.reduce((n, s) => n + s.failures, 0);
  const errors = suites.reduce((n, s) => n + s.errors, 0);
  const time = seconds(results.reduce((ms, r) => ms + r.run.durationMs, 0));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mcp-reliability" tests="${tests}" failures="${failures}" errors="${errors}" time="${time}">`,
    ...suites.map((s) => s.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

interface RenderedSuite {
  xml: string;
  tests: number;
  failures: number;
  errors: number;
}

function renderSuite(r: ScenarioResult): RenderedSuite {
  const classname = `mcp-reliability.${r.scenario.name}`;
  const cases = r.slos.map((slo) => renderSloCase(classname, slo));
  let errors = 0;
  if (r.verdict === 'error') {
    errors = 1;
    const message = r.error ?? 'the harness failed';
    cases.push(`    <testcase classname="${attr(classname)}" name="harness" time="${seconds(r.run.durationMs)}">\n      <error message="${attr(message)}" type="harness-error">${escapeXml(message)}</error>\n    </testcase>`);
  }
  const failures = r.slos.filter((s) => !s.passed).length;
  const properties = [
    ['target', r.target.name],
    ['transport', r.target.transport],
    ['client_profile', r.client.profile],
    ['seed', String(r.run.seed)],
    ['verdict', r.verdict],
    ['availability_percent', r.totals.availabilityPercent === null ? 'n/a' : String(r.totals.availabilityPercent)],
    ['requests', String(r.totals.requests)],
  ].map(([name, value]) => `      <property name="${attr(name ?? '')}" value="${attr(value ?? '')}"/>`);
  const name = `${r.scenario.name} (${r.target.name}, ${r.client.profile})`;
  const open = `  <testsuite name="${attr(name)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(r.run.durationMs)}" timestamp="${attr(r.run.startedAt)}">`;
  const xml = [open, '    <properties>', ...properties, '    </properties>', ...cases, '  </testsuite>'].join('\n');
  return { xml, tests: cases.length, failures, errors };
}

function renderSloCase(classname: string, slo: SloResult): string {
  const attributes = `classname="${attr(classname)}" name="${attr(`${slo.id}: ${slo.description}`)}" time="0.000"`;
  const measured = slo.measured === null ? 'not measured' : `measured ${formatSloValue(slo.measured, slo.unit)}`;
  const summary = `${measured}, limit ${formatSloLimit(slo)}`;
  const text = slo.note ? `${summary}: ${slo.note}` : summary;
  const body = slo.passed
    ? `      <system-out>${escapeXml(text)}</system-out>`
    : `      <failure message="${attr(text)}" type="slo">${escapeXml(text)}</failure>`;
  return `    <testcase ${attributes}>\n${body}\n    </testcase>`;
}

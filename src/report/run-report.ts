/**
 * The report of a whole workflow run (pure): the one Markdown the action writes to the job summary
 * and the sticky PR comment. It is built from the same pieces as the CLI's reports — the summary
 * table (summary.ts), each failing SLO with measured value and limit, fault MTTD/MTTR, findings —
 * with links to the run and its artifacts, and fits a size limit by dropping detail from the end.
 */
import { markdownTable } from 'markdown-table';
import type { ScenarioResult } from './result.js';
import { codeSpan, escapeText, formatMs, formatSloLimit, formatSloValue } from './format.js';
import { renderSummary } from './summary.js';

export interface RunReportOptions {
  /** A hidden marker put first (the sticky comment is found by it). */
  marker?: string;
  title?: string;
  links?: { run?: string; artifacts?: string };
  /** At most this many characters (a PR comment: 65,536); detail is cut with a pointer to the links. */
  maxChars?: number;
}

function overall(results: readonly ScenarioResult[]): string {
  if (results.length === 0) return 'no scenario results';
  if (results.some((r) => r.verdict === 'error')) return '**ERROR**';
  return results.every((r) => r.verdict === 'pass') ? 'PASS' : '**FAIL**';
}

function failingSlos(r: ScenarioResult): string {
  const failing = r.slos.filter((s) => !s.passed);
  if (r.verdict === 'error') return `Harness error: ${escapeText(r.error ?? 'unknown')}`;
  if (failing.length === 0) return '';
  const rows = failing.map((s) => [codeSpan(s.id), formatSloValue(s.measured, s.unit), formatSloLimit(s), s.note ? escapeText(s.note) : '']);
  return markdownTable([['failing SLO', 'measured', 'limit', 'note'], ...rows], { align: ['l', 'r', 'r', 'l'] });
}

function faults(r: ScenarioResult): string {
  const w = r.faults.windows;
  if (w.length === 0) return '';
  const rows = w.slice(0, 10).map((f) => [String(f.index), codeSpan(f.kind), f.mttdMs === null ? 'not noticed' : formatMs(f.mttdMs), f.mttrMs === null ? '—' : formatMs(f.mttrMs)]);
  return markdownTable([['#', 'fault', 'MTTD', 'MTTR'], ...rows], { align: ['r', 'l', 'r', 'r'] }) + (w.length > 10 ? `\n\n_${w.length - 10} more faults in the artifact._` : '');
}

function findings(r: ScenarioResult): string {
  if (r.violations.length === 0) return '';
  return r.violations.map((v) => `- ${v.severity}: ${escapeText(v.title)} (${codeSpan(v.kind)}) ×${v.count}`).join('\n');
}

function scenarioDetail(r: ScenarioResult): string {
  const parts = [failingSlos(r), faults(r), findings(r)].filter(Boolean);
  const head = `<details><summary>${escapeText(r.scenario.name)} · ${codeSpan(r.client.profile, false)} · ${r.verdict.toUpperCase()}</summary>\n\n`;
  return `${head}${parts.join('\n\n') || 'Every SLO met, no finding.'}\n\n</details>`;
}

export function renderRunReport(results: readonly ScenarioResult[], opts: RunReportOptions = {}): string {
  const links = [opts.links?.run ? `[the workflow run](${opts.links.run})` : '', opts.links?.artifacts ? `[its artifacts](${opts.links.artifacts})` : ''].filter(Boolean);
  const linkLine = links.length ? `Full reports, results and logs: ${links.join(', ')}.` : '';
  const head = [opts.marker ?? '', `## ${escapeText(opts.title ?? 'MCP reliability')}: ${overall(results)}`].filter(Boolean).join('\n');
  const summary = renderSummary(results).trimEnd();
  const details = results.map(scenarioDetail);
  const assemble = (shown: string[], cut: number) =>
    [head, summary, ...shown, cut > 0 ? `_Details of ${cut} scenario(s) left out to fit the comment; ${linkLine ? 'see the links below' : 'see the job summary'}._` : '', linkLine].filter(Boolean).join('\n\n') + '\n';
  const max = opts.maxChars ?? Infinity;
  let body = assemble(details, 0);
  for (let keep = details.length - 1; body.length > max && keep >= 0; keep--) body = assemble(details.slice(0, keep), details.length - keep);
  if (body.length > max) {
    const tail = `\n\n_…cut to ${max} characters: ${linkLine || 'see the job summary'}_\n`;
    body = body.slice(0, Math.max(0, max - tail.length)) + tail;
  }
  return body;
}

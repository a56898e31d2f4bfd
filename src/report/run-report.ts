/**
 * The report of many runs (pure): the one Markdown of the CLI's reports/summary.md and `report`,
 * the action's job summary and the sticky PR comment. In the order a reviewer reads it: the
 * headline (the SLO verdict, and with a baseline whether anything got worse and what), the summary
 * table (summary.ts), with a baseline a table per scenario with the deltas (compare/render.ts),
 * then per scenario collapsed details — failing SLOs, fault MTTD/MTTR, findings, small Mermaid
 * charts of the run — and links to the run and its artifacts. It fits a size limit by dropping
 * detail from the end.
 */
import { markdownTable } from 'markdown-table';
import type { ScenarioResult, SloResult, Verdict } from './result.js';
import { codeList, codeSpan, escapeText, formatMs, formatPercent, formatSloLimit, formatSloValue } from './format.js';
import { mergeShards, type MergedLoad } from './merge.js';
import { renderSummary } from './summary.js';
import { COMPACT_POINTS, runCharts } from './mermaid.js';
import { comparisonHeadline, renderComparison, type Comparison } from '../compare/index.js';

export interface RunReportOptions {
  /** A hidden marker put first (the sticky comment is found by it). */
  marker?: string;
  title?: string;
  links?: { run?: string; artifacts?: string };
  /** At most this many characters (a PR comment: 65,536); detail is cut with a pointer to the links. */
  maxChars?: number;
  /** The same runs against a baseline: the headline says what got worse, a table per scenario the deltas. */
  comparison?: Comparison;
  /** What the baseline is, in words (e.g. a link to the nightly run), for the comparison's heading. */
  baselineLabel?: string;
  /** Scenarios left out (the target cannot have their faults), listed after the table. */
  skipped?: readonly { scenario: string; reason: string }[];
}

/**
 * The verdicts a whole report stands for: each run's, except that the shards of a split load count
 * once, by the merged verdict (a shard's p99 over its share is not the load's p99).
 */
export function reportVerdicts(results: readonly ScenarioResult[]): Verdict[] {
  const { merged, single } = mergeShards(results);
  return [...single.map((r) => r.verdict), ...merged.map((m) => m.verdict)];
}

function overall(results: readonly ScenarioResult[]): string {
  const verdicts = reportVerdicts(results);
  if (verdicts.length === 0) return 'no scenario results';
  if (verdicts.includes('error')) return '**ERROR**';
  return verdicts.every((v) => v === 'pass') ? 'PASS' : '**FAIL**';
}

function sloTable(slos: readonly SloResult[]): string {
  const rows = slos.map((s) => [codeSpan(s.id), formatSloValue(s.measured, s.unit), formatSloLimit(s), s.note ? escapeText(s.note) : '']);
  return markdownTable([['failing SLO', 'measured', 'limit', 'note'], ...rows], { align: ['l', 'r', 'r', 'l'] });
}

function failingSlos(r: ScenarioResult): string {
  const failing = r.slos.filter((s) => !s.passed);
  if (r.verdict === 'error') return `Harness error: ${escapeText(r.error ?? 'unknown')}`;
  if (failing.length === 0) return '';
  return sloTable(failing);
}

/** The main latency of a load: tools/call, else the probe role's. */
function mainLatency(m: MergedLoad) {
  const stats = m.latency['tools/call'] ?? m.latency['role:probe'];
  return stats && stats.count - (stats.unavailable ?? 0) > 0 ? stats : undefined;
}

/** One table row per split load, then what failed: the merged figures the shards' verdicts give way to. */
export function renderMergedLoads(merged: readonly MergedLoad[]): string {
  if (merged.length === 0) return '';
  const rows = merged.map((m) => {
    const lat = mainLatency(m);
    const failing = m.slos.filter((s) => !s.passed).map((s) => s.id);
    return [
      escapeText(m.scenario),
      codeSpan(m.client),
      `${m.present.length}/${m.count}`,
      String(m.totals.requests),
      String(Math.round(m.requestsPerSecond * 10) / 10),
      formatPercent(m.totals.availabilityPercent),
      formatPercent(m.totals.errorRatePercent),
      lat ? formatMs(lat.p50) : '—',
      lat ? formatMs(lat.p95) : '—',
      lat ? formatMs(lat.p99) : '—',
      m.verdict === 'pass' ? 'PASS' : `**${m.verdict.toUpperCase()}**`,
      failing.length ? codeList(failing) : '—',
    ];
  });
  const table = markdownTable(
    [['split load', 'client profile', 'shards', 'requests', 'req/s', 'availability', 'error rate', 'p50', 'p95', 'p99', 'verdict', 'failing SLOs'], ...rows],
    { align: ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'l'] },
  );
  const detail = merged
    .map((m) => {
      const failing = m.slos.filter((s) => !s.passed);
      const parts = [failing.length ? sloTable(failing) : '', m.notes.map((n) => `- ${escapeText(n)}`).join('\n')].filter(Boolean);
      return parts.length ? `<details><summary>${escapeText(m.scenario)} split ${m.count} ways · ${m.verdict.toUpperCase()}</summary>\n\n${parts.join('\n\n')}\n\n</details>` : '';
    })
    .filter(Boolean);
  const intro = 'Loads split across jobs (`--shard k/N`): counts added, latency from the merged histograms (percentiles of every request of every shard, not averages); these verdicts stand for their shards.';
  return [intro, table, ...detail].join('\n\n');
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
  const parts = [failingSlos(r), faults(r), findings(r), runCharts(r, { maxPoints: COMPACT_POINTS }) ?? ''].filter(Boolean);
  const head = `<details><summary>${escapeText(r.scenario.name)} · ${codeSpan(r.client.profile, false)} · ${r.verdict.toUpperCase()}</summary>\n\n`;
  return `${head}${parts.join('\n\n') || 'Every SLO met, no finding, nothing to chart.'}\n\n</details>`;
}

export function renderRunReport(results: readonly ScenarioResult[], opts: RunReportOptions = {}): string {
  const links = [opts.links?.run ? `[the workflow run](${opts.links.run})` : '', opts.links?.artifacts ? `[its artifacts](${opts.links.artifacts})` : ''].filter(Boolean);
  const linkLine = links.length ? `Full reports, results and logs: ${links.join(', ')}.` : '';
  const cmp = opts.comparison;
  const head = [opts.marker ?? '', `## ${escapeText(opts.title ?? 'MCP reliability')}: ${overall(results)}`, cmp ? comparisonHeadline(cmp) : ''].filter(Boolean).join('\n');
  const summary = renderSummary(results, opts.skipped).trimEnd();
  const loads = renderMergedLoads(mergeShards(results).merged);
  // The deltas without their headline (it is the report's), and their methods collapsed.
  const deltas = cmp ? `### Against the baseline${opts.baselineLabel ? `: ${opts.baselineLabel}` : ''}\n\n${renderComparison(cmp).split('\n\n').slice(1).join('\n\n').trimEnd()}` : '';
  const details = results.map(scenarioDetail);
  const assemble = (shown: string[], cut: number) =>
    [head, summary, loads, deltas, ...shown, cut > 0 ? `_Details of ${cut} scenario(s) left out to fit the comment; ${linkLine ? 'see the links below' : 'see the job summary'}._` : '', linkLine].filter(Boolean).join('\n\n') + '\n';
  const max = opts.maxChars ?? Infinity;
  let body = assemble(details, 0);
  for (let keep = details.length - 1; body.length > max && keep >= 0; keep--) body = assemble(details.slice(0, keep), details.length - keep);
  if (body.length > max) {
    const tail = `\n\n_…cut to ${max} characters: ${linkLine || 'see the job summary'}_\n`;
    body = body.slice(0, Math.max(0, max - tail.length)) + tail;
  }
  return body;
}

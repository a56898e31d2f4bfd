/**
 * A comparison as Markdown (pure), in the order a reviewer reads it: the headline (the verdict and
 * what got worse), a table per scenario with the metrics that moved and the main ones, then the
 * method behind every verdict collapsed in `<details>`. The CLI's `compare`, the job summary and
 * the PR comment all use it.
 */
import { markdownTable } from 'markdown-table';
import { codeSpan, escapeText, formatMs } from '../report/format.js';
import { regressions, type Comparison, type MetricComparison, type MetricVerdict, type ScenarioComparison } from './compare.js';

const VERDICT_TEXT: Record<MetricVerdict, string> = { worse: '**worse**', better: 'better', same: 'same', unknown: 'unknown' };

/** The metrics every scenario table shows, moved or not (the others only when they moved). */
const MAIN = new Set(['availability', 'errorRate', 'latency.tools/call.p50', 'latency.tools/call.p95', 'latency.tools/call.p99']);

function value(m: MetricComparison, v: number | null): string {
  if (v === null) return '—';
  if (m.unit === 'ms') return formatMs(v);
  if (m.unit === '%') return `${v.toFixed(2)} %`;
  if (m.unit === 'windows') return `${Math.round(v * 100)} %`;
  return `${v} ${m.unit === 'count' ? '' : m.unit}`.trim();
}

function delta(m: MetricComparison): string {
  if (m.delta === null || m.unit === 'windows') return '—';
  const sign = m.delta > 0 ? '+' : m.delta < 0 ? '−' : '±';
  const abs = Math.abs(m.delta);
  if (m.unit === 'ms') return `${sign}${formatMs(abs)}`;
  if (m.unit === '%') return `${sign}${abs.toFixed(2)} pp`;
  const rel = m.baseline ? ` (${sign}${Math.round((abs / Math.abs(m.baseline)) * 100)} %)` : '';
  return `${sign}${abs}${m.unit === 'count' ? '' : ` ${m.unit}`}${rel}`;
}

function change(m: MetricComparison): string {
  return `${value(m, m.baseline)} → ${value(m, m.current)}`;
}

export function comparisonHeadline(cmp: Comparison): string {
  const worse = regressions(cmp);
  const compared = cmp.scenarios.filter((s) => s.baselineRuns > 0);
  if (compared.length === 0) return '**Compared with the baseline: unknown** — no scenario run here has a baseline run to compare with.';
  if (worse.length === 0) {
    const better = cmp.scenarios.flatMap((s) => s.metrics.filter((m) => m.verdict === 'better').map((m) => `${escapeText(m.label)} in ${codeSpan(s.key, false)}`));
    return `**Compared with the baseline: no regression** (${compared.length} scenario run(s), every change within noise)${better.length ? `; better: ${better.slice(0, 5).join(', ')}${better.length > 5 ? ', …' : ''}` : ''}.`;
  }
  const items = worse.map(({ scenario, metric }) => `${escapeText(metric.label)} in ${codeSpan(scenario.key, false)} (${escapeText(change(metric))}${metric.unit === 'count' ? '' : `, ${delta(metric)}`})`);
  const shown = items.slice(0, 8);
  return `**Compared with the baseline: WORSE** — ${shown.join('; ')}${items.length > shown.length ? `; and ${items.length - shown.length} more` : ''}.`;
}

function scenarioTable(s: ScenarioComparison): string {
  const rows = s.metrics.filter((m) => MAIN.has(m.id) || m.verdict === 'worse' || m.verdict === 'better');
  if (rows.length === 0) return '_Nothing to compare._';
  return markdownTable([['metric', 'baseline', 'current', 'Δ', 'verdict'], ...rows.map((m) => [escapeText(m.label), value(m, m.baseline), value(m, m.current), delta(m), VERDICT_TEXT[m.verdict]])], { align: ['l', 'r', 'r', 'r', 'l'] });
}

function methods(s: ScenarioComparison): string {
  const rows = s.metrics.map((m) => [codeSpan(m.id), change(m), VERDICT_TEXT[m.verdict], escapeText(m.method)]);
  return `<details><summary>${escapeText(s.key)}: all ${s.metrics.length} metrics and how each was judged</summary>\n\n${markdownTable([['metric', 'baseline → current', 'verdict', 'how'], ...rows], { align: ['l', 'r', 'l', 'l'] })}\n\n</details>`;
}

/** `details: false` leaves out the collapsed methods (a comment that must stay short). */
export function renderComparison(cmp: Comparison, opts: { details?: boolean } = {}): string {
  const parts = [comparisonHeadline(cmp)];
  for (const s of cmp.scenarios) {
    const runs = s.baselineRuns > 1 ? `${s.baselineRuns} baseline runs` : s.baselineRuns === 1 ? '1 baseline run' : 'no baseline';
    parts.push(`#### ${escapeText(s.key)} vs baseline: ${VERDICT_TEXT[s.verdict]} (${runs})`);
    if (s.baselineRuns > 0) parts.push(scenarioTable(s));
    if (s.notes.length) parts.push(s.notes.map((n) => `- ${escapeText(n)}`).join('\n'));
    if (opts.details !== false && s.metrics.length) parts.push(methods(s));
  }
  if (cmp.onlyInBaseline.length) parts.push(`_In the baseline but not run here: ${cmp.onlyInBaseline.map((k) => codeSpan(k, false)).join(', ')}._`);
  return `${parts.join('\n\n')}\n`;
}

/** Markdown summary of many scenario runs: one row per run, plus availability by client profile. Pure. */
import { markdownTable } from 'markdown-table';
import type { ScenarioResult } from './result.js';
import { codeList, codeSpan, escapeText, formatMs, formatPercent } from './format.js';

/** `skipped`: scenarios left out because the target cannot have their faults (listed after the table). */
export function renderSummary(results: readonly ScenarioResult[], skipped: readonly { scenario: string; reason: string }[] = []): string {
  const skippedText = skipped.length === 0 ? '' : `\n${skipped.map((s) => `- Skipped ${codeSpan(s.scenario, false)}: ${escapeText(s.reason)}`).join('\n')}\n`;
  if (results.length === 0) return `_No scenario results._\n${skippedText}`;
  const count = (v: ScenarioResult['verdict']) => results.filter((r) => r.verdict === v).length;
  const header = ['scenario', 'target', 'client profile', 'verdict', 'availability', 'requests', 'p95 tools/call', 'disconnects', 'recoveries', 'failing SLOs'];
  const rows = results.map((r) => {
    const p95 = r.latency['tools/call'];
    const failing = r.slos.filter((s) => !s.passed).map((s) => s.id);
    return [
      escapeText(r.scenario.name),
      codeSpan(r.target.name),
      codeSpan(r.client.profile),
      r.verdict === 'pass' ? 'PASS' : `**${r.verdict.toUpperCase()}**`,
      formatPercent(r.totals.availabilityPercent),
      String(r.totals.requests),
      p95 && p95.count - (p95.unavailable ?? 0) > 0 ? formatMs(p95.p95) : '—',
      String(r.disconnections.total),
      `${r.reconnects.recovered}`,
      r.verdict === 'error' ? `harness error: ${escapeText(r.error ?? 'unknown')}` : failing.length ? codeList(failing) : '—',
    ];
  });
  const table = markdownTable([header, ...rows], { align: ['l', 'l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'] });
  const totals = `${results.length} run(s): ${count('pass')} passed, ${count('fail')} failed, ${count('error')} errored.`;
  return `${totals}\n\n${table}\n\n${availabilityByProfile(results)}\n${skippedText}`;
}

/** "Availability by client profile: `a` 99.95 % (2 runs, 10000 requests), `b` n/a (1 run, 0 requests)." */
export function availabilityByProfile(results: readonly ScenarioResult[]): string {
  const byProfile = new Map<string, { runs: number; ok: number; requests: number }>();
  for (const r of results) {
    const entry = byProfile.get(r.client.profile) ?? { runs: 0, ok: 0, requests: 0 };
    entry.runs += 1;
    entry.ok += r.totals.ok;
    entry.requests += r.totals.requests;
    byProfile.set(r.client.profile, entry);
  }
  const parts = [...byProfile.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([profile, e]) => {
      const availability = formatPercent(e.requests === 0 ? null : (e.ok / e.requests) * 100);
      return `${codeSpan(profile, false)} ${availability} (${e.runs} run${e.runs === 1 ? '' : 's'}, ${e.requests} requests)`;
    });
  return `Availability by client profile (successful / all requests over its runs): ${parts.join(', ')}.`;
}

/** Markdown summary of many scenario runs: one row per run, and with several client profiles a scenario × profile table. Pure. */
import { markdownTable } from 'markdown-table';
import type { ScenarioResult } from './result.js';
import { codeList, codeSpan, escapeText, formatMs, formatPercent } from './format.js';

/** `skipped`: scenarios left out because the target cannot have their faults (listed after the table). */
export function renderSummary(results: readonly ScenarioResult[], skipped: readonly { scenario: string; reason: string }[] = []): string {
  const skippedText = skipped.length === 0 ? '' : `\n${skipped.map((s) => `- Skipped ${codeSpan(s.scenario, false)}: ${escapeText(s.reason)}`).join('\n')}\n`;
  if (results.length === 0) return `_No scenario results._\n${skippedText}`;
  const count = (v: ScenarioResult['verdict']) => results.filter((r) => r.verdict === v).length;
  const header = ['scenario', 'target', 'client profile', 'verdict', 'availability', 'requests', 'p95 tools/call', 'disconnects', 'session expiries', 'findings (error/warning/info)', 'failing SLOs'];
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
      String(r.sessionExpiries?.total ?? 0),
      r.findings ? `${r.findings.error}/${r.findings.warning}/${r.findings.info}` : '—',
      r.verdict === 'error' ? `harness error: ${escapeText(r.error ?? 'unknown')}` : failing.length ? codeList(failing) : '—',
    ];
  });
  const table = markdownTable([header, ...rows], { align: ['l', 'l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'] });
  const totals = `${results.length} run(s): ${count('pass')} passed, ${count('fail')} failed, ${count('error')} errored.`;
  const byProfile = availabilityByProfile(results);
  return `${totals}\n\n${table}\n${byProfile ? `\n${byProfile}\n` : ''}${skippedText}`;
}

/**
 * What each client profile experienced, one row per scenario and one column per profile: never a
 * sum over unlike runs (a short run with failures must not hide behind a long load run).
 */
export function availabilityByProfile(results: readonly ScenarioResult[]): string {
  const profiles = [...new Set(results.map((r) => r.client.profile))].sort();
  const scenarios = [...new Set(results.map((r) => r.scenario.name))];
  if (profiles.length < 2) return '';
  const cell = (scenario: string, profile: string) => {
    const r = results.find((x) => x.scenario.name === scenario && x.client.profile === profile);
    if (!r) return '—';
    const lost = r.sessionExpiries?.lostRequests ? `, ${r.sessionExpiries.lostRequests} lost to session expiry` : '';
    const verdict = r.verdict === 'pass' ? '' : ` **${r.verdict.toUpperCase()}**`;
    return `${formatPercent(r.totals.availabilityPercent)}${verdict} (${r.totals.requests} requests${lost})`;
  };
  const rows = scenarios.map((sc) => [escapeText(sc), ...profiles.map((p) => cell(sc, p))]);
  return `What each client profile experienced (availability per run; runs are never added up):\n\n${markdownTable([['scenario', ...profiles.map((p) => codeSpan(p, false))], ...rows], { align: ['l', ...profiles.map(() => 'r' as const)] })}`;
}

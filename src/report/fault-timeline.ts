/**
 * The report's fault timeline (pure): one row per injected fault with its start offset, how long
 * it was held, MTTD, MTTR and the before / during / after phase stats, plus the faults skipped on
 * this target. Untrusted text is escaped by ./format.ts.
 */
import { markdownTable } from 'markdown-table';
import type { FaultPhaseStats, FaultWindowRecord, ScenarioResult } from './result.js';
import { codeSpan, escapeText, formatMs } from './format.js';

const DEFINITIONS =
  'MTTD: from the fault\'s start to the first symptom the client saw (an unexpected disconnection, or a request in flight during the fault that failed or timed out); ' +
  'MTTR: from the fault\'s end (lifted, or the server back after a kill/restart) to the first successful request after it, re-initialize included. ' +
  'Phases count the requests by when they were sent: before = since the previous fault boundary (or the run\'s start), after = until the next fault started (or the run ended); ' +
  'p50 / p95 / p99 over the requests sent; err = errors + timeouts (+ requests not sent while the session was down).';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function phaseCell(p: FaultPhaseStats): string {
  const failed = p.errors + p.timeouts + p.unavailable;
  const sent = p.requests - p.unavailable;
  const latency = sent > 0 ? `${formatMs(p.p50)} / ${formatMs(p.p95)} / ${formatMs(p.p99)}` : '—';
  return `${latency} · ${failed} err / ${p.requests} req`;
}

function endCell(w: FaultWindowRecord): string {
  if (w.endedBy === 'failed') return `not injected${w.error ? `: ${escapeText(w.error)}` : ''}`;
  if (w.heldMs === null) return 'active at the end';
  const how = w.endedBy === 'run-end' ? ' (until the run ended)' : w.endedBy === 'restarted' ? ' (until the server was back)' : w.endedBy === 'one-shot' ? ' (one-shot)' : '';
  return `${seconds(w.heldMs)}${how}`;
}

function mttdCell(w: FaultWindowRecord): string {
  if (w.mttdMs === null) return w.endedBy === 'failed' ? '—' : 'not noticed';
  return `${formatMs(w.mttdMs)}${w.detectedBy ? ` (${codeSpan(w.detectedBy)})` : ''}`;
}

function mttrCell(w: FaultWindowRecord): string {
  if (w.mttrMs !== null) return formatMs(w.mttrMs);
  if (w.endedBy === 'failed') return '—';
  return w.endedBy === 'run-end' || w.endedBy === null ? '— (run ended)' : '**never**';
}

export function faultTimeline(r: ScenarioResult): string {
  const f = r.faults;
  const parts: string[] = [];
  if (f.total === 0) parts.push('No faults were injected.');
  else {
    const kinds = Object.entries(f.byKind)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([kind, n]) => `${codeSpan(kind, false)} ×${n}`)
      .join(', ');
    const proxy = f.proxy ? ` Network faults through the chaos proxy on ${codeSpan(f.proxy.listen, false)} (relaying to ${codeSpan(f.proxy.upstream, false)}).` : '';
    parts.push(`${f.total} fault${f.total === 1 ? '' : 's'} injected (${kinds}); noticed by the client: ${f.noticed}; recovered from: ${f.recovered}.${proxy}`);
    const rows = f.windows.map((w) => [
      String(w.index),
      `${codeSpan(w.kind)} ${escapeText(w.description)} (${codeSpan(w.source)})`,
      `+${seconds(w.startOffsetMs)}`,
      endCell(w),
      mttdCell(w),
      mttrCell(w),
      w.phases ? phaseCell(w.phases.before) : '—',
      w.phases ? phaseCell(w.phases.during) : '—',
      w.phases ? phaseCell(w.phases.after) : '—',
    ]);
    const header = ['#', 'fault', 'start', 'held', 'MTTD', 'MTTR', 'before p50 / p95 / p99', 'during p50 / p95 / p99', 'after p50 / p95 / p99'];
    parts.push(markdownTable([header, ...rows], { align: ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'] }));
    if (f.omittedWindows) parts.push(`_${f.omittedWindows} later fault(s) not listed._`);
    parts.push(`_${DEFINITIONS}_`);
  }
  if (f.skipped.length > 0) {
    parts.push(f.skipped.map((s) => `- Skipped optional ${codeSpan(s.kind, false)} fault at ${codeSpan(s.source, false)}: ${escapeText(s.reason)}`).join('\n'));
  }
  return parts.join('\n\n');
}

/**
 * Markdown for one scenario run (pure: Result in, string out, deterministic — the only
 * timestamps are those in the Result). Untrusted text is escaped by ./format.ts.
 * `renderSummary` (many runs in one table) lives in ./summary.ts and is re-exported here.
 */
import { markdownTable } from 'markdown-table';
import type { DisconnectionRecord, LatencyStats, PrometheusSummary, ScenarioResult, Verdict } from './result.js';
import { codeList, codeSpan, escapeText, formatDuration, formatMiB, formatMs, formatPercent, formatSloLimit, formatSloValue } from './format.js';
import { faultTimeline } from './fault-timeline.js';
import { runCharts } from './mermaid.js';
import { checksSection, expiriesSection, findingsSection, rolesSection, serverRequestsSection, unansweredSection } from './session-sections.js';

export { renderSummary } from './summary.js';

export interface ScenarioReportOptions {
  /** Level of the title heading (sections are one deeper). Default 1. */
  headingLevel?: 1 | 2 | 3 | 4;
  /** The run's HTML report, relative to this one: linked where the time series is summed up (absent: no link, e.g. in a job summary). */
  htmlReport?: string;
}

export function verdictBadge(verdict: Verdict): string {
  return verdict.toUpperCase();
}

export function renderScenarioReport(result: ScenarioResult, options: ScenarioReportOptions = {}): string {
  const level = options.headingLevel ?? 1;
  const h = (depth: number, text: string) => `${'#'.repeat(Math.min(6, level + depth))} ${text}`;
  const sections = [
    `${h(0, `${verdictBadge(result.verdict)} · ${escapeText(result.scenario.name)}`)}\n\n${headline(result)}`,
    `${h(1, 'SLOs')}\n\n${sloTable(result)}`,
    `${h(1, 'Protocol findings')}\n\n${findingsSection(result)}`,
    `${h(1, 'Latency')}\n\n${latencyTable(result)}`,
    `${h(1, 'Availability')}\n\n${availability(result)}`,
    `${h(1, 'Requests never answered')}\n\n${unansweredSection(result)}`,
    `${h(1, 'Faults')}\n\n${faultTimeline(result)}`,
    `${h(1, 'Connections and reconnects')}\n\n${connections(result)}`,
    `${h(1, 'Disconnections')}\n\n${disconnections(result)}`,
    `${h(1, 'Session expiries')}\n\n${expiriesSection(result)}`,
    `${h(1, 'Tool roles')}\n\n${rolesSection(result)}`,
    `${h(1, 'Tool list')}\n\n${toolDrift(result)}`,
    `${h(1, 'State checks')}\n\n${stateChecks(result)}`,
    `${h(1, 'Protocol checks')}\n\n${checksSection(result)}`,
    `${h(1, 'Client capabilities and server requests')}\n\n${serverRequestsSection(result)}`,
    `${h(1, 'Server memory')}\n\n${memory(result)}`,
    `${h(1, 'Over time')}\n\n${overTime(result, options.htmlReport)}`,
    `${h(1, 'Logs and the tester')}\n\n${logsSection(result)}`,
  ];
  if (result.prometheus) sections.push(`${h(1, 'What Prometheus saw')}\n\n${prometheusSection(result, result.prometheus)}`);
  return `${sections.join('\n\n')}\n`;
}

function headline(r: ScenarioResult): string {
  const failing = r.slos.filter((s) => !s.passed);
  const verdictLine =
    r.verdict === 'error'
      ? `**Verdict: ERROR** — the harness failed: ${escapeText(r.error ?? 'unknown error')}`
      : failing.length === 0
        ? `**Verdict: ${verdictBadge(r.verdict)}** — ${r.slos.length} of ${r.slos.length} SLOs met`
        : `**Verdict: ${verdictBadge(r.verdict)}** — ${failing.length} of ${r.slos.length} SLOs failed: ${codeList(failing.map((s) => s.id), false)}`;
  const t = r.target;
  const lines = [
    verdictLine,
    '',
    `Target ${codeSpan(t.name, false)} (${escapeText(t.transport)}) · client profile ${codeSpan(r.client.profile, false)} · duration ${formatDuration(r.run.durationMs)} (requested ${formatDuration(r.run.requestedDurationMs)}) · seed ${r.run.seed}`,
  ];
  if (t.serverName !== undefined) {
    lines.push('', `Server ${codeSpan(`${t.serverName} ${t.serverVersion ?? ''}`.trim(), false)}${t.protocolVersion ? `, protocol ${escapeText(t.protocolVersion)}` : ''} · run ${r.run.startedAt} → ${r.run.endedAt} · mcp-reliability ${escapeText(r.run.tool.version)}`);
  } else {
    lines.push('', `Run ${r.run.startedAt} → ${r.run.endedAt} · mcp-reliability ${escapeText(r.run.tool.version)}`);
  }
  if (r.run.shard) lines.push('', `Shard ${r.run.shard.index}/${r.run.shard.count} of a load split across jobs (seed ${r.run.shard.baseSeed} → ${r.run.seed}): \`mcp-reliability report\` merges the shards`);
  if (r.scenario.description) lines.push('', `> ${escapeText(r.scenario.description)}`);
  if (r.notes?.length) lines.push('', ...r.notes.map((note) => `- Note: ${escapeText(note)}`));
  return lines.join('\n');
}

function sloTable(r: ScenarioResult): string {
  if (r.slos.length === 0) return r.verdict === 'error' ? '_Not evaluated: the run did not complete._' : '_No SLOs._';
  const rows = r.slos.map((s) => [
    `${escapeText(s.description)} (${codeSpan(s.id)})`,
    formatSloLimit(s),
    formatSloValue(s.measured, s.unit),
    s.passed ? (s.note ? `pass — ${escapeText(s.note)}` : 'pass') : `**FAIL**${s.note ? ` — ${escapeText(s.note)}` : ''}`,
  ]);
  return markdownTable([['SLO', 'limit', 'measured', 'result'], ...rows], { align: ['l', 'r', 'r', 'l'] });
}

function latencyRow(name: string, s: LatencyStats): string[] {
  const sent = s.count - (s.unavailable ?? 0);
  const ms = (v: number) => (sent > 0 ? formatMs(v) : '—');
  return [name, String(s.count), String(s.errors), String(s.timeouts), String(s.unavailable ?? 0), ms(s.p50), ms(s.p90), ms(s.p95), ms(s.p99), ms(s.max)];
}

function latencyTable(r: ScenarioResult): string {
  const rows = Object.keys(r.latency)
    .sort(byLatencyGroup)
    .map((key) => latencyRow(codeSpan(key), r.latency[key] as LatencyStats));
  if (r.handshake) rows.push(latencyRow('handshake (connect + initialize)', r.handshake));
  if (rows.length === 0) return '_No requests were made._';
  const header = ['method / tool / role', 'count', 'errors', 'timeouts', 'unavailable', 'p50', 'p90', 'p95', 'p99', 'max'];
  const toolErrors = Object.entries(r.latency).filter(([k, v]) => k.startsWith('tool:') && v.toolErrors);
  const toolNote = toolErrors.length ? ` Tool errors (answered with isError): ${toolErrors.map(([k, v]) => `${codeSpan(k.slice(5), false)} ×${v.toolErrors}`).join(', ')}.` : '';
  return `${markdownTable([header, ...rows], { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'] })}\n\nPercentiles are over requests that were sent; \`unavailable\` ones (session down) only count.${toolNote}`;
}

/** Methods first, then roles, then tools; alphabetical within each group. */
function byLatencyGroup(a: string, b: string): number {
  const group = (k: string) => (k.startsWith('role:') ? 1 : k.startsWith('tool:') ? 2 : 0);
  return group(a) - group(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function availability(r: ScenarioResult): string {
  const t = r.totals;
  if (t.requests === 0) return '_No requests were made: availability cannot be measured._';
  return [
    `- Availability: **${formatPercent(t.availabilityPercent)}** (${t.ok + (t.toolErrors ?? 0)} of ${t.requests} requests answered, pings included${t.toolErrors ? `; ${t.toolErrors} of them tool errors` : ''})`,
    `- Error rate: ${formatPercent(t.errorRatePercent)} (${plural(t.errors, 'error')}, ${plural(t.timeouts, 'timeout')})`,
    `- Tool errors (answered with isError: true): ${t.toolErrors ?? 0}${t.toolErrorRatePercent !== undefined && t.toolErrorRatePercent !== null ? ` (${formatPercent(t.toolErrorRatePercent)} of tools/call)` : ''}`,
    `- Unavailable (not sent, session down): ${t.unavailable}`,
  ].join('\n');
}

function connections(r: ScenarioResult): string {
  const c = r.connections;
  const rc = r.reconnects;
  const lines = [
    `- Connection attempts: ${c.attempts} (${c.succeeded} succeeded, ${c.failed} failed)`,
    `- Reconnect attempts: ${rc.attempts}; recoveries: ${rc.recovered}; gave up: ${rc.gaveUp}`,
  ];
  const ttr = rc.timeToRecoverMs;
  if (ttr) lines.push(`- Time to recover: p50 ${formatMs(ttr.p50)}, p95 ${formatMs(ttr.p95)}, max ${formatMs(ttr.max)} (${plural(ttr.count, 'recovery', 'recoveries')})`);
  return lines.join('\n');
}

function disconnections(r: ScenarioResult): string {
  const d = r.disconnections;
  if (d.total === 0) return 'None.';
  const reasons = Object.entries(d.byReason)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([reason, count]) => [codeSpan(reason), String(count)]);
  const records = d.records.map((rec, i) => [
    String(i + 1),
    rec.at,
    codeSpan(rec.reason),
    rec.expected ? 'yes' : 'no',
    recoveryCell(rec),
    String(rec.attempts),
    rec.detail ? codeSpan(rec.detail) : '',
  ]);
  const parts = [
    `${plural(d.total, 'disconnection')}, ${d.unexpected} unexpected.`,
    markdownTable([['reason', 'count'], ...reasons], { align: ['l', 'r'] }),
    markdownTable([['#', 'at', 'reason', 'expected', 'recovered after', 'attempts', 'detail'], ...records], { align: ['r', 'l', 'l', 'l', 'r', 'r', 'l'] }),
  ];
  if (d.omittedRecords) parts.push(`_${d.omittedRecords} later disconnection(s) not listed._`);
  return parts.join('\n\n');
}

function recoveryCell(rec: DisconnectionRecord): string {
  if (rec.recoveredAfterMs !== null) return rec.recoveredBy === 'scenario' && !rec.expected ? `${formatMs(rec.recoveredAfterMs)} (by a scenario reconnect step, not the client)` : formatMs(rec.recoveredAfterMs);
  return rec.reason === 'client-disconnect' ? '— (closed by the scenario)' : '**never**';
}

function toolDrift(r: ScenarioResult): string {
  const { initial, final, drift } = r.tools;
  const lines = [`- First listing (${initial.length}): ${codeList(initial, false)}`];
  if (drift.length === 0 && sameList(initial, final)) return `${lines.join('\n')}\n- No change during the run.`;
  lines.push(`- Final listing (${final.length}): ${codeList(final, false)}`);
  if (drift.length === 0) return lines.join('\n');
  const rows = drift.map((d) => [d.at, codeList(d.added), codeList(d.removed)]);
  return `${lines.join('\n')}\n\n${markdownTable([['at', 'added', 'removed'], ...rows])}`;
}

function stateChecks(r: ScenarioResult): string {
  const s = r.stateChecks;
  if (s.passed + s.failed === 0) return 'No verify-state step ran.';
  const lines = [`${s.passed} passed, ${s.failed} failed.`];
  if (s.details.length > 0) lines.push('', ...s.details.map((d) => `- ${escapeText(d)}`));
  return lines.join('\n');
}

function memory(r: ScenarioResult): string {
  const m = r.memory;
  if (!m) return 'Not sampled (only local targets report their RSS).';
  return [
    `- RSS start ${formatMiB(m.startRssBytes)}, peak ${formatMiB(m.peakRssBytes)}, end ${formatMiB(m.endRssBytes)} (${m.samples} samples)`,
    `- Growth (least squares): ${formatMiB(m.growthBytesPerMinute)}/min, ${formatMiB(m.growthBytesPer1000Requests)} per 1000 requests`,
  ].join('\n');
}

/**
 * The run over time: latency and availability as Mermaid charts, which GitHub draws — every
 * interval (~120 points, about 3.5 KB for both): a report file has no size limit, and a fault or a
 * spike one interval long stays as narrow as it was (the PR comment is where compact charts
 * belong) — then its shape and worst intervals in words (the points are in result.json, the
 * interactive charts in the HTML report).
 */
function overTime(r: ScenarioResult, htmlReport?: string): string {
  const link = htmlReport ? `- Charts of latency and availability over time, with the fault windows shaded: [${escapeText(htmlReport)}](${encodeURIComponent(htmlReport)})` : '';
  const ts = r.timeSeries;
  if (!ts || ts.points.length === 0) return [link, 'No request completed.'].filter(Boolean).join('\n\n');
  const charts = runCharts(r);
  const at = (offsetMs: number) => `+${formatDuration(offsetMs)}`;
  const answered = ts.points.filter((p) => p.availabilityPercent !== null);
  const lowest = answered.reduce<(typeof ts.points)[number] | undefined>((w, p) => (w === undefined || p.availabilityPercent! < w.availabilityPercent! ? p : w), undefined);
  const slowest = ts.points.reduce((w, p) => (p.p95 > w.p95 ? p : w), ts.points[0]!);
  const empty = ts.points.filter((p) => p.requests === 0).length;
  const lines = [
    link,
    `- ${ts.points.length} intervals of ${formatDuration(ts.intervalMs)} (\`timeSeries\` in result.json: requests, errors, timeouts, availability, p50/p95/p99/max per interval)${ts.omittedPoints ? `; ${ts.omittedPoints} later intervals left out (the run went on far past its duration)` : ''}`,
    lowest ? `- Lowest availability: ${formatPercent(lowest.availabilityPercent)} in the interval at ${at(lowest.offsetMs)} (${lowest.requests} requests, ${lowest.errors + lowest.timeouts} failed, ${lowest.unavailable} unavailable)` : '',
    `- Highest p95: ${formatMs(slowest.p95)} in the interval at ${at(slowest.offsetMs)} (p99 ${formatMs(slowest.p99)}, max ${formatMs(slowest.max)})`,
    empty ? `- ${empty} interval(s) in which no request completed` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return charts ? `${charts}\n\n${lines}` : lines;
}

/** Where the logs are (relative to reports/), what the event log holds of the requests, and the tester's own cost. */
function logsSection(r: ScenarioResult): string {
  const link = (path: string) => `[${escapeText(path)}](../${path.split('/').map(encodeURIComponent).join('/')})`;
  const lines: string[] = [];
  if (r.logs.events) {
    const q = r.logs.requests;
    const what = !q
      ? ''
      : q.mode === 'all'
        ? ` — every request (${q.requests}), gzipped`
        : ` — sampled: ${q.requestsLogged} of ${q.requests} requests in full (every one that did not simply succeed, and the ${q.slowestPerInterval} slowest successes of each ${formatDuration(q.intervalMs)} interval), one \`requests-interval\` line of counts and percentiles per interval; \`--log-requests all\` keeps every request`;
    lines.push(`- Events: ${link(r.logs.events)}${what}`);
  }
  if (r.logs.serverStderr) lines.push(`- Server log: ${link(r.logs.serverStderr)} (its stderr; past 8 MiB only the last 2 MiB are kept)`);
  if (r.tester) {
    const t = r.tester;
    lines.push(`- The tester: peak RSS ${formatMiB(t.peakRssBytes)}, heap ${formatMiB(t.heapUsedBytes)} at the end${t.liveHeapBytes !== undefined ? ` (${formatMiB(t.liveHeapBytes)} live after a full GC)` : ''}, event log ${formatMiB(t.eventLogBytes)}`);
  }
  return lines.length ? lines.join('\n') : 'No logs were written.';
}

function prometheusSection(r: ScenarioResult, p: PrometheusSummary): string {
  const missing = p.missing.map((line) => `- Missing: ${escapeText(line)}`);
  if (!p.reachable) {
    return [`**Prometheus was not reachable** at ${codeSpan(p.url, false)} when the run ended: nothing was read from it (no metrics, alerts or rules).`, '', ...missing].join('\n');
  }
  const n = (v: number | null) => (v === null ? 'no data' : String(Number.isInteger(v) ? v : Number(v.toPrecision(6))));
  const rq = p.requests;
  const t = r.totals;
  const rows = [
    ['requests ok / error / timeout / unavailable', rq ? `${rq.ok} / ${rq.error} / ${rq.timeout} / ${rq.unavailable}` : 'no data', `${t.ok} / ${t.errors} / ${t.timeouts} / ${t.unavailable}`],
    ['availability', p.availabilityRatio === null ? 'no data' : formatPercent(p.availabilityRatio * 100), formatPercent(t.availabilityPercent)],
    ['disconnections', p.disconnections ? `${p.disconnections.total}${byKey(p.disconnections.byReason)}` : 'no data', String(r.disconnections.total)],
    ['reconnect attempts', n(p.reconnectAttempts), String(r.reconnects.attempts)],
    ...Object.keys(p.requestP95Seconds)
      .sort()
      .map((method) => {
        const v = p.requestP95Seconds[method] ?? null;
        const own = r.latency[method];
        return [`p95 latency ${codeSpan(method)}`, v === null ? 'no data (NaN)' : formatMs(v * 1000), own ? formatMs(own.p95) : '—'];
      }),
    ['session up at the end', p.sessionUp === null ? 'no data' : p.sessionUp >= 1 ? 'yes' : 'no', '—'],
    ['tools available', n(p.toolsAvailable), String(r.tools.final.length)],
    ['faults injected', p.faults ? `${p.faults.total}${byKey(p.faults.byKind)}` : 'no data', String(r.faults.total)],
    [`scrapes of job ${codeSpan(p.scrapeTarget.job)}`, scrapeCell(p), '—'],
  ];
  const a = p.alerts;
  const lines = [
    `Read from ${codeSpan(p.url, false)} over the run (${p.window.start} → ${p.window.end}, instant values at ${p.window.evaluatedAt}); full answers in ${codeSpan(p.file, false)}.`,
    '',
    markdownTable([['signal', 'Prometheus', 'this run'], ...rows], { align: ['l', 'r', 'r'] }),
    '',
    "_Counters are the run-to-date values Prometheus last scraped; its p95 is interpolated within histogram buckets, the run's comes from an HDR histogram._",
    '',
    `- Firing alerts: ${codeList(a.firing, false)}; pending: ${codeList(a.pending, false)}; fired at some point during the run: ${codeList(a.firedDuringRun, false)}`,
    ...p.ruleProblems.map((rule) => `- Rule ${codeSpan(rule.name, false)} (${rule.type}) is unhealthy: ${escapeText(rule.lastError ?? rule.health)}`),
    ...missing,
  ];
  return lines.join('\n');
}

function byKey(counts: Record<string, number>): string {
  const keys = Object.keys(counts).sort();
  return keys.length === 0 ? '' : ` (${keys.map((k) => `${codeSpan(k)} ×${counts[k]}`).join(', ')})`;
}

function scrapeCell(p: PrometheusSummary): string {
  const s = p.scrapeTarget;
  if (s.scrapes === null) return 'no data';
  const up = s.up === null ? '' : s.up >= 1 ? ', up at the end' : ', **down** at the end';
  return `${s.scrapes}${up}${s.minUp !== null && s.minUp < 1 ? ', some failed' : ''}`;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * One scenario run as a self-contained HTML page (pure: Result in, string out, deterministic — the
 * only timestamps are those in the Result): the header and SLOs, uPlot charts of the time series
 * with the fault windows shaded, the fault timeline, findings, disconnections and notes. It opens
 * with no network: uPlot's script and stylesheet are inline (./html-assets.ts), the chart data is a
 * JSON script element, and a Content-Security-Policy allows nothing else. Every string of the
 * Result may come from the server under test: text is HTML-escaped, the JSON cannot close its
 * element, and the page's own script puts strings on the page only as text.
 */
import { createHash } from 'node:crypto';
import { FINDING_SEVERITIES } from '../session/findings.js';
import type { FaultWindowRecord, ScenarioResult, TimeSeries } from './result.js';
import { formatDuration, formatMs, formatPercent, formatSloLimit, formatSloValue } from './format.js';
import { uplotAssets } from './html-assets.js';

/** Text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON for a `<script type="application/json">` element: `<`, `>` and `&` as \u escapes, so no
 * string can end the element (`</script>`) or open a comment; JSON.parse reads them back as is.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** What the page's script draws: seconds from the run's start on x, one array per series. */
interface ChartData {
  intervalMs: number;
  x: number[];
  /** ms; null where no request of the interval was sent (none to measure). */
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
  availability: (number | null)[];
  requests: (number | null)[];
  /** errors + timeouts. */
  failed: (number | null)[];
  /** Fault windows that were injected, in seconds; a window active at the end runs to the run's end. */
  bands: { index: number; kind: string; from: number; to: number }[];
}

function chartData(r: ScenarioResult, ts: TimeSeries): ChartData {
  const points = ts.points;
  const measured = (v: number, p: (typeof points)[number]) => (p.requests - p.unavailable > 0 ? v : null);
  const data: ChartData = {
    intervalMs: ts.intervalMs,
    x: points.map((p) => p.offsetMs / 1000),
    p50: points.map((p) => measured(p.p50, p)),
    p95: points.map((p) => measured(p.p95, p)),
    p99: points.map((p) => measured(p.p99, p)),
    availability: points.map((p) => p.availabilityPercent),
    requests: points.map((p) => p.requests),
    failed: points.map((p) => p.errors + p.timeouts),
    bands: injected(r).map((w) => ({ index: w.index, kind: w.kind, from: w.startOffsetMs / 1000, to: windowEndMs(r, w) / 1000 })),
  };
  // An empty point at the run's end, so the x axis spans the whole run (bands after the last interval included).
  const endS = r.run.durationMs / 1000;
  if (data.x.length > 0 && data.x[data.x.length - 1]! < endS) {
    data.x.push(endS);
    for (const series of [data.p50, data.p95, data.p99, data.availability, data.requests, data.failed]) series.push(null);
  }
  return data;
}

function injected(r: ScenarioResult): FaultWindowRecord[] {
  return r.faults.windows.filter((w) => w.endedBy !== 'failed');
}

/** ms from the run's start; a window still active at the end lasts until the run's end. */
function windowEndMs(r: ScenarioResult, w: FaultWindowRecord): number {
  return Math.max(w.startOffsetMs, w.heldMs === null ? r.run.durationMs : w.startOffsetMs + w.heldMs);
}

/** The fill of the fault bands (the test finds the bands by this colour). */
export const FAULT_BAND_FILL = 'rgba(214, 39, 40, 0.15)';

/**
 * The page's script (plain ES2017, not compiled): two uPlot charts sharing a cursor and zoom, the
 * fault bands filled under the series by a drawClear hook. The last series of each chart is the
 * legend entry of the bands: it holds no data, its toggle hides them, its value is the fault under
 * the cursor. `data-fault-bands` on each chart's element counts the bands drawn.
 */
const CHART_SCRIPT = `(function () {
  var data = JSON.parse(document.getElementById('chart-data').textContent);
  var BAND_FILL = ${JSON.stringify(FAULT_BAND_FILL)};
  var BAND_EDGE = 'rgb(214, 39, 40)';
  var HEIGHT = 280;
  var none = data.x.map(function () { return null; });
  var num = function (v, digits) { return String(Number(v.toFixed(digits))); };
  var seconds = function (u, v) { return v == null ? '—' : '+' + num(v, 1) + ' s'; };
  var ms = function (u, v) { return v == null ? '—' : num(v, v < 10 ? 2 : 1) + ' ms'; };
  var percent = function (u, v) { return v == null ? '—' : num(v, 2) + ' %'; };
  var count = function (u, v) { return v == null ? '—' : String(v); };
  var faultsAt = function (x) {
    var at = data.bands.filter(function (b) { return x >= b.from && x <= b.to; });
    return at.length ? at.map(function (b) { return '#' + b.index + ' ' + b.kind; }).join(', ') : 'none';
  };
  var bandSeries = function (scale) {
    return {
      label: 'fault windows', scale: scale, stroke: BAND_EDGE, fill: BAND_FILL, width: 1, points: { show: false },
      value: function (u, v, si, i) { return i == null ? '—' : faultsAt(u.data[0][i]); }
    };
  };
  function drawBands(u) {
    var box = u.bbox, ctx = u.ctx, drawn = 0;
    if (u.series[u.series.length - 1].show) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(box.left, box.top, box.width, box.height);
      ctx.clip();
      ctx.fillStyle = BAND_FILL;
      data.bands.forEach(function (b) {
        var x0 = u.valToPos(b.from, 'x', true), x1 = u.valToPos(b.to, 'x', true);
        if (x1 < box.left || x0 > box.left + box.width) return;
        // A one-shot fault (a reset) lasts 0 ms: still a visible line.
        ctx.fillRect(x0, box.top, Math.max(x1 - x0, 2 * devicePixelRatio), box.height);
        drawn++;
      });
      ctx.fillStyle = BAND_EDGE;
      ctx.font = Math.round(11 * devicePixelRatio) + 'px sans-serif';
      data.bands.forEach(function (b) {
        var x0 = u.valToPos(b.from, 'x', true);
        if (x0 >= box.left && x0 <= box.left + box.width) ctx.fillText('#' + b.index, x0 + 3 * devicePixelRatio, box.top + 12 * devicePixelRatio);
      });
      ctx.restore();
    }
    u.root.parentNode.setAttribute('data-fault-bands', String(drawn));
  }
  var charts = [];
  var syncing = false;
  function syncZoom(u, key) {
    if (key !== 'x' || syncing) return;
    syncing = true;
    charts.forEach(function (c) { if (c !== u) c.setScale('x', { min: u.scales.x.min, max: u.scales.x.max }); });
    syncing = false;
  }
  var width = function () { return Math.max(320, document.getElementById('charts').clientWidth); };
  var xAxis = { values: function (u, splits) { return splits.map(function (v) { return '+' + num(v, 2) + ' s'; }); } };
  function chart(id, bandScale, series, scales, axes, values) {
    var el = document.getElementById(id);
    charts.push(new uPlot({
      width: width(), height: HEIGHT,
      cursor: { sync: { key: 'run' } },
      scales: Object.assign({ x: { time: false } }, scales),
      series: [{ label: 'run time', value: seconds }].concat(series, [bandSeries(bandScale)]),
      axes: [xAxis].concat(axes),
      hooks: { drawClear: [drawBands], setScale: [syncZoom] }
    }, [data.x].concat(values, [none]), el));
  }
  chart('latency-chart', 'ms', [
    { label: 'p50', scale: 'ms', stroke: '#1f77b4', width: 1.5, value: ms },
    { label: 'p95', scale: 'ms', stroke: '#ff7f0e', width: 1.5, value: ms },
    { label: 'p99', scale: 'ms', stroke: '#9467bd', width: 1.5, value: ms }
  ], { ms: { range: function (u, min, max) { return [0, Math.max(1, max || 0) * 1.05]; } } },
  [{ scale: 'ms', size: 70, values: function (u, splits) { return splits.map(function (v) { return num(v, 2) + ' ms'; }); } }],
  [data.p50, data.p95, data.p99]);
  chart('availability-chart', '%', [
    { label: 'availability', scale: '%', stroke: '#2ca02c', width: 2, value: percent },
    { label: 'requests', scale: 'n', stroke: '#7f7f7f', width: 1, value: count },
    { label: 'errors + timeouts', scale: 'n', stroke: '#8c564b', width: 1.5, value: count }
  ], { '%': { range: [0, 100] }, n: { range: function (u, min, max) { return [0, Math.max(1, max || 0) * 1.05]; } } },
  [{ scale: '%', size: 60, values: function (u, splits) { return splits.map(function (v) { return v + ' %'; }); } },
   { scale: 'n', side: 1, size: 60, label: 'requests / interval', grid: { show: false } }],
  [data.availability, data.requests, data.failed]);
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.setSize({ width: width(), height: HEIGHT }); }); });
})();`;

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24; margin: 0; background: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #d8dee4; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.verdict { display: inline-block; padding: 1px 10px; border-radius: 4px; color: #fff; font-weight: 700; margin-right: 8px; }
.verdict-pass { background: #1a7f37; } .verdict-fail { background: #cf222e; } .verdict-error { background: #9a6700; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0; }
dl.meta dt { color: #57606a; } dl.meta dd { margin: 0; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #d8dee4; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #f6f8fa; padding: 0 3px; border-radius: 3px; overflow-wrap: anywhere; }
.pass { color: #1a7f37; font-weight: 600; } .fail { color: #cf222e; font-weight: 700; }
.note, .caption { color: #57606a; }
.error-box { border-left: 4px solid #9a6700; background: #fff8c5; padding: 8px 12px; }
.chart { margin: 12px 0 20px; }
.timeline { margin: 12px 0; }
.lane { display: flex; align-items: center; height: 26px; }
.lane-label { width: 140px; flex: none; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; padding-right: 8px; }
.track { position: relative; flex: 1; height: 18px; background: #f6f8fa; border: 1px solid #d8dee4; }
.window { position: absolute; top: 0; bottom: 0; min-width: 2px; background: ${FAULT_BAND_FILL}; border-left: 2px solid rgb(214, 39, 40); font-size: 11px; color: rgb(150, 20, 20); overflow: hidden; white-space: nowrap; padding-left: 2px; }
.window.failed { background: none; border-left-style: dashed; }
.ticks { position: relative; margin-left: 140px; height: 18px; font-size: 11px; color: #57606a; }
.ticks span { position: absolute; transform: translateX(-50%); white-space: nowrap; }
.ticks span:first-child { transform: none; } .ticks span:last-child { transform: translateX(-100%); }
ul.samples { margin: 0; padding-left: 16px; }
`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export function renderHtmlReport(r: ScenarioResult): string {
  const ts = r.timeSeries;
  const hasChart = ts !== undefined && ts.points.length > 0;
  const assets = hasChart ? uplotAssets() : undefined;
  const scripts = assets ? [assets.js, CHART_SCRIPT] : [];
  // Nothing is fetched: only the inline styles and the two inline scripts (by hash) may run.
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src ${scripts.length ? scripts.map(sha256).join(' ') : "'none'"}`;
  const title = `${r.verdict.toUpperCase()} · ${r.scenario.name}`;
  const body = [
    header(r),
    section('SLOs', sloTable(r)),
    section('Over time', hasChart ? charts(r, ts) : `<p class="note">No time series in this result (it has none${ts ? ': no interval was recorded' : ', e.g. it was written by a version before 1.4.0'}): nothing to chart.</p>`),
    section('Faults', faultsSection(r)),
    section('Protocol findings', findingsSection(r)),
    section('Disconnections', disconnectionsSection(r)),
  ].join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    assets ? `<style>${assets.css}</style>` : '',
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    body,
    '</main>',
    hasChart ? `<script type="application/json" id="chart-data">${scriptJson(chartData(r, ts))}</script>` : '',
    ...scripts.map((js) => `<script>${js}</script>`),
    '</body>',
    '</html>',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

function section(heading: string, content: string): string {
  return `<section>\n<h2>${escapeHtml(heading)}</h2>\n${content}\n</section>`;
}

function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[], numeric: readonly number[] = []): string {
  const cell = (c: string, i: number) => (numeric.includes(i) ? `<td class="num">${c}</td>` : `<td>${c}</td>`);
  return [
    '<table>',
    `<thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map((row) => `<tr>${row.map(cell).join('')}</tr>`),
    '</tbody>',
    '</table>',
  ].join('\n');
}

function header(r: ScenarioResult): string {
  const t = r.target;
  const server = t.serverName !== undefined ? ` — server ${code(`${t.serverName} ${t.serverVersion ?? ''}`.trim())}${t.protocolVersion ? `, protocol ${escapeHtml(t.protocolVersion)}` : ''}` : '';
  const totals = r.totals;
  const meta: [string, string][] = [
    ['target', `${code(t.name)} (${escapeHtml(t.transport)})${server}`],
    ['client profile', code(r.client.profile)],
    ['run', `${escapeHtml(r.run.startedAt)} → ${escapeHtml(r.run.endedAt)}, ${formatDuration(r.run.durationMs)} (requested ${formatDuration(r.run.requestedDurationMs)})`],
    ['seed', String(r.run.seed)],
    ['tool', `${escapeHtml(r.run.tool.name)} ${escapeHtml(r.run.tool.version)}`],
    [
      'requests',
      totals.requests === 0
        ? 'none'
        : `${totals.requests}: availability ${formatPercent(totals.availabilityPercent)}, ${totals.errors} errors, ${totals.timeouts} timeouts, ${totals.unavailable} unavailable, ${totals.toolErrors ?? 0} tool errors`,
    ],
  ];
  if (r.run.shard) meta.push(['shard', `${r.run.shard.index} of ${r.run.shard.count} (seed ${r.run.shard.baseSeed} → ${r.run.seed})`]);
  const parts = [
    `<header>\n<h1><span class="verdict verdict-${r.verdict}">${r.verdict.toUpperCase()}</span>${escapeHtml(r.scenario.name)}</h1>`,
    r.scenario.description ? `<p>${escapeHtml(r.scenario.description)}</p>` : '',
    r.verdict === 'error' ? `<p class="error-box">The harness failed: ${escapeHtml(r.error ?? 'unknown error')}</p>` : '',
    `<dl class="meta">\n${meta.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join('\n')}\n</dl>`,
    r.notes?.length ? `<h3>Notes</h3>\n<ul>\n${r.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}\n</ul>` : '',
    '</header>',
  ];
  return parts.filter(Boolean).join('\n');
}

function sloTable(r: ScenarioResult): string {
  if (r.slos.length === 0) return `<p class="note">${r.verdict === 'error' ? 'Not evaluated: the run did not complete.' : 'No SLOs.'}</p>`;
  const failed = r.slos.filter((s) => !s.passed).length;
  const rows = r.slos.map((s) => [
    `${code(s.id)}<br><span class="note">${escapeHtml(s.description)}</span>`,
    escapeHtml(formatSloValue(s.measured, s.unit)),
    escapeHtml(formatSloLimit(s)),
    s.passed ? '<span class="pass">pass</span>' : '<span class="fail">FAIL</span>',
    s.note ? escapeHtml(s.note) : '',
  ]);
  return `<p>${r.slos.length - failed} of ${r.slos.length} SLOs met.</p>\n${table(['SLO', 'measured', 'limit', 'passed', 'note'], rows, [1, 2])}`;
}

function charts(r: ScenarioResult, ts: TimeSeries): string {
  const bands = injected(r).length;
  const omitted = ts.omittedPoints ? ` ${ts.omittedPoints} later intervals are left out (the run went on far past its duration).` : '';
  const shading = bands
    ? `Shaded red bands: the ${bands} fault window${bands === 1 ? '' : 's'} (numbered as in the fault table below; the legend entry “fault windows” hides them and names the fault under the cursor).`
    : 'No fault was injected.';
  return [
    `<p class="caption">${ts.points.length} intervals of ${formatDuration(ts.intervalMs)}, each plotted at its start. ${shading} Drag across a chart to zoom (both follow), double-click to zoom out, click a legend entry to hide its series.${omitted}</p>`,
    '<div id="charts">',
    '<h3>Latency (ms): p50, p95, p99 of the requests sent in each interval</h3>',
    '<div class="chart" id="latency-chart"></div>',
    '<h3>Availability (%) and requests per interval</h3>',
    '<div class="chart" id="availability-chart"></div>',
    '</div>',
  ].join('\n');
}

const ENDED_BY: Record<NonNullable<FaultWindowRecord['endedBy']>, string> = {
  lifted: 'lifted by the scenario',
  restarted: 'the server came back',
  'one-shot': 'one-shot',
  'run-end': 'the run ended',
  failed: 'not injected',
};

function faultsSection(r: ScenarioResult): string {
  const f = r.faults;
  const parts: string[] = [];
  if (f.total === 0) parts.push('<p>No faults were injected.</p>');
  else {
    parts.push(`<p>${f.total} fault${f.total === 1 ? '' : 's'} injected; noticed by the client: ${f.noticed}; recovered from: ${f.recovered}.</p>`, timeline(r));
    const rows = f.windows.map((w) => [
      String(w.index),
      code(w.kind),
      `${escapeHtml(w.description)}<br><span class="note">${code(w.source)}</span>`,
      `+${formatDuration(w.startOffsetMs)}`,
      w.heldMs === null ? (w.endedBy === 'failed' ? '—' : 'active at the end') : formatDuration(w.heldMs),
      w.endedBy === null ? 'still active' : `${ENDED_BY[w.endedBy]}${w.error ? `: ${escapeHtml(w.error)}` : ''}`,
      w.mttdMs === null ? (w.endedBy === 'failed' ? '—' : 'not noticed') : `${formatMs(w.mttdMs)}${w.detectedBy ? ` (${code(w.detectedBy)})` : ''}`,
      w.mttrMs !== null ? formatMs(w.mttrMs) : w.endedBy === 'failed' ? '—' : w.endedBy === 'run-end' || w.endedBy === null ? '— (run ended)' : '<span class="fail">never</span>',
    ]);
    parts.push(table(['#', 'kind', 'description', 'start', 'held', 'ended by', 'MTTD', 'MTTR'], rows, [0, 3, 4, 6, 7]));
    if (f.omittedWindows) parts.push(`<p class="note">${f.omittedWindows} later fault(s) not listed.</p>`);
    parts.push('<p class="caption">MTTD: from the fault’s start to the first symptom the client saw; MTTR: from its end to the first successful request after it.</p>');
  }
  if (f.skipped.length > 0) parts.push(`<ul>\n${f.skipped.map((s) => `<li>Skipped optional ${code(s.kind)} fault at ${code(s.source)}: ${escapeHtml(s.reason)}</li>`).join('\n')}\n</ul>`);
  return parts.join('\n');
}

/** One lane per fault kind across the run's duration, a box per window (positions in % of the run). */
function timeline(r: ScenarioResult): string {
  const durationMs = Math.max(1, r.run.durationMs);
  const pct = (ms: number) => `${Math.min(100, Math.max(0, (ms / durationMs) * 100)).toFixed(2)}%`;
  const kinds = [...new Set(r.faults.windows.map((w) => w.kind))];
  const lanes = kinds.map((kind) => {
    const boxes = r.faults.windows
      .filter((w) => w.kind === kind)
      .map((w) => {
        const failed = w.endedBy === 'failed';
        const end = failed ? w.startOffsetMs : windowEndMs(r, w);
        const tip = `#${w.index} ${w.kind}: ${w.description}, +${formatDuration(w.startOffsetMs)}${failed ? ', not injected' : `, held ${formatDuration(end - w.startOffsetMs)}`}`;
        return `<div class="window${failed ? ' failed' : ''}" style="left:${pct(w.startOffsetMs)};width:${pct(end - w.startOffsetMs)}" title="${escapeHtml(tip)}">#${w.index}</div>`;
      });
    return `<div class="lane"><span class="lane-label" title="${escapeHtml(kind)}">${escapeHtml(kind)}</span><div class="track">${boxes.join('')}</div></div>`;
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((q) => `<span style="left:${(q * 100).toFixed(0)}%">+${formatDuration(q * r.run.durationMs)}</span>`);
  return `<div class="timeline">\n${lanes.join('\n')}\n<div class="ticks">${ticks.join('')}</div>\n</div>`;
}

function findingsSection(r: ScenarioResult): string {
  if (r.violations.length === 0) return '<p>No protocol-hygiene findings.</p>';
  const bySeverity = FINDING_SEVERITIES.map((s) => `${r.violations.filter((v) => v.severity === s).reduce((n, v) => n + v.count, 0)} ${s}`).join(', ');
  const order = (s: string) => FINDING_SEVERITIES.indexOf(s as (typeof FINDING_SEVERITIES)[number]);
  const rows = [...r.violations]
    .sort((a, b) => order(a.severity) - order(b.severity))
    .map((v) => [
      escapeHtml(v.severity),
      `${escapeHtml(v.title)}<br><span class="note">${escapeHtml(v.spec.section)}: ${escapeHtml(v.spec.rule)}</span>`,
      code(v.kind),
      String(v.count),
      v.samples.length ? `<ul class="samples">${v.samples.map((s) => `<li>${code(s)}</li>`).join('')}</ul>` : '',
    ]);
  return `<p>Findings by severity: ${bySeverity}.</p>\n${table(['severity', 'finding', 'kind', 'count', 'samples (first seen, truncated)'], rows, [3])}`;
}

function disconnectionsSection(r: ScenarioResult): string {
  const d = r.disconnections;
  const rc = r.reconnects;
  const ttr = rc.timeToRecoverMs;
  const reconnects = `<p>Reconnect attempts: ${rc.attempts}; recoveries: ${rc.recovered}; gave up: ${rc.gaveUp}${ttr ? `; time to recover p50 ${formatMs(ttr.p50)}, p95 ${formatMs(ttr.p95)}, max ${formatMs(ttr.max)}` : ''}.</p>`;
  if (d.total === 0) return `<p>No disconnections.</p>\n${reconnects}`;
  const reasons = Object.entries(d.byReason)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([reason, n]) => `${code(reason)} ×${n}`)
    .join(', ');
  const rows = d.records.map((rec, i) => [
    String(i + 1),
    escapeHtml(rec.at),
    code(rec.reason),
    rec.expected ? 'yes' : 'no',
    rec.recoveredAfterMs !== null ? `${formatMs(rec.recoveredAfterMs)}${rec.recoveredBy === 'scenario' ? ' (by a scenario step)' : ''}` : rec.reason === 'client-disconnect' ? '— (closed by the scenario)' : '<span class="fail">never</span>',
    String(rec.attempts),
    rec.detail ? code(rec.detail) : '',
  ]);
  return [
    `<p>${d.total} disconnection${d.total === 1 ? '' : 's'}, ${d.unexpected} unexpected: ${reasons}.</p>`,
    reconnects,
    `<details>\n<summary>Every disconnection${d.omittedRecords ? ` (the first ${d.records.length}; ${d.omittedRecords} more not listed)` : ''}</summary>`,
    table(['#', 'at', 'reason', 'expected', 'recovered after', 'attempts', 'detail'], rows, [0, 4, 5]),
    '</details>',
  ].join('\n');
}

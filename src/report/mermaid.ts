/**
 * Mermaid charts of a run (pure, deterministic): `xychart-beta` blocks of latency and availability
 * over the run, from the Result's time series, with the fault windows as pale bars behind the
 * lines, each block followed by a one-line caption (the xychart GitHub renders has no legend).
 * GitHub renders Mermaid with its own version (10.x/11.x), so only syntax Mermaid has had since 10.6
 * is used: `xychart-beta`, `title`, `x-axis "…" min --> max`, `y-axis "…" min --> max`, `bar`, `line`,
 * and colors through an init directive. The x axis is numeric (time ticks a reader can use, where
 * ~120 category labels would overprint), and Mermaid draws a bar on it about two thirds of a tick
 * step wide: fault bars overhang their window by up to a third of a step on each side, so the
 * caption gives the windows exactly.
 */
import type { ScenarioResult, TimeSeriesPoint } from './result.js';
import { escapeText, formatDuration } from './format.js';

export interface ChartOptions {
  /**
   * At most this many points: adjacent intervals merge into buckets of equal length, each keeping
   * its worst interval (highest percentiles, lowest availability). Default: every interval (~120).
   */
  maxPoints?: number;
  /** Instead of `<scenario>: latency` / `<scenario>: availability`; sanitized the same way. */
  title?: string;
}

/** Points of a compact chart, e.g. in a PR comment: a block of about 1 KB instead of 2 to 3. */
export const COMPACT_POINTS = 30;

// Pale so the bars stay behind the lines; the lines in three hues far apart.
const FAULT_COLOR = '#f8d7da';
const P50_COLOR = '#1f77b4';
const P95_COLOR = '#ff7f0e';
const P99_COLOR = '#d62728';
const AVAILABILITY_COLOR = '#1f77b4';
/** Fault windows named in a caption; the rest are counted. */
const LISTED_FAULTS = 8;
const TITLE_CHARS = 80;

// `useGrouping: false` and standard notation: the xychart lexer reads neither `1,200` nor `1e-7`.
const TWO_DIGITS = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 2, useGrouping: false });
const AXIS_DIGITS = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4, useGrouping: false });
const ONE_DECIMAL = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, useGrouping: false });

interface TimeUnit {
  ms: number;
  symbol: string;
}

/** Seconds up to a 3-minute run, minutes up to 3 hours, then hours: the axis ticks stay short numbers. */
function timeUnit(durationMs: number): TimeUnit {
  if (durationMs >= 3 * 3_600_000) return { ms: 3_600_000, symbol: 'h' };
  if (durationMs >= 3 * 60_000) return { ms: 60_000, symbol: 'min' };
  return { ms: 1000, symbol: 's' };
}

/** Adjacent intervals merged into one point of the chart. */
interface Bucket {
  startMs: number;
  endMs: number;
  points: TimeSeriesPoint[];
}

interface FaultSpan {
  kind: string;
  startMs: number;
  endMs: number;
  /** Still active when the run ended (heldMs null): it lasts until the run's end. */
  active: boolean;
}

/** The intervals to chart, in buckets, and the faults to mark on them. */
interface Frame {
  intervalMs: number;
  /** Intervals per bucket (the last bucket may have fewer). */
  size: number;
  buckets: Bucket[];
  unit: TimeUnit;
  faults: FaultSpan[];
  /** Windows past the Result's first 1000 (counted, not recorded). */
  omittedFaults: number;
}

/**
 * From the first to the last interval with data (`hasData`): before the first answer and after
 * the last there is nothing to draw, and an xychart line has no gaps. Null: no interval has data.
 */
function frame(r: ScenarioResult, maxPoints: number, hasData: (p: TimeSeriesPoint) => boolean): Frame | null {
  const ts = r.timeSeries;
  const first = ts ? ts.points.findIndex(hasData) : -1;
  if (!ts || first < 0) return null;
  const points = ts.points.slice(first, ts.points.findLastIndex(hasData) + 1);
  const size = Math.max(1, Math.ceil(points.length / Math.max(1, maxPoints)));
  const buckets: Bucket[] = [];
  for (let i = 0; i < points.length; i += size) {
    const chunk = points.slice(i, i + size);
    buckets.push({ startMs: chunk[0]!.offsetMs, endMs: chunk[chunk.length - 1]!.offsetMs + ts.intervalMs, points: chunk });
  }
  // A fault that could not be injected was never active.
  const faults = r.faults.windows
    .filter((w) => w.endedBy !== 'failed')
    .map((w) => ({ kind: w.kind, startMs: w.startOffsetMs, endMs: w.heldMs === null ? r.run.durationMs : w.startOffsetMs + w.heldMs, active: w.heldMs === null }));
  return { intervalMs: ts.intervalMs, size, buckets, unit: timeUnit(r.run.durationMs), faults, omittedFaults: r.faults.omittedWindows ?? 0 };
}

/** A zero-length window (a one-shot fault) still marks the interval it happened in. */
function inFault(b: Bucket, faults: readonly FaultSpan[]): boolean {
  return faults.some((f) => f.startMs < b.endMs && Math.max(f.endMs, f.startMs + 1) > b.startMs);
}

/** Buckets without data (null) keep the previous bucket's value (the first always has data): no invented dip. */
function holdGaps(values: readonly (number | null)[]): { values: number[]; held: number } {
  let last = 0;
  let count = 0;
  const out = values.map((v) => {
    if (v === null) count += 1;
    else last = v;
    return last;
  });
  return { values: out, held: count };
}

/** The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^n at or above `v`: a round axis maximum. */
function niceCeil(v: number): number {
  if (v <= 0) return 1;
  const decade = 10 ** Math.floor(Math.log10(v));
  const step = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((s) => s * decade >= v) ?? 10;
  return Number((step * decade).toPrecision(2));
}

/**
 * Text for a quoted xychart string, from user files (scenario names): `"` would end the string,
 * brackets and braces are Mermaid syntax, a backtick opens a Markdown string, `%%` starts a comment
 * or a directive for Mermaid's preprocessor, a line break ends the statement.
 */
function chartText(text: string): string {
  const clean = text
    .replace(/["`[\]{}]/g, '')
    .replace(/%+/g, '%')
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...clean];
  return chars.length > TITLE_CHARS ? `${chars.slice(0, TITLE_CHARS - 1).join('')}…` : clean;
}

interface Series {
  type: 'bar' | 'line';
  color: string;
  values: string[];
}

interface ChartSpec {
  title: string;
  yTitle: string;
  yMin: string;
  yMax: string;
  /** Drawn in this order: a later line covers an earlier one where they are equal. */
  lines: Series[];
  /** What the lines are, and their resolution (the caption's start). */
  legend: string;
}

function block(f: Frame, spec: ChartSpec): { text: string; bars: boolean } {
  const flags = f.buckets.map((b) => inFault(b, f.faults));
  const bars = flags.includes(true);
  // The bars first: Mermaid draws the series in order, so the lines stay on top of them.
  const series = [...(bars ? [{ type: 'bar' as const, color: FAULT_COLOR, values: flags.map((on) => (on ? spec.yMax : spec.yMin)) }] : []), ...spec.lines];
  const span = f.size * f.intervalMs;
  // Each point at its bucket's middle: Mermaid spreads the points evenly from the axis minimum to its
  // maximum (a single point sits at the minimum, the axis then spans its bucket).
  const xMin = (f.buckets[0]!.startMs + span / 2) / f.unit.ms;
  const xMax = f.buckets.length > 1 ? xMin + ((f.buckets.length - 1) * span) / f.unit.ms : xMin + span / f.unit.ms;
  const palette = series.map((s) => s.color).join(', ');
  const title = chartText(spec.title);
  const lines = [
    '```mermaid',
    `%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "${palette}"}}}}%%`,
    'xychart-beta',
    ...(title ? [`  title "${title}"`] : []),
    `  x-axis "time (${f.unit.symbol})" ${AXIS_DIGITS.format(xMin)} --> ${AXIS_DIGITS.format(xMax)}`,
    `  y-axis "${spec.yTitle}" ${spec.yMin} --> ${spec.yMax}`,
    ...series.map((s) => `  ${s.type} [${s.values.join(',')}]`),
    '```',
  ];
  return { text: lines.join('\n'), bars };
}

/** The fault windows in words, in the chart's time unit. */
function faultWords(f: Frame): string {
  const at = (ms: number) => (ms / f.unit.ms).toFixed(1);
  const u = f.unit.symbol;
  const words = f.faults.slice(0, LISTED_FAULTS).map((s) => {
    const kind = escapeText(s.kind);
    if (s.active) return `${kind} from ${at(s.startMs)} ${u} to the end`;
    return s.endMs === s.startMs ? `${kind} at ${at(s.startMs)} ${u}` : `${kind} ${at(s.startMs)}–${at(s.endMs)} ${u}`;
  });
  const more = f.faults.length - words.length + f.omittedFaults;
  return `faults: ${words.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function caption(f: Frame, legend: string, bars: boolean, heldPoints: number): string {
  const parts = [legend];
  if (heldPoints > 0) parts.push(`level across ${heldPoints} point${heldPoints === 1 ? '' : 's'} without data`);
  if (f.faults.length === 0) parts.push('no faults injected');
  else parts.push(bars ? `pale red bars: a fault active — ${faultWords(f)}` : `${faultWords(f)} (none in the charted span)`);
  return `_${parts.join(' · ')}_`;
}

function resolution(f: Frame, worst: string): string {
  const interval = formatDuration(f.intervalMs);
  return f.size === 1 ? `per ${interval} interval` : `${worst} per bucket of ${f.size} intervals (${formatDuration(f.size * f.intervalMs)})`;
}

function render(f: Frame, spec: ChartSpec, heldPoints: number): string {
  const { text, bars } = block(f, spec);
  return `${text}\n\n${caption(f, spec.legend, bars, heldPoints)}`;
}

const sent = (p: TimeSeriesPoint) => p.requests - p.unavailable > 0;

/**
 * p50, p95 and p99 (ms) over the run as a fenced Mermaid block and its caption; null when no
 * request was sent (no latency was measured). Downsampled: each percentile's worst interval.
 */
export function latencyChart(result: ScenarioResult, opts: ChartOptions = {}): string | null {
  const f = frame(result, opts.maxPoints ?? Infinity, sent);
  if (!f) return null;
  const worst = (b: Bucket, q: 'p50' | 'p95' | 'p99') => {
    const sampled = b.points.filter(sent);
    return sampled.length ? Math.max(...sampled.map((p) => p[q])) : null;
  };
  // The three have their gaps in the same buckets (those without a request sent).
  const p50 = holdGaps(f.buckets.map((b) => worst(b, 'p50')));
  const p95 = holdGaps(f.buckets.map((b) => worst(b, 'p95')));
  const p99 = holdGaps(f.buckets.map((b) => worst(b, 'p99')));
  const yMax = TWO_DIGITS.format(niceCeil(Math.max(...p99.values, ...p95.values, ...p50.values)));
  const line = (color: string, values: number[]): Series => ({ type: 'line', color, values: values.map((v) => TWO_DIGITS.format(v)) });
  return render(
    f,
    {
      title: opts.title ?? `${result.scenario.name}: latency`,
      yTitle: 'latency (ms)',
      yMin: '0',
      yMax,
      // p99 first, p50 last: where percentiles are equal (few requests in an interval) the lower one shows.
      lines: [line(P99_COLOR, p99.values), line(P95_COLOR, p95.values), line(P50_COLOR, p50.values)],
      legend: `lines: red p99, orange p95, blue p50 (ms), ${resolution(f, 'worst')}; where they coincide the lower percentile shows`,
    },
    p50.held,
  );
}

/**
 * Availability % ((ok + tool errors) / requests) over the run as a fenced Mermaid block and its
 * caption; null when no request was made. Downsampled: the lowest interval of each bucket, so a
 * short outage stays as deep as it was. The y axis starts at 99 or 90 when every point is above.
 */
export function availabilityChart(result: ScenarioResult, opts: ChartOptions = {}): string | null {
  const f = frame(result, opts.maxPoints ?? Infinity, (p) => p.requests > 0);
  if (!f) return null;
  const lowest = (b: Bucket) => {
    const answered = b.points.flatMap((p) => (p.availabilityPercent === null ? [] : [p.availabilityPercent]));
    return answered.length ? Math.min(...answered) : null;
  };
  // Rounded down to 0.1: 99.96 % must not be drawn as 100 %.
  const availability = holdGaps(f.buckets.map(lowest).map((v) => (v === null ? null : Math.floor(v * 10) / 10)));
  const min = Math.min(...availability.values);
  const floor = min >= 99 ? 99 : min >= 90 ? 90 : 0;
  return render(
    f,
    {
      title: opts.title ?? `${result.scenario.name}: availability`,
      yTitle: 'availability (%)',
      yMin: String(floor),
      yMax: '100',
      lines: [{ type: 'line', color: AVAILABILITY_COLOR, values: availability.values.map((v) => ONE_DECIMAL.format(v)) }],
      legend: `line: answered / requests (%), ${resolution(f, 'lowest interval')}${floor > 0 ? ` · y axis from ${floor} %` : ''}`,
    },
    availability.held,
  );
}

/** Both charts, latency first, blank-line separated (a report section); null when neither has data. */
export function runCharts(result: ScenarioResult, opts: Pick<ChartOptions, 'maxPoints'> = {}): string | null {
  const charts = [latencyChart(result, opts), availabilityChart(result, opts)].filter((c): c is string => c !== null);
  return charts.length ? charts.join('\n\n') : null;
}

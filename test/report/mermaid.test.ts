/**
 * The Mermaid charts of a run. Checked by the real Mermaid (node_modules/mermaid in headless
 * Chromium through playwright-core) on the result of a real run — a paced load beside chaos latency
 * faults (fixtures/scenarios-run/paced-chaos.json): every block parses and renders with one bar per
 * point, tall bars where the faults were and nowhere else, one path per line series through every
 * point, its colors and the axis titles. The downsampling, the empty cases and the title's
 * sanitizing are checked on hand-made series of a real Recorder result.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { availabilityChart, COMPACT_POINTS, latencyChart, runCharts } from '../../src/report/mermaid.js';
import { renderScenarioReport } from '../../src/report/markdown.js';
import type { ScenarioResult, TimeSeriesPoint } from '../../src/report/result.js';
import { buildFaultSample } from './fault-sample.js';
import { buildSampleResult } from './sample-result.js';
import { quietRun, ROOT } from '../helpers/cli.js';

const SCENARIO = join(ROOT, 'test', 'fixtures', 'scenarios-run', 'paced-chaos.json');
const MERMAID = join(ROOT, 'node_modules', 'mermaid', 'dist', 'mermaid.min.js');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const FAULT_FILL = '#f8d7da';
/** p99, p95, p50: the order the lines are drawn in. */
const LATENCY_STROKES = ['#d62728', '#ff7f0e', '#1f77b4'];
const AVAILABILITY_STROKE = '#1f77b4';

// ---------------------------------------------------------------------------------------------
// Reading a chart back: its fence, caption, axes and series.

interface Chart {
  mermaid: string;
  caption: string;
  title: string | undefined;
  x: { title: string; min: number; max: number };
  y: { title: string; min: number; max: number };
  bars: number[][];
  lines: number[][];
}

function read(chart: string | null): Chart {
  assert.ok(chart, 'a chart');
  const m = /^```mermaid\n([\s\S]*?)\n```\n\n(_.*_)$/.exec(chart);
  assert.ok(m, `a fenced block and a one-line caption:\n${chart}`);
  const mermaid = m[1]!;
  const axis = (name: string) => {
    const a = new RegExp(`^  ${name} "([^"]*)" ([\\d.]+) --> ([\\d.]+)$`, 'm').exec(mermaid);
    assert.ok(a, `${name} in\n${mermaid}`);
    return { title: a[1]!, min: Number(a[2]), max: Number(a[3]) };
  };
  const series = (type: string) => [...mermaid.matchAll(new RegExp(`^  ${type} \\[(.*)\\]$`, 'gm'))].map((s) => s[1]!.split(',').map(Number));
  return { mermaid, caption: m[2]!, title: /^ {2}title "(.*)"$/m.exec(mermaid)?.[1], x: axis('x-axis'), y: axis('y-axis'), bars: series('bar'), lines: series('line') };
}

// ---------------------------------------------------------------------------------------------
// Hand-made series on a real Recorder result.

function point(offsetMs: number, over: Partial<TimeSeriesPoint> = {}): TimeSeriesPoint {
  return { offsetMs, requests: 10, ok: 10, errors: 0, timeouts: 0, toolErrors: 0, unavailable: 0, availabilityPercent: 100, p50: 10, p95: 20, p99: 30, max: 40, ...over };
}

function withSeries(points: TimeSeriesPoint[], intervalMs = 100): ScenarioResult {
  const base = buildSampleResult().result;
  return { ...base, run: { ...base.run, durationMs: points.length * intervalMs }, timeSeries: { intervalMs, points } };
}

/** 120 intervals of 100 ms: a p95/p99 spike at 57, a 50 % interval at 58, nothing completed at 59. */
function spiky(): ScenarioResult {
  return withSeries(
    Array.from({ length: 120 }, (_, i) => {
      if (i === 57) return point(i * 100, { p95: 500, p99: 900, max: 950 });
      if (i === 58) return point(i * 100, { ok: 5, errors: 5, availabilityPercent: 50 });
      if (i === 59) return point(i * 100, { requests: 0, ok: 0, availabilityPercent: null, p50: 0, p95: 0, p99: 0, max: 0 });
      return point(i * 100);
    }),
  );
}

test('full resolution: one point per interval; a point without data keeps the line level, said in the caption', () => {
  const latency = read(latencyChart(spiky()));
  assert.deepEqual(latency.lines.map((l) => l.length), [120, 120, 120]);
  const [p99, p95, p50] = latency.lines;
  assert.deepEqual([p99![57], p95![57], p50![57]], [900, 500, 10]);
  assert.deepEqual([p99![59], p95![59]], [30, 20], 'interval 59 (nothing completed) keeps interval 58');
  assert.deepEqual(latency.y, { title: 'latency (ms)', min: 0, max: 1000 });
  assert.deepEqual(latency.x, { title: 'time (s)', min: 0.05, max: 11.95 }, 'points at the middle of their intervals');
  assert.deepEqual(latency.bars, [], 'no faults: no bar series');
  assert.equal(latency.caption, '_lines: red p99, orange p95, blue p50 (ms), per 0.1 s interval; where they coincide the lower percentile shows · level across 1 point without data · no faults injected_');
  const availability = read(availabilityChart(spiky()));
  assert.equal(availability.lines[0]![58], 50);
  assert.equal(availability.lines[0]![59], 50);
  assert.deepEqual(availability.y, { title: 'availability (%)', min: 0, max: 100 });
});

test('downsampling: each bucket keeps its worst percentiles and its lowest interval; the caption says so', () => {
  const latency = read(latencyChart(spiky(), { maxPoints: COMPACT_POINTS }));
  assert.deepEqual(latency.lines.map((l) => l.length), [30, 30, 30]);
  const [p99, p95, p50] = latency.lines;
  // Intervals 56..59 are bucket 14: the spike is kept whole, not averaged with its neighbours.
  assert.deepEqual([p99![14], p95![14], p50![14]], [900, 500, 10]);
  assert.deepEqual([p99![13], p99![15]], [30, 30]);
  assert.deepEqual(latency.x, { title: 'time (s)', min: 0.2, max: 11.8 });
  assert.match(latency.caption, /^_lines: red p99, orange p95, blue p50 \(ms\), worst per bucket of 4 intervals \(0\.4 s\);/);
  assert.doesNotMatch(latency.caption, /without data/, 'the empty interval merged into a bucket with data');
  const availability = read(availabilityChart(spiky(), { maxPoints: COMPACT_POINTS }));
  assert.equal(availability.lines[0]![14], 50, 'the 50 % interval, not the bucket average (80 %)');
  assert.equal(availability.lines[0]!.filter((v) => v !== 100).length, 1);
  assert.match(availability.caption, /^_line: answered \/ requests \(%\), lowest interval per bucket of 4 intervals \(0\.4 s\) · no faults injected_$/);
  // 121 intervals: buckets of 5 (25 points), never more than asked.
  const odd = withSeries(Array.from({ length: 121 }, (_, i) => point(i * 100)));
  assert.equal(read(latencyChart(odd, { maxPoints: 30 })).lines[0]!.length, 25);
});

test('availability: rounded down to 0.1 so a dip never draws as 100 %; the y axis starts at 99 or 90 when every point is above, and the caption says so', () => {
  const high = read(availabilityChart(withSeries([point(0), point(100, { availabilityPercent: 99.96 }), point(200)])));
  assert.deepEqual(high.lines, [[100, 99.9, 100]]);
  assert.equal(high.y.min, 99);
  assert.match(high.caption, / · y axis from 99 % · /);
  assert.equal(read(availabilityChart(withSeries([point(0), point(100, { availabilityPercent: 93.3 })]))).y.min, 90);
  assert.equal(read(availabilityChart(withSeries([point(0), point(100, { availabilityPercent: 89.9 })]))).y.min, 0);
});

test('nothing to chart: null without a time series or without a request; no latency chart when nothing was sent', () => {
  const base = buildSampleResult().result;
  const { timeSeries: _, ...noSeries } = base;
  assert.equal(latencyChart(noSeries), null);
  assert.equal(availabilityChart(noSeries), null);
  assert.equal(runCharts(noSeries), null);
  const idle = withSeries([point(0, { requests: 0, ok: 0, availabilityPercent: null, p50: 0, p95: 0, p99: 0, max: 0 })]);
  assert.equal(latencyChart(idle), null);
  assert.equal(availabilityChart(idle), null);
  // Session down all along: every request unavailable, none sent.
  const down = withSeries([0, 100, 200].map((t) => point(t, { ok: 0, unavailable: 10, availabilityPercent: 0, p50: 0, p95: 0, p99: 0, max: 0 })));
  assert.equal(latencyChart(down), null);
  assert.deepEqual(read(availabilityChart(down)).lines, [[0, 0, 0]]);
  assert.equal(runCharts(down), availabilityChart(down));
  assert.match(renderScenarioReport(noSeries), /^## Over time\n\nNo request completed\.$/m);
});

test('fault windows: a bar at the y maximum in every point overlapping one, the floor elsewhere; the windows in words', () => {
  const { result } = buildFaultSample();
  const latency = read(latencyChart(result));
  // 200 ms intervals from +0 s to +9 s: latency +2 → +4 s, pause +6 → +7 s, kill +8.5 → +9 s; the blackhole (+12 s) is past the last answer.
  const on = latency.bars[0]!.flatMap((v, i) => (v === latency.y.max ? [i] : []));
  assert.deepEqual(on, [...range(10, 20), ...range(30, 35), ...range(42, latency.bars[0]!.length)]);
  assert.ok(latency.bars[0]!.every((v) => v === latency.y.max || v === 0));
  assert.match(latency.caption, / · pale red bars: a fault active — faults: latency 2\.0–4\.0 s, pause 6\.0–7\.0 s, kill 8\.5–9\.0 s, blackhole 12\.0–20\.0 s_$/);
  const availability = read(availabilityChart(result));
  assert.ok(availability.bars[0]!.every((v) => v === availability.y.max || v === availability.y.min), 'non-fault bars at the axis floor (a bar below it would draw downwards)');

  // Still active at the end, one-shot, failed, and more windows than a caption lists.
  const w = result.faults.windows;
  const edited: ScenarioResult = {
    ...result,
    faults: {
      ...result.faults,
      windows: [{ ...w[0]!, heldMs: 0, endedBy: 'one-shot' }, { ...w[1]!, endedBy: 'failed' }, { ...w[3]!, heldMs: null, endedBy: null }, ...Array.from({ length: 7 }, () => w[2]!)],
      omittedWindows: 3,
    },
  };
  const caption = read(latencyChart(edited)).caption;
  assert.match(caption, /faults: latency at 2\.0 s, blackhole from 12\.0 s to the end, (kill 8\.5–9\.0 s, ){5}kill 8\.5–9\.0 s and 4 more_$/);
  assert.doesNotMatch(caption, /pause/, 'a fault that could not be injected is not shown');
  const bars = read(latencyChart(edited)).bars[0]!;
  assert.equal(bars[10], read(latencyChart(edited)).y.max, 'a one-shot fault marks its interval');
  assert.equal(bars[11], 0);
  // Nothing in the charted span: no bars, the windows still in words.
  const late = { ...result, faults: { ...result.faults, windows: [w[3]!] } };
  assert.deepEqual(read(latencyChart(late)).bars, []);
  assert.match(read(latencyChart(late)).caption, /faults: blackhole 12\.0–20\.0 s \(none in the charted span\)_$/);
});

test('time in minutes for a long run, hours for a very long one', () => {
  const long = (durationMs: number) => withSeries(Array.from({ length: 120 }, (_, i) => point((i * durationMs) / 120)), durationMs / 120);
  assert.equal(read(latencyChart(long(10 * 60_000))).x.title, 'time (min)');
  assert.deepEqual(read(latencyChart(long(10 * 60_000))).x, { title: 'time (min)', min: 0.04167, max: 9.958 });
  assert.equal(read(availabilityChart(long(4 * 3_600_000))).x.title, 'time (h)');
});

test('titles from user files are sanitized: no quotes, brackets, braces, backticks, %% or line breaks; at most 80 characters', () => {
  const named = (name: string) => ({ ...spiky(), scenario: { ...spiky().scenario, name } });
  assert.equal(read(latencyChart(named('say "hi" [x] {y}\n`z`\r\n100%% %%{init}%%'))).title, 'say hi x y z 100% %init%: latency');
  const long = read(availabilityChart(named('n'.repeat(200)))).title!;
  assert.equal([...long].length, 80);
  assert.ok(long.endsWith('n…'));
  assert.equal(read(latencyChart(spiky(), { title: 'PR "#12"' })).title, 'PR #12');
  assert.equal(read(latencyChart(spiky(), { title: '""' })).title, undefined, 'an empty title is left out (Mermaid rejects title "")');
  // The sample's own name: `flaky | "server"`.
  assert.equal(read(latencyChart(buildSampleResult().result)).title, 'flaky | server: latency');
});

test('the scenario report has both charts, at full resolution, first in "Over time"', () => {
  const md = renderScenarioReport(spiky());
  const section = md.split('## Over time\n\n')[1]?.split('\n## ')[0] ?? '';
  assert.ok(section.startsWith(`${runCharts(spiky())!}\n\n- `), section.slice(0, 200));
  assert.equal(section.match(/^```mermaid$/gm)?.length, 2);
  assert.equal(read(section.split('\n\n```mermaid')[0]!).lines[0]!.length, 120);
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

// ---------------------------------------------------------------------------------------------
// A real run, and the real Mermaid in Chromium.

let run: Promise<ScenarioResult> | undefined;
/** The run's output directory, removed at the end. */
let runDir: string | undefined;
/** The CLI run (12 s: about 120 intervals of 100 ms), once for every test that needs it. */
function realRun(): Promise<ScenarioResult> {
  run ??= (async () => {
    const out = mkdtempSync(join(tmpdir(), 'mcpr-mermaid-'));
    runDir = out;
    const { code, stderr } = await quietRun(out, ['--scenario', SCENARIO, '--duration', '12s']);
    assert.equal(code, 0, stderr);
    return JSON.parse(readFileSync(join(out, 'test-results', 'paced-chaos', 'result.json'), 'utf8')) as ScenarioResult;
  })();
  return run;
}

/** What the page script sees: Mermaid's global from mermaid.min.js. */
interface MermaidApi {
  initialize(config: object): void;
  parse(text: string): Promise<{ diagramType: string } | false>;
  render(id: string, text: string): Promise<{ svg: string }>;
}

let browser: Browser | undefined;
/** One page with Mermaid loaded, one to read the rendered SVGs in. */
let pages: { mermaid: Page; svg: Page } | undefined;
before(async () => {
  if (!existsSync(CHROMIUM)) return;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const mermaid = await browser.newPage();
  await mermaid.setContent('<!doctype html><html><body></body></html>');
  await mermaid.addScriptTag({ path: MERMAID });
  await mermaid.evaluate(() => (globalThis as unknown as { mermaid: MermaidApi }).mermaid.initialize({ startOnLoad: false }));
  pages = { mermaid, svg: await browser.newPage() };
});
after(async () => {
  await browser?.close();
  if (runDir) rmSync(runDir, { recursive: true, force: true });
});

function needsChromium(t: TestContext): { mermaid: Page; svg: Page } | undefined {
  if (!pages) t.skip(`${CHROMIUM} is missing: install Debian's chromium to check the charts with the real Mermaid`);
  return pages;
}

/** mermaid.parse: its diagram type, or the error it threw. */
function parse(page: Page, text: string): Promise<string> {
  return page.evaluate(async (t) => {
    try {
      const parsed = await (globalThis as unknown as { mermaid: MermaidApi }).mermaid.parse(t);
      return parsed ? parsed.diagramType : 'false';
    } catch (e) {
      return `error: ${String(e instanceof Error ? e.message : e)}`;
    }
  }, text);
}

let ids = 0;
function render(page: Page, text: string): Promise<string> {
  const id = `chart-${(ids += 1)}`;
  return page.evaluate(async ([i, t]) => (await (globalThis as unknown as { mermaid: MermaidApi }).mermaid.render(i, t)).svg, [id, text] as const);
}

interface Drawn {
  chartTitle: string;
  xTitle: string;
  yTitle: string;
  bars: { x: number; width: number; height: number; fill: string }[];
  lines: { points: number; stroke: string }[];
  /** The x axis's tick labels: their value and pixel position. */
  ticks: { value: number; x: number }[];
}

/** Attributes of every element a selector matches (`text`: its text content); '' when absent. */
function attributes(page: Page, selector: string, names: readonly string[]): Promise<string[][]> {
  return page.locator(selector).evaluateAll((elements, n) => elements.map((e) => n.map((name) => (name === 'text' ? e.textContent : e.getAttribute(name)) ?? '')), names);
}

/** The rendered SVG, read through the groups Mermaid's xychart renderer names. */
async function drawn(page: Page, svg: string): Promise<Drawn> {
  await page.setContent(`<!doctype html><html><body>${svg}</body></html>`);
  const text = async (selector: string) => (await page.locator(selector).textContent()) ?? '';
  const bars = await attributes(page, 'g.plot > g[class^="bar-plot-"] > rect', ['x', 'width', 'height', 'fill']);
  const lines = await attributes(page, 'g.plot > g[class^="line-plot-"] > path', ['d', 'stroke']);
  const ticks = await attributes(page, 'g.bottom-axis > g.label > text', ['text', 'transform']);
  return {
    chartTitle: await text('g.chart-title > text'),
    xTitle: await text('g.bottom-axis > g.title > text'),
    yTitle: await text('g.left-axis > g.title > text'),
    bars: bars.map(([x, width, height, fill]) => ({ x: Number(x), width: Number(width), height: Number(height), fill: fill ?? '' })),
    // d3's line path: `M x,y` then `L x,y` for each further point.
    lines: lines.map(([d, stroke]) => ({ points: (d ?? '').split(/[ML]/).filter(Boolean).length, stroke: stroke ?? '' })),
    ticks: ticks.map(([value, transform]) => ({ value: Number(value), x: Number(/translate\(([-\d.]+)/.exec(transform ?? '')?.[1]) })),
  };
}

/** Pixel x of a time on the rendered x axis, and back: linear through its first and last tick labels. */
function pixelAt(ticks: Drawn['ticks'], t: number): number {
  const a = ticks[0]!;
  const b = ticks[ticks.length - 1]!;
  return a.x + ((t - a.value) * (b.x - a.x)) / (b.value - a.value);
}
function timeAt(ticks: Drawn['ticks'], x: number): number {
  const a = ticks[0]!;
  const b = ticks[ticks.length - 1]!;
  return a.value + ((x - a.x) * (b.value - a.value)) / (b.x - a.x);
}

test('the real run: every chart, full and compact, parses and renders in Mermaid with its bars, lines, colors and axis titles', { timeout: 60_000 }, async (t) => {
  const p = needsChromium(t);
  if (!p) return;
  const result = await realRun();
  const windows = result.faults.windows
    .filter((w) => w.endedBy !== 'failed')
    .map((w) => ({ ...w, startS: w.startOffsetMs / 1000, endS: (w.heldMs === null ? result.run.durationMs : w.startOffsetMs + w.heldMs) / 1000 }));
  assert.ok(windows.length >= 2, `chaos injected faults: ${JSON.stringify(result.faults.byKind)}`);
  assert.ok((result.timeSeries?.points.length ?? 0) >= 100, `about 120 intervals: ${result.timeSeries?.points.length}`);
  const cases = [
    { name: 'latency', chart: latencyChart(result), lines: LATENCY_STROKES, yTitle: 'latency (ms)' },
    { name: 'availability', chart: availabilityChart(result), lines: [AVAILABILITY_STROKE], yTitle: 'availability (%)' },
    { name: 'compact latency', chart: latencyChart(result, { maxPoints: COMPACT_POINTS }), lines: LATENCY_STROKES, yTitle: 'latency (ms)' },
    { name: 'compact availability', chart: availabilityChart(result, { maxPoints: COMPACT_POINTS }), lines: [AVAILABILITY_STROKE], yTitle: 'availability (%)' },
  ];
  for (const c of cases) {
    const chart = read(c.chart);
    const points = chart.lines[0]!.length;
    t.diagnostic(`${c.name}: ${points} points, ${c.chart!.length} characters (block and caption)`);
    assert.ok(c.name.startsWith('compact') ? points <= COMPACT_POINTS && points >= COMPACT_POINTS / 2 : points >= 100, `${c.name}: ${points} points`);
    assert.equal(await parse(p.mermaid, chart.mermaid), 'xychart', c.name);
    const svg = await drawn(p.svg, await render(p.mermaid, chart.mermaid));

    assert.equal(svg.chartTitle, `paced-chaos: ${c.name.replace('compact ', '')}`);
    assert.equal(svg.xTitle, 'time (s)');
    assert.equal(svg.yTitle, c.yTitle);
    assert.deepEqual(svg.lines, c.lines.map((stroke) => ({ points, stroke })), `${c.name}: a path per line series through every point, in the palette's colors`);
    assert.equal(new Set(svg.lines.map((l) => l.stroke)).size, c.lines.length, 'the lines are distinct');

    // The fault bars: one rect per point, pale; the tall ones are the points the block marks, and they cover every fault.
    assert.equal(svg.bars.length, points, `${c.name}: a bar per point`);
    assert.ok(svg.bars.every((b) => b.fill === FAULT_FILL));
    const floor = Math.min(...svg.bars.map((b) => b.height));
    const tall = svg.bars.filter((b) => b.height > floor + 1);
    assert.equal(tall.length, chart.bars[0]!.filter((v) => v === chart.y.max).length, `${c.name}: the marked points are drawn tall`);
    assert.ok(tall.length >= windows.length);
    for (const w of windows) {
      const middle = pixelAt(svg.ticks, (w.startS + w.endS) / 2);
      assert.ok(
        tall.some((b) => b.x <= middle && middle <= b.x + b.width),
        `${c.name}: a tall bar covers fault #${w.index} at +${w.startOffsetMs} ms (x ${middle.toFixed(0)} px)`,
      );
    }
    // ...and nothing but faults: each tall bar's middle is within a bucket of a fault window.
    const bucketS = (chart.x.max - chart.x.min) / (points - 1);
    for (const b of tall) {
      const middle = timeAt(svg.ticks, b.x + b.width / 2);
      assert.ok(
        windows.some((w) => middle >= w.startS - bucketS && middle <= w.endS + bucketS),
        `${c.name}: a tall bar at ${middle.toFixed(2)} s is at a fault`,
      );
    }
    assert.match(chart.caption, new RegExp(`pale red bars: a fault active — faults: ${windows.slice(0, 8).map((w) => `${w.kind} ${w.startS.toFixed(1)}–`).join('.*')}`));
  }
});

test('the parser check can fail: Mermaid rejects a broken block, an unsanitized title and a number in exponent notation', { timeout: 60_000 }, async (t) => {
  const p = needsChromium(t);
  if (!p) return;
  const { mermaid } = read(latencyChart(spiky()));
  assert.equal(await parse(p.mermaid, mermaid), 'xychart', 'the block as written parses');
  assert.match(await parse(p.mermaid, mermaid.replace(/\]$/, '')), /^error: Parse error/, 'a series without its closing bracket');
  assert.match(await parse(p.mermaid, mermaid.replace(/title "[^"]*"/, 'title "say "hi""')), /^error: Parse error/, 'quotes inside the title');
  assert.match(await parse(p.mermaid, mermaid.replace('line [30,', 'line [3e1,')), /^error: Parse error/, 'what String(1e-7) would give');
  // The hostile name, sanitized, parses and is the title Mermaid draws.
  const hostile = { ...spiky(), scenario: { ...spiky().scenario, name: 'say "hi" [x]\n%%{init: {"theme": "dark"}}%%' } };
  const chart = read(latencyChart(hostile));
  assert.equal(await parse(p.mermaid, chart.mermaid), 'xychart');
  assert.equal((await drawn(p.svg, await render(p.mermaid, chart.mermaid))).chartTitle, 'say hi x %init: theme: dark%: latency');
});

/**
 * The HTML report of a real run: the CLI runs a paced load through two faults
 * (fixtures/scenarios-run/html-report.json) and writes reports/<run>.html, which headless Chromium
 * opens from disk with every non-file request blocked. The page must need no network, log no
 * error, draw both uPlot charts with their series, legends and the fault bands, and keep every
 * string of the result as text, `</script>` included.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { escapeHtml, renderHtmlReport } from '../../src/report/index.js';
import { scriptJson } from '../../src/report/html.js';
import type { ScenarioResult } from '../../src/report/result.js';
import { quietRun, ROOT } from '../helpers/cli.js';

const SCENARIO = join(ROOT, 'test', 'fixtures', 'scenarios-run', 'html-report.json');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PAYLOAD = '</script><img src=x onerror=alert(1)>';
/** RGBA of the drawn pixels: the bands' rgba(214, 39, 40, 0.15) as the canvas stores it, and two series' strokes. */
const BAND: Rgba = [214, 39, 40, 38];
const P99: Rgba = [0x94, 0x67, 0xbd, 255];
const AVAILABILITY: Rgba = [0x2c, 0xa0, 0x2c, 255];

type Rgba = [number, number, number, number];

interface Run {
  out: string;
  result: ScenarioResult;
  html: string;
}

let run: Promise<Run> | undefined;
/** The CLI run, once for every test that needs it. */
function realRun(): Promise<Run> {
  run ??= (async () => {
    const out = mkdtempSync(join(tmpdir(), 'mcpr-html-'));
    const { code, stderr } = await quietRun(out, ['--scenario', SCENARIO, '--duration', '6s']);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(readFileSync(join(out, 'test-results', 'html-report', 'result.json'), 'utf8')) as ScenarioResult;
    return { out, result, html: join(out, 'reports', 'html-report.html') };
  })();
  return run;
}

let browser: Browser | undefined;
before(async () => {
  if (existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
});

function needsChromium(t: TestContext): Browser | undefined {
  if (!browser) t.skip(`${CHROMIUM} is missing: install Debian's chromium to open the HTML report`);
  return browser;
}

interface Opened {
  page: Page;
  /** Every request that was not for a file: URL (each one blocked). */
  network: string[];
  /** Console errors, page errors and dialogs. */
  problems: string[];
}

async function open(b: Browser, file: string): Promise<Opened> {
  const page = await b.newPage({ viewport: { width: 1280, height: 900 } });
  const network: string[] = [];
  const problems: string[] = [];
  await page.route('**', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) network.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, network, problems };
}

/** The little of a canvas element read here (the tests compile without the DOM library). */
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

/** Pixels of a chart's canvas: how many are drawn at all, and how many have each colour (±3 per channel). */
function pixels(page: Page, chart: string, colors: Record<string, Rgba>): Promise<Record<string, number>> {
  return page.locator(`#${chart} canvas`).evaluate((canvas: Canvas, colors) => {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const counts: Record<string, number> = { drawn: 0, ...Object.fromEntries(Object.keys(colors).map((k) => [k, 0])) };
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! > 0) counts.drawn! += 1;
      for (const [name, c] of Object.entries(colors)) if (c.every((v, j) => Math.abs(data[i + j]! - v) <= 3)) counts[name]! += 1;
    }
    return counts;
  }, colors);
}

const legend = (page: Page, chart: string) => page.$$eval(`#${chart} .u-legend .u-series .u-label`, (labels) => labels.map((l) => l.textContent));

test('a run writes reports/<run>.html beside the Markdown report, which links it; nothing in it loads from elsewhere', { timeout: 60_000 }, async () => {
  const { out, html } = await realRun();
  const page = readFileSync(html, 'utf8');
  assert.match(readFileSync(join(out, 'reports', 'html-report.md'), 'utf8'), /^- Charts of latency and availability over time, with the fault windows shaded: \[html-report\.html\]\(html-report\.html\)$/m);
  assert.match(page, /^<!DOCTYPE html>/);
  assert.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-[^']+' 'sha256-[^']+'">/);
  assert.doesNotMatch(page, /<(script|img|link|iframe)\b[^>]*\s(src|href)=/i, 'no external script, image or stylesheet');
  assert.ok(page.includes(readFileSync(join(ROOT, 'node_modules', 'uplot', 'dist', 'uPlot.iife.min.js'), 'utf8')), 'uPlot inline');
  assert.ok(page.includes(readFileSync(join(ROOT, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), 'utf8')), "uPlot's stylesheet inline");
});

test('Chromium: no network, no errors; both charts drawn with their legends and the fault bands; the legend names the fault under the cursor and hides the bands', { timeout: 60_000 }, async (t) => {
  const b = needsChromium(t);
  if (!b) return;
  const { out, result, html } = await realRun();
  const windows = result.faults.windows.filter((w) => w.endedBy !== 'failed');
  assert.ok(windows.length >= 2, `the fixture injected its two faults: ${JSON.stringify(result.faults.byKind)}`);
  assert.ok((result.timeSeries?.points.length ?? 0) > 10, 'a time series to draw');
  const { page, network, problems } = await open(b, html);

  assert.deepEqual(await legend(page, 'latency-chart'), ['run time', 'p50', 'p95', 'p99', 'fault windows']);
  assert.deepEqual(await legend(page, 'availability-chart'), ['run time', 'availability', 'requests', 'errors + timeouts', 'fault windows']);
  const latency = await pixels(page, 'latency-chart', { band: BAND, p99: P99 });
  const availability = await pixels(page, 'availability-chart', { band: BAND, availability: AVAILABILITY });
  assert.ok(latency.drawn! > 10_000 && availability.drawn! > 10_000, `canvases drawn: ${JSON.stringify({ latency, availability })}`);
  assert.ok(latency.p99! > 50, `the p99 line: ${latency.p99} px`);
  assert.ok(availability.availability! > 50, `the availability line: ${availability.availability} px`);
  assert.ok(latency.band! > 2000 && availability.band! > 2000, `fault bands filled: ${latency.band} and ${availability.band} px`);
  assert.deepEqual(await page.$$eval('.chart', (charts) => charts.map((c) => c.getAttribute('data-fault-bands'))), [String(windows.length), String(windows.length)]);

  // The cursor over the second fault's middle: the legend names it (x spans the run, 0 to its duration).
  const second = windows[1]!;
  const plot = (await page.locator('#latency-chart .u-over').boundingBox())!;
  const middleS = (second.startOffsetMs + (second.heldMs ?? 0) / 2) / 1000;
  await page.mouse.move(plot.x + (plot.width * middleS) / (result.run.durationMs / 1000), plot.y + plot.height / 2);
  const faultValue = page.locator('#latency-chart .u-legend .u-series', { hasText: 'fault windows' }).locator('.u-value');
  assert.equal(await faultValue.textContent(), `#${second.index} ${second.kind}`);

  // Its legend entry toggles the bands off on that chart only.
  await page.locator('#latency-chart .u-legend .u-series', { hasText: 'fault windows' }).locator('th').click();
  assert.equal(await page.locator('#latency-chart').getAttribute('data-fault-bands'), '0');
  assert.equal((await pixels(page, 'latency-chart', { band: BAND })).band, 0);
  assert.equal(await page.locator('#availability-chart').getAttribute('data-fault-bands'), String(windows.length));

  assert.equal(await page.locator('.timeline .window').count(), result.faults.windows.length, 'a box per window on the fault timeline');
  assert.equal(await page.locator('section:has(h2:text-is("Faults")) tbody tr').count(), result.faults.windows.length, 'a row per window');
  assert.equal(await page.locator('h1 .verdict').textContent(), result.verdict.toUpperCase());

  const shot = join(out, 'html-report.png');
  await page.screenshot({ path: shot, fullPage: true });
  assert.deepEqual([...readFileSync(shot).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
  assert.ok(statSync(shot).size > 50_000, `a screenshot with content: ${statSync(shot).size} bytes`);
  await page.close();
  assert.deepEqual(network, [], 'no request left the file');
  assert.deepEqual(problems, []);
});

/** The real result with the payload in every kind of string the page shows (chart data included). */
function hostile(r: ScenarioResult): ScenarioResult {
  const p = (what: string) => `${what} ${PAYLOAD}`;
  return {
    ...r,
    scenario: { ...r.scenario, name: p('name'), description: p('description') },
    target: { ...r.target, name: p('target'), serverName: p('server'), serverVersion: PAYLOAD },
    client: { ...r.client, profile: p('profile') },
    slos: r.slos.map((s) => ({ ...s, id: p('slo'), description: p('slo description'), note: PAYLOAD })),
    notes: [p('note')],
    faults: { ...r.faults, windows: r.faults.windows.map((w) => ({ ...w, kind: p('kind'), description: p('fault'), source: PAYLOAD, detectedBy: PAYLOAD })) },
    violations: [{ kind: 'stdout-non-json', severity: 'error', title: p('finding'), spec: { section: PAYLOAD, url: 'https://example.invalid/', rule: PAYLOAD }, count: 1, bySource: { traffic: 1, check: 0 }, samples: [PAYLOAD, `<!-- ${PAYLOAD}`] }],
    disconnections: { total: 1, unexpected: 1, byReason: { 'transport-closed': 1 }, records: [{ at: PAYLOAD, reason: 'transport-closed', detail: PAYLOAD, expected: false, recoveredAfterMs: null, attempts: 1 }] },
  };
}

test('untrusted strings are escaped: the payload never appears as markup, and the chart data cannot close its element', { timeout: 60_000 }, async () => {
  const page = renderHtmlReport(hostile((await realRun()).result));
  assert.ok(!page.includes('<img'), 'no <img in the page');
  assert.ok(page.includes(escapeHtml(PAYLOAD)));
  assert.equal(page.match(/<\/script>/g)?.length, 3, 'only the three script elements close');
  assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
  const json = scriptJson({ s: `${PAYLOAD}<!-- & \u2028` });
  assert.doesNotMatch(json, /[<>&\u2028]/);
  assert.deepEqual(JSON.parse(json), { s: `${PAYLOAD}<!-- & \u2028` });
});

test('Chromium: the hostile result loads with no injected element, the payload shown as text, the charts still drawn', { timeout: 60_000 }, async (t) => {
  const b = needsChromium(t);
  if (!b) return;
  const { out, result } = await realRun();
  const file = join(out, 'hostile.html');
  writeFileSync(file, renderHtmlReport(hostile(result)));
  const { page, network, problems } = await open(b, file);
  assert.equal(await page.locator('img').count(), 0, 'no injected <img>');
  assert.equal(await page.locator('script').count(), 3, 'only the data, uPlot and the chart script');
  assert.equal(await page.title(), `${result.verdict.toUpperCase()} · name ${PAYLOAD}`);
  const text = await page.locator('body').innerText();
  for (const what of ['name', 'description', 'target', 'note', 'fault', 'finding', 'slo description']) assert.ok(text.includes(`${what} ${PAYLOAD}`), `${what} shown as text`);
  assert.equal(await page.locator('#latency-chart').getAttribute('data-fault-bands'), String(result.faults.windows.filter((w) => w.endedBy !== 'failed').length), 'the chart data parsed');
  await page.close();
  assert.deepEqual(network, []);
  assert.deepEqual(problems, []);
});

test('a result without a time series (or with no points) says so in place of the charts, with no script to fail', { timeout: 60_000 }, async (t) => {
  const { out, result } = await realRun();
  const { timeSeries, ...older } = result;
  assert.ok(timeSeries);
  const variants = { none: older, empty: { ...result, timeSeries: { ...timeSeries, points: [] } } };
  for (const [name, r] of Object.entries(variants)) {
    const page = renderHtmlReport(r);
    assert.ok(!page.includes('<script'), `${name}: no script`);
    assert.match(page, /No time series in this result/);
    writeFileSync(join(out, `${name}.html`), page);
  }
  const b = needsChromium(t);
  if (!b) return;
  for (const name of Object.keys(variants)) {
    const { page, network, problems } = await open(b, join(out, `${name}.html`));
    assert.equal(await page.locator('canvas').count(), 0);
    assert.match(await page.locator('section:has(h2:text-is("Over time"))').innerText(), /No time series in this result/);
    assert.equal(await page.locator('.timeline .window').count(), result.faults.windows.length, 'the fault timeline is still there');
    await page.close();
    assert.deepEqual(network, []);
    assert.deepEqual(problems, [], name);
  }
});

test("the action's bundle holds uPlot's files itself (the runner has no node_modules)", () => {
  const out = mkdtempSync(join(tmpdir(), 'mcpr-html-bundle-'));
  const r = spawnSync(process.execPath, [join(ROOT, 'tools', 'bundle-action.mjs'), out], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const texts = readdirSync(out, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(out, f), 'utf8'));
  assert.ok(texts.some((js) => js.includes('/*! https://github.com/leeoniya/uPlot (v1.6.32) */') && js.includes('.u-legend')), "uPlot's script and stylesheet are in the bundle");
  assert.ok(!texts.some((js) => js.includes('uplot/dist/')), 'nothing reads them from node_modules');
});

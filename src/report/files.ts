/**
 * The one writer of a run's files, for every shell (CLI suite, stack, action): under an output
 * folder, `test-results/<run>/result.json`, `reports/<run>.md` and `reports/<run>.html` per scenario run, and
 * `reports/summary.md` and `reports/junit.xml` for all of them. `<run>` is the scenario name, plus
 * `.<profile>` for client profiles other than `resilient` and `.shard<k>of<N>` for a load shard. Rendering stays pure (markdown.ts,
 * html.ts, summary.ts, junit.ts); this is the only place that turns results into files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { renderHtmlReport } from './html.js';
import { renderJUnit } from './junit.js';
import { renderScenarioReport } from './markdown.js';
import type { ScenarioResult } from './result.js';
import { renderRunReport } from './run-report.js';

type SlugSource = { scenario: { name: string }; client: { profile: string }; run?: { shard?: { index: number; count: number } } };

/** The file-name stem for one scenario × client profile run (× load shard, `.shard<k>of<N>`). */
export function runSlug(result: SlugSource): string {
  const base = result.client.profile === 'resilient' ? result.scenario.name : `${result.scenario.name}.${result.client.profile}`;
  const shard = result.run?.shard;
  return shard ? `${base}.shard${shard.index}of${shard.count}` : base;
}

export interface RunFilePaths {
  result: string;
  report: string;
  /** The self-contained HTML report (charts over time, fault timeline), beside the Markdown one. */
  html: string;
}

export interface SummaryFilePaths {
  summary: string;
  junit: string;
}

/** Where a run's files go (nothing is written). */
export function runFilePaths(outDir: string, result: SlugSource): RunFilePaths {
  const slug = runSlug(result);
  return { result: join(outDir, 'test-results', slug, 'result.json'), report: join(outDir, 'reports', `${slug}.md`), html: join(outDir, 'reports', `${slug}.html`) };
}

export function summaryFilePaths(outDir: string): SummaryFilePaths {
  return { summary: join(outDir, 'reports', 'summary.md'), junit: join(outDir, 'reports', 'junit.xml') };
}

/** result.json and the scenario's Markdown and HTML reports (the Markdown one links the HTML one); returns their paths. */
export function writeRunFiles(outDir: string, result: ScenarioResult): RunFilePaths {
  const paths = runFilePaths(outDir, result);
  mkdirSync(join(paths.result, '..'), { recursive: true });
  mkdirSync(join(paths.report, '..'), { recursive: true });
  writeFileSync(paths.result, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(paths.report, renderScenarioReport(result, { htmlReport: basename(paths.html) }));
  writeFileSync(paths.html, renderHtmlReport(result));
  return paths;
}

/** summary.md and junit.xml over every run (with the scenarios left out and why); returns their paths. */
export function writeSummaryFiles(outDir: string, results: readonly ScenarioResult[], skipped: readonly { scenario: string; reason: string }[] = []): SummaryFilePaths {
  const paths = summaryFilePaths(outDir);
  mkdirSync(join(outDir, 'reports'), { recursive: true });
  writeFileSync(paths.summary, renderRunReport(results, { skipped }));
  writeFileSync(paths.junit, renderJUnit(results));
  return paths;
}

/** Public face of src/report: the Result contract and its schema, Markdown, HTML and JUnit renderers (pure), and the one writer of a run's files. */
export { RESULT_SCHEMA_VERSION } from './result.js';
export type {
  ScenarioResult,
  SloResult,
  LatencyStats,
  DisconnectionRecord,
  ToolDriftRecord,
  ViolationSummary,
  MemorySummary,
  Verdict,
  FaultsSummary,
  FaultWindowRecord,
  FaultPhaseStats,
  FaultEndReason,
  PrometheusSummary,
  ShardInfo,
  TimeSeries,
  TimeSeriesPoint,
} from './result.js';
export { summarizeScrape, SCRAPE_LIMITS, SCRAPE_QUERY } from './prometheus-scrape.js';
export type { PrometheusScrape, ScrapeInstantEntry, ScrapeRangeEntry, ScrapeRangeSeries, ScrapeSample, ScrapeAlert, ScrapeRule, ScrapeLabels } from './prometheus-scrape.js';
export { default as resultSchema } from './result.schema.json' with { type: 'json' };
export { renderScenarioReport, verdictBadge } from './markdown.js';
export { faultTimeline } from './fault-timeline.js';
export type { ScenarioReportOptions } from './markdown.js';
export { renderHtmlReport, escapeHtml } from './html.js';
export { renderSummary, availabilityByProfile } from './summary.js';
export { renderJUnit, escapeXml } from './junit.js';
export { codeSpan, escapeText, formatMs, formatPercent, formatDuration } from './format.js';
export { runSlug, runFilePaths, summaryFilePaths, writeRunFiles, writeSummaryFiles, type RunFilePaths, type SummaryFilePaths } from './files.js';
export { renderRunReport, renderMergedLoads, reportVerdicts, type RunReportOptions } from './run-report.js';
export { mergeShards, type MergedLoad } from './merge.js';
export { checkResult, readResults, readResultFile, resultFilesAt } from './read-results.js';

/** Baselines and regression verdicts: figures of a run, the statistics, the comparison, its Markdown. */
export { compareResults, overall, regressions, DEFAULT_REGRESSION_LIMITS, type Comparison, type MetricComparison, type MetricVerdict, type ScenarioComparison } from './compare.js';
export { comparisonHeadline, renderComparison } from './render.js';

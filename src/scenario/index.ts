/**
 * Scenarios: load, validate (precise issues), template, durations. The public face of src/scenario.
 */
import { loadScenarioFile, resolveScenario } from './load.js';
import { ScenarioError } from './issues.js';
import type { Plan } from './types.js';

export * from './types.js';
export { listScenarios, loadScenarioFile, parseScenarioText, resolveScenario, type LoadOutcome } from './load.js';
export { validateScenario } from './validate.js';
export { formatIssues, ScenarioError } from './issues.js';
export { fillTemplate, findPlaceholders, type PlaceholderUse } from './template.js';
export { formatDuration, parseDuration } from './duration.js';
export { shippedScenariosDir, SCHEMA_FILE_NAME } from './schema.js';

/**
 * The Plan for a scenario name (looked up in `scenariosDir`) or a path to a scenario file.
 * Throws a ScenarioError carrying every issue found.
 */
export async function loadPlan(nameOrPath: string, options: { scenariosDir: string }): Promise<Plan> {
  const resolved = await resolveScenario(nameOrPath, options.scenariosDir);
  if (!resolved.path) throw new ScenarioError(resolved.issues);
  const { plan, issues } = await loadScenarioFile(resolved.path);
  if (!plan) throw new ScenarioError(issues);
  return plan;
}

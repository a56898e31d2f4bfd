/**
 * A parsed scenario document → a Plan, or every problem with it: the JSON Schema first (through
 * ajv, its errors made human), then the checks a schema cannot express.
 */
import { issuesFromAjv } from './ajv-issues.js';
import { dedupeIssues } from './issues.js';
import { scenarioSchema } from './schema.js';
import { rolesUsed, semanticIssues } from './semantic.js';
import type { Plan, ScenarioFile, ValidationIssue } from './types.js';

/**
 * Validates `doc` (already parsed JSON). `file` names it in issues and becomes `plan.source`
 * (loadScenarioFile makes that absolute; pass `<inline>` for documents not from a file).
 * The plan holds a copy: later changes to `doc` do not reach it.
 */
export function validateScenario(doc: unknown, file: string): { plan?: Plan; issues: ValidationIssue[] } {
  const { validate } = scenarioSchema();
  const schemaIssues = validate(doc) ? [] : issuesFromAjv(validate.errors ?? [], file);
  const issues = dedupeIssues([...schemaIssues, ...semanticIssues(doc, file)]);
  if (issues.length > 0) return { issues };
  const scenario = structuredClone(doc) as ScenarioFile;
  return { plan: { scenario, source: file, rolesUsed: rolesUsed(scenario.steps) }, issues: [] };
}

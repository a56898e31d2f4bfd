/**
 * Checks the schema cannot express well: fields an action ignores, nested soaks, unknown
 * placeholders, SLOs nothing could ever measure, fault parameters (fault-issues.ts). Written against `unknown` so they run (and
 * report) even when the schema found problems elsewhere in the document.
 */
import { escapePointerToken } from './json-source.js';
import { faultExpectIssues, faultStepIssues } from './fault-issues.js';
import { isObject, walkSteps, type Json } from './walk.js';
import { findPlaceholders } from './template.js';
import { didYouMean } from './suggest.js';
import { PLACEHOLDERS, RUNNER_PLACEHOLDERS, STEP_ACTIONS, STEP_FIELDS, TOOL_ROLES, type Step, type StepAction, type ToolRole, type ValidationIssue } from './types.js';

type Issue = Omit<ValidationIssue, 'file'>;

const ALWAYS_ALLOWED = new Set(['action', 'description']);
const KNOWN_FIELDS = new Set(Object.values(STEP_FIELDS).flat());
const KNOWN_PLACEHOLDERS: readonly string[] = [...PLACEHOLDERS, ...RUNNER_PLACEHOLDERS];
const PLACEHOLDER_MEANING =
  'placeholders: {{index}} is the parallel copy or load worker, {{iteration}} the repeat/soak iteration or call number, {{timestamp}} ms since the epoch (all numbers from 0), {{marker}} the last state-write marker';

function isAction(value: unknown): value is StepAction {
  return typeof value === 'string' && (STEP_ACTIONS as readonly string[]).includes(value);
}

function stepIssues(step: Json, pointer: string, insideSoak: boolean): Issue[] {
  const issues: Issue[] = [];
  const action = step.action;
  if (isAction(action)) {
    const uses = STEP_FIELDS[action];
    for (const key of Object.keys(step)) {
      if (ALWAYS_ALLOWED.has(key) || !KNOWN_FIELDS.has(key as keyof Step) || (uses as readonly string[]).includes(key)) continue;
      const users = STEP_ACTIONS.filter((a) => (STEP_FIELDS[a] as readonly string[]).includes(key));
      issues.push({
        pointer: `${pointer}/${escapePointerToken(key)}`,
        message: `"${key}" has no effect on a "${action}" step`,
        expected: uses.length > 0 ? `a "${action}" step uses ${uses.join(', ')}` : `a "${action}" step takes no fields besides action and description`,
        hint: `remove it; "${key}" is used by ${users.join(', ')}`,
      });
    }
    if (action === 'soak' && insideSoak) {
      issues.push({
        pointer: `${pointer}/action`,
        message: 'a soak cannot run inside another soak',
        expected: 'soak steps outside any other soak',
        hint: 'the outer soak already repeats its steps until time is up; use "repeat" for the inner loop',
      });
    }
  }
  for (const use of findPlaceholders(step.params, `${pointer}/params`)) {
    if (KNOWN_PLACEHOLDERS.includes(use.name)) continue;
    const suggestion = didYouMean(use.name, KNOWN_PLACEHOLDERS);
    issues.push({
      pointer: use.pointer,
      message: `unknown placeholder "${use.text}"`,
      expected: `one of ${KNOWN_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
      hint: suggestion ? suggestion.replace(/"(.*)"/, '"{{$1}}"') : PLACEHOLDER_MEANING,
    });
  }
  return issues;
}

/** The distinct roles the steps name (recursively), in TOOL_ROLES order. */
export function rolesUsed(steps: unknown): ToolRole[] {
  const found = new Set<unknown>();
  walkSteps(steps, '/steps', (step) => found.add(step.role));
  return TOOL_ROLES.filter((role) => found.has(role));
}

function expectIssues(expect: unknown, steps: unknown): Issue[] {
  if (!isObject(expect)) return [];
  const issues: Issue[] = [];
  let verifies = false;
  walkSteps(steps, '/steps', (step) => (verifies ||= step.action === 'verify-state'));
  if (expect.stateVerified === true && !verifies) {
    issues.push({
      pointer: '/expect/stateVerified',
      message: '"stateVerified" needs a verify-state step, and the scenario has none',
      expected: 'at least one {"action": "verify-state"} step',
      hint: 'add {"action": "verify-state"} where state should have survived (e.g. after a reconnect), or remove "stateVerified"',
    });
  }
  const used = rolesUsed(steps);
  for (const key of Object.keys(isObject(expect.latency) ? expect.latency : {})) {
    const role = /^role:(.+)$/.exec(key)?.[1];
    if (role === undefined || !(TOOL_ROLES as readonly string[]).includes(role) || used.includes(role as ToolRole)) continue;
    issues.push({
      pointer: `/expect/latency/${escapePointerToken(key)}`,
      message: `no step uses role "${role}", so this limit could never be measured`,
      expected: `a latency key for a role the steps use${used.length > 0 ? `: ${used.map((r) => `role:${r}`).join(', ')}` : ''}`,
      hint: `remove "${key}", or add a step with "role": "${role}"`,
    });
  }
  return issues;
}

export function semanticIssues(doc: unknown, file: string): ValidationIssue[] {
  if (!isObject(doc)) return [];
  const issues: Issue[] = [];
  walkSteps(doc.steps, '/steps', (step, pointer, enclosing) => issues.push(...stepIssues(step, pointer, enclosing.includes('soak'))));
  issues.push(...faultStepIssues(doc.steps));
  issues.push(...expectIssues(doc.expect, doc.steps), ...faultExpectIssues(doc.expect, doc.steps));
  return issues.map((issue) => ({ file, ...issue }));
}

// Structural checks of action.yml that GitHub's action schema does not make: the runtime and entry
// points this repository ships, and a description on every input and output.
import { parse } from 'yaml';

export interface ActionMetadata {
  name?: unknown;
  description?: unknown;
  branding?: { icon?: unknown; color?: unknown };
  inputs?: Record<string, { description?: unknown; default?: unknown; required?: unknown } | null>;
  outputs?: Record<string, { description?: unknown } | null>;
  runs?: Record<string, unknown>;
}

export function readActionMetadata(text: string): ActionMetadata {
  return parse(text) as ActionMetadata;
}

/** Problems of action.yml, in words; an empty list when it is what the workflows rely on. */
export function checkActionMetadata(text: string): string[] {
  const action = readActionMetadata(text);
  const problems: string[] = [];
  for (const key of ['name', 'description'] as const) {
    if (typeof action[key] !== 'string' || action[key] === '') problems.push(`${key} is missing`);
  }
  if (!action.branding?.icon || !action.branding.color) problems.push('branding needs an icon and a color');
  const runs = action.runs ?? {};
  const expected: Record<string, string> = { using: 'node24', main: 'dist/main.js', post: 'dist/post.js', 'post-if': 'always()' };
  for (const [key, value] of Object.entries(expected)) {
    if (runs[key] !== value) problems.push(`runs.${key} must be ${value} (is ${JSON.stringify(runs[key])})`);
  }
  for (const [kind, entries] of [['input', action.inputs], ['output', action.outputs]] as const) {
    if (!entries || Object.keys(entries).length === 0) problems.push(`no ${kind}s`);
    for (const [id, entry] of Object.entries(entries ?? {})) {
      if (typeof entry?.description !== 'string' || entry.description.trim() === '') problems.push(`${kind} ${id} has no description`);
    }
  }
  return problems;
}

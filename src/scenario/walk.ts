/** Walking the steps of a parsed (not yet validated) scenario document, with JSON pointers. */

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Calls `visit` for every step object, depth first, with its pointer and the actions of the steps
 * enclosing it (outermost first). Anything that is not a step object is skipped.
 */
export function walkSteps(steps: unknown, base: string, visit: (step: Json, pointer: string, enclosing: readonly unknown[]) => void, enclosing: readonly unknown[] = []): void {
  if (!Array.isArray(steps)) return;
  steps.forEach((step, i) => {
    if (!isObject(step)) return;
    const pointer = `${base}/${i}`;
    visit(step, pointer, enclosing);
    walkSteps(step.steps, `${pointer}/steps`, visit, [...enclosing, step.action]);
  });
}

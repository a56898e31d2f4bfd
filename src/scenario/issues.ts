/**
 * Presenting validation issues: the text the CLI prints, and the error that carries them.
 */
import { BadInputError } from '../errors.js';
import type { ValidationIssue } from './types.js';

/**
 * One block per issue, in the `file:line:column:` form editors and CI problem matchers link:
 *
 *     scenarios/bad.json:7:17: /steps/2/action: unknown action "call-tol"
 *       expected: one of connect, initialize, ...
 *       hint: did you mean "call-tool"?
 *
 * The pointer is left out for the document itself, the position when unknown.
 */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues
    .map((issue) => {
      const where = issue.line === undefined ? '' : `:${issue.line}${issue.column === undefined ? '' : `:${issue.column}`}`;
      const lines = [`${issue.file}${where}: ${issue.pointer === '' ? '' : `${issue.pointer}: `}${issue.message}`];
      if (issue.expected) lines.push(`  expected: ${issue.expected}`);
      if (issue.hint) lines.push(`  hint: ${issue.hint}`);
      return lines.join('\n');
    })
    .join('\n');
}

/** Thrown by loadPlan: every problem found, not just the first. */
export class ScenarioError extends BadInputError {
  readonly issues: ValidationIssue[];

  constructor(issues: readonly ValidationIssue[]) {
    const files = [...new Set(issues.map((i) => i.file))];
    super(`${issues.length} problem${issues.length === 1 ? '' : 's'} in ${files.join(', ')}\n${formatIssues(issues)}`);
    this.name = 'ScenarioError';
    this.issues = [...issues];
  }
}

/** The same problem reported twice (same place, same words) is reported once. */
export function dedupeIssues(issues: readonly ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.file}\u0000${issue.pointer}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

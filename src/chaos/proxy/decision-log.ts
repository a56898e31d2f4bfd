/** A bounded, append-only record of the toxics' decisions: replay evidence and a determinism check. */
import type { Decision } from './types.js';

export class DecisionLog {
  private readonly items: Decision[] = [];
  /** Decisions made after the log was full (counted, not kept). */
  overflow = 0;

  constructor(private readonly limit: number) {}

  add(decision: Decision): void {
    if (this.items.length >= this.limit) {
      this.overflow += 1;
      return;
    }
    // Drop an undefined `at` so that logs compare equal with deepStrictEqual however they were built.
    this.items.push(decision.at === undefined ? omitAt(decision) : decision);
  }

  entries(): readonly Decision[] {
    return this.items.slice();
  }
}

function omitAt(decision: Decision): Decision {
  const { at: _at, ...rest } = decision;
  return rest;
}

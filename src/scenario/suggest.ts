/**
 * "Did you mean ...?": the closest candidate to a misspelt word, by edit distance.
 */

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions (`acion` → `action` is 1). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** Case and separators (`_`, space, `-`) do not count as typos: `Call_Tool` matches `call-tool`. */
function normalize(word: string): string {
  return word.toLowerCase().replace(/[\s_-]+/g, '-');
}

/** Every character of `short` occurs in `long`, in order: `idx` in `index`. */
function isAbbreviation(short: string, long: string): boolean {
  let i = 0;
  for (const c of long) if (c === short[i]) i++;
  return i === short.length;
}

/**
 * The candidate closest to `word`, or undefined when none is close enough to be a plausible typo:
 * distance at most a third of the word's length (at least 1). A word of 3+ characters that is a
 * prefix (`list` → `list-tools`) or an abbreviation (`idx` → `index`) of a candidate counts as close.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = normalize(word);
  if (w.length === 0) return undefined;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const c = normalize(candidate);
    const distance = w.length >= 3 && (c.startsWith(w) || isAbbreviation(w, c)) ? 1 : editDistance(w, c);
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  const limit = Math.max(1, Math.floor(w.length / 3));
  return best && best.distance <= limit ? best.candidate : undefined;
}

/** `did you mean "x"?`, or undefined. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const match = closest(word, candidates);
  return match === undefined ? undefined : `did you mean "${match}"?`;
}

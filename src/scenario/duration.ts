/**
 * Durations: parsing the CLI's `--duration` (and similar options) and formatting for humans.
 * (How a soak or load step scales to --duration is the runner's `stepDeadline`, src/run/steps/soak.ts.)
 */

const EXPECTED = 'expected a duration like 90s, 30m, 1h or a number of seconds';
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;

/**
 * Milliseconds from `"90s"`, `"30m"`, `"1h"`, `"1h30m"`, `"1500ms"`, `"2.5s"` or a plain number of
 * seconds (`"1800"` or `1800`, as the seed's `--duration 1800` meant). Throws an Error that says
 * what was expected.
 */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new Error(`invalid duration ${input}: ${EXPECTED}`);
    return Math.round(input * 1000);
  }
  // Spaces are fine between a number and its unit and between parts: "90 s", "1h 30m".
  const text = input.trim().toLowerCase().replace(/(\d)\s+(?=[a-z])/g, '$1').replace(/([a-z])\s+(?=\d)/g, '$1');
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  let total = 0;
  let end = 0;
  PART.lastIndex = 0;
  for (let m = PART.exec(text); m; m = PART.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? Number.NaN);
    end = PART.lastIndex;
  }
  if (text.length === 0 || end !== text.length || !Number.isFinite(total)) {
    throw new Error(`invalid duration ${JSON.stringify(input)}: ${EXPECTED}`);
  }
  return Math.round(total);
}

/**
 * A short human form that parseDuration reads back: `250ms`, `1.5s`, `45s`, `1m30s`, `2h`, `1h0m5s`.
 * From a minute up, sub-second parts are rounded away.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return String(ms);
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) {
    const seconds = Math.round(ms / 100) / 10;
    if (seconds < 60) return `${seconds}s`;
  }
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  if (h > 0) return `${h}h` + (m > 0 || s > 0 ? `${m}m` : '') + (s > 0 ? `${s}s` : '');
  return `${m}m` + (s > 0 ? `${s}s` : '');
}

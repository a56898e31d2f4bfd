/**
 * Pure formatting for Markdown reports: numbers with units, and escaping of untrusted text
 * (server output, tool names, error details) for table cells and code spans.
 */
import type { SloResult } from './result.js';

/** Milliseconds for humans: `0.412 ms`, `3.25 ms`, `123.4 ms`, `1.23 s`. */
export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function formatPercent(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(2)} %`;
}

export function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** `45.2 s`, `12m 03s`, `1h 02m 03s`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = String(totalSeconds % 60).padStart(2, '0');
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m ${s}s` : `${m}m ${s}s`;
}

/** A measured or limit value of an SLO, with its unit. */
export function formatSloValue(value: number | boolean | null, unit: string): string {
  if (value === null) return 'not measured';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (unit === 'ms') return formatMs(value);
  if (unit === '%') return formatPercent(value);
  return unit ? `${value} ${unit}` : String(value);
}

export function formatSloLimit(slo: SloResult): string {
  const symbol = { '>=': '≥', '<=': '≤', '==': '=' }[slo.comparator];
  return `${symbol} ${formatSloValue(slo.limit, slo.unit)}`;
}

/** Control characters become visible escapes (`\x1b`); line breaks become ` ⏎ ` so a table row stays one line. */
function flatten(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, ' ⏎ ')
    .replace(/\t/g, ' ')
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Untrusted text as Markdown that renders literally, safe inside a table cell: Markdown and HTML
 * punctuation is backslash-escaped (so `|` cannot split a cell and `<` cannot open a tag).
 */
export function escapeText(text: string): string {
  return flatten(text).replace(/[\\`*_[\]|<>&~#]/g, '\\$&');
}

/**
 * Untrusted text as an inline code span, safe inside a table cell: the fence is one backtick
 * longer than the longest backtick run inside, and `|` is escaped (GFM splits cells before it
 * parses code spans, and renders `\|` in a code span inside a table as `|`).
 */
export function codeSpan(text: string, inTable = true): string {
  const flat = flatten(text);
  if (flat.length === 0) return '*(empty)*';
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || (flat.startsWith(' ') && flat.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${inTable ? flat.replace(/\|/g, '\\|') : flat}${pad}${fence}`;
}

/** A list of names as code spans, or `none`. */
export function codeList(names: readonly string[], inTable = true): string {
  return names.length === 0 ? 'none' : names.map((name) => codeSpan(name, inTable)).join(', ');
}

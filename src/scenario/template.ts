/**
 * `{{index}}`, `{{iteration}}`, `{{timestamp}}` in tool arguments. Pure: never mutates its input.
 */
import { PLACEHOLDERS, type TemplateContext } from './types.js';
import { escapePointerToken } from './json-source.js';

/** Any `{{...}}`; the name is trimmed, so `{{ index }}` works too. */
const ANY_PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{([^{}]*)\}\}$/;

/** Outside any parallel or repeat there is one copy and one iteration: index and iteration are 0. */
const DEFAULTS: TemplateContext = { index: 0, iteration: 0 };

function lookup(name: string, ctx: TemplateContext): number | undefined {
  const key = name.trim();
  if (!(PLACEHOLDERS as readonly string[]).includes(key)) return undefined;
  return ctx[key as keyof TemplateContext] ?? DEFAULTS[key as keyof TemplateContext];
}

function fillString(text: string, ctx: TemplateContext): unknown {
  if (!text.includes('{{')) return text; // no placeholder: no regex (the load path calls this per request)
  const whole = WHOLE_PLACEHOLDER.exec(text);
  if (whole) {
    const value = lookup(whole[1] as string, ctx);
    return value === undefined ? text : value;
  }
  return text.replace(ANY_PLACEHOLDER, (match, name: string) => {
    const value = lookup(name, ctx);
    return value === undefined ? match : String(value);
  });
}

/**
 * A deep copy of `value` with placeholders filled: a string that is exactly one placeholder becomes
 * the number; inside longer text the number is substituted as text. `index` and `iteration` missing
 * from `ctx` count as 0; `{{timestamp}}` without `ctx.timestamp` and unknown placeholders (e.g. the
 * runner's own `{{marker}}`) are left as they are. Object keys are not templated.
 */
export function fillTemplate<T>(value: T, ctx: TemplateContext): T {
  return fill(value, ctx) as T;
}

function fill(value: unknown, ctx: TemplateContext): unknown {
  if (typeof value === 'string') return fillString(value, ctx);
  if (Array.isArray(value)) return value.map((item) => fill(item, ctx));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = fill(item, ctx);
    return out;
  }
  return value;
}

export interface PlaceholderUse {
  /** JSON pointer of the string holding it. */
  pointer: string;
  /** The name between the braces, trimmed. */
  name: string;
  /** The placeholder as written, e.g. `{{ foo }}`. */
  text: string;
}

/** Every `{{...}}` in the strings of `value` (deep), with the pointer of its string under `base`. */
export function findPlaceholders(value: unknown, base = ''): PlaceholderUse[] {
  if (typeof value === 'string') {
    return [...value.matchAll(ANY_PLACEHOLDER)].map((m) => ({ pointer: base, name: (m[1] as string).trim(), text: m[0] }));
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => findPlaceholders(item, `${base}/${i}`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => findPlaceholders(item, `${base}/${escapePointerToken(key)}`));
  }
  return [];
}

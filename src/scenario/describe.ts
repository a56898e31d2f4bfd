/**
 * Plain-language descriptions of schema fragments, values and JSON pointers, for issue messages.
 */
import type { AnySchemaObject } from 'ajv/dist/2020.js';

const UNITS: Record<string, string> = {
  interval: 'milliseconds',
  duration: 'milliseconds',
  timeout: 'milliseconds',
  pingIntervalMs: 'milliseconds',
  pingTimeoutMs: 'milliseconds',
  requestTimeoutMs: 'milliseconds',
  p50: 'milliseconds',
  p90: 'milliseconds',
  p95: 'milliseconds',
  p99: 'milliseconds',
  max: 'milliseconds',
  availability: 'percent',
  errorRate: 'percent',
  recoverWithinSeconds: 'seconds',
  faultRecoverWithinSeconds: 'seconds',
  faultDetectWithinSeconds: 'seconds',
  hold: 'milliseconds',
  fraction: "share of the run's --duration",
  rate: 'requests per second',
  maxMemoryGrowthMiBPerMinute: 'MiB per minute',
};

/** The last token of a JSON pointer, unescaped (`""` for the document). */
export function lastToken(pointer: string): string {
  const token = pointer.slice(pointer.lastIndexOf('/') + 1);
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** `"count"`, `step 3`, `the scenario`: what a message is about. */
export function subjectOf(pointer: string): string {
  if (pointer === '') return 'the scenario';
  const key = lastToken(pointer);
  if (/^\d+$/.test(key)) return /\/steps\/\d+$/.test(pointer) ? `step ${key}` : `item ${key}`;
  return JSON.stringify(key);
}

export function describeValue(data: unknown): string {
  if (typeof data === 'string') return `the string ${JSON.stringify(data)}`;
  if (data === null) return 'null';
  if (Array.isArray(data)) return 'an array';
  if (typeof data === 'object') return 'an object';
  return String(data);
}

function describeNumber(s: AnySchemaObject): string {
  const base = s.type === 'integer' ? 'an integer' : 'a number';
  const { minimum, maximum, exclusiveMinimum } = s as { minimum?: number; maximum?: number; exclusiveMinimum?: number };
  if (minimum !== undefined && maximum !== undefined) return `${base} from ${minimum} to ${maximum}`;
  if (exclusiveMinimum !== undefined && maximum !== undefined) return `${base} > ${exclusiveMinimum} and ≤ ${maximum}`;
  if (minimum !== undefined) return `${base} ≥ ${minimum}`;
  if (exclusiveMinimum !== undefined) return `${base} > ${exclusiveMinimum}`;
  return base;
}

function describeObject(s: AnySchemaObject): string {
  const keys = Object.keys((s.properties as object | undefined) ?? {});
  if (keys.length === 0) return s.minProperties ? 'a non-empty object' : 'an object';
  return `an object with ${s.minProperties ? 'at least one of ' : ''}${keys.join(', ')}`;
}

/** What a schema accepts, e.g. `an integer ≥ 1`, `one of probe, work` — with the unit when `key` has one. */
export function describeSchema(s: AnySchemaObject | undefined, key = ''): string {
  if (!s) return 'a valid value';
  let text: string;
  if (Array.isArray(s.enum)) text = `one of ${s.enum.join(', ')}`;
  else if (s.type === 'integer' || s.type === 'number') text = describeNumber(s);
  else if (s.type === 'string') text = s.minLength ? 'a non-empty string' : 'a string';
  else if (s.type === 'boolean') text = 'true or false';
  else if (s.type === 'array') text = key === 'steps' ? 'a non-empty array of steps' : 'an array';
  else if (s.type === 'object') text = describeObject(s);
  else text = 'a valid value';
  const unit = UNITS[key];
  return unit ? `${text} (${unit})` : text;
}

/** JSON on one line, spaced the way people write it: `{"availability": 99}`. */
export function inlineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${inlineJson(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** A copy without the keys whose value is undefined (keeps issues tidy for printing and deepEqual). */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * ajv errors → precise, human ValidationIssues: one issue per real problem (ajv's cascades
 * collapsed), each with the pointer, what was expected, and a hint.
 */
import type { AnySchemaObject, ErrorObject } from 'ajv/dist/2020.js';
import { escapePointerToken } from './json-source.js';
import { propertySchema } from './schema.js';
import { didYouMean } from './suggest.js';
import { parseDuration } from './duration.js';
import { LATENCY_METHODS, TOOL_ROLES, type ValidationIssue } from './types.js';
import { describeSchema, describeValue, inlineJson, lastToken, subjectOf, withoutUndefined } from './describe.js';

type Issue = Omit<ValidationIssue, 'file'>;

const TIME_FIELDS = new Set(['interval', 'duration', 'timeout', 'hold', 'pingIntervalMs', 'pingTimeoutMs', 'requestTimeoutMs']);
const LATENCY_KEY_EXPECTED = `a method (${LATENCY_METHODS.join(', ')}), role:<role> (${TOOL_ROLES.join(', ')}) or tool:<tool name>`;
const RANGE_HINTS: Record<string, string> = {
  count: 'to skip the step, remove it',
  fraction: "fraction is a share of the run's --duration: 0.5 means half of it",
  availability: 'a percentage from 0 to 100: 99.5 means 99.5 %',
  errorRate: 'a percentage from 0 to 100: 0.5 means 0.5 %',
};
const COMPARISON: Record<string, string> = { '>=': '≥', '<=': '≤', '>': '>', '<': '<' };

export function issuesFromAjv(errors: readonly ErrorObject[], file: string): ValidationIssue[] {
  return collapse(errors).map((e) => withoutUndefined({ file, ...translate(e) }));
}

/**
 * Drops ajv's noise: `if` errors (always a restatement of the `then` error), errors inside
 * propertyNames (the propertyNames error names the key), anything else at a location whose
 * type is already wrong, and the per-branch errors under an anyOf/oneOf.
 */
function collapse(errors: readonly ErrorObject[]): ErrorObject[] {
  const branchy = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const inBranch = (e: ErrorObject) => branchy.some((b) => b !== e && b.instancePath === e.instancePath && e.schemaPath.startsWith(b.schemaPath + '/'));
  // A type error inside one branch of an anyOf/oneOf says nothing about the value's type as a whole.
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type' && !inBranch(e)).map((e) => e.instancePath));
  return errors.filter((e) => {
    if (e.keyword === 'if' || e.propertyName !== undefined) return false;
    if (e.keyword !== 'type' && wrongType.has(e.instancePath)) return false;
    return !inBranch(e);
  });
}

function asRecord(data: unknown): Record<string, unknown> {
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
}

function example(schema: AnySchemaObject | undefined): string | undefined {
  const examples = schema?.examples as unknown[] | undefined;
  return examples && examples.length > 0 ? inlineJson(examples[0]) : undefined;
}

/** `"key": <description>` for a property of the object at `pointer`. */
function expectedProperty(pointer: string, key: string): string {
  return `"${key}": ${describeSchema(propertySchema(pointer, key), key)}`;
}

function translate(e: ErrorObject): Issue {
  const pointer = e.instancePath;
  const key = lastToken(pointer);
  const parent = e.parentSchema as AnySchemaObject | undefined;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type':
      return typeIssue(pointer, key, e.data, parent);
    case 'enum':
      return enumIssue(pointer, key, e.data, (params.allowedValues as unknown[]).map(String));
    case 'required':
      return requiredIssue(pointer, String(params.missingProperty), asRecord(e.data), e.schemaPath.includes('/then/'));
    case 'additionalProperties':
      return unknownPropertyIssue(pointer, String(params.additionalProperty), parent);
    case 'propertyNames':
      return latencyKeyIssue(pointer, String(params.propertyName));
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        pointer,
        message: `${subjectOf(pointer)} must be ${COMPARISON[String(params.comparison)] ?? params.comparison} ${String(params.limit)}, got ${describeValue(e.data)}`,
        expected: describeSchema(parent, key),
        hint: RANGE_HINTS[key],
      };
    case 'minItems':
    case 'minProperties':
    case 'minLength':
      return {
        pointer,
        message: key === 'expect' ? '"expect" has no SLOs' : `${subjectOf(pointer)} must not be empty`,
        expected: describeSchema(parent, key),
        hint: example(parent) && `e.g. "${key}": ${example(parent)}`,
      };
    case 'not':
      return exclusiveIssue(pointer, asRecord(e.data), (e.schema as AnySchemaObject).required as string[] | undefined);
    case 'anyOf':
    case 'oneOf':
      return alternativesIssue(pointer, e.data, e.schema as AnySchemaObject[]);
    default:
      return { pointer, message: `${subjectOf(pointer)} ${e.message ?? 'is invalid'}`, expected: describeSchema(parent, key) };
  }
}

function typeIssue(pointer: string, key: string, data: unknown, schema: AnySchemaObject | undefined): Issue {
  const isStep = /\/steps\/\d+$/.test(pointer);
  const expected = isStep ? 'a step object, e.g. {"action": "connect"}' : pointer === '' ? 'a JSON object' : describeSchema(schema, key);
  const wanted = isStep || pointer === '' ? 'an object' : expected.replace(/ \(.*\)$/, '');
  const issue: Issue = { pointer, message: `${subjectOf(pointer)} must be ${wanted}, got ${describeValue(data)}`, expected };
  if (isStep && typeof data === 'string') issue.hint = `write {"action": ${JSON.stringify(data)}}`;
  else if (pointer === '') issue.hint = 'a scenario file holds one object: {"name": ..., "expect": {...}, "steps": [...]}';
  else if (typeof data === 'string' && TIME_FIELDS.has(key) && durationMs(data) !== undefined) {
    issue.hint = `times in scenario files are milliseconds: write ${durationMs(data)} instead of ${JSON.stringify(data)}`;
  } else if (typeof data === 'string' && data.trim() !== '' && Number.isFinite(Number(data))) {
    issue.hint = `remove the quotes: "${key}": ${Number(data)}`;
  } else if (typeof data === 'number' && schema?.type === 'integer') {
    issue.hint = `use a whole number, e.g. "${key}": ${Math.round(data)}`;
  } else if (typeof data === 'string' && example(schema)) {
    issue.hint = `write a number without quotes, e.g. "${key}": ${example(schema)}`;
  } else if (example(schema)) issue.hint = `e.g. "${key}": ${example(schema)}`;
  return issue;
}

function durationMs(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

function enumIssue(pointer: string, key: string, data: unknown, allowed: string[]): Issue {
  const expected = `one of ${allowed.join(', ')}`;
  if (typeof data !== 'string') return { pointer, message: `${subjectOf(pointer)} must be ${expected}, got ${describeValue(data)}`, expected };
  const suggestion = didYouMean(data, allowed);
  if (key === 'action') {
    const hint = suggestion ?? `to call a tool, use {"action": "call-tool", "tool": ${JSON.stringify(data)}}`;
    return { pointer, message: `unknown action ${JSON.stringify(data)}`, expected, hint };
  }
  if (key === 'role') {
    const why = 'roles are mapped to real tools by the target profile; to name a tool directly, use "tool" instead of "role"';
    return { pointer, message: `unknown role ${JSON.stringify(data)}`, expected, hint: suggestion ?? why };
  }
  return { pointer, message: `${subjectOf(pointer)} must be ${expected}, got ${describeValue(data)}`, expected, hint: suggestion };
}

function requiredIssue(pointer: string, missing: string, data: Record<string, unknown>, perAction: boolean): Issue {
  const expected = expectedProperty(pointer, missing);
  const sample = example(propertySchema(pointer, missing));
  const hint = missing === 'action' && typeof data.tool === 'string' ? 'add "action": "call-tool"' : sample && `add e.g. "${missing}": ${sample}`;
  const isStep = /\/steps\/\d+$/.test(pointer);
  const message = perAction
    ? `a "${String(data.action)}" step needs "${missing}"`
    : isStep
      ? `a step needs "${missing}"`
      : `missing required property "${missing}"`;
  return { pointer, message, expected, hint };
}

function unknownPropertyIssue(pointer: string, key: string, schema: AnySchemaObject | undefined): Issue {
  const allowed = Object.keys((schema?.properties as object | undefined) ?? {});
  const issue: Issue = { pointer: `${pointer}/${escapePointerToken(key)}`, message: `unknown property "${key}"`, expected: `one of ${allowed.join(', ')}` };
  if (pointer === '' && propertySchema('/expect', key)) issue.hint = `SLOs go inside "expect": "expect": {"${key}": ...}`;
  else issue.hint = didYouMean(key, allowed);
  return issue;
}

function latencyKeyIssue(pointer: string, key: string): Issue {
  const candidates = [...LATENCY_METHODS, ...TOOL_ROLES.map((r) => `role:${r}`)];
  const hint = (TOOL_ROLES as readonly string[]).includes(key)
    ? `write "role:${key}"`
    : (didYouMean(key, candidates) ?? `to limit one tool, write "tool:${key}"`);
  return { pointer: `${pointer}/${escapePointerToken(key)}`, message: `unknown latency key "${key}"`, expected: LATENCY_KEY_EXPECTED, hint };
}

function exclusiveIssue(pointer: string, data: Record<string, unknown>, keys: string[] | undefined): Issue {
  if (keys?.length === 2 && keys.includes('tool') && keys.includes('role')) {
    const hint = `remove "role" to call ${JSON.stringify(data.tool)} by name, or remove "tool" to let the target profile pick the ${JSON.stringify(data.role)} tool`;
    return { pointer, message: '"tool" and "role" are mutually exclusive', expected: 'either "tool" (a tool name) or "role" (resolved by the target profile)', hint };
  }
  const names = (keys ?? []).map((k) => `"${k}"`).join(' and ');
  return { pointer, message: `${names || 'these properties'} cannot be used together`, hint: 'keep only one of them' };
}

function alternativesIssue(pointer: string, raw: unknown, branches: AnySchemaObject[]): Issue {
  const data = asRecord(raw);
  const keys = branches.flatMap((b) => (Array.isArray(b.required) && b.required.length === 1 ? [String(b.required[0])] : []));
  if (keys.length !== branches.length) {
    // Forms of one value (a number or an object, say): say which, with the schema's own words and examples.
    const key = lastToken(pointer);
    const own = propertySchema(pointer.slice(0, pointer.lastIndexOf('/')), key);
    const examples = ((own?.examples as unknown[] | undefined) ?? []).map(inlineJson);
    const description = typeof own?.description === 'string' ? own.description.split(/(?<=\.) /)[0] : undefined;
    return withoutUndefined({
      pointer,
      message: `${subjectOf(pointer)} matches none of the allowed forms, got ${describeValue(raw)}`,
      expected: description,
      hint: examples.length ? `e.g. ${examples.join(' or ')}` : undefined,
    });
  }
  const owner = typeof data.action === 'string' ? `a "${data.action}" step` : subjectOf(pointer);
  const sample = keys.map((k) => example(propertySchema(pointer, k)) && `"${k}": ${example(propertySchema(pointer, k))}`).filter(Boolean);
  return {
    pointer,
    message: `${owner} needs ${keys.map((k) => `"${k}"`).join(' or ')}`,
    expected: keys.map((k) => expectedProperty(pointer, k)).join(', or '),
    hint: sample.length > 0 ? `e.g. ${sample.join(' or ')}` : undefined,
  };
}

/**
 * Arguments that satisfy a tool's input schema (pure). Values come, in order, from the schema
 * itself (default, const, first enum value, example), from what the server offers (a directory it
 * allows, a resource it lists) for properties whose names say they want one, and otherwise from a
 * typed placeholder that respects simple bounds (minimum, minLength, minItems).
 */

export interface JsonSchemaLike {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  minLength?: number;
  minItems?: number;
  format?: string;
  items?: JsonSchemaLike;
  properties?: Record<string, JsonSchemaLike>;
  required?: string[];
  anyOf?: JsonSchemaLike[];
  oneOf?: JsonSchemaLike[];
}

/** What the server (or the client's own workspace) offers that arguments can point at. */
export interface SampleHints {
  /** Directories the server allows (e.g. from a list_allowed_directories tool) or the client's roots. */
  directories?: string[];
  /** Resource URIs the server lists. */
  resourceUris?: string[];
}

const PLACEHOLDER = 'mcp-reliability';
const DIR_NAME = /(^|_|-|\b)(path|paths|dir|dirs|directory|directories|folder|root|cwd|workspace)(_|-|$|\b)/i;
const URI_NAME = /(^|_|-)(uri|resource)(_|-|$)/i;

/** A value that satisfies a (simple) JSON Schema; `name` is the property's name, used with `hints`. */
export function sampleValue(schema: JsonSchemaLike | undefined, name = '', hints: SampleHints = {}): unknown {
  if (!schema) return PLACEHOLDER;
  if (schema.const !== undefined) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.examples?.length) return schema.examples[0];
  const alt = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (!schema.type && alt) return sampleValue(alt, name, hints);
  const type = Array.isArray(schema.type) ? (schema.type.find((t) => t !== 'null') ?? schema.type[0]) : schema.type;
  switch (type) {
    case 'number':
    case 'integer': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : undefined);
      return min ?? (schema.maximum !== undefined && schema.maximum < 1 ? schema.maximum : 1);
    }
    case 'boolean':
      return false;
    case 'array': {
      const n = schema.minItems ?? 0;
      if (n === 0 && DIR_NAME.test(name) && hints.directories?.length) return [hints.directories[0]];
      return Array.from({ length: n }, () => sampleValue(schema.items, name, hints));
    }
    case 'object':
      return synthesizeArgs(schema, hints);
    case 'null':
      return null;
    default:
      return sampleString(schema, name, hints);
  }
}

function sampleString(schema: JsonSchemaLike, name: string, hints: SampleHints): string {
  if (DIR_NAME.test(name) && hints.directories?.length) return hints.directories[0]!;
  if ((URI_NAME.test(name) || schema.format === 'uri') && hints.resourceUris?.length) return hints.resourceUris[0]!;
  const min = schema.minLength ?? 0;
  return min > PLACEHOLDER.length ? PLACEHOLDER.padEnd(min, '-') : PLACEHOLDER;
}

/** Minimal arguments: every required property gets a sample value; optional ones are left out. */
export function synthesizeArgs(schema: JsonSchemaLike | undefined, hints: SampleHints = {}): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const key of schema?.required ?? []) args[key] = sampleValue(schema?.properties?.[key], key, hints);
  return args;
}

/** Absolute paths named in a tool's text output (one per line or separated by spaces/commas), in order, de-duplicated. */
export function pathsInText(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|[\s,:"'[(])((?:\/|[A-Za-z]:\\)[^\s,"'\])]*)/g)) {
    const p = m[1]!.replace(/[.;]+$/, '');
    if (p.length > 1 && !out.includes(p)) out.push(p);
  }
  return out;
}

/**
 * The scenario JSON Schema (shipped as `scenarios/scenario.schema.json`, the single source of truth)
 * and its compiled ajv validator.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type AnySchemaObject, type ValidateFunction } from 'ajv/dist/2020.js';

export const SCHEMA_FILE_NAME = 'scenario.schema.json';

/**
 * The `scenarios/` folder shipped with this package. From `src/scenario/` (tsx) and `lib/scenario/`
 * (tsc build) it is two levels up; from a single-file bundle in `dist/` one level up.
 */
export function shippedScenariosDir(): string {
  const candidates = ['../../scenarios/', '../scenarios/'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  const found = candidates.find((dir) => existsSync(dir + SCHEMA_FILE_NAME));
  if (!found) throw new Error(`cannot find ${SCHEMA_FILE_NAME}; looked in ${candidates.join(', ')}`);
  return found.replace(/[\\/]$/, '');
}

let compiled: { schema: AnySchemaObject; validate: ValidateFunction } | undefined;

/** The schema document and its validator, loaded once. */
export function scenarioSchema(): { schema: AnySchemaObject; validate: ValidateFunction } {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(`${shippedScenariosDir()}/${SCHEMA_FILE_NAME}`, 'utf8')) as AnySchemaObject;
    // verbose: errors carry the failing schema and data, which the messages are built from.
    // strictRequired off: the if/then/not branches name properties declared one level up.
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false });
    compiled = { schema, validate: ajv.compile(schema) };
  }
  return compiled;
}

function resolveRef(node: AnySchemaObject | undefined): AnySchemaObject | undefined {
  const ref = node?.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/$defs/')) return node;
  const target = (scenarioSchema().schema.$defs as Record<string, AnySchemaObject>)[ref.slice('#/$defs/'.length)];
  const { $ref: _ref, ...siblings } = node as AnySchemaObject;
  return { ...target, ...siblings };
}

/** The schema of the object at `pointer` of a scenario document (undefined when not an object we describe). */
export function schemaAtPointer(pointer: string): AnySchemaObject | undefined {
  const { schema } = scenarioSchema();
  const defs = schema.$defs as Record<string, AnySchemaObject>;
  if (pointer === '') return schema;
  if (/^\/steps\/\d+(\/steps\/\d+)*$/.test(pointer)) return defs.step;
  if (/^\/steps\/\d+(\/steps\/\d+)*\/(fault|faults\/\d+)$/.test(pointer)) return defs.fault;
  if (pointer === '/expect') return defs.expect;
  if (pointer === '/expect/latency') return propertySchema('/expect', 'latency');
  if (pointer === '/client') return defs.client;
  if (/^\/expect\/latency\/[^/]+$/.test(pointer)) return defs.latencyLimit;
  return undefined;
}

/** The schema of property `key` of the object at `objectPointer`, with a `$ref` resolved. */
export function propertySchema(objectPointer: string, key: string): AnySchemaObject | undefined {
  const properties = schemaAtPointer(objectPointer)?.properties as Record<string, AnySchemaObject> | undefined;
  return resolveRef(properties?.[key]);
}

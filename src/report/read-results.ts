/**
 * Reading result.json files back (the `report` command): each file parsed and checked against the
 * result schema, a problem named by file and JSON pointer. Folders are searched for
 * `test-results/<run>/result.json` (an output folder) or `<run>/result.json` (a test-results folder).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { BadInputError } from '../errors.js';
import type { ScenarioResult } from './result.js';
import resultSchema from './result.schema.json' with { type: 'json' };

const validate = new Ajv2020({ allErrors: false, strict: false, allowUnionTypes: true }).compile(resultSchema);

/** The result files a path stands for: itself, or those found under a folder (sorted). */
export function resultFilesAt(path: string): string[] {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new BadInputError(`${path}: no such file or folder`);
  if (st.isFile()) return [path];
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const s = statSync(p, { throwIfNoEntry: false });
      if (s?.isFile() && name === 'result.json') found.push(p);
      else if (s?.isDirectory() && depth < 4 && name !== 'logs' && name !== 'node_modules') walk(p, depth + 1);
    }
  };
  walk(path, 0);
  return found;
}

/**
 * `value` checked against the result schema: bad input (exit 2) naming `where`, the JSON pointer,
 * and, for a result of another schema version, what to do.
 */
export function checkResult(value: unknown, where: string): ScenarioResult {
  if (!validate(value)) {
    const e = validate.errors?.[0];
    const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
    throw new BadInputError(`${where}: not a valid mcp-reliability result at ${e?.instancePath || '/'}: ${e?.message ?? 'invalid'}${version !== undefined && e?.instancePath === '/schemaVersion' ? ` (schema version ${JSON.stringify(version)}; this version reads ${resultSchema.properties.schemaVersion.enum.join(' and ')}: re-run with this version)` : ''}`);
  }
  return value as unknown as ScenarioResult;
}

/** Parse and check one result file; bad input (exit 2) names the file and the pointer. */
export function readResultFile(file: string, where = file): ScenarioResult {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BadInputError(`${where}: not JSON (${(err as Error).message})`);
  }
  return checkResult(value, where);
}

/** Every result under `paths`, in order; at least one, or bad input. */
export function readResults(paths: readonly string[]): { results: ScenarioResult[]; files: string[] } {
  const files = paths.flatMap(resultFilesAt);
  if (files.length === 0) throw new BadInputError(`no result.json under ${paths.join(', ')}: give result files, or folders holding test-results/<run>/result.json`);
  return { results: files.map((f) => readResultFile(f)), files };
}

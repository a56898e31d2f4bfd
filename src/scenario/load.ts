/**
 * Finding and reading scenario files. The only part of src/scenario that touches the disk.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseJsonSource, type SourcePosition } from './json-source.js';
import { dedupeIssues } from './issues.js';
import { SCHEMA_FILE_NAME } from './schema.js';
import { didYouMean } from './suggest.js';
import { lastToken } from './describe.js';
import { validateScenario } from './validate.js';
import type { Plan, ValidationIssue } from './types.js';

export type LoadOutcome = { plan?: Plan; issues: ValidationIssue[] };

/** A path as people want to read it: relative to the working directory when inside it. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** Scenario names in `dir` (`*.json` without the extension, the schema excluded), sorted. [] when `dir` is missing. */
export async function listScenarios(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  return entries
    .filter((f) => f.endsWith('.json') && f !== SCHEMA_FILE_NAME && !f.endsWith('.schema.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * A bare name (`connection-stability`) means `<scenariosDir>/<name>.json`; anything with a path
 * separator or a `.json` ending is a path (relative to the working directory).
 */
export async function resolveScenario(nameOrPath: string, scenariosDir: string): Promise<{ path?: string; issues: ValidationIssue[] }> {
  const names = await listScenarios(scenariosDir);
  const available = names.length > 0 ? `one of ${names.join(', ')}` : `a scenario file (${displayPath(scenariosDir)} has none)`;
  if (/[\\/]/.test(nameOrPath) || nameOrPath.endsWith('.json')) {
    if (await isFile(nameOrPath)) return { path: nameOrPath, issues: [] };
    const hint = names.includes(nameOrPath.replace(/^.*[\\/]/, '').replace(/\.json$/, '')) ? 'a scenario of that name ships with mcp-reliability: pass its bare name' : undefined;
    return { issues: [{ file: nameOrPath, pointer: '', message: 'scenario file not found', expected: `an existing .json file, or a scenario name: ${available}`, ...(hint ? { hint } : {}) }] };
  }
  const path = join(scenariosDir, `${nameOrPath}.json`);
  if (await isFile(path)) return { path, issues: [] };
  const hint = didYouMean(nameOrPath, names) ?? `pass a path to your own scenario file, e.g. ./my-scenario.json`;
  return { issues: [{ file: displayPath(scenariosDir), pointer: '', message: `unknown scenario "${nameOrPath}"`, expected: available, hint }] };
}

/** The position of `pointer`, or of its nearest ancestor that has one (a missing property → its object). */
function positionOf(pointer: string, positions: Map<string, SourcePosition>): SourcePosition | undefined {
  for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
    const found = positions.get(p);
    if (found || p === '') return found;
  }
}

/**
 * Parses and validates scenario text (pure: no I/O). `file` names it in issues;
 * `source` becomes `plan.source`.
 */
export function parseScenarioText(text: string, file: string, source = resolve(file)): LoadOutcome {
  const parsed = parseJsonSource(text);
  if (!parsed.ok) {
    const { message, hint, line, column } = parsed.problem;
    return { issues: [{ file, pointer: '', message: `invalid JSON: ${message}`, ...(hint ? { hint } : {}), line, column }] };
  }
  const duplicates: ValidationIssue[] = parsed.duplicates.map((d) => ({
    file,
    pointer: d.pointer,
    message: `duplicate property "${lastToken(d.pointer)}"`,
    expected: 'each property once per object',
    hint: 'JSON keeps only the last one, silently: remove the other',
    ...d.position,
  }));
  const { plan, issues } = validateScenario(parsed.value, file);
  const all = dedupeIssues([...duplicates, ...issues]).map((issue) => ({ ...issue, ...positionOf(issue.pointer, parsed.positions) }));
  // Document order; Array.prototype.sort is stable, so issues at one place keep their order.
  all.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  if (all.length > 0 || !plan) return { issues: all };
  return { plan: { ...plan, source }, issues: [] };
}

/** Reads, parses and validates one scenario file. Never throws for a bad file: problems are issues. */
export async function loadScenarioFile(path: string): Promise<LoadOutcome> {
  const file = displayPath(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'scenario file not found' : code === 'EISDIR' ? 'is a directory, not a scenario file' : `cannot read the file: ${(err as Error).message}`;
    return { issues: [{ file, pointer: '', message }] };
  }
  return parseScenarioText(text, file, resolve(path));
}

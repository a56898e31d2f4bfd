/** Load and validate target profiles (`targets/*.json`), and resolve a `--target` argument. */
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidationIssue } from '../scenario/types.js';
import { BadInputError } from '../errors.js';
import { TARGETS_DIR } from './paths.js';
import { adhocTarget, lookupCommand } from './adhoc.js';
import type { TargetProfile } from './types.js';

export class TargetError extends BadInputError {
  constructor(readonly issues: ValidationIssue[]) {
    super(issues.map((i) => `${i.file}: ${i.pointer || '/'}: ${i.message}`).join('\n'));
    this.name = 'TargetError';
  }
}

let validator: ((doc: unknown) => boolean) & { errors?: { instancePath: string; message?: string; params: Record<string, unknown> }[] | null };

async function schemaValidator() {
  if (!validator) {
    const schema = JSON.parse(await readFile(join(TARGETS_DIR, 'target.schema.json'), 'utf8'));
    validator = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  }
  return validator;
}

/** Validate a parsed profile; returns the issues (empty when valid). */
export async function validateTarget(doc: unknown, file: string): Promise<ValidationIssue[]> {
  const validate = await schemaValidator();
  if (validate(doc)) return [];
  return (validate.errors ?? [])
    .filter((e) => !['if', 'allOf'].includes(String((e as { keyword?: string }).keyword)))
    .map((e) => {
      const extra = e.params.additionalProperty as string | undefined;
      const missing = e.params.missingProperty as string | undefined;
      return {
        file,
        pointer: e.instancePath + (extra ? `/${extra}` : missing ? `/${missing}` : ''),
        message: extra ? `unknown property "${extra}"` : missing ? `missing required property "${missing}"` : (e.message ?? 'invalid'),
        expected: e.params.allowedValues ? `one of ${(e.params.allowedValues as string[]).join(', ')}` : undefined,
        hint: 'see targets/target.schema.json for the profile format',
      };
    });
}

export async function loadTargetFile(path: string): Promise<TargetProfile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new TargetError([{ file: path, pointer: '', message: `cannot read target profile: ${(err as Error).message}` }]);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new TargetError([{ file: path, pointer: '', message: `not valid JSON: ${(err as Error).message}`, hint: 'fix the syntax; a JSON-aware editor shows where' }]);
  }
  const issues = await validateTarget(doc, path);
  if (issues.length) throw new TargetError(issues);
  return { ...(doc as TargetProfile), source: path };
}

export async function listTargets(dir = TARGETS_DIR): Promise<string[]> {
  const files = await readdir(dir);
  return files.filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json')).map((f) => basename(f, '.json')).sort();
}

/**
 * Resolve `--target`, in this order:
 * - a shipped profile's name (`everything-stdio`, `targets/<name>.json`) or a profile file (`*.json`): that profile;
 * - a URL: http(s):// → Streamable HTTP, a path ending in /sse → SSE, ws(s):// → WebSocket,
 *   tcp:// → line-delimited JSON-RPC over TCP;
 * - a value with whitespace: a stdio server's command line (`node server.js`), run through `sh -c`;
 * - a single word: a stdio command when it is an executable on the PATH the server is started with
 *   (`serverPath()`: node_modules/.bin first) or a path to an executable file.
 * Anything else is a TargetError (bad input) saying it is neither a profile nor a command.
 * `opts.path` / `opts.cwd` replace that PATH and the working folder (tests).
 */
export async function resolveTarget(arg: string, dir = TARGETS_DIR, opts: { path?: string; cwd?: string } = {}): Promise<TargetProfile> {
  const byName = join(dir, `${arg}.json`);
  if (/^[A-Za-z0-9._-]+$/.test(arg) && !arg.startsWith('.') && existsSync(byName)) return loadTargetFile(byName);
  if (/^(https?|wss?|tcp):\/\//i.test(arg)) return adhocTarget({ url: arg });
  if (arg.endsWith('.json')) return loadTargetFile(resolve(opts.cwd ?? process.cwd(), arg));
  if (arg.trim() === '') throw targetIssue('the target is empty', await listTargets(dir));
  if (/\s/.test(arg.trim())) return adhocTarget({ command: arg.trim() });
  const found = lookupCommand(arg, opts);
  if (found.found) return adhocTarget({ command: found.command });
  const names = await listTargets(dir);
  if (found.reason === 'not-executable') {
    throw targetIssue(`"${arg}" is a file (${found.where}) but not executable`, names, `run it with its interpreter, e.g. --target "node ${arg}", or make it executable (chmod +x ${arg})`);
  }
  if (found.reason === 'not-a-file') throw targetIssue(`"${arg}" is a folder (${found.where}), not a server command`, names);
  const path = /[/\\]/.test(arg) ? `no file ${found.where ?? arg}` : `no command "${arg}" on PATH (node_modules/.bin, then $PATH)`;
  throw targetIssue(`unknown target "${arg}": there is no profile of that name and ${path}`, names);
}

function targetIssue(message: string, names: string[], hint?: string): TargetError {
  return new TargetError([
    {
      file: '<command line>',
      pointer: '/target',
      message,
      expected: `a profile name (${names.join(', ')}), a profile .json file, a URL (http(s)://, .../sse, ws(s)://, tcp://host:port), or a stdio server command`,
      hint: hint ?? `to run a stdio server by command, quote it with its arguments: --target "node my-server.js" (a single word must be an executable on PATH, or a path such as ./my-server)`,
    },
  ]);
}

/**
 * Tool roles: which of a server's tools may play a role, in which order to try them (pure), and
 * the `--role` flag. Whether a candidate really qualifies is decided by calling it once before the
 * run (src/run/role-prover.ts): a guess is never used unproven.
 */
import type { ToolRole } from '../scenario/types.js';
import { BadInputError } from '../errors.js';
import { synthesizeArgs, type JsonSchemaLike, type SampleHints } from './schema-sample.js';
import type { RoleBinding } from './types.js';

export { sampleValue, synthesizeArgs, pathsInText, type JsonSchemaLike, type SampleHints } from './schema-sample.js';

export interface ToolInfo {
  name: string;
  description?: string;
  inputSchema?: JsonSchemaLike;
  /** MCP tool annotations (hints from the server): readOnlyHint, destructiveHint, ... */
  annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint?: boolean };
}

/** Names that suggest a cheap call, best first. */
const PROBE_TIERS: [RegExp, number][] = [
  [/(^|[-_])(ping|echo|health)([-_]|$)/i, 0],
  [/(^|[-_])(status|version|info)([-_]|$)/i, 2],
  [/(^|[-_])(list|get)([-_]|$)/i, 4],
];

/** Words in a tool's name that say it may change or destroy something, run programs, or take long: such tools are never tried. */
const UNSAFE_WORDS = new Set(
  (
    'long slow sleep wait monitor train benchmark delete del remove rm destroy kill shutdown terminate write create update upsert edit ' +
    'move mv rename copy cp set put post send email exec execute eval run start stop restart spawn launch init initialize install uninstall upload ' +
    'push commit merge drop truncate reset clear purge apply deploy insert append modify patch save store cancel approve interact force block unblock ' +
    'trigger toggle enable disable lock unlock grant revoke pay buy order book publish'
  ).split(' '),
);

/** Words that may mean a change (add_numbers adds, add_user writes): such tools are tried last. */
const RISKY_WORDS = new Set('add new make generate open close fetch download request call invoke submit register'.split(' '));

/** The words of a tool name: split at `_`, `-`, `.`, `/`, spaces and camelCase humps, lower-cased. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_./-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** A tool the prover may call with synthesized arguments: read-only by its annotations, or harmless by its name and not flagged destructive. */
export function isSafeToTry(tool: ToolInfo): boolean {
  if (tool.annotations?.readOnlyHint === true) return true;
  if (tool.annotations?.destructiveHint === true) return false;
  return !nameWords(tool.name).some((w) => UNSAFE_WORDS.has(w));
}

/** Why a tool is not tried at all (null: it may be tried). */
export function untriedReason(tool: ToolInfo): string | null {
  if (isSafeToTry(tool)) return null;
  return tool.annotations?.destructiveHint === true ? 'annotated destructive: never called to guess a role' : 'its name suggests it changes something or takes long: never called to guess a role';
}

const requiredCount = (t: ToolInfo) => t.inputSchema?.required?.length ?? 0;
const tier = (t: ToolInfo) => PROBE_TIERS.find(([re]) => re.test(t.name))?.[1] ?? 10;

/**
 * The tools worth trying for a role, best first. probe: cheap-looking names (ping/echo/health,
 * then status/version/info, then list/get), fewest required arguments. work: tools with no
 * required arguments first, then by the same order. Unsafe tools are left out.
 */
export function roleCandidates(tools: readonly ToolInfo[], role: 'probe' | 'work'): ToolInfo[] {
  const safe = tools.filter(isSafeToTry);
  const risky = (t: ToolInfo) => (t.annotations?.readOnlyHint !== true && nameWords(t.name).some((w) => RISKY_WORDS.has(w)) ? 50 : 0);
  const probeRank = (t: ToolInfo) => tier(t) + requiredCount(t) + risky(t);
  const rank = role === 'probe' ? probeRank : (t: ToolInfo) => (requiredCount(t) === 0 ? 0 : 100) + probeRank(t);
  return [...safe].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/** A binding for a candidate: the arguments synthesized from its input schema and the hints. */
export function bindingFor(tool: ToolInfo, hints: SampleHints = {}): RoleBinding {
  return { tool: tool.name, params: synthesizeArgs(tool.inputSchema, hints) };
}

/**
 * Unproven guesses (kept for callers that cannot call the server): the first probe and work
 * candidates. The runner proves its roles instead (role-prover.ts).
 */
export function inferRoles(tools: ToolInfo[], hints: SampleHints = {}): Partial<Record<ToolRole, RoleBinding>> {
  const roles: Partial<Record<ToolRole, RoleBinding>> = {};
  const probe = roleCandidates(tools, 'probe')[0];
  if (probe) roles.probe = bindingFor(probe, hints);
  const work = roleCandidates(tools, 'work').find((t) => t !== probe) ?? probe;
  if (work) roles.work = bindingFor(work, hints);
  return roles;
}

/** The `--role` flag that maps `role` to this binding, quoted for a POSIX shell. */
export function roleFlag(role: ToolRole, binding: Pick<RoleBinding, 'tool' | 'params'>): string {
  const args = binding.params && Object.keys(binding.params).length ? `:${JSON.stringify(binding.params)}` : '';
  return `--role '${`${role}=${binding.tool}${args}`.replaceAll("'", "'\\''")}'`;
}

/** Parse `--role probe=echo` or `--role 'probe=echo:{"message":"hi"}'`. */
export function parseRoleFlag(flag: string, known: readonly string[]): { role: ToolRole; binding: RoleBinding } {
  const m = /^([a-z-]+)=([^:]+)(?::(.*))?$/s.exec(flag);
  if (!m) throw new BadInputError(`--role "${flag}": expected role=tool or role=tool:{json args}, e.g. --role probe=echo:{"message":"hi"}`);
  const [, role, tool, json] = m as unknown as [string, string, string, string | undefined];
  if (!known.includes(role)) throw new BadInputError(`--role "${flag}": unknown role "${role}"; roles are ${known.join(', ')}`);
  let params: Record<string, unknown> | undefined;
  if (json) {
    try {
      params = JSON.parse(json) as Record<string, unknown>;
    } catch (err) {
      throw new BadInputError(`--role "${flag}": the arguments are not valid JSON (${(err as Error).message})`);
    }
  }
  return { role: role as ToolRole, binding: { tool, ...(params ? { params } : {}) } };
}

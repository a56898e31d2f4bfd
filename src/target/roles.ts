/**
 * Tool roles: resolve a role to a real tool call, infer roles from a server's own tool list
 * (for ad-hoc targets), and synthesize minimal valid arguments from a tool's input schema.
 */
import type { ToolRole } from '../scenario/types.js';
import { BadInputError } from '../errors.js';
import type { RoleBinding } from './types.js';

export interface ToolInfo {
  name: string;
  description?: string;
  inputSchema?: { type?: string; properties?: Record<string, JsonSchemaLike>; required?: string[] };
}

interface JsonSchemaLike {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  items?: JsonSchemaLike;
  properties?: Record<string, JsonSchemaLike>;
  required?: string[];
}

/** A value that satisfies a (simple) JSON Schema: default, first enum value, or a typed placeholder. */
export function sampleValue(schema: JsonSchemaLike | undefined): unknown {
  if (!schema) return 'mcp-reliability';
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'number':
    case 'integer':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return synthesizeArgs(schema);
    case 'null':
      return null;
    default:
      return 'mcp-reliability';
  }
}

/** Minimal arguments: every required property gets a sample value; optional ones are left out. */
export function synthesizeArgs(schema: ToolInfo['inputSchema'] | JsonSchemaLike | undefined): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const key of schema?.required ?? []) args[key] = sampleValue(schema?.properties?.[key]);
  return args;
}

/** Names that suggest a cheap call, best first. */
const PROBE_TIERS: [RegExp, number][] = [
  [/(^|[-_])(ping|echo|health)([-_]|$)/i, 0],
  [/(^|[-_])(status|version|info)([-_]|$)/i, 2],
  [/(^|[-_])(list|get)([-_]|$)/i, 4],
];
const SLOW_NAMES = /(long|slow|sleep|wait|monitor|train|benchmark|delete|remove|destroy|kill|shutdown|write|create|update)/i;

/**
 * Infer probe and work roles from the server's tools. Probe: a tool that looks cheap (ping/echo/
 * status names first), preferring no required arguments. Work: another tool with no required
 * arguments that does not look slow or destructive. State roles are never guessed.
 */
export function inferRoles(tools: ToolInfo[]): Partial<Record<ToolRole, RoleBinding>> {
  const safe = tools.filter((t) => !SLOW_NAMES.test(t.name));
  const requiredCount = (t: ToolInfo) => t.inputSchema?.required?.length ?? 0;
  const tier = (t: ToolInfo) => PROBE_TIERS.find(([re]) => re.test(t.name))?.[1] ?? 10;
  const rank = (t: ToolInfo) => tier(t) + requiredCount(t);
  const ordered = [...safe].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  const roles: Partial<Record<ToolRole, RoleBinding>> = {};
  const probe = ordered[0];
  if (probe) roles.probe = { tool: probe.name, params: synthesizeArgs(probe.inputSchema) };
  const work = ordered.find((t) => t !== probe && requiredCount(t) === 0) ?? ordered.find((t) => t !== probe);
  if (work) roles.work = { tool: work.name, params: synthesizeArgs(work.inputSchema) };
  return roles;
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

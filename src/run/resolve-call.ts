/** Turn a step's `tool`/`role` and `params` into a concrete tool call (pure apart from the marker counter). */
import { fillTemplate } from '../scenario/index.js';
import type { Step, TemplateContext } from '../scenario/types.js';
import type { RunContext } from './context.js';
import type { RoleMethod } from '../target/types.js';

export interface ResolvedCall {
  name: string;
  args: Record<string, unknown>;
  role?: string;
  /** The role stands for this MCP request instead of a tool call (see RoleBinding.method). */
  method?: RoleMethod;
}

const MARKER = /\{\{marker\}\}/g;

function replaceMarker(value: unknown, marker: string): unknown {
  if (typeof value === 'string') return value.replace(MARKER, marker);
  if (Array.isArray(value)) return value.map((v) => replaceMarker(v, marker));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceMarker(v, marker)]));
  }
  return value;
}

/**
 * Returns null when the step names a state role the target does not map (state roles are optional:
 * the step is skipped and the report says so). Probe/work roles are checked before the run starts.
 */
export function resolveCall(step: Step, ctx: RunContext, template: TemplateContext): ResolvedCall | null {
  let name: string;
  let params: Record<string, unknown> = {};
  if (step.role) {
    const binding = ctx.roles[step.role];
    if (!binding) {
      ctx.note(`role ${step.role} is not mapped by the target: its steps were skipped`);
      return null;
    }
    if (binding.method) return { name: binding.tool, args: {}, role: step.role, method: binding.method };
    name = binding.tool;
    params = binding.params ?? {};
  } else {
    name = step.tool ?? '';
  }
  // fillTemplate copies deeply: one merge, no copy of its own.
  if (step.params) params = { ...params, ...step.params };
  let args = fillTemplate(params, { ...template, timestamp: Date.now() });
  if (step.role === 'state-write') {
    ctx.marker.counter += 1;
    ctx.marker.current = `mcp-reliability-${ctx.marker.seed}-${ctx.marker.counter}`;
  }
  if (ctx.marker.current) args = replaceMarker(args, ctx.marker.current) as Record<string, unknown>;
  return { name, args, ...(step.role ? { role: step.role } : {}) };
}

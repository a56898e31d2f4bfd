/**
 * Roles proven before they are used. For each role a scenario needs (probe, work) that the target
 * profile or a --role flag does not fill, candidate tools are called once — arguments synthesized
 * from the input schema and from what the server offers (a directory a tool such as
 * list_allowed_directories names, the client's workspace root, a resource it lists) — and the
 * first that answers with a plain success gets the role. A candidate that errors is rejected with
 * its reason. One qualifying tool fills both roles when it is the only one. A server that lists no
 * tools at all gets MCP requests instead (probe: ping; work: a listing it offers). Roles given by
 * the profile or a flag must name a tool the server lists.
 */
import { BadInputError } from '../errors.js';
import type { ToolRole } from '../scenario/types.js';
import { bindingFor, pathsInText, roleCandidates, roleFlag, untriedReason, type SampleHints, type ToolInfo } from '../target/roles.js';
import type { RoleBinding, RoleMethod } from '../target/types.js';
import type { CallResult } from '../session/types.js';
import { errorLikeText } from '../session/outcomes.js';

export type RoleSource = 'profile' | 'flag' | 'inferred';

/** One candidate the prover looked at. */
export interface RoleTrial {
  tool: string;
  /** The role it was tried for (the first one). */
  role: ToolRole;
  verdict: 'qualified' | 'rejected' | 'not tried';
  /** Why it was rejected or not tried. */
  reason?: string;
  args?: Record<string, unknown>;
  ms?: number;
}

export interface ProvenRoles {
  roles: Partial<Record<ToolRole, RoleBinding>>;
  sources: Partial<Record<ToolRole, RoleSource>>;
  trials: RoleTrial[];
  hints: SampleHints;
  notes: string[];
}

/** What the prover needs from the session: one uncounted tool call, and (optionally) the server's resources. */
export interface TrialSession {
  /** `askedClient`: the server sent the client a request (elicitation/create, ...) during the call. */
  trialCall(name: string, args: Record<string, unknown>, timeoutMs: number): Promise<CallResult & { askedClient?: string }>;
  listResourceUris?(timeoutMs: number): Promise<string[]>;
}

export interface ProveOptions {
  tools: ToolInfo[];
  /** Roles the scenario uses that must be filled (probe, work). */
  needed: ToolRole[];
  given: Partial<Record<ToolRole, RoleBinding>>;
  givenSource: Partial<Record<ToolRole, 'profile' | 'flag'>>;
  /** Which MCP features the server declared in initialize (for tool-less servers). */
  serverCapabilities?: { resources?: unknown; prompts?: unknown; tools?: unknown };
  /** The client's own workspace root, when its profile offers one. */
  workspaceDir?: string;
  trialTimeoutMs: number;
  /** At most this many calls per role. */
  maxTrials?: number;
  /** Epoch ms after which no new trial starts. */
  deadline: number;
}

/** Roles a scenario needs that nothing fills: exit 2 before the run, with every rejected candidate's reason and a line to copy. */
export class MissingRolesError extends BadInputError {
  constructor(
    readonly roles: ToolRole[],
    readonly target: string,
    readonly tools: string[],
    readonly trials: RoleTrial[] = [],
    readonly problem = '',
  ) {
    super(missingRolesMessage(roles, target, tools, trials, problem));
    this.name = 'MissingRolesError';
  }
}

function missingRolesMessage(roles: ToolRole[], target: string, tools: string[], trials: RoleTrial[], problem: string): string {
  const lines = [`target ${target} fills no tool for role${roles.length > 1 ? 's' : ''} ${roles.join(', ')}${problem ? `: ${problem}` : ''}`];
  if (trials.length) {
    lines.push('  candidates:');
    for (const t of trials) lines.push(`    ${t.tool}${t.args ? ` ${JSON.stringify(t.args)}` : ''}: ${t.verdict}${t.reason ? ` — ${t.reason}` : ''}`);
  } else if (tools.length) {
    lines.push(`  its tools: ${tools.join(', ')}`);
  } else if (!problem) {
    lines.push('  (the server lists no tools)');
  }
  const example = trials.find((t) => t.verdict === 'rejected') ?? trials[0];
  const role = roles[0]!;
  lines.push(
    `  map ${roles.length > 1 ? 'them' : 'it'} in a target profile or with --role, arguments a real call needs included, e.g.`,
    `    ${roleFlag(role, example ? { tool: example.tool, ...(example.args ? { params: example.args } : {}) } : { tool: '<tool>' })}`,
  );
  return lines.join('\n');
}

const DIRECTORY_TOOL = /(allowed|root|workspace|director)/i;

function textOf(result: unknown): string {
  const content = (result as { content?: unknown } | null)?.content;
  if (!Array.isArray(content)) return '';
  return content.map((c) => ((c as { type?: string; text?: unknown }).type === 'text' ? String((c as { text?: unknown }).text ?? '') : '')).join('\n');
}

/** What the server offers that synthesized arguments can point at: directories and resources. */
async function gatherHints(session: TrialSession, opts: ProveOptions, trials: Map<string, { result: CallResult & { askedClient?: string }; args: Record<string, unknown> }>): Promise<SampleHints> {
  const directories: string[] = [];
  if (opts.workspaceDir) directories.push(opts.workspaceDir);
  const lister = opts.tools.find((t) => DIRECTORY_TOOL.test(t.name) && (t.inputSchema?.required?.length ?? 0) === 0 && untriedReason(t) === null);
  if (lister && Date.now() < opts.deadline) {
    const result = await session.trialCall(lister.name, {}, opts.trialTimeoutMs);
    trials.set(lister.name, { result, args: {} });
    if (result.outcome === 'ok') for (const p of pathsInText(textOf(result.result))) if (!directories.includes(p)) directories.push(p);
  }
  let resourceUris: string[] = [];
  if (opts.serverCapabilities?.resources && session.listResourceUris && Date.now() < opts.deadline) {
    resourceUris = await session.listResourceUris(opts.trialTimeoutMs).catch(() => []);
  }
  return { ...(directories.length ? { directories } : {}), ...(resourceUris.length ? { resourceUris: resourceUris.slice(0, 5) } : {}) };
}

/** The server asked the client something during the call that needs a person or a model (roots/list is routine). */
function askedOf(r: CallResult & { askedClient?: string }): string | undefined {
  return r.askedClient && r.askedClient !== 'roots/list' ? r.askedClient : undefined;
}

function judge(r: CallResult & { askedClient?: string }): string | null {
  if (r.outcome === 'ok') {
    const text = errorLikeText(r.result);
    return text === null ? null : `answered without isError, but the text reads like an error: ${text.slice(0, 120)}`;
  }
  if (r.outcome === 'tool-error') return `tool error: ${(r.error ?? '').replace(/^tool returned isError:? ?/, '').slice(0, 160) || 'isError without text'}`;
  return `${r.outcome}${r.error ? `: ${r.error.slice(0, 160)}` : ''}`;
}

/**
 * A tool-less server: MCP requests it must answer anyway stand in for tool calls. probe: ping;
 * work: a listing the server declared (resources, prompts, an empty tool list), else ping too.
 */
function methodRoles(caps: ProveOptions['serverCapabilities']): { probe: RoleBinding; work: RoleBinding } {
  const work: RoleMethod = caps?.resources ? 'resources/list' : caps?.prompts ? 'prompts/list' : caps?.tools ? 'tools/list' : 'ping';
  return { probe: { tool: 'ping', method: 'ping' }, work: { tool: work, method: work } };
}

export async function proveRoles(session: TrialSession, opts: ProveOptions): Promise<ProvenRoles> {
  const roles: Partial<Record<ToolRole, RoleBinding>> = { ...opts.given };
  const sources: Partial<Record<ToolRole, RoleSource>> = { ...opts.givenSource };
  const notes: string[] = [];
  const listed = new Set(opts.tools.map((t) => t.name));
  for (const [role, binding] of Object.entries(opts.given) as [ToolRole, RoleBinding][]) {
    if (!binding.method && opts.tools.length > 0 && !listed.has(binding.tool)) {
      throw new MissingRolesError([role], '', [...listed], [], `role ${role} maps to tool "${binding.tool}", which the server does not list (its tools: ${[...listed].join(', ')})`);
    }
  }
  const wanted = opts.needed.filter((r) => (r === 'probe' || r === 'work') && !roles[r]) as ('probe' | 'work')[];
  if (wanted.length === 0) return { roles, sources, trials: [], hints: {}, notes };

  if (opts.tools.length === 0) {
    const m = methodRoles(opts.serverCapabilities);
    for (const r of wanted) {
      roles[r] = m[r];
      sources[r] = 'inferred';
    }
    notes.push(`the server lists no tools: ${wanted.map((r) => `${r} = ${m[r].tool} requests`).join(', ')}`);
    return { roles, sources, trials: [], hints: {}, notes };
  }

  const cache = new Map<string, { result: CallResult & { askedClient?: string }; args: Record<string, unknown> }>();
  const hints = await gatherHints(session, opts, cache);
  const trials: RoleTrial[] = [];
  const record = (t: RoleTrial) => {
    if (!trials.some((x) => x.tool === t.tool)) trials.push(t);
  };
  for (const t of opts.tools) {
    const reason = untriedReason(t);
    if (reason) record({ tool: t.name, role: wanted[0]!, verdict: 'not tried', reason });
  }
  const maxTrials = opts.maxTrials ?? 8;
  const qualified = new Map<string, RoleBinding>();
  const tryFor = async (role: 'probe' | 'work', exclude: string | undefined): Promise<RoleBinding | undefined> => {
    let calls = 0;
    // A tool that needs the client's answer (elicitation, sampling) is taken only when nothing else qualifies.
    let asking: RoleBinding | undefined;
    for (const tool of roleCandidates(opts.tools, role)) {
      if (tool.name === exclude) continue;
      const known = qualified.get(tool.name);
      if (known) return known;
      const binding = bindingFor(tool, hints);
      const args = binding.params ?? {};
      let entry = cache.get(tool.name);
      if (!entry || JSON.stringify(entry.args) !== JSON.stringify(args)) {
        if (calls >= maxTrials || Date.now() >= opts.deadline) break;
        calls += 1;
        entry = { result: await session.trialCall(tool.name, args, opts.trialTimeoutMs), args };
        cache.set(tool.name, entry);
      }
      const reason = judge(entry.result);
      const asked = askedOf(entry.result);
      const note = asked ? `it asks the client (${asked}) during the call: used only when no other tool qualifies` : undefined;
      record({ tool: tool.name, role, verdict: reason === null ? 'qualified' : 'rejected', ...(reason ? { reason } : note ? { reason: note } : {}), args, ms: Math.round(entry.result.ms) });
      if (reason !== null) continue;
      if (asked) {
        asking ??= { ...binding, asksClient: asked };
        continue;
      }
      qualified.set(tool.name, binding);
      return binding;
    }
    if (asking) {
      qualified.set(asking.tool, asking);
      notes.push(`${asking.tool} asks the client (${asking.asksClient}) during each call; the client profile answers, and load steps go through the full client instead of the lean path`);
    }
    return asking;
  };

  if (wanted.includes('probe')) {
    const probe = await tryFor('probe', undefined);
    if (probe) roles.probe = probe;
  }
  if (wanted.includes('work')) {
    const work = (await tryFor('work', roles.probe?.tool)) ?? (roles.probe && !roles.probe.method ? roles.probe : undefined);
    if (work) roles.work = work;
  }
  // A server whose only qualifying tool was found for work gets it for probe too.
  if (wanted.includes('probe') && !roles.probe && roles.work && sources.work !== 'profile' && sources.work !== 'flag') roles.probe = roles.work;
  for (const r of wanted) if (roles[r]) sources[r] = 'inferred';
  const filled = wanted.filter((r) => roles[r]);
  if (filled.length) notes.push(`roles inferred from the server's tools, each proven by one call before the run: ${filled.map((r) => `${r}=${roles[r]!.tool}${Object.keys(roles[r]!.params ?? {}).length ? ` ${JSON.stringify(roles[r]!.params)}` : ''}`).join(', ')}`);
  if (roles.probe && roles.work && roles.probe.tool === roles.work.tool && wanted.length === 2) notes.push(`only ${roles.probe.tool} qualified: it plays both probe and work`);
  const missing = wanted.filter((r) => !roles[r]);
  if (missing.length) throw new MissingRolesError(missing, '', opts.tools.map((t) => t.name), trials, 'no tool qualified');
  return { roles, sources, trials, hints, notes };
}

/**
 * Before a scenario's steps: the first connection (a target that never answers MCP is a harness
 * failure with its cause, exit 3), the tool list, roles proven by one call each (role-prover.ts),
 * and the active protocol checks on their own connection (src/checks/). Every part is bounded.
 */
import { HarnessError } from '../errors.js';
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { runProtocolChecks, type CheckOutcome } from '../checks/index.js';
import type { Plan, ToolRole } from '../scenario/types.js';
import type { Session } from '../session/index.js';
import type { RoleBinding, RunningTarget, TargetProfile, ToolInfo } from '../target/index.js';
import { proveRoles, MissingRolesError, type ProvenRoles } from './role-prover.js';

/** The target could not be reached or started, or never completed the MCP handshake. */
export class TargetUnreachableError extends HarnessError {
  override name = 'TargetUnreachableError';
}

/** The last lines a local server wrote to stderr (its own account of why it failed), or ''. */
export function stderrTail(path: string | undefined, maxLines = 4, maxBytes = 2048): string {
  if (!path) return '';
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const len = Math.min(size, maxBytes);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    return buf
      .toString('utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(-maxLines)
      .join(' | ');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const AUTH_HINT = "the server wants credentials: pass them with --header 'Authorization: Bearer ${TOKEN}' (${VAR} is read from the environment and never printed)";

/** Why the first connection failed, in the user's terms: the last attempt's error, an auth hint, the server's own stderr. */
export function unreachableCause(target: TargetProfile, failures: string[], stderr: string, budgetMs: number): string {
  const last = failures.at(-1);
  const what = target.url ? `${target.name} (${target.url})` : `${target.name}${target.launch ? ` (${[target.launch.command, ...(target.launch.args ?? [])].join(' ')})` : ''}`;
  const parts = [last ? `${what} did not complete the MCP handshake: ${last}` : `${what} did not complete the MCP handshake within ${Math.round(budgetMs / 1000)} s`];
  if (failures.length > 1) parts.push(`${failures.length} attempts`);
  if (last && /\bHTTP 40[13]\b|\b40[13]\b.*(unauthori|forbidden)|unauthori[sz]ed|forbidden/i.test(last)) parts.push(AUTH_HINT);
  if (stderr) parts.push(`the server's stderr ends with: ${stderr}`);
  return parts.join('; ');
}

/** Connect the session once (its profile's retries included), within `budgetMs`; throws TargetUnreachableError with the cause. */
export async function connectFirst(session: Session, target: TargetProfile, running: RunningTarget, budgetMs: number, interrupt: AbortSignal): Promise<boolean> {
  const failures: string[] = [];
  const onFailed = (e: { error: string }) => failures.push(e.error);
  session.on('connect-failed', onFailed);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    const ok = await Promise.race([
      session.connect(),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), budgetMs);
        onAbort = () => resolve(false);
        interrupt.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
    if (ok || interrupt.aborted) return ok;
    throw new TargetUnreachableError(unreachableCause(target, failures, stderrTail(running.stderrPath), budgetMs));
  } finally {
    clearTimeout(timer);
    if (onAbort) interrupt.removeEventListener('abort', onAbort);
    session.off('connect-failed', onFailed);
  }
}

export interface RolesInput {
  plan: Plan;
  target: TargetProfile;
  session: Session;
  tools: ToolInfo[];
  workspaceDir?: string;
  trialTimeoutMs: number;
  deadline: number;
}

/** Roles for the run: the profile's and the flags', the rest proven by one call each. MissingRolesError (exit 2) names the target. */
export async function rolesFor(input: RolesInput): Promise<ProvenRoles> {
  const given: Partial<Record<ToolRole, RoleBinding>> = { ...input.target.roles };
  const flagged = new Set(input.target.roleFlags ?? []);
  const givenSource: Partial<Record<ToolRole, 'profile' | 'flag'>> = {};
  for (const role of Object.keys(given) as ToolRole[]) givenSource[role] = flagged.has(role) ? 'flag' : 'profile';
  try {
    return await proveRoles(input.session, {
      tools: input.tools,
      needed: input.plan.rolesUsed,
      given,
      givenSource,
      ...(input.session.serverCapabilities ? { serverCapabilities: input.session.serverCapabilities } : {}),
      ...(input.workspaceDir ? { workspaceDir: input.workspaceDir } : {}),
      trialTimeoutMs: input.trialTimeoutMs,
      deadline: input.deadline,
    });
  } catch (err) {
    if (err instanceof MissingRolesError) throw new MissingRolesError(err.roles, input.target.name, err.tools, err.trials, err.problem);
    throw err;
  }
}

/** The active protocol checks against the target itself (not through the chaos proxy), on their own connection or process. */
export async function protocolChecks(running: RunningTarget, clientVersion: string, signal: AbortSignal): Promise<CheckOutcome[]> {
  const ep = running.endpoint;
  const spawn = running.spawnDetached;
  return runProtocolChecks(
    {
      transport: ep.transport,
      ...(ep.url ? { url: ep.url } : {}),
      ...(ep.headers ? { headers: ep.headers } : {}),
      ...(ep.transport === 'stdio' && spawn ? { spawn: () => spawn() } : {}),
    },
    { timeoutMs: 3000, clientInfo: { name: 'mcp-reliability-checks', version: clientVersion }, signal },
  );
}

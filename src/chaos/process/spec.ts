/**
 * Process fault specs as scenarios write them, and their validation in words. Pure: the scenario
 * validator reuses validateProcessFault (with the target's context when it knows it), and the
 * fault adapter refuses a spec it reports problems for.
 */
import type { TransportKind } from '../../contracts.js';

export type ProcessFaultSpec =
  /** SIGSTOP the server's whole process group; lifted with SIGCONT. */
  | { kind: 'pause' }
  /** SIGKILL the server (its group). Network targets restart on the same port after restartAfterMs, or when lifted. */
  | { kind: 'kill'; restartAfterMs?: number }
  /** SIGTERM the server (graceful stop); restarts like `kill`. */
  | { kind: 'terminate'; restartAfterMs?: number }
  /** Network targets: stop the server and start it again on the same port (one-shot; lifting does nothing). */
  | { kind: 'restart' }
  /** stdio: every chunk of the server's stdout is delayed delayMs ± jitterMs (uniform), order kept. */
  | { kind: 'stdout-delay'; delayMs: number; jitterMs?: number }
  /** stdio: everything the server writes is held until the fault is lifted, then released in order. */
  | { kind: 'stdout-stall' }
  /** stdio: the next message arrives without its newline; the newline and all after it wait until lifted. */
  | { kind: 'partial-line' };

export type ProcessFaultKind = ProcessFaultSpec['kind'];

/** Where the fault would run: the target's transport, and whether this tool started its server. */
export interface ProcessFaultContext {
  transport: TransportKind;
  /** False for a remote target (a URL, no `launch`): there is no process to signal. */
  local: boolean;
  /** The server runs in a container this tool can act on (the target names its Compose service): pause, kill, terminate and restart act on the container. */
  container?: boolean;
  /** Name for messages, e.g. the target profile's name. */
  target?: string;
}

/** Every field of a process fault is a duration in ms, ≥ 0. */
interface FieldRule {
  required?: boolean;
}

const RULES: Record<ProcessFaultKind, Record<string, FieldRule>> = {
  pause: {},
  kill: { restartAfterMs: {} },
  terminate: { restartAfterMs: {} },
  restart: {},
  'stdout-delay': { delayMs: { required: true }, jitterMs: {} },
  'stdout-stall': {},
  'partial-line': {},
};

export const PROCESS_FAULT_KINDS = Object.keys(RULES) as readonly ProcessFaultKind[];
/** Kinds that act on the stdout pipe of a stdio server. */
export const STDIO_ONLY_KINDS: readonly ProcessFaultKind[] = ['stdout-delay', 'stdout-stall', 'partial-line'];
/** Kinds that need a local network server (stdio has no server to restart: the client spawns one per connection). */
export const NETWORK_ONLY_KINDS: readonly ProcessFaultKind[] = ['restart'];

export function isProcessFaultKind(kind: unknown): kind is ProcessFaultKind {
  return typeof kind === 'string' && Object.hasOwn(RULES, kind);
}

/**
 * Problems with a process fault spec, in words (empty when valid). Accepts any parsed JSON. With a
 * context (or just a transport) it also checks that the fault can act on that target.
 */
export function validateProcessFault(spec: unknown, context?: TransportKind | ProcessFaultContext): string[] {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return ['a process fault must be an object with a "kind"'];
  const record = spec as Record<string, unknown>;
  const kind = record.kind;
  if (!isProcessFaultKind(kind)) return [`unknown process fault kind ${JSON.stringify(kind)} (known: ${PROCESS_FAULT_KINDS.join(', ')})`];
  const rules = RULES[kind];
  const problems: string[] = [];
  for (const [field, rule] of Object.entries(rules)) {
    const problem = checkMs(record[field], rule);
    if (problem) problems.push(`${kind}: ${field} ${problem}`);
  }
  const known = ['kind', ...Object.keys(rules)];
  for (const field of Object.keys(record)) {
    if (!known.includes(field)) problems.push(`${kind}: unknown field "${field}" (known: ${known.join(', ')})`);
  }
  if (problems.length === 0 && kind === 'stdout-delay') {
    const { delayMs, jitterMs = 0 } = record as { delayMs: number; jitterMs?: number };
    if (jitterMs > delayMs) problems.push(`stdout-delay: jitterMs (${jitterMs}) must not exceed delayMs (${delayMs}): delays cannot be negative`);
  }
  if (context !== undefined) problems.push(...contextProblems(record, kind, typeof context === 'string' ? { transport: context, local: true } : context));
  return problems;
}

function checkMs(value: unknown, rule: FieldRule): string | undefined {
  if (value === undefined) return rule.required ? 'is required' : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a number of ms (got ${JSON.stringify(value)})`;
  if (value < 0) return `must be at least 0 ms (got ${value})`;
  return undefined;
}

function contextProblems(spec: Record<string, unknown>, kind: ProcessFaultKind, ctx: ProcessFaultContext): string[] {
  const name = ctx.target ? `target "${ctx.target}"` : 'the target';
  const isStdio = ctx.transport === 'stdio';
  if (!ctx.local && !ctx.container && !isStdio) {
    return [`${kind}: ${name} is remote (${ctx.transport}, not started by this tool): there is no local server process to signal; use a network fault through the proxy instead`];
  }
  if (STDIO_ONLY_KINDS.includes(kind) && !isStdio) {
    return [`${kind}: acts on a stdio server's stdout, but ${name} uses ${ctx.transport}; for a network target use a network fault (latency, blackhole, slicer)`];
  }
  if (NETWORK_ONLY_KINDS.includes(kind) && isStdio) {
    return [`${kind}: ${name} is a stdio target: each connection spawns its own server, so there is nothing to restart; use "kill" or "terminate" (the client's reconnect spawns a fresh process)`];
  }
  if (isStdio && spec.restartAfterMs !== undefined) {
    return [`${kind}: restartAfterMs has no meaning for stdio ${name}: the client's reconnect spawns a fresh process; omit it`];
  }
  return [];
}

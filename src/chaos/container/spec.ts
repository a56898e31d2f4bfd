/**
 * Container fault specs as scenarios write them, and their validation in words. Pure (no Docker):
 * the scenario validator reuses validateContainerFault, the fault adapter refuses a spec it reports
 * problems for. The process kinds pause, kill, terminate and restart also act on a container (as
 * docker pause, kill, kill --signal SIGTERM and restart); their specs stay process specs.
 */
import type { ProcessFaultSpec } from '../process/spec.js';

export type ContainerFaultSpec =
  /** docker stop (stop signal, then SIGKILL after timeoutSeconds); lifted with docker start. */
  | { kind: 'stop'; timeoutSeconds?: number }
  /** Disconnect the container from its networks (or one); lifted by reconnecting with the same aliases. */
  | { kind: 'network-disconnect'; network?: string }
  /** Lower the container's memory limit (no swap) to memoryBytes; lifted by restoring the previous limits. */
  | { kind: 'memory-squeeze'; memoryBytes: number }
  /** Kernel netem on the container's interfaces (what the server sends): delay ± jitter, random loss. */
  | { kind: 'netem'; latencyMs?: number; jitterMs?: number; lossPercent?: number; correlationPercent?: number; device?: string };

export type ContainerFaultKind = ContainerFaultSpec['kind'];

/** Process kinds with a container equivalent: on a container target they act on the container. */
export const CONTAINER_EQUIVALENT_KINDS = ['pause', 'kill', 'terminate', 'restart'] as const;
export type ContainerEquivalentSpec = Extract<ProcessFaultSpec, { kind: (typeof CONTAINER_EQUIVALENT_KINDS)[number] }>;
/** Every spec a container target can have acted on its container. */
export type ContainerTargetFaultSpec = ContainerFaultSpec | ContainerEquivalentSpec;

/** Docker's minimum memory limit (the engine refuses less: "Minimum memory limit allowed is 6MB"). */
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;

interface FieldRule {
  type: 'number' | 'string';
  required?: boolean;
  min?: number;
  max?: number;
  integer?: boolean;
  unit?: string;
  /** Why the minimum is what it is, appended to the "at least" message. */
  minWhy?: string;
  /** string: the pattern a value must match, and its words. */
  pattern?: RegExp;
  patternWords?: string;
}

const ms: FieldRule = { type: 'number', min: 0, unit: 'ms' };
const percent: FieldRule = { type: 'number', min: 0, max: 100, unit: '%' };

const RULES: Record<ContainerFaultKind, Record<string, FieldRule>> = {
  stop: { timeoutSeconds: { type: 'number', min: 0, integer: true, unit: 's' } },
  'network-disconnect': {
    network: { type: 'string', pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, patternWords: 'a Docker network name (letters, digits, "_", ".", "-")' },
  },
  'memory-squeeze': {
    memoryBytes: { type: 'number', required: true, min: MIN_MEMORY_BYTES, integer: true, unit: 'bytes', minWhy: "6 MiB, Docker's minimum memory limit" },
  },
  netem: {
    latencyMs: ms,
    jitterMs: ms,
    lossPercent: percent,
    correlationPercent: percent,
    device: { type: 'string', pattern: /^[A-Za-z0-9_.:@-]{1,15}$/, patternWords: 'a network interface name such as eth0 (at most 15 characters)' },
  },
};

export const CONTAINER_FAULT_KINDS = Object.keys(RULES) as readonly ContainerFaultKind[];

export function isContainerFaultKind(kind: unknown): kind is ContainerFaultKind {
  return typeof kind === 'string' && Object.hasOwn(RULES, kind);
}

/** Whether this kind acts on the container of a container target (container-only kinds and their process equivalents). */
export function actsOnContainer(kind: unknown): kind is ContainerTargetFaultSpec['kind'] {
  return isContainerFaultKind(kind) || (CONTAINER_EQUIVALENT_KINDS as readonly unknown[]).includes(kind);
}

/** Where the fault would run: whether the target names a container (a Compose service). */
export interface ContainerFaultContext {
  container: boolean;
  /** Name for messages, e.g. the target profile's name. */
  target?: string;
}

/**
 * Problems with a container fault spec, in words (empty when valid), each starting `<kind>: ` and,
 * when it is about one field, with that field's name. Accepts any parsed JSON. With a context it
 * also checks that the target has a container to act on.
 */
export function validateContainerFault(spec: unknown, context?: ContainerFaultContext): string[] {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return ['a container fault must be an object with a "kind"'];
  const record = spec as Record<string, unknown>;
  const kind = record.kind;
  if (!isContainerFaultKind(kind)) return [`unknown container fault kind ${JSON.stringify(kind)} (known: ${CONTAINER_FAULT_KINDS.join(', ')})`];
  const rules = RULES[kind];
  const problems: string[] = [];
  for (const [field, rule] of Object.entries(rules)) {
    const problem = checkField(record[field], rule);
    if (problem) problems.push(`${kind}: ${field} ${problem}`);
  }
  const known = ['kind', ...Object.keys(rules)];
  for (const field of Object.keys(record)) {
    if (!known.includes(field)) problems.push(`${kind}: unknown field "${field}" (known: ${known.join(', ')})`);
  }
  if (problems.length === 0 && kind === 'netem') problems.push(...netemChecks(record));
  if (context !== undefined && !context.container) {
    const name = context.target ? `target "${context.target}"` : 'the target';
    problems.push(
      `${kind}: needs a container target: run the scenario in the Compose stack (\`mcp-reliability stack\`), where the target names the server's container ("container": {"service", "project"}); ${name} has none`,
    );
  }
  return problems;
}

function checkField(value: unknown, rule: FieldRule): string | undefined {
  if (value === undefined) return rule.required ? 'is required' : undefined;
  if (rule.type === 'string') {
    if (typeof value !== 'string' || value === '') return `must be a non-empty string (got ${JSON.stringify(value)})`;
    if (rule.pattern && !rule.pattern.test(value)) return `must be ${rule.patternWords ?? `a string matching ${rule.pattern}`} (got ${JSON.stringify(value)})`;
    return undefined;
  }
  const unit = rule.unit ? ` ${rule.unit}` : '';
  if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a number${unit ? ` of${unit}` : ''} (got ${JSON.stringify(value)})`;
  if (rule.min !== undefined && value < rule.min) return `must be at least ${rule.min}${unit}${rule.minWhy ? ` (${rule.minWhy})` : ''} (got ${value})`;
  if (rule.max !== undefined && value > rule.max) return `must be at most ${rule.max}${unit} (got ${value})`;
  if (rule.integer && !Number.isInteger(value)) return `must be a whole number of${unit} (got ${value})`;
  return undefined;
}

function netemChecks(spec: Record<string, unknown>): string[] {
  const { latencyMs, jitterMs, lossPercent } = spec as { latencyMs?: number; jitterMs?: number; lossPercent?: number };
  if (latencyMs === undefined && lossPercent === undefined) return ['netem: needs latencyMs or lossPercent (or both): nothing to emulate'];
  if (jitterMs !== undefined && latencyMs === undefined) return ['netem: jitterMs needs latencyMs: jitter varies a delay'];
  if (jitterMs !== undefined && latencyMs !== undefined && jitterMs > latencyMs) {
    return [`netem: jitterMs (${jitterMs}) must not exceed latencyMs (${latencyMs}): delays cannot be negative`];
  }
  return [];
}

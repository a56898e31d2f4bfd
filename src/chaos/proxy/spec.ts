/**
 * Network fault specs as scenarios write them, and their validation in words. Pure: the scenario
 * validator reuses validateNetworkFault, the fault adapter refuses a spec it reports problems for.
 */
import type { DirectionOption, Scope } from './types.js';

interface Common {
  direction?: DirectionOption;
  scope?: Scope;
}

export type NetworkFaultSpec = Common &
  (
    | { kind: 'latency'; latencyMs: number; jitterMs?: number; correlation?: number }
    | { kind: 'loss'; percent: number; initialRtoMs?: number; mssBytes?: number }
    | { kind: 'bandwidth'; bytesPerSecond: number; burstBytes?: number }
    | { kind: 'slicer'; sizeBytes: number; variationBytes?: number; delayMs?: number }
    | { kind: 'reset'; afterMs?: number; afterBytes?: number }
    | { kind: 'blackhole' }
    | { kind: 'down'; resetExisting?: boolean }
    | { kind: 'idle-cut'; idleMs: number; rst?: boolean }
  );

export type NetworkFaultKind = NetworkFaultSpec['kind'];

interface FieldRule {
  type: 'number' | 'boolean';
  required?: boolean;
  min?: number;
  /** The minimum itself is not allowed (rates, sizes). */
  exclusiveMin?: boolean;
  max?: number;
  integer?: boolean;
  unit?: string;
}

const ms = (required = false): FieldRule => ({ type: 'number', required, min: 0, unit: 'ms' });
const bytes = (required = false, exclusiveMin = false): FieldRule => ({ type: 'number', required, min: 0, exclusiveMin, integer: true, unit: 'bytes' });

const RULES: Record<NetworkFaultKind, Record<string, FieldRule>> = {
  latency: { latencyMs: ms(true), jitterMs: ms(), correlation: { type: 'number', min: 0, max: 1 } },
  loss: { percent: { type: 'number', required: true, min: 0, max: 100, unit: '%' }, initialRtoMs: { ...ms(), exclusiveMin: true }, mssBytes: bytes(false, true) },
  bandwidth: { bytesPerSecond: { type: 'number', required: true, min: 0, exclusiveMin: true, unit: 'bytes/s' }, burstBytes: bytes(false, true) },
  slicer: { sizeBytes: bytes(true, true), variationBytes: bytes(), delayMs: ms() },
  reset: { afterMs: ms(), afterBytes: bytes() },
  blackhole: {},
  down: { resetExisting: { type: 'boolean' } },
  'idle-cut': { idleMs: { ...ms(true), exclusiveMin: true }, rst: { type: 'boolean' } },
};

export const NETWORK_FAULT_KINDS = Object.keys(RULES) as readonly NetworkFaultKind[];

const DIRECTIONS = ['upstream', 'downstream', 'both'];
const SCOPES = ['new', 'all'];

/** Problems with a network fault spec, in words (empty when valid). Accepts any parsed JSON. */
export function validateNetworkFault(spec: unknown): string[] {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return ['a network fault must be an object with a "kind"'];
  const record = spec as Record<string, unknown>;
  const kind = record.kind;
  if (typeof kind !== 'string' || !(kind in RULES)) {
    return [`unknown network fault kind ${JSON.stringify(kind)} (known: ${NETWORK_FAULT_KINDS.join(', ')})`];
  }
  const rules = RULES[kind as NetworkFaultKind];
  const problems: string[] = [];
  for (const [field, rule] of Object.entries(rules)) {
    const problem = checkField(record[field], rule);
    if (problem) problems.push(`${kind}: ${field} ${problem}`);
  }
  if (record.direction !== undefined && !DIRECTIONS.includes(record.direction as string)) {
    problems.push(`${kind}: direction must be one of ${DIRECTIONS.join(', ')} (got ${JSON.stringify(record.direction)})`);
  }
  if (record.scope !== undefined && !SCOPES.includes(record.scope as string)) {
    problems.push(`${kind}: scope must be one of ${SCOPES.join(', ')} (got ${JSON.stringify(record.scope)})`);
  }
  const known = new Set(['kind', 'direction', 'scope', ...Object.keys(rules)]);
  for (const field of Object.keys(record)) {
    if (!known.has(field)) problems.push(`${kind}: unknown field "${field}" (known: ${[...known].join(', ')})`);
  }
  if (problems.length === 0) problems.push(...crossChecks(record, kind as NetworkFaultKind));
  return problems;
}

function checkField(value: unknown, rule: FieldRule): string | undefined {
  if (value === undefined) return rule.required ? 'is required' : undefined;
  if (rule.type === 'boolean') return typeof value === 'boolean' ? undefined : `must be true or false (got ${JSON.stringify(value)})`;
  if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a number (got ${JSON.stringify(value)})`;
  const unit = rule.unit ? ` ${rule.unit}` : '';
  if (rule.min !== undefined && (value < rule.min || (rule.exclusiveMin && value === rule.min))) {
    return `must be ${rule.exclusiveMin ? 'greater than' : 'at least'} ${rule.min}${unit} (got ${value})`;
  }
  if (rule.max !== undefined && value > rule.max) return `must be at most ${rule.max}${unit} (got ${value})`;
  if (rule.integer && !Number.isInteger(value)) return `must be a whole number of${unit} (got ${value})`;
  return undefined;
}

function crossChecks(spec: Record<string, unknown>, kind: NetworkFaultKind): string[] {
  const n = (field: string) => (spec[field] as number | undefined) ?? 0;
  if (kind === 'latency' && n('jitterMs') > n('latencyMs')) {
    return [`latency: jitterMs (${n('jitterMs')}) must not exceed latencyMs (${n('latencyMs')}): delays cannot be negative`];
  }
  if (kind === 'slicer' && n('variationBytes') >= n('sizeBytes')) {
    return [`slicer: variationBytes (${n('variationBytes')}) must be smaller than sizeBytes (${n('sizeBytes')})`];
  }
  if (kind === 'down' && spec.scope === 'new') {
    return ['down: scope "new" is meaningless (a down proxy accepts no new connection); omit it or use "all"'];
  }
  return [];
}

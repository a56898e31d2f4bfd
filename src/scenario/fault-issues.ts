/**
 * Fault checks a schema cannot express: each fault's parameters through the fault's own validator
 * (validateNetworkFault / validateProcessFault / validateContainerFault, their words turned into issues with pointers such
 * as `/steps/3/fault/percent`), fault ids, chaos timing, faults copied by parallel, and fault SLOs
 * without any fault. Whether the target can have a fault is checked later, against the target
 * (src/run/fault-plan.ts), because only then is the target known.
 */
import { faultFamily, isContainerFaultKind, MIN_MEMORY_BYTES, validateChaosSchedule, validateContainerFault, validateNetworkFault, validateProcessFault } from '../chaos/index.js';
import { escapePointerToken } from './json-source.js';
import { didYouMean } from './suggest.js';
import type { ValidationIssue } from './types.js';
import { isObject, walkSteps, type Json } from './walk.js';

type Issue = Omit<ValidationIssue, 'file'>;

/** Problems with one fault spec's parameters, in the validator's words (no target context). */
function problemsOf(spec: Json): string[] {
  if (isContainerFaultKind(spec.kind)) return validateContainerFault(spec);
  const family = faultFamily(spec.kind);
  if (family === 'network') return validateNetworkFault(spec);
  if (family === 'process') return validateProcessFault(spec);
  return [];
}

/** The fields a fault kind takes (besides `kind`), read from its validator's own "unknown field" answer. */
export function faultFields(kind: string): string[] {
  const probe = problemsOf({ kind, '\u0000': 0 }).find((p) => p.includes('unknown field'));
  const known = /\(known: (.*)\)$/.exec(probe ?? '')?.[1];
  return known ? known.split(', ').filter((f) => f !== 'kind') : [];
}

/** The field a validator problem is about (`loss: percent must be …` → `percent`), if it names one. */
function fieldOf(problem: string, spec: Json, fields: readonly string[]): string | undefined {
  const rest = problem.replace(/^[a-z-]+: /, '');
  const unknown = /^unknown field "(.*)"/.exec(rest);
  if (unknown) return unknown[1];
  const first = /^([A-Za-z]+)\b/.exec(rest)?.[1];
  return first !== undefined && (first in spec || fields.includes(first)) ? first : undefined;
}

/** `a latency fault`, `an idle-cut fault`. */
export function aFault(kind: string): string {
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} fault`;
}

function hintFor(problem: string, kind: string, field: string | undefined, fields: readonly string[]): string {
  const takes = fields.length > 0 ? `${aFault(kind)} takes ${fields.join(', ')}` : `${aFault(kind)} takes no fields besides "kind"`;
  if (/unknown field/.test(problem)) return (field !== undefined ? didYouMean(field, fields) : undefined) ?? takes;
  if (field === 'percent') return 'a percentage from 0 to 100: 5 means 5 % of segments are lost (and retransmitted)';
  if (field === 'lossPercent') return 'a percentage from 0 to 100: 5 means 5 % of the packets the server sends are dropped (TCP retransmits them)';
  if (field === 'memoryBytes') return `the new memory limit in bytes, e.g. 67108864 (64 MiB); Docker refuses limits below ${MIN_MEMORY_BYTES} (6 MiB)`;
  if (/needs latencyMs or lossPercent/.test(problem)) return 'e.g. {"kind": "netem", "latencyMs": 100, "jitterMs": 20} or {"kind": "netem", "lossPercent": 5}';
  if (/must be (at least|greater than) 0/.test(problem)) return `${field ?? 'it'} is a ${/Ms$/.test(field ?? '') ? 'time in milliseconds' : 'size or rate'}: a negative value means nothing`;
  if (/is required/.test(problem)) return takes;
  if (/must not exceed|must be smaller/.test(problem)) return 'the variation is drawn on both sides of the value, so it cannot be larger than the value itself';
  if (/restartAfterMs has no meaning for stdio/.test(problem)) return 'omit restartAfterMs';
  return takes;
}

/** Issues for one fault spec at `pointer` (`/steps/3/fault`, `/steps/4/faults/1`). Unknown kinds are the schema's to report. */
export function faultSpecIssues(spec: unknown, pointer: string): Issue[] {
  if (!isObject(spec) || faultFamily(spec.kind) === undefined) return [];
  const kind = String(spec.kind);
  const fields = faultFields(kind);
  return problemsOf(spec).map((problem) => {
    const field = fieldOf(problem, spec, fields);
    return {
      pointer: field !== undefined ? `${pointer}/${escapePointerToken(field)}` : pointer,
      message: `${kind} fault: ${problem.replace(/^[a-z-]+: /, '')}`,
      expected: fields.length > 0 ? `the fields of ${aFault(kind)}: ${fields.join(', ')}` : `${aFault(kind)} has no fields besides "kind"`,
      hint: hintFor(problem, kind, field, fields),
    };
  });
}

/** Fault parameters, ids, chaos timing, and faults inside parallel — for every step of the document. */
export function faultStepIssues(steps: unknown): Issue[] {
  const issues: Issue[] = [];
  const ids = new Map<string, string>();
  const stops: { id: string; pointer: string }[] = [];
  walkSteps(steps, '/steps', (step, pointer, enclosing) => {
    const action = step.action;
    if (action !== 'fault' && action !== 'chaos' && action !== 'fault-stop') return;
    if (enclosing.includes('parallel')) {
      issues.push({
        pointer: `${pointer}/action`,
        message: `a "${action}" step cannot run inside parallel`,
        expected: 'fault, fault-stop and chaos steps outside any parallel step',
        hint: 'parallel runs count copies of its steps at once, which would inject the same fault count times; put the fault step before or after the parallel step, or run traffic with "background": true',
      });
    }
    if (action === 'fault') issues.push(...faultSpecIssues(step.fault, `${pointer}/fault`));
    if (action === 'chaos' && Array.isArray(step.faults)) step.faults.forEach((f, i) => issues.push(...faultSpecIssues(f, `${pointer}/faults/${i}`)));
    if (action === 'chaos' && typeof step.interval === 'number' && typeof step.hold === 'number' && step.hold >= step.interval) {
      const [problem] = validateChaosSchedule({ intervalMs: step.interval, holdMs: step.hold, faultCount: 1 });
      issues.push({ pointer: `${pointer}/hold`, message: problem ?? 'hold must be shorter than interval', expected: `a hold shorter than the interval (${step.interval} ms)`, hint: 'e.g. "interval": 8000, "hold": 3000: a fault every 8 s, each held 3 s' });
    }
    if (typeof step.id !== 'string') return;
    if (action === 'fault-stop') stops.push({ id: step.id, pointer: `${pointer}/id` });
    else if (action === 'fault') {
      const first = ids.get(step.id);
      if (first === undefined) ids.set(step.id, pointer);
      else issues.push({ pointer: `${pointer}/id`, message: `fault id "${step.id}" is already used by ${first}`, expected: 'a fault id used by one fault step only', hint: 'give each fault step its own id, so a fault-stop step names exactly one' });
    }
  });
  const known = [...ids.keys()];
  for (const stop of stops) {
    if (ids.has(stop.id)) continue;
    issues.push({
      pointer: stop.pointer,
      message: `no fault step has the id "${stop.id}"`,
      expected: known.length > 0 ? `one of ${known.map((k) => `"${k}"`).join(', ')}` : 'the id of a fault step (none has one)',
      hint: didYouMean(stop.id, known) ?? 'give the fault step to lift an "id", or omit "id" here to lift every running fault',
    });
  }
  return issues;
}

/** faultRecoverWithinSeconds / faultDetectWithinSeconds with no fault to measure. */
export function faultExpectIssues(expect: unknown, steps: unknown): Issue[] {
  if (!isObject(expect)) return [];
  let injects = false;
  walkSteps(steps, '/steps', (step) => (injects ||= step.action === 'fault' || step.action === 'chaos'));
  if (injects) return [];
  return ['faultRecoverWithinSeconds', 'faultDetectWithinSeconds']
    .filter((key) => expect[key] !== undefined)
    .map((key) => ({
      pointer: `/expect/${key}`,
      message: `"${key}" needs a fault or chaos step, and the scenario has none`,
      expected: 'at least one {"action": "fault", ...} or {"action": "chaos", ...} step',
      hint: `add e.g. {"action": "fault", "fault": {"kind": "reset"}, "duration": 0}, or remove "${key}"`,
    }));
}

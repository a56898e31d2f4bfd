/**
 * Faults × target, decided before anything starts: which faults a target cannot have (a network
 * fault on a stdio target, a process fault on a remote server, a stdio pipe fault on a network
 * target, a restart of a stdio server, a container-only fault on a target without a container…).
 * A target with `container` (a server in a Compose stack) counts as local for pause, kill,
 * terminate and restart: they act on its container. A step that needs an impossible fault is bad
 * input (exit 2, with the step's pointer, the fault kind and the transport); an `optional` one is
 * skipped with a report note; a chaos step drops the faults the target cannot have when it is
 * optional. Also says whether the chaos proxy is needed (some network fault will run, or a netem
 * fault on a container target, which falls back to the proxy where the kernel has no netem).
 */
import { relative, isAbsolute } from 'node:path';
import { faultFamily, isContainerFaultKind, validateContainerFault, validateProcessFault, type FaultSpec } from '../chaos/index.js';
import type { Plan, Step, ValidationIssue } from '../scenario/types.js';
import type { TargetProfile } from '../target/types.js';

export interface FaultPlan {
  /** Every step object of the plan → its JSON pointer (`/steps/3`, `/steps/4/steps/1`). */
  pointers: Map<Step, string>;
  /** Optional fault/chaos steps this target cannot have: skipped, with the reason. */
  skipped: Map<Step, { kind: string; reason: string }>;
  /** Optional chaos steps: indexes of `faults` this target cannot have, with the reason. */
  excluded: Map<Step, Map<number, string>>;
  /** A network fault will run: put the chaos proxy between the session and the target. */
  needsProxy: boolean;
  /** Faults a non-optional step needs and the target cannot have. */
  issues: ValidationIssue[];
}

const NETWORK_TRANSPORTS = 'streamable-http, sse or websocket';

/** Why `target` cannot have `spec`, as an issue body (no file, no pointer); undefined when it can. */
export function faultTargetProblem(spec: FaultSpec, target: TargetProfile): Pick<ValidationIssue, 'message' | 'expected' | 'hint'> | undefined {
  const kind = spec.kind;
  const family = faultFamily(kind);
  const optionalHint = 'or mark the step "optional": true to skip this fault (with a note in the report) on targets that cannot have it';
  if (isContainerFaultKind(kind)) {
    const problems = validateContainerFault(spec, { container: target.container !== undefined, target: target.name }).filter((p) => !validateContainerFault(spec).includes(p));
    if (problems.length === 0) return undefined;
    return {
      message: `"${kind}" fault on target "${target.name}" (${target.transport}): ${problems.map((p) => p.replace(/^[a-z-]+: /, '')).join('; ')}`,
      expected: 'a target with "container": {"service", "project"} (the server runs in a Compose service)',
      hint: `run the scenario with \`mcp-reliability stack\`, whose target names the server's container; ${optionalHint}`,
    };
  }
  if (family === 'network') {
    if (target.transport === 'stdio') {
      return {
        message: `"${kind}" is a network fault, but target "${target.name}" uses stdio: there is no connection for the chaos proxy to act on`,
        expected: `a network target (${NETWORK_TRANSPORTS})`,
        hint: `run this scenario against a network target, e.g. --target everything-http; ${optionalHint}`,
      };
    }
    if (target.url && /^(https|wss):/i.test(target.url)) {
      return {
        message: `"${kind}" is a network fault, but target "${target.name}" is reached over TLS (${new URL(target.url).protocol}//): the chaos proxy relays plain TCP on 127.0.0.1, where the server's certificate would not match`,
        expected: 'a plain http:// or ws:// target URL',
        hint: `test a plain-TCP endpoint of the server (e.g. a local instance); ${optionalHint}`,
      };
    }
    return undefined;
  }
  if (family === 'process') {
    const context = { transport: target.transport, local: target.launch !== undefined, container: target.container !== undefined, target: target.name };
    const paramProblems = new Set(validateProcessFault(spec));
    const problems = validateProcessFault(spec, context).filter((p) => !paramProblems.has(p));
    if (problems.length === 0) return undefined;
    const where = context.container ? ', in a container' : context.local ? '' : ', remote';
    return {
      message: `"${kind}" fault on target "${target.name}" (${target.transport}${where}): ${problems.map((p) => p.replace(/^[a-z-]+: /, '')).join('; ')}`,
      expected:
        target.transport === 'stdio'
          ? 'a process fault that works on a stdio server (pause, kill, terminate, stdout-delay, stdout-stall, partial-line)'
          : 'a target this tool starts itself (a profile with "launch") or a container target (the Compose stack), and a fault for its transport',
      hint: optionalHint.replace(/^or m/, 'M'),
    };
  }
  return undefined;
}

/** A netem fault on this target may fall back to the chaos proxy: a container target reached over plain TCP (the proxy cannot relay TLS). */
function netemFallbackPossible(target: TargetProfile): boolean {
  return target.container !== undefined && target.transport !== 'stdio' && !(target.url !== undefined && /^(https|wss):/i.test(target.url));
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function walk(steps: readonly Step[], base: string, visit: (step: Step, pointer: string) => void): void {
  steps.forEach((step, i) => {
    const pointer = `${base}/${i}`;
    visit(step, pointer);
    if (step.steps) walk(step.steps, `${pointer}/steps`, visit);
  });
}

export function planFaults(plan: Plan, target: TargetProfile): FaultPlan {
  const out: FaultPlan = { pointers: new Map(), skipped: new Map(), excluded: new Map(), needsProxy: false, issues: [] };
  const file = plan.source.startsWith('<') ? plan.source : displayPath(plan.source);
  walk(plan.scenario.steps, '/steps', (step, pointer) => {
    out.pointers.set(step, pointer);
    const specs: [FaultSpec, string][] =
      step.action === 'fault' && step.fault ? [[step.fault, `${pointer}/fault`]] : step.action === 'chaos' ? (step.faults ?? []).map((f, i) => [f, `${pointer}/faults/${i}`]) : [];
    const runnable: FaultSpec[] = [];
    const excluded = new Map<number, string>();
    specs.forEach(([spec, at], i) => {
      const problem = faultTargetProblem(spec, target);
      if (!problem) runnable.push(spec);
      else if (step.optional) excluded.set(i, problem.message);
      else out.issues.push({ file, pointer: at, ...problem });
    });
    if (step.optional && specs.length > 0 && runnable.length === 0) {
      out.skipped.set(step, { kind: specs.map(([s]) => s.kind).join(', '), reason: [...new Set(excluded.values())].join('; ') });
    } else if (excluded.size > 0) out.excluded.set(step, excluded);
    if (runnable.some((s) => faultFamily(s.kind) === 'network' || (s.kind === 'netem' && netemFallbackPossible(target)))) out.needsProxy = true;
  });
  return out;
}

/**
 * Scenario file format (what users write) and the validated Plan the runner executes.
 *
 * The seed format `{name, description, steps[]}` with steps
 * `{action, description?, tool?, params?, count?, interval?, duration?, steps?}` stays valid;
 * `expect`, `role`, `soak`, `load` and the fault steps (`fault`, `fault-stop`, `chaos`) are our
 * extensions. Times in files are milliseconds.
 */
import type { RegressionLimits } from '../report/result.js';
import type { FaultSpec } from '../chaos/index.js';

export type { FaultSpec } from '../chaos/index.js';

/** Tool roles a scenario may name; a target profile maps each to a real tool and its arguments. */
export const TOOL_ROLES = ['probe', 'work', 'state-write', 'state-read'] as const;
export type ToolRole = (typeof TOOL_ROLES)[number];

export const STEP_ACTIONS = [
  'connect',
  'initialize',
  'call-tool',
  'list-tools',
  'ping',
  'repeat',
  'parallel',
  'wait',
  'verify-state',
  'disconnect',
  'force-disconnect',
  'reconnect',
  'soak',
  'load',
  'fault',
  'fault-stop',
  'chaos',
] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

export interface Step {
  action: StepAction;
  description?: string;
  /** A literal tool name (seed format). Mutually exclusive with `role`. */
  tool?: string;
  /** A tool role resolved through the target profile. */
  role?: ToolRole;
  /** Tool arguments; strings may hold `{{index}}`, `{{iteration}}`, `{{timestamp}}`. Overrides the role's defaults. */
  params?: Record<string, unknown>;
  /** repeat: iterations; parallel: concurrent copies; call-tool/list-tools/ping: how many calls in sequence. */
  count?: number;
  /** Milliseconds between iterations / calls. */
  interval?: number;
  /** wait: how long; soak: overrides the run duration (ms); load: how long to drive load (ms). */
  duration?: number;
  /** Children of repeat, parallel and soak. */
  steps?: Step[];
  /** soak: fraction (0..1] of the run's --duration this soak lasts (default 1 = whatever remains). */
  fraction?: number;
  /** load: concurrent in-flight requests (closed loop). */
  concurrency?: number;
  /** load: target requests per second across all workers (open loop pacing); omitted = as fast as possible. */
  rate?: number;
  /** Per-call timeout override in ms. */
  timeout?: number;
  /** fault: a name for the fault, so a later fault-stop can lift it; fault-stop: the fault to lift (omitted: every running one). */
  id?: string;
  /** fault: what to inject. */
  fault?: FaultSpec;
  /** chaos: the faults to draw from. */
  faults?: FaultSpec[];
  /** chaos: how long (ms) each drawn fault is held; shorter than `interval`. */
  hold?: number;
  /** fault, chaos: skip (with a report note) where the target cannot have the fault, instead of rejecting the run. */
  optional?: boolean;
  /** soak, load, chaos: start it and go on with the next step at once; the enclosing step list waits for it at its end. */
  background?: boolean;
}

/** Latency limits for one method (e.g. `tools/call`, `ping`) or one role (`role:probe`). Values in ms. */
export interface LatencyLimit {
  p50?: number;
  p90?: number;
  p95?: number;
  p99?: number;
  max?: number;
}

/** Service level objectives. A scenario without any is rejected. */
export interface Expect {
  /** Minimum availability in percent: answered requests (results and tool errors) / all requests (pings included). */
  availability?: number;
  /** Maximum error rate in percent over all requests (errors and timeouts; tool errors are judged by toolErrorRate). */
  errorRate?: number;
  /** Maximum share in percent of tools/call answered with isError: true. */
  toolErrorRate?: number;
  /** Latency limits keyed by method (`tools/call`, `tools/list`, `ping`, `initialize`) or `role:<role>`. */
  latency?: Record<string, LatencyLimit>;
  /** Every disconnect must be recovered (re-initialized, first successful call) within this many seconds. */
  recoverWithinSeconds?: number;
  /** The tool list after every reconnect equals the first one. */
  toolListStable?: boolean;
  /** Every verify-state step passes. */
  stateVerified?: boolean;
  /** At most this many protocol-hygiene findings: a number limits `error` findings; an object limits each severity it names. */
  maxProtocolViolations?: number | SeverityLimits;
  /** At most this many session expiries (HTTP 404, or 400 naming the session). */
  maxSessionExpiries?: number;
  /** At most this many requests lost to a session expiry (failed instead of being replayed on a fresh session). */
  maxLostToSessionExpiry?: number;
  /** At most this many unexpected disconnections (not caused by a scenario's own disconnect steps). */
  maxUnexpectedDisconnections?: number;
  /** The run must issue at least this many requests (guards against a run that tested nothing). */
  minRequests?: number;
  /** The run must issue at least this many requests per second of its --duration (minRequests that scales with the run). */
  minRequestRate?: number;
  /** Server memory growth limit in MiB per minute (local targets only). */
  maxMemoryGrowthMiBPerMinute?: number;
  /** Every injected fault is recovered from (MTTR: its end → the first successful request after it) within this many seconds. */
  faultRecoverWithinSeconds?: number;
  /** Every fault the client noticed was noticed within this many seconds of its start (MTTD); a disruptive fault held longer must be noticed. */
  faultDetectWithinSeconds?: number;
  /** Not an SLO: the limits `compare` judges regressions against the baseline by. */
  regression?: RegressionLimits;
}

/** Limits per finding severity (`maxProtocolViolations`): a severity left out is not limited. */
export interface SeverityLimits {
  error?: number;
  warning?: number;
  info?: number;
}

/** Client settings a scenario may override on top of the chosen client profile. */
export interface ScenarioClientOverrides {
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxReconnectAttempts?: number;
}

export interface ScenarioFile {
  $schema?: string;
  name: string;
  description?: string;
  expect: Expect;
  client?: ScenarioClientOverrides;
  steps: Step[];
}

/** A validated scenario, ready to run, with where it came from. */
export interface Plan {
  scenario: ScenarioFile;
  /** Absolute path of the file, or `<inline>`. */
  source: string;
  /** Roles the steps use (the target must fill each). */
  rolesUsed: ToolRole[];
}

/** Values available to `{{...}}` placeholders. */
export interface TemplateContext {
  index?: number;
  iteration?: number;
  timestamp?: number;
}

/** One validation problem, precise enough to act on. */
export interface ValidationIssue {
  file: string;
  /** RFC 6901 JSON pointer to the offending value (`""` for the document). */
  pointer: string;
  message: string;
  expected?: string;
  hint?: string;
  line?: number;
  column?: number;
}

/** Actions that inject faults; `fault` and `chaos` need a target that can have their faults. */
export const FAULT_ACTIONS = ['fault', 'fault-stop', 'chaos'] as const satisfies readonly StepAction[];

/** Actions that may run in the background (`"background": true`): they last until their own time is up. */
export const BACKGROUND_ACTIONS = ['soak', 'load', 'chaos'] as const satisfies readonly StepAction[];

/** Actions whose children live in `steps`. */
export const CONTAINER_ACTIONS = ['repeat', 'parallel', 'soak'] as const satisfies readonly StepAction[];

/** Placeholders a step's `params` may hold, filled by fillTemplate (see template.ts). */
export const PLACEHOLDERS = ['index', 'iteration', 'timestamp'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** Placeholders the runner fills itself after fillTemplate (`{{marker}}`: the last state-write marker). */
export const RUNNER_PLACEHOLDERS = ['marker'] as const;

/** Methods an `expect.latency` key may name; `role:<role>` and `tool:<name>` keys are allowed too. */
export const LATENCY_METHODS = ['tools/call', 'tools/list', 'ping', 'initialize'] as const;

/**
 * The fields each action uses besides `action` and `description`. A known field on an action
 * that ignores it is rejected, so a misplaced `fraction` or `steps` cannot silently do nothing.
 * `timeout` is the request (or handshake) timeout of the step's own requests.
 */
export const STEP_FIELDS: Record<StepAction, readonly (keyof Step)[]> = {
  connect: [],
  initialize: [],
  'call-tool': ['tool', 'role', 'params', 'count', 'interval', 'timeout'],
  'list-tools': ['count', 'interval', 'timeout'],
  ping: ['count', 'interval', 'timeout'],
  repeat: ['count', 'interval', 'steps'],
  parallel: ['count', 'steps'],
  wait: ['duration'],
  'verify-state': ['timeout'],
  disconnect: [],
  'force-disconnect': [],
  reconnect: [],
  soak: ['steps', 'duration', 'fraction', 'interval', 'background'],
  load: ['tool', 'role', 'params', 'concurrency', 'rate', 'duration', 'fraction', 'timeout', 'background'],
  fault: ['id', 'fault', 'duration', 'optional'],
  'fault-stop': ['id'],
  chaos: ['faults', 'interval', 'hold', 'duration', 'fraction', 'optional', 'background'],
};

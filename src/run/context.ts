/** What every step sees while a scenario runs. */
import type { Rng } from '../chaos/rng.js';
import type { FaultSpec, Step, TemplateContext, ToolRole } from '../scenario/types.js';
import type { CallResult, SessionState } from '../session/types.js';
import type { RoleBinding } from '../target/types.js';

export interface CallOpts {
  timeoutMs?: number;
  role?: string;
}

/** The part of the simulated client the step interpreter drives. */
export interface DrivenSession {
  readonly state: SessionState;
  readonly tools: string[];
  readonly initialTools: string[];
  connect(): Promise<boolean>;
  disconnect(): Promise<void>;
  forceDisconnect(): Promise<void>;
  reconnect(): Promise<boolean>;
  callTool(name: string, args: Record<string, unknown>, opts?: CallOpts): Promise<CallResult>;
  listTools(opts?: CallOpts): Promise<CallResult & { tools?: string[] }>;
  ping(opts?: CallOpts): Promise<CallResult>;
  /** resources/list or prompts/list (a role's request on a server that lists no tools). */
  listing(method: 'resources/list' | 'prompts/list', opts?: CallOpts): Promise<CallResult>;
  reportStateCheck(ok: boolean, detail: string): void;
  leanCaller(concurrency: number): { call(name: string, args: Record<string, unknown>, opts?: CallOpts): Promise<CallResult>; close(): void } | null;
}

/** A fault a step started (see FaultController). */
export interface FaultHandle {
  readonly window: number;
  readonly kind: string;
  readonly source: string;
  readonly id?: string;
}

/** What fault, fault-stop and chaos steps drive: the run's faults, decided against the target before the run. */
export interface FaultRuntime {
  /** The step's JSON pointer in the scenario (`/steps/4/steps/1`). */
  pointerOf(step: Step): string;
  /** An optional fault or chaos step this target cannot have (skipped; the runner notes why). */
  isSkipped(step: Step): boolean;
  /** Indexes of a chaos step's `faults` this target cannot have. */
  excludedOf(step: Step): ReadonlySet<number>;
  /** The run's chaos schedule stream: forkRng(seed, 'chaos'). */
  readonly chaosRng: Rng;
  /** Inject a fault; null when it was not (noted in the report). */
  start(spec: FaultSpec, where: { source: string; id?: string; fromStep: boolean }): Promise<FaultHandle | null>;
  /** Lift a fault the caller started (no-op once lifted or at the end of the run). */
  lift(handle: FaultHandle): Promise<void>;
  /** fault-stop: the fault a fault step started with this id, or every one a fault step started. */
  stopFromSteps(id?: string): Promise<void>;
}

export interface RunContext {
  session: DrivenSession;
  rng: Rng;
  roles: Partial<Record<ToolRole, RoleBinding>>;
  /** When the steps started and the requested duration (ms, wall clock). */
  startedAt: number;
  durationMs: number;
  /**
   * The run's clock, computed once: at `deadline` (startedAt + durationMs) loops stop issuing
   * requests and waits end; steps after it (a final verify-state, a disconnect) still run, until
   * `hardDeadline`, when requests still in flight are abandoned (timeouts) and the run closes.
   */
  deadline: number;
  hardDeadline: number;
  /** Aborted at `deadline`, or at once on SIGINT/SIGTERM: stop looping and waiting. */
  signal: AbortSignal;
  /** Aborted on SIGINT/SIGTERM only: stop everything, no closing steps. */
  interrupt: AbortSignal;
  /** Runs child steps (repeat, parallel, soak): the interpreter, handed down so steps need not import it. */
  runSteps(steps: Step[], ctx: RunContext, scope: StepScope): Promise<void>;
  /** Notes for the report (e.g. skipped state roles); de-duplicated. */
  note(text: string): void;
  /** The last state marker written by a state-write call. */
  marker: { current?: string; counter: number; seed: number };
  /** The run's faults (runScenario always sets it; a context without it cannot run fault steps). */
  faults?: FaultRuntime;
}

/** The context's fault runtime, or an error that says a fault step ran where no faults can be injected. */
export function faultsOf(ctx: RunContext): FaultRuntime {
  if (!ctx.faults) throw new Error('a fault, fault-stop or chaos step ran in a context without a fault runtime (runScenario provides one)');
  return ctx.faults;
}

export interface StepScope {
  template: TemplateContext;
  /** Deadline (ms epoch) of the innermost soak (or the run's hard deadline at the top), after which no step starts. */
  deadline: number;
}

/** When a loop (repeat, parallel, soak, load, chaos) must stop: the scope's deadline or the run's, whichever is first. */
export function loopDeadline(ctx: RunContext, scope: StepScope): number {
  return Math.min(scope.deadline, ctx.deadline);
}

export type StepRunner = (step: Step, ctx: RunContext, scope: StepScope) => Promise<void>;

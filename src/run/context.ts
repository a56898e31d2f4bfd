/** What every step sees while a scenario runs. */
import type { Rng } from '../chaos/rng.js';
import type { Step, TemplateContext, ToolRole } from '../scenario/types.js';
import type { CallResult, SessionEvent, SessionState } from '../session/types.js';
import type { RoleBinding } from '../target/types.js';

/** The part of the simulated client the step interpreter drives. */
export interface DrivenSession {
  readonly state: SessionState;
  readonly tools: string[];
  readonly initialTools: string[];
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  forceDisconnect(): Promise<void>;
  reconnect(): Promise<void>;
  callTool(name: string, args: Record<string, unknown>, opts?: { timeoutMs?: number; role?: string }): Promise<CallResult>;
  listTools(): Promise<CallResult>;
  ping(): Promise<CallResult>;
  leanCaller(concurrency: number): { call(name: string, args: Record<string, unknown>, role?: string): Promise<CallResult> } | null;
}

export interface RunContext {
  session: DrivenSession;
  rng: Rng;
  roles: Partial<Record<ToolRole, RoleBinding>>;
  /** Run start and requested duration (ms, wall clock). */
  startedAt: number;
  durationMs: number;
  signal: AbortSignal;
  /** Record a harness-level event (state checks) through the same path as session events. */
  emit(e: SessionEvent): void;
  /** Notes for the report (e.g. skipped state roles); de-duplicated. */
  note(text: string): void;
  /** The last state marker written by a state-write call. */
  marker: { current?: string; counter: number; seed: number };
}

export interface StepScope {
  template: TemplateContext;
  /** Deadline (ms epoch) of the innermost soak/load, after which loops stop. */
  deadline: number;
}

export type StepRunner = (step: Step, ctx: RunContext, scope: StepScope) => Promise<void>;

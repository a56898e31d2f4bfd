/** What every step sees while a scenario runs. */
import type { Rng } from '../chaos/rng.js';
import type { Step, TemplateContext, ToolRole } from '../scenario/types.js';
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
  reportStateCheck(ok: boolean, detail: string): void;
  leanCaller(concurrency: number): { call(name: string, args: Record<string, unknown>, opts?: CallOpts): Promise<CallResult>; close(): void } | null;
}

export interface RunContext {
  session: DrivenSession;
  rng: Rng;
  roles: Partial<Record<ToolRole, RoleBinding>>;
  /** Run start and requested duration (ms, wall clock). */
  startedAt: number;
  durationMs: number;
  signal: AbortSignal;
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

/**
 * The FaultController: turns fault specs into `Fault`s (network faults on the run's chaos proxy,
 * process faults on the running target — or, when the target names a container
 * (`profile.container`), container faults on that container), starts and lifts them, and reports
 * each fault window to the Recorder as fault events. A window starts just before the fault is
 * injected and ends when the target is whole again: the fault lifted (stop() done), the killed
 * server back on its own (its `restarted` action), or a one-shot fault done (a restart; a kill of
 * a stdio server, which the client's reconnect replaces). At the end of the run (or on SIGINT)
 * stopAll() lifts everything: paused servers are resumed, toxics removed, and no local server is
 * restarted — but a stopped or killed container is started again (the stack outlives the run).
 */
import type Docker from 'dockerode';
import {
  actsOnContainer,
  containerFault,
  faultFamily,
  forkRng,
  processFault,
  proxyFault,
  stopAllFaults,
  type ChaosProxy,
  type ContainerTargetFaultSpec,
  type Fault,
  type FaultSpec,
  type NetworkFaultSpec,
  type ProcessFaultSpec,
  type Rng,
} from '../chaos/index.js';
import type { FaultEndReason } from '../report/result.js';
import type { Step } from '../scenario/types.js';
import type { RunningTarget } from '../target/launch.js';
import type { FaultHandle, FaultRuntime } from './context.js';
import type { FaultEvent } from './fault-log.js';
import type { FaultPlan } from './fault-plan.js';

export interface FaultControllerOptions {
  running: RunningTarget;
  /** The run's chaos proxy; required for network faults. */
  proxy?: ChaosProxy;
  seed: number;
  plan: FaultPlan;
  record(e: FaultEvent): void;
  note(text: string): void;
  /** Container targets: the Docker client (default: dockerode's default — DOCKER_HOST, else /var/run/docker.sock — created on first use). */
  docker?: Docker;
}

interface Active extends FaultHandle {
  fault: Fault | undefined;
  ended: boolean;
  fromStep: boolean;
}

/** Kinds whose lifting would restart the server (and wait for it): at the end of the run they are torn down instead. */
const RESTARTING_KINDS = new Set(['kill', 'terminate', 'restart', 'stop']);

export class FaultController implements FaultRuntime {
  readonly chaosRng: Rng;
  private readonly active = new Map<number, Active>();
  private nextWindow = 1;
  private closed = false;

  constructor(private readonly opts: FaultControllerOptions) {
    this.chaosRng = forkRng(opts.seed, 'chaos');
  }

  pointerOf(step: Step): string {
    return this.opts.plan.pointers.get(step) ?? '/steps/?';
  }

  isSkipped(step: Step): boolean {
    return this.opts.plan.skipped.has(step);
  }

  excludedOf(step: Step): ReadonlySet<number> {
    return new Set(this.opts.plan.excluded.get(step)?.keys() ?? []);
  }

  async start(spec: FaultSpec, where: { source: string; id?: string; fromStep: boolean }): Promise<FaultHandle | null> {
    if (this.closed) return null;
    if (where.id !== undefined && [...this.active.values()].some((a) => a.id === where.id)) {
      this.opts.note(`fault "${where.id}" (${where.source}) was still active when its step ran again: not injected twice`);
      return null;
    }
    const window = this.nextWindow++;
    const entry: Active = { window, kind: spec.kind, source: where.source, ...(where.id !== undefined ? { id: where.id } : {}), fault: undefined, ended: false, fromStep: where.fromStep };
    let fault: Fault;
    try {
      fault = this.create(spec, window, entry, where.source);
    } catch (err) {
      this.opts.note(`fault ${spec.kind} at ${where.source} could not be created: ${(err as Error).message}`);
      return null;
    }
    entry.fault = fault;
    this.active.set(window, entry);
    const family = faultFamily(spec.kind) ?? 'network';
    this.opts.record({ type: 'fault-started', at: Date.now(), window, kind: spec.kind, family, description: fault.describe(), source: where.source, ...(where.id !== undefined ? { id: where.id } : {}) });
    try {
      await fault.start();
    } catch (err) {
      const message = (err as Error).message;
      this.opts.note(`fault ${spec.kind} at ${where.source} could not be injected: ${message}`);
      this.active.delete(window);
      await fault.stop().catch(() => undefined);
      this.end(entry, 'failed', message);
      return null;
    }
    if (spec.kind === 'restart' || ((spec.kind === 'kill' || spec.kind === 'terminate') && this.opts.running.profile.transport === 'stdio')) this.end(entry, 'one-shot');
    return entry;
  }

  async lift(handle: FaultHandle): Promise<void> {
    const entry = this.active.get(handle.window);
    if (!entry || this.closed) return;
    try {
      await entry.fault?.stop();
    } catch (err) {
      this.opts.note(`lifting fault ${entry.kind} at ${entry.source} failed: ${(err as Error).message}`);
    }
    this.active.delete(entry.window);
    this.end(entry, 'lifted');
  }

  async stopFromSteps(id?: string): Promise<void> {
    const chosen = [...this.active.values()].filter((a) => a.fromStep && (id === undefined || a.id === id));
    await Promise.all(chosen.map((a) => this.lift(a)));
  }

  /** End of the run: lift every active fault without restarting a killed server. Idempotent; never rejects. */
  async stopAll(): Promise<void> {
    this.closed = true;
    const entries = [...this.active.values()];
    this.active.clear();
    await Promise.all(
      entries.map(async (entry) => {
        if (!RESTARTING_KINDS.has(entry.kind)) await entry.fault?.stop().catch(() => undefined);
        this.end(entry, 'run-end');
      }),
    );
    // Faults left (a killed server's pending restart, a paused group, a stdout valve): torn down, never restarted;
    // container faults lifted (a stopped or killed container started again, without waiting for it).
    await stopAllFaults();
  }

  private create(spec: FaultSpec, window: number, entry: Active, source: string): Fault {
    if (faultFamily(spec.kind) === 'network') {
      if (!this.opts.proxy) throw new Error('no chaos proxy runs for this target');
      return proxyFault(this.opts.proxy, spec as NetworkFaultSpec);
    }
    const onAction = (action: { at: number; kind: string; action: string; detail: string }) => {
      this.opts.record({ type: 'fault-action', at: action.at, window, kind: action.kind, action: action.action, detail: action.detail });
      if (action.action === 'restarted') this.end(entry, 'restarted', undefined, action.at);
    };
    const { running } = this.opts;
    const container = running.profile.container;
    if (container && actsOnContainer(spec.kind)) {
      return containerFault(container, spec as ContainerTargetFaultSpec, {
        onAction,
        ...(running.endpoint.url !== undefined ? { url: running.endpoint.url } : {}),
        ...(this.opts.docker ? { docker: this.opts.docker } : {}),
        ...(this.opts.proxy ? { proxy: this.opts.proxy } : {}),
        note: (text) => this.opts.note(`fault ${spec.kind} at ${source}: ${text}`),
      });
    }
    return processFault(running, spec as ProcessFaultSpec, forkRng(this.opts.seed, `fault:${window}`), { onAction });
  }

  private end(entry: Active, endedBy: FaultEndReason, error?: string, at = Date.now()): void {
    if (entry.ended) return;
    entry.ended = true;
    this.opts.record({ type: 'fault-ended', at, window: entry.window, kind: entry.kind, endedBy, ...(error !== undefined ? { error } : {}) });
  }
}

/**
 * A scenario run's client side, built as src/run/runner.ts builds it, around a server the bench
 * started itself: a real Session (client profile `resilient`), a Recorder with a fresh metric
 * registry, and the NDJSON event log; every session event goes to both, as in a real run. Steps
 * are then driven with the real interpreter (`runSteps`), so a bench's load goes through the same
 * code (lean path included) a scenario's does, and its CPU cost includes the recording.
 *
 * Keep in step with runScenario() in src/run/runner.ts (context fields, event routing).
 *
 * `recording` changes that for attribution only (loadgen --breakdown), never by default: no event
 * log, or neither the log nor the Recorder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { EventLog } from '../../src/run/event-log.js';
import { intervalFor } from '../../src/run/timeseries.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forkRng } from '../../src/chaos/rng.js';
import { createMetrics } from '../../src/metrics/index.js';
import type { RunContext } from '../../src/run/context.js';
import { runClock } from '../../src/run/clock.js';
import { runSteps } from '../../src/run/interpreter.js';
import { Recorder, type RecordedEvent } from '../../src/run/recorder.js';
import type { Step, ToolRole } from '../../src/scenario/types.js';
import { getClientProfile, Session } from '../../src/session/index.js';
import type { RoleBinding } from '../../src/target/index.js';
import type { Endpoint } from '../../src/target/types.js';

/**
 * What each session event costs besides the session: `runner` (the Recorder with its time series
 * and the sampled event log, as src/run/runner.ts does), `no-log` (the Recorder only), `none`.
 */
export type Recording = 'runner' | 'no-log' | 'none';

export interface ScenarioClient {
  session: Session;
  recorder: Recorder;
  /** How events are recorded from now on (default `runner`). */
  recording: Recording;
  /** Run `steps` through the real interpreter; `durationMs` plays the run's --duration (soak/load fractions). */
  run(steps: Step[], durationMs: number): Promise<void>;
  /** A run context of this client (for resolveCall and the like); valid until the next context() call. */
  context(durationMs: number): RunContext;
  /** tools/call requests that finished so far, and how many of them were not `ok`. */
  calls(): { total: number; failed: number };
  close(): Promise<void>;
}

const SEED = 1;

/** `target`: a Streamable HTTP URL (server-everything as `everything-http`), or any endpoint (a stdio target's, from startTarget). */
export async function openScenarioClient(target: string | Endpoint, roles: Partial<Record<ToolRole, RoleBinding>>, label = 'bench'): Promise<ScenarioClient> {
  const endpoint: Endpoint = typeof target === 'string' ? { transport: 'streamable-http', url: target, label: 'everything-http' } : target;
  const dir = mkdtempSync(join(tmpdir(), 'mcp-reliability-bench-'));
  const metrics = createMetrics({ scenario: label, target: endpoint.label, clientProfile: 'resilient', version: 'bench' });
  // As the runner: the time series' intervals follow the duration (a bench round: 10 min at most) and close into the sampled log.
  const startedAt = Date.now();
  const durationMs = 600_000;
  const events = new EventLog(join(dir, 'events.ndjson'), 'sampled', (t) => t, startedAt, intervalFor(durationMs));
  const recorder = new Recorder({ metrics, durationMs, onInterval: (p) => events.interval(p) });
  const session = new Session(endpoint, getClientProfile('resilient', {}), {
    rng: forkRng(SEED, `session:${label}`),
    clientVersion: 'bench',
  });
  const counts = { total: 0, failed: 0 };
  const sid = session.sessionId;
  const state = { recording: 'runner' as Recording };
  session.onAny((e) => {
    if (e.type === 'request' && e.method === 'tools/call') {
      counts.total += 1;
      if (e.outcome !== 'ok') counts.failed += 1;
    }
    const mode = state.recording;
    if (mode === 'none') return;
    const r: RecordedEvent = { ...e, session: sid };
    recorder.onEvent(r);
    if (mode === 'no-log') return;
    events.write(r);
  });
  const abort = new AbortController();
  // Each context's clock listens on `abort`; disposing it (as the runner does) removes that
  // listener and its deadline timer, so many rounds do not pile listeners up.
  const makeContext = (durationMs: number): { ctx: RunContext; dispose: () => void } => {
    const { dispose, ...clock } = runClock(durationMs, { interrupt: abort.signal });
    return { ctx: { session, rng: forkRng(SEED, `steps:${label}`), roles, ...clock, note: () => undefined, marker: { counter: 0, seed: SEED } }, dispose };
  };
  let lastContext: (() => void) | undefined;
  const context = (durationMs: number): RunContext => {
    lastContext?.();
    const made = makeContext(durationMs);
    lastContext = made.dispose;
    return made.ctx;
  };
  if (!(await session.connect())) throw new Error(`could not connect to ${endpoint.url ?? endpoint.label}`);
  return {
    session,
    recorder,
    get recording() {
      return state.recording;
    },
    set recording(mode: Recording) {
      state.recording = mode;
    },
    context,
    run: async (steps, durationMs) => {
      const { ctx, dispose } = makeContext(durationMs);
      try {
        await runSteps(steps, ctx, { template: {}, deadline: ctx.hardDeadline });
      } finally {
        dispose();
      }
    },
    calls: () => ({ ...counts }),
    close: async () => {
      lastContext?.();
      abort.abort();
      await session.close().catch(() => undefined);
      recorder.finish();
      await events.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

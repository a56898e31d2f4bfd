/**
 * A scenario run's client side, built as src/run/runner.ts builds it, around a server the bench
 * started itself: a real Session (client profile `resilient`), a Recorder with a fresh metric
 * registry, and the NDJSON event log; every session event goes to both, as in a real run. Steps
 * are then driven with the real interpreter (`runSteps`), so a bench's load goes through the same
 * code (lean path included) a scenario's does, and its CPU cost includes the recording.
 *
 * Keep in step with runScenario() in src/run/runner.ts (context fields, event routing).
 */
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
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

export interface ScenarioClient {
  session: Session;
  recorder: Recorder;
  /** Run `steps` through the real interpreter; `durationMs` plays the run's --duration (soak/load fractions). */
  run(steps: Step[], durationMs: number): Promise<void>;
  /** The context the last run() used (for resolveCall and the like). */
  context(durationMs: number): RunContext;
  /** tools/call requests that finished so far, and how many of them were not `ok`. */
  calls(): { total: number; failed: number };
  close(): Promise<void>;
}

const SEED = 1;

export async function openScenarioClient(url: string, roles: Partial<Record<ToolRole, RoleBinding>>, label = 'bench'): Promise<ScenarioClient> {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-reliability-bench-'));
  const events: WriteStream = createWriteStream(join(dir, 'events.ndjson'));
  const metrics = createMetrics({ scenario: label, target: 'everything-http', clientProfile: 'resilient', version: 'bench' });
  const recorder = new Recorder({ metrics });
  const session = new Session({ transport: 'streamable-http', url, label: 'everything-http' }, getClientProfile('resilient', {}), {
    rng: forkRng(SEED, `session:${label}`),
    clientVersion: 'bench',
  });
  const counts = { total: 0, failed: 0 };
  const sid = session.sessionId;
  session.onAny((e) => {
    const r: RecordedEvent = { ...e, session: sid };
    recorder.onEvent(r);
    // The runner's eventLine(): the event as emitted, with an ISO time.
    events.write(`${JSON.stringify({ time: new Date(r.at).toISOString(), ...r })}\n`);
    if (e.type === 'request' && e.method === 'tools/call') {
      counts.total += 1;
      if (e.outcome !== 'ok') counts.failed += 1;
    }
  });
  const abort = new AbortController();
  const context = (durationMs: number): RunContext => ({
    session,
    rng: forkRng(SEED, `steps:${label}`),
    roles,
    ...runClock(durationMs, { interrupt: abort.signal }),
    note: () => undefined,
    marker: { counter: 0, seed: SEED },
  });
  if (!(await session.connect())) throw new Error(`could not connect to ${url}`);
  return {
    session,
    recorder,
    context,
    run: (steps, durationMs) => {
      const ctx = context(durationMs);
      return runSteps(steps, ctx, { template: {}, deadline: ctx.hardDeadline });
    },
    calls: () => ({ ...counts }),
    close: async () => {
      abort.abort();
      await session.close().catch(() => undefined);
      await new Promise<void>((resolve) => events.end(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

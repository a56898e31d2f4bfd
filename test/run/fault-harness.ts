/** Running a fault fixture (test/fixtures/scenarios-faults/) against a real target, with every recorded event kept. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlan } from '../../src/scenario/index.js';
import { getClientProfile, type ClientProfile } from '../../src/session/index.js';
import { resolveTarget, SCENARIOS_DIR } from '../../src/target/index.js';
import { runScenario } from '../../src/run/runner.js';
import type { RecordedEvent } from '../../src/run/recorder.js';
import type { ScenarioResult } from '../../src/report/result.js';

export const FAULT_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'scenarios-faults');

export interface FaultRun {
  result: ScenarioResult;
  /** Every recorded event with the test's own clock (Date.now()) when it saw it. */
  events: (RecordedEvent & { seenAt: number })[];
  outDir: string;
}

export async function runFaultFixture(
  name: string,
  target: string,
  durationMs: number,
  opts: { seed?: number; client?: ClientProfile; onEvent?: (e: RecordedEvent) => void } = {},
): Promise<FaultRun> {
  const outDir = mkdtempSync(join(tmpdir(), `mcpr-${name}-`));
  const events: FaultRun['events'] = [];
  const result = await runScenario({
    plan: await loadPlan(join(FAULT_FIXTURES, `${name}.json`), { scenariosDir: SCENARIOS_DIR }),
    target: await resolveTarget(target),
    client: opts.client ?? getClientProfile('resilient'),
    durationMs,
    seed: opts.seed ?? 1,
    outDir,
    signal: new AbortController().signal,
    toolVersion: 'test',
    onEvent: (e) => {
      events.push({ ...e, seenAt: Date.now() });
      opts.onEvent?.(e);
    },
  });
  return { result, events, outDir };
}

export const requests = (run: FaultRun) => run.events.filter((e): e is Extract<RecordedEvent, { type: 'request' }> & { seenAt: number } => e.type === 'request');
export const disconnections = (run: FaultRun) => run.events.filter((e): e is Extract<RecordedEvent, { type: 'disconnected' }> & { seenAt: number } => e.type === 'disconnected');

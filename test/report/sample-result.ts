/**
 * A real ScenarioResult for report and SLO tests: a scripted session history played through the
 * Recorder (no hand-written Result objects, so the tests follow the Recorder's real output).
 */
import type { Expect } from '../../src/scenario/types.js';
import { createMetrics, type McpMetrics } from '../../src/metrics/index.js';
import { Recorder, type RecordedEvent } from '../../src/run/recorder.js';
import type { ScenarioResult } from '../../src/report/result.js';

export const T0 = Date.UTC(2025, 0, 2, 3, 4, 5);

export const SAMPLE_EXPECT: Expect = {
  availability: 60,
  errorRate: 5, // fails: 2 of 14 requests failed on the wire (14.29 %)
  latency: { 'tools/call': { p50: 100, p95: 10_000 }, 'role:probe': { p99: 1 }, 'tool:missing': { p95: 50 } },
  recoverWithinSeconds: 2,
  toolListStable: true,
  stateVerified: true,
  maxProtocolViolations: 10,
  maxUnexpectedDisconnections: 5,
  minRequests: 10,
  maxMemoryGrowthMiBPerMinute: 1000,
};

/** The scripted history: what a flaky server looks like to two sessions. */
export function sampleEvents(): RecordedEvent[] {
  const at = (ms: number) => T0 + ms;
  const events: RecordedEvent[] = [
    { type: 'connecting', at: at(0), attempt: 1 },
    { type: 'connected', at: at(50), handshakeMs: 50, protocolVersion: '2025-06-18', serverName: 'everything', serverVersion: '1.2.3', reconnect: false },
    { type: 'tools', at: at(60), tools: ['get-sum', 'echo', 'add'], initial: true },
  ];
  [5, 8, 10, 12, 15, 20, 30, 40].forEach((ms, i) => events.push({ type: 'request', at: at(100 + i), method: 'tools/call', tool: 'echo', role: 'probe', ms, outcome: 'ok' }));
  events.push({ type: 'request', at: at(200), method: 'ping', ms: 1, outcome: 'ok' }, { type: 'request', at: at(210), method: 'ping', ms: 2, outcome: 'ok' });
  for (let i = 0; i < 6; i++) events.push({ type: 'violation', at: at(300 + i), kind: 'stdout-non-json', sample: `log ${i} | with \`tick\` and <b>html</b> & more` });
  events.push({ type: 'violation', at: at(310), kind: 'session-lost-400', sample: 'x'.repeat(500) });
  events.push(
    { type: 'disconnected', at: at(1000), reason: 'transport-closed', detail: 'socket hang up', expected: false },
    { type: 'reconnecting', at: at(1100), attempt: 1, delayMs: 100 },
    { type: 'request', at: at(1150), method: 'tools/call', tool: 'echo', ms: 0, outcome: 'unavailable' },
    { type: 'request', at: at(1160), method: 'tools/call', tool: 'echo', ms: 0, outcome: 'unavailable' },
    { type: 'connect-failed', at: at(1200), attempt: 1, error: 'ECONNREFUSED' },
    { type: 'reconnecting', at: at(1300), attempt: 2, delayMs: 200 },
    { type: 'connecting', at: at(2300), attempt: 2 },
    { type: 'connected', at: at(2400), handshakeMs: 80, protocolVersion: '2025-06-18', serverName: 'everything', serverVersion: '1.2.3', reconnect: true },
    { type: 'recovered', at: at(2500), afterMs: 1500, attempts: 2, reason: 'transport-closed' },
    { type: 'tools', at: at(2510), tools: ['echo', 'get-sum'], initial: false },
    { type: 'tools-changed', at: at(2510), added: [], removed: ['add'] },
    { type: 'request', at: at(2600), method: 'tools/call', tool: 'echo', ms: 5000, outcome: 'timeout', error: 'timed out' },
    { type: 'request', at: at(2700), method: 'tools/call', tool: 'echo', ms: 20, outcome: 'error', error: 'boom' },
    { type: 'state-check', at: at(2800), ok: true, detail: 'key-1 found' },
    { type: 'state-check', at: at(2810), ok: false, detail: 'expected 42, got undefined' },
    // A parallel session that loses its connection and never comes back.
    { type: 'connecting', at: at(2900), attempt: 1, session: 1 },
    { type: 'connected', at: at(2950), handshakeMs: 40, protocolVersion: '2025-06-18', serverName: 'everything', serverVersion: '1.2.3', reconnect: false, session: 1 },
    { type: 'disconnected', at: at(3000), reason: 'ping-timeout', detail: 'no pong in 5000 ms', expected: false, session: 1 },
    { type: 'reconnecting', at: at(3100), attempt: 1, delayMs: 100, session: 1 },
    { type: 'gave-up', at: at(3500), attempts: 1, session: 1 },
    { type: 'disconnected', at: at(4000), reason: 'client-disconnect', detail: 'scenario step', expected: true },
  );
  return events;
}

export interface SampleRun {
  result: ScenarioResult;
  metrics: McpMetrics;
  recorder: Recorder;
}

export function buildSampleResult(expect: Expect = SAMPLE_EXPECT, error?: string): SampleRun {
  let clock = T0;
  const metrics = createMetrics({ scenario: 'flaky | "server"', target: 'everything', clientProfile: 'claude-code', version: '0.1.0' });
  const recorder = new Recorder({ metrics, now: () => clock });
  for (const e of sampleEvents()) {
    clock = e.at;
    recorder.onEvent(e);
  }
  // Server RSS: 100 MiB growing 1 MiB per 30 s.
  for (let i = 0; i <= 4; i++) {
    clock = T0 + i * 30_000;
    recorder.recordRss(100 * 1024 * 1024 + i * 1024 * 1024, i * 500);
  }
  clock = T0 + 120_000;
  const result = recorder.buildResult({
    scenario: { name: 'flaky | "server"', description: 'A <scripted> run', source: 'scenarios/flaky.json' },
    target: { name: 'everything', transport: 'streamable-http', source: 'targets/everything.json' },
    client: { profile: 'claude-code', description: 'Claude Code-like client', assumptions: ['pings every 30 s'] },
    expect,
    requestedDurationMs: 120_000,
    seed: 42,
    toolVersion: '0.1.0',
    logs: { events: 'logs/events.jsonl' },
    ...(error !== undefined ? { error } : {}),
  });
  return { result, metrics, recorder };
}

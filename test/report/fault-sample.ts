/**
 * A scripted run with faults, played through the real Recorder (no hand-written Result objects):
 * requests every 100 ms (10 ms each) from +0 s to +9 s, and four faults —
 * 1. latency +2 s → +4 s: requests sent meanwhile take 110 ms; never noticed; first ok after its end.
 * 2. pause +6 s → +7 s: requests sent meanwhile are answered when it ends; a ping sent at +5.8 s
 *    times out at +6.8 s (MTTD 800 ms, `ping timeout`), the session disconnects (ping-timeout).
 * 3. kill +8.5 s, server back (`restarted`) at +9 s: every request from +8.5 s fails; never recovered.
 * 4. blackhole +12 s, still active when the run ends at +20 s: never noticed (no traffic).
 */
import type { Expect } from '../../src/scenario/types.js';
import { createMetrics, type McpMetrics } from '../../src/metrics/index.js';
import { Recorder, type RecordedEvent } from '../../src/run/recorder.js';
import type { ScenarioResult } from '../../src/report/result.js';

export const F0 = Date.parse('2026-02-01T10:00:00.000Z');
const at = (ms: number) => F0 + ms;

export const FAULT_EXPECT: Expect = { faultRecoverWithinSeconds: 5, faultDetectWithinSeconds: 5 };

function request(sentMs: number, ms: number, outcome: 'ok' | 'error' | 'timeout' = 'ok', method = 'tools/call'): RecordedEvent {
  return { type: 'request', at: at(sentMs + ms), method, ms, outcome, ...(method === 'tools/call' ? { tool: 'echo' } : {}) };
}

export function faultEvents(): RecordedEvent[] {
  const events: RecordedEvent[] = [
    { type: 'connected', at: at(0), handshakeMs: 20, protocolVersion: '2025-06-18', serverName: 'everything', serverVersion: '1', reconnect: false },
  ];
  for (let t = 0; t < 9000; t += 100) {
    if (t >= 2000 && t < 4000) events.push(request(t, 110));
    else if (t >= 6000 && t < 7000) events.push(request(t, 7000 - t + 5));
    else if (t >= 8500) events.push(request(t, 10, 'error'));
    else events.push(request(t, 10));
  }
  events.push(
    { type: 'fault-started', at: at(2000), window: 1, kind: 'latency', family: 'network', description: 'latency 100 ms', source: '/steps/3', id: 'lat' },
    { type: 'fault-ended', at: at(4000), window: 1, kind: 'latency', endedBy: 'lifted' },
    { type: 'fault-started', at: at(6000), window: 2, kind: 'pause', family: 'process', description: 'pause: SIGSTOP', source: '/steps/5' },
    request(5800, 1000, 'timeout', 'ping'),
    { type: 'disconnected', at: at(6800), reason: 'ping-timeout', detail: 'no answer to ping within 1000 ms', expected: false },
    { type: 'fault-ended', at: at(7000), window: 2, kind: 'pause', endedBy: 'lifted' },
    { type: 'fault-started', at: at(8500), window: 3, kind: 'kill', family: 'process', description: 'kill: SIGKILL', source: '/steps/7/faults/1' },
    { type: 'fault-ended', at: at(9000), window: 3, kind: 'kill', endedBy: 'restarted' },
    { type: 'fault-started', at: at(12_000), window: 4, kind: 'blackhole', family: 'network', description: 'blackhole', source: '/steps/9' },
    { type: 'fault-ended', at: at(20_000), window: 4, kind: 'blackhole', endedBy: 'run-end' },
  );
  // The Recorder sees events in the order they happen.
  return events.sort((a, b) => a.at - b.at);
}

export interface FaultSampleRun {
  result: ScenarioResult;
  metrics: McpMetrics;
}

export function buildFaultSample(expect: Expect = FAULT_EXPECT, events: RecordedEvent[] = faultEvents()): FaultSampleRun {
  let clock = F0;
  const metrics = createMetrics({ scenario: 'faulty', target: 'everything' });
  const recorder = new Recorder({ metrics, now: () => clock, pingTimeoutMs: 1000 });
  for (const e of events) {
    clock = e.at;
    recorder.onEvent(e);
  }
  clock = at(20_000);
  const result = recorder.buildResult({
    scenario: { name: 'faulty', description: 'scripted faults', source: 'scenarios/faulty.json' },
    target: { name: 'everything', transport: 'streamable-http', source: 'targets/everything.json' },
    client: { profile: 'resilient', description: 'resilient', assumptions: [] },
    expect,
    requestedDurationMs: 20_000,
    seed: 1,
    toolVersion: '0.1.0',
    startedAt: F0,
    endedAt: at(20_000),
    faults: { skipped: [{ source: '/steps/11', kind: 'idle-cut', reason: 'target x uses stdio' }], proxy: { listen: '127.0.0.1:4000', upstream: '127.0.0.1:3000' } },
  });
  return { result, metrics };
}

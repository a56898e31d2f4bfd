/**
 * Detection and recovery against real servers: a paused server and a blackhole are detected by a
 * pinging client within ping interval + ping timeout (+ 500 ms for scheduling on a loaded machine);
 * after a kill and restart the client recovers and the reported MTTR matches what the test itself
 * observes (the fault's end, then the first successful request after it) within ±100 ms.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { RecordedEvent } from '../../src/run/recorder.js';
import { runFaultFixture } from './fault-harness.js';

const PING_INTERVAL_MS = 1000;
const PING_TIMEOUT_MS = 1000;
const MARGIN_MS = 500;

/** Once armed, polls a TCP port every 10 ms; `backAt()` is the first moment it accepts a connection again after being closed. */
function watchPortBack(port: () => number | undefined, armed: () => boolean): { backAt: () => number | undefined; stop: () => void } {
  let backAt: number | undefined;
  let wasDown = false;
  let stopped = false;
  const tick = () => {
    if (stopped || backAt !== undefined) return;
    const p = port();
    if (p === undefined || !armed()) return void setTimeout(tick, 10);
    const sock = connect({ host: '127.0.0.1', port: p });
    const done = (up: boolean) => {
      sock.destroy();
      if (!up) wasDown = true;
      else if (wasDown) backAt = Date.now();
      setTimeout(tick, 10);
    };
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  };
  tick();
  return { backAt: () => backAt, stop: () => void (stopped = true) };
}

describe('fault detection and recovery against server-everything', { timeout: 120_000 }, () => {
  test('a pause and a blackhole are detected within ping interval + ping timeout (+ margin)', async (t) => {
    const { result } = await runFaultFixture('detect', 'everything-http', 17_000);
    const [pause, blackhole] = result.faults.windows;
    t.diagnostic(`pause: MTTD ${pause?.mttdMs} ms (${pause?.detectedBy}), MTTR ${pause?.mttrMs} ms; blackhole: MTTD ${blackhole?.mttdMs} ms (${blackhole?.detectedBy}), MTTR ${blackhole?.mttrMs} ms`);
    assert.deepEqual([pause?.kind, blackhole?.kind], ['pause', 'blackhole']);
    for (const w of [pause, blackhole]) {
      assert.ok(w?.mttdMs !== null && w!.mttdMs <= PING_INTERVAL_MS + PING_TIMEOUT_MS + MARGIN_MS, `${w?.kind} MTTD ${w?.mttdMs} ms`);
      assert.match(w?.detectedBy ?? '', /^(ping timeout|disconnected: ping-timeout)$/);
    }
    assert.ok(pause?.mttrMs !== null && pause!.mttrMs < 1000, 'a resumed server answers what waited');
    assert.equal(result.slos.find((s) => s.id === 'faultDetectWithinSeconds')?.passed, true);
  });

  for (const target of ['everything-http', 'everything-stdio']) {
    test(`${target}: after a kill (and restart) the client recovers; MTTR matches the test's own observation within ±100 ms`, async (t) => {
      let endSeenAt: number | undefined;
      let firstOkSeenAt: number | undefined;
      let upstream: number | undefined;
      const onEvent = (e: RecordedEvent) => {
        if (e.type === 'fault-ended') endSeenAt = Date.now();
        else if (e.type === 'request' && e.outcome === 'ok' && e.method !== 'initialize' && endSeenAt !== undefined && firstOkSeenAt === undefined) firstOkSeenAt = Date.now();
        else if (e.type === 'fault-action' && e.action === 'restarting') upstream = Number(/127\.0\.0\.1:(\d+)/.exec(e.detail)?.[1]);
      };
      // Network targets: an independent look at when the server is back, polling its port every 10 ms.
      let killed = false;
      const watcher = watchPortBack(() => upstream, () => killed);
      const run = await runFaultFixture('kill', target, 8_000, { onEvent: (e) => ((killed ||= e.type === 'fault-action' && e.action === 'exited'), onEvent(e)) });
      watcher.stop();
      const [w] = run.result.faults.windows;
      assert.equal(w?.kind, 'kill');
      assert.equal(w?.endedBy, target === 'everything-stdio' ? 'one-shot' : 'restarted');
      assert.ok(w?.mttdMs !== null, 'the kill was noticed');
      assert.ok(endSeenAt !== undefined && firstOkSeenAt !== undefined, 'the test saw the end and a successful request after it');
      const observed = firstOkSeenAt! - endSeenAt!;
      t.diagnostic(`${target}: MTTD ${w!.mttdMs} ms (${w!.detectedBy}); MTTR reported ${w!.mttrMs} ms, observed ${observed} ms${watcher.backAt() ? `; port back ${Date.parse(w!.endedAt!) - watcher.backAt()!} ms before the recorded end` : ''}`);
      assert.ok(w?.mttrMs !== null && Math.abs(w!.mttrMs - observed) <= 100, `reported ${w?.mttrMs} ms vs observed ${observed} ms`);
      if (target === 'everything-http') {
        // The recorded end is when the restart was seen listening (the target polls every 100 ms).
        const back = watcher.backAt();
        assert.ok(back !== undefined, 'the port came back');
        const lag = Date.parse(w!.endedAt!) - back!;
        assert.ok(lag >= -50 && lag <= 250, `recorded end ${lag} ms after the port came back`);
      }
      assert.equal(run.result.verdict, 'pass', JSON.stringify(run.result.slos.filter((s) => !s.passed)));
    });
  }
});

/**
 * Network faults through the chaos proxy the runner places in front of real server-everything
 * targets: injected latency shows in the during-phase p50, loss shows as retransmission stalls at
 * about its rate, and reset / idle cut produce disconnections with the right reason.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { disconnections, requests, runFaultFixture } from './fault-harness.js';

describe('network faults against server-everything', { timeout: 120_000 }, () => {
  test('latency 100 ± 50 ms (client → server): the during-phase p50 is the before-phase p50 + 100 ± 25 ms', async (t) => {
    const { result } = await runFaultFixture('latency', 'everything-http', 10_000);
    assert.equal(result.verdict, 'pass', `${JSON.stringify(result.slos)} ${result.notes?.join('; ')}`);
    assert.ok(result.faults.proxy, 'the runner placed the proxy');
    const [w] = result.faults.windows;
    assert.equal(w?.kind, 'latency');
    const { before, during, after } = w!.phases!;
    const added = during.p50 - before.p50;
    t.diagnostic(`latency 100±50: p50 before ${before.p50} ms (${before.requests} req), during ${during.p50} ms (${during.requests} req), after ${after.p50} ms; added ${added.toFixed(1)} ms`);
    // Uniform delays on [50, 150] ms have a median of 100 ms; ~150 requests put the sample median
    // within ~5 ms of it. Tolerance: −25 ms (the proxy never releases early), +40 ms (its timers, in
    // the same process as the client, fire late on a loaded 2-core machine: seen up to +21 ms).
    assert.ok(added >= 75 && added <= 140, `added p50 ${added.toFixed(1)} ms`);
    assert.ok(during.requests >= 60 && before.requests >= 60, 'enough requests in each phase');
    assert.equal(during.errors + during.timeouts, 0);
    assert.ok(after.p50 < before.p50 + 25, 'back to normal after the fault');
    assert.equal(w?.mttdMs, null, 'latency alone is not a failure the client notices');
    assert.ok(w?.mttrMs !== null && w!.mttrMs < 1000);
  });

  test('loss 5 % (client → server): requests stall (> 200 ms: one retransmission timeout) at about that rate, none fails', async (t) => {
    const run = await runFaultFixture('loss', 'everything-http', 12_000);
    const [w] = run.result.faults.windows;
    assert.equal(w?.kind, 'loss', `the fault was injected (${run.result.notes?.join('; ')})`);
    const start = Date.parse(w!.startedAt);
    const end = Date.parse(w!.endedAt!);
    const sent = requests(run).map((e) => ({ sentAt: e.at - e.ms, slow: e.ms > 200 }));
    const during = sent.filter((r) => r.sentAt >= start && r.sentAt < end);
    const before = sent.filter((r) => r.sentAt < start);
    const rate = (rs: typeof sent) => rs.filter((r) => r.slow).length / Math.max(1, rs.length);
    // Requests slower than 200 ms without any fault (a loaded machine) are not stalls: count only the excess.
    const stallRate = rate(during) - rate(before);
    t.diagnostic(
      `loss 5 %: ${during.filter((r) => r.slow).length} of ${during.length} requests sent during the fault took > 200 ms (${(rate(during) * 100).toFixed(1)} %), ` +
        `${before.filter((r) => r.slow).length} of ${before.length} before (${(rate(before) * 100).toFixed(1)} %): stall rate ${(stallRate * 100).toFixed(1)} %; during p50 ${w!.phases!.during.p50} ms, p99 ${w!.phases!.during.p99} ms`,
    );
    // One segment per request on its way to the server: stalls are Binomial(n, 0.05). With n ≥ 250,
    // σ ≤ 1.4 percentage points; the band 1.5–10 % is more than ±2.5σ (and the seed fixes the draws).
    assert.ok(during.length >= 250, `${during.length} requests during the fault`);
    assert.ok(stallRate >= 0.015 && stallRate <= 0.1, `stall rate ${(stallRate * 100).toFixed(1)} %`);
    assert.equal(run.result.totals.errors + run.result.totals.timeouts, 0, 'TCP-faithful loss delays, never loses');
  });

  test('reset: Streamable HTTP sees a connection-error disconnection; WebSocket a transport-closed one, and an idle cut closes it too', async (t) => {
    const http = await runFaultFixture('cuts', 'everything-http', 9_000);
    const [reset] = http.result.faults.windows;
    const httpDown = disconnections(http).filter((d) => d.at >= Date.parse(reset!.startedAt));
    t.diagnostic(`http: ${httpDown.map((d) => `${d.reason} (${d.detail})`).join(', ')}; reset MTTD ${reset!.mttdMs} ms, MTTR ${reset!.mttrMs} ms`);
    assert.equal(httpDown[0]?.reason, 'connection-error');
    assert.match(httpDown[0]?.detail ?? '', /ECONNRESET/);
    assert.equal(reset?.detectedBy, 'disconnected: connection-error');

    const ws = await runFaultFixture('cuts', 'everything-ws', 9_000);
    const [wsReset, idle] = ws.result.faults.windows;
    const within = (w: typeof idle) => disconnections(ws).filter((d) => d.at >= Date.parse(w!.startedAt) && d.at <= Date.parse(w!.endedAt!) + 100);
    t.diagnostic(`ws: reset → ${within(wsReset).map((d) => d.reason).join(', ')} (MTTD ${wsReset!.mttdMs} ms); idle-cut → ${within(idle).map((d) => d.reason).join(', ')} (MTTD ${idle!.mttdMs} ms)`);
    assert.equal(within(wsReset)[0]?.reason, 'transport-closed');
    assert.ok(within(idle).length >= 1, 'the idle WebSocket was cut');
    assert.ok(within(idle).every((d) => d.reason === 'transport-closed'));
    assert.equal(idle?.detectedBy, 'disconnected: transport-closed');
    assert.equal(ws.result.verdict, 'pass', JSON.stringify(ws.result.slos.filter((s) => !s.passed)));
  });
});

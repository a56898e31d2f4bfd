/**
 * Process faults on a stdio target (server-everything started by startTarget), observed through a
 * real Session: kill → process-exit → respawn; stdout stall, delay and partial line through the
 * target's stdout valve, with and without the pinger.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { processFault, type ProcessFaultAction } from '../../src/chaos/process/index.js';
import { Session, getClientProfile, type CallResult, type ClientProfile } from '../../src/session/index.js';
import { seededRng } from '../helpers/rng.js';
import { connectedTo } from '../helpers/connected.js';

/** How long a call is watched to show it does not complete while the fault holds its answer. */
const WATCH_MS = 1_500;
const fastPinger = () => getClientProfile('resilient', { pingIntervalMs: 500, pingTimeoutMs: 1_000, maxReconnectAttempts: 30 });
const noPinger = () => getClientProfile('resilient', { pingIntervalMs: 0 });

const connected = (t: TestContext, profile: ClientProfile) => connectedTo(t, 'everything-stdio', profile, 31);

/** 'pending' if the call has not settled within ms (a window to watch, not a timing assertion). */
async function settledWithin(call: Promise<CallResult>, ms: number): Promise<CallResult | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const window = new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), ms)));
  try {
    return await Promise.race([call, window]);
  } finally {
    clearTimeout(timer);
  }
}

const echo = (session: Session, message: string) => session.callTool('echo', { message });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const HYGIENE = ['stdout-non-json', 'partial-line', 'invalid-jsonrpc'];

describe('process faults on stdio (server-everything)', { timeout: 120_000 }, () => {
  test('kill: the client sees process-exit, spawns a fresh server and recovers; lifting does nothing', async (t) => {
    const { target, log } = await connected(t, fastPinger());
    const old = target.currentProcess()!;
    const actions: ProcessFaultAction[] = [];
    const fault = processFault(target, { kind: 'kill' }, seededRng(1), { onAction: (a) => actions.push(a) });
    const killedAt = Date.now();
    await fault.start();
    const down = await log.waitFor('disconnected', () => true, 15_000);
    assert.equal(down.reason, 'process-exit', down.detail);
    const rec = await log.waitFor('recovered', () => true, 30_000);
    assert.notEqual(target.currentProcess()!.pid, old.pid, 'a fresh process');
    assert.equal((await old.exited).signal, 'SIGKILL');
    await fault.stop();
    assert.deepEqual(actions.map((a) => a.action), ['signal', 'exited'], 'no restart for stdio');
    t.diagnostic(`stdio kill: process-exit ${down.at - killedAt} ms after SIGKILL; recovered ${rec.at - down.at} ms after detection (${rec.attempts} attempt(s))`);
  });

  test('stdout-stall without a pinger: a call waits for the whole stall and completes once lifted', async (t) => {
    const { target, session, log } = await connected(t, noPinger());
    const fault = processFault(target, { kind: 'stdout-stall' }, seededRng(2));
    await fault.start();
    const call = echo(session, 'through the stall');
    assert.equal(await settledWithin(call, WATCH_MS), 'pending', 'no answer while stalled');
    assert.ok(target.stdoutValve!().stats().pendingChunks >= 1, 'the answer waits in the valve');
    const liftedAt = performance.now();
    await fault.stop();
    const r = await call;
    assert.equal(r.outcome, 'ok', r.error);
    assert.ok(r.ms >= WATCH_MS, `took ${r.ms} ms`);
    assert.equal(log.of('disconnected').length, 0, 'the link survives a stall the client has no way to notice');
    assert.equal(log.of('violation').length, 0, log.trace());
    t.diagnostic(`stdout-stall, no pinger: call completed ${Math.round(performance.now() - liftedAt)} ms after stop(), ${Math.round(r.ms)} ms in all`);
  });

  test('stdout-stall with the resilient pinger: ping-timeout declares the link dead; reconnects stall too until lifted', async (t) => {
    const { target, session, log } = await connected(t, fastPinger());
    const fault = processFault(target, { kind: 'stdout-stall' }, seededRng(3));
    const stalledAt = Date.now();
    await fault.start();
    const call = echo(session, 'lost in the stall');
    const down = await log.waitFor('disconnected', () => true, 15_000);
    assert.equal(down.reason, 'ping-timeout', down.detail);
    const r = await call;
    assert.notEqual(r.outcome, 'ok', 'the call in flight is lost with the connection');
    await log.waitFor('connecting', (e) => e.at > down.at, 15_000);
    assert.equal(await settledWithin(echo(session, 'during the stall'), WATCH_MS), 'pending', 'the respawned server is stalled too');
    const liftedAt = Date.now();
    await fault.stop();
    const rec = await log.waitFor('recovered', () => true, 60_000);
    assert.equal((await echo(session, 'after')).outcome, 'ok');
    t.diagnostic(`stdout-stall, pinger 500/1000: ping-timeout ${down.at - stalledAt} ms into the stall (call: ${r.outcome} after ${Math.round(r.ms)} ms); recovered ${rec.at - liftedAt} ms after stop()`);
  });

  test('stdout-delay 200 ms: every call takes at least 200 ms during the fault, and is fast again after', async (t) => {
    const { target, session } = await connected(t, noPinger());
    const calls = async (label: string) => {
      const ms: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await echo(session, `${label} ${i}`);
        assert.equal(r.outcome, 'ok', r.error);
        ms.push(r.ms);
      }
      return ms;
    };
    const before = await calls('before');
    const fault = processFault(target, { kind: 'stdout-delay', delayMs: 200 }, seededRng(4));
    await fault.start();
    const during = await calls('during');
    await fault.stop();
    const afterward = await calls('after');
    for (const ms of during) assert.ok(ms >= 200, `a call took ${ms} ms during a 200 ms delay`);
    assert.ok(median(afterward) < 100, `after the fault: median ${median(afterward)} ms`);
    t.diagnostic(`stdout-delay 200: median ${median(before).toFixed(1)} ms before, ${median(during).toFixed(1)} ms during (min ${Math.min(...during).toFixed(1)}), ${median(afterward).toFixed(1)} ms after`);
  });

  test('partial-line without a pinger: the message waits, unfinished, until lifted; then the stream is intact', async (t) => {
    const { target, session, log } = await connected(t, noPinger());
    const fault = processFault(target, { kind: 'partial-line' }, seededRng(5));
    await fault.start();
    const call = echo(session, 'cut me');
    assert.equal(await settledWithin(call, WATCH_MS), 'pending', 'the message without its newline is not delivered');
    assert.equal(target.stdoutValve!().stats().cutStreams, 1, 'the stream was cut mid-line');
    await fault.stop();
    const r = await call;
    assert.equal(r.outcome, 'ok', r.error);
    assert.equal((await echo(session, 'next')).outcome, 'ok', 'the stream goes on');
    assert.deepEqual(log.of('violation').filter((v) => HYGIENE.includes(v.kind)), [], 'no hygiene finding: the line was only late');
    assert.equal(log.of('disconnected').length, 0);
  });

  test('partial-line with the resilient pinger: ping-timeout, the client kills the process, no hygiene finding; recovers once lifted', async (t) => {
    const { target, log } = await connected(t, fastPinger());
    const fault = processFault(target, { kind: 'partial-line' }, seededRng(6));
    const cutAt = Date.now();
    await fault.start();
    const down = await log.waitFor('disconnected', () => true, 15_000);
    assert.equal(down.reason, 'ping-timeout', down.detail);
    await fault.stop();
    const rec = await log.waitFor('recovered', () => true, 60_000);
    assert.deepEqual(log.of('violation').filter((v) => HYGIENE.includes(v.kind)), [], log.trace());
    t.diagnostic(`partial-line, pinger 500/1000: ping-timeout ${down.at - cutAt} ms after the cut; recovered ${rec.at - down.at} ms after detection`);
  });
});

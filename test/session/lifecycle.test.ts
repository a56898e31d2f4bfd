/**
 * Scenario-driven lifecycle over real stdio processes: graceful and forced disconnects (expected,
 * no auto-reconnect), an explicit reconnect measured from the disconnect, calls waiting for an
 * automatic recovery, and close() guarantees.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Session, getClientProfile } from '../../src/session/index.js';
import { EventLog } from '../helpers/events.js';
import { seededRng } from '../helpers/rng.js';
import { fixtureStdio, type TestServer } from '../helpers/servers.js';

describe('session lifecycle', { timeout: 60_000 }, () => {
  const servers: TestServer[] = [];
  const sessions: Session[] = [];
  after(async () => {
    await Promise.all(sessions.map((s) => s.close()));
    await Promise.all(servers.map((s) => s.stop()));
  });
  function start(profile = getClientProfile('resilient')) {
    const server = fixtureStdio('hygiene-stdio.mjs');
    const session = new Session(server.endpoint, profile, { rng: seededRng(11), sessionId: 3 });
    servers.push(server);
    sessions.push(session);
    return { server, session, log: new EventLog(session) };
  }

  test('disconnect() is graceful and expected; reconnect() recovers, measured from the disconnect', async () => {
    const { server, session, log } = start();
    assert.equal(await session.connect(), true, log.trace());
    await session.disconnect();
    const down = await log.waitFor('disconnected');
    assert.equal(down.reason, 'client-disconnect');
    assert.equal(down.expected, true);
    assert.equal(session.state, 'disconnected');
    const first = server.processes[0]!;
    assert.equal(first.isRunning(), false, 'the stdio server was stopped');
    assert.equal((await first.exited).signal, null, 'it exited on stdin EOF, no signal needed');
    assert.equal(log.of('reconnecting').length, 0, 'no auto-reconnect after a scenario disconnect');

    const r = await session.callTool('echo', { message: 'x' });
    assert.equal(r.outcome, 'unavailable');

    assert.equal(await session.reconnect(), true, log.trace());
    const rec = await log.waitFor('recovered');
    assert.equal(rec.reason, 'client-disconnect');
    assert.equal(rec.attempts, 1);
    assert.ok(rec.afterMs >= 0 && rec.afterMs <= rec.at - down.at + 1, 'measured from the disconnect');
    assert.deepEqual(
      log.of('reconnecting').map((e) => e.delayMs),
      [0],
      'an explicit reconnect tries at once',
    );
    assert.equal((await session.callTool('echo', { message: 'y' })).outcome, 'ok');
    session.reportStateCheck(true, 'value survived the reconnect');
    assert.deepEqual(
      log.of('state-check').map((e) => [e.ok, e.detail]),
      [[true, 'value survived the reconnect']],
    );
  });

  test('forceDisconnect() kills the stdio server abruptly', async () => {
    const { server, session, log } = start();
    assert.equal(await session.connect(), true, log.trace());
    await session.forceDisconnect();
    const down = await log.waitFor('disconnected');
    assert.equal(down.reason, 'client-force-disconnect');
    assert.equal(down.expected, true);
    assert.equal((await server.processes[0]!.exited).signal, 'SIGKILL');
    assert.equal(log.of('disconnected').length, 1, 'the process exit it caused is not a second disconnect');
  });

  test('a call made while the session reconnects waits for the recovery', async () => {
    const { server, session, log } = start();
    assert.equal(await session.connect(), true, log.trace());
    const down = log.waitFor('disconnected');
    await server.kill();
    await down;
    const r = await session.callTool('echo', { message: 'patient' }, { timeoutMs: 30_000 });
    assert.equal(r.outcome, 'ok', r.error);
    assert.ok(log.of('recovered').length === 1);
  });

  test('close() stops everything, is idempotent, and emits nothing afterwards', async () => {
    const { server, session, log } = start();
    assert.equal(await session.connect(), true, log.trace());
    const before = log.events.length;
    await Promise.all([session.close(), session.close()]);
    await session.close();
    assert.equal(session.state, 'closed');
    assert.equal(server.processes.every((p) => !p.isRunning()), true);
    assert.equal(log.events.length, before, 'no events on or after close');
    assert.equal((await session.callTool('echo', {})).outcome, 'unavailable');
    assert.equal(await session.reconnect(), false);
    assert.equal(log.events.length, before);
  });
});

/**
 * Session loss on the lean load path (extends the lean test of session-lost.test.ts): the profile
 * that fails the request (claude-code), 400 naming the session, several calls in flight meeting
 * one expiry, and sessions that keep expiring under load.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { Session, getClientProfile } from '../../src/session/index.js';
import { EventLog } from '../helpers/events.js';
import { seededRng } from '../helpers/rng.js';
import { fixtureHttp, type TestServer } from '../helpers/servers.js';

describe('Streamable HTTP session loss on the lean path', { timeout: 60_000 }, () => {
  const running: { session: Session; server: TestServer }[] = [];
  afterEach(async () => {
    for (const { session, server } of running.splice(0)) {
      await session.close();
      await server.stop();
    }
  });

  async function open(fixture: string, env: Record<string, string>, profile: 'resilient' | 'claude-code') {
    const server = await fixtureHttp(fixture, env);
    const session = new Session(server.endpoint, getClientProfile(profile, { pingIntervalMs: 0 }), { rng: seededRng(5) });
    running.push({ session, server });
    const log = new EventLog(session);
    assert.equal(await session.connect(), true, log.trace());
    return { server, session, log };
  }

  test('claude-code: the call that meets the 404 is lost (lostToExpiry), the next one goes on the fresh session', async () => {
    const { server, session, log } = await open('wrong-id-http.mjs', {}, 'claude-code');
    const lean = session.leanCaller(2)!;
    try {
      assert.equal((await lean.call('echo', { message: 'before' })).outcome, 'ok');
      await server.kill();
      await server.restart();
      const lost = await lean.call('echo', { message: 'after restart' });
      assert.equal(lost.outcome, 'error');
      assert.match(lost.error ?? '', /^session expired, the request was lost: HTTP 404/);
      const ev = log.of('request').filter((e) => e.method === 'tools/call').at(-1)!;
      assert.equal(ev.lostToExpiry, true);
      assert.equal(ev.replayed, undefined);
      assert.equal(log.of('session-expired')[0]?.status, 404);
      await log.waitFor('session-renewed');
      const next = await lean.call('echo', { message: 'next' });
      assert.equal(next.outcome, 'ok', next.error);
    } finally {
      lean.close();
    }
  });

  test('400 naming the session (resilient): replayed on the fresh session, and a session-lost-400 finding', async () => {
    const { server, session, log } = await open('wrong-id-http.mjs', { FIXTURE_UNKNOWN_SESSION_STATUS: '400' }, 'resilient');
    const lean = session.leanCaller(2)!;
    try {
      await server.kill();
      await server.restart();
      const r = await lean.call('echo', { message: 'after restart' });
      assert.equal(r.outcome, 'ok', r.error);
      assert.equal(log.of('session-expired')[0]?.status, 400);
      assert.equal(log.of('request').filter((e) => e.method === 'tools/call').at(-1)?.replayed, true);
      assert.equal(log.of('violation').filter((v) => v.kind === 'session-lost-400').length, 1);
      assert.equal(log.of('disconnected').length, 0);
    } finally {
      lean.close();
    }
  });

  test('several calls in flight meet one expiry: one session-expired, every call replayed once and answered', async () => {
    const { server, session, log } = await open('wrong-id-http.mjs', {}, 'resilient');
    const lean = session.leanCaller(4)!;
    try {
      await server.kill();
      await server.restart();
      const results = await Promise.all(Array.from({ length: 4 }, (_, i) => lean.call('echo', { message: `c${i}` })));
      results.forEach((r, i) => {
        assert.equal(r.outcome, 'ok', r.error);
        assert.deepEqual(r.result, { content: [{ type: 'text', text: `c${i}` }] });
      });
      assert.equal(log.of('session-expired').length, 1, log.trace());
      assert.equal(log.of('session-renewed').length, 1);
      const events = log.of('request').filter((e) => e.method === 'tools/call');
      assert.equal(events.length, 4, 'one event per call as the user saw it');
      assert.ok(events.every((e) => e.replayed === true && e.outcome === 'ok'));
    } finally {
      lean.close();
    }
  });

  test('sessions expiring every 300 ms under load (resilient): every refused call replayed, none lost', async () => {
    const { session, log } = await open('misbehaving-http.mjs', { FIXTURE_SESSION_TTL_MS: '300' }, 'resilient');
    const lean = session.leanCaller(3)!;
    try {
      const until = Date.now() + 1_300;
      const results = await Promise.all(
        Array.from({ length: 3 }, async () => {
          const out = [];
          while (Date.now() < until) {
            out.push(await lean.call('echo', { message: 'x' }));
            await new Promise((r) => setTimeout(r, 5));
          }
          return out;
        }),
      );
      const flat = results.flat();
      assert.ok(flat.every((r) => r.outcome === 'ok'), JSON.stringify(flat.filter((r) => r.outcome !== 'ok')));
      const expiries = log.of('session-expired').length;
      assert.ok(expiries >= 3, `${expiries} expiries`);
      const replayed = log.of('request').filter((e) => e.method === 'tools/call' && e.replayed).length;
      assert.ok(replayed >= expiries, `${replayed} replayed for ${expiries} expiries`);
      assert.equal(log.of('disconnected').length, 0, log.trace());
    } finally {
      lean.close();
    }
  });
});

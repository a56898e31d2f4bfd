/**
 * The lean load path inside a real Session, against the misbehaving Streamable HTTP fixture:
 * a stateless server, authentication headers, tool errors and error-looking text, a timeout,
 * abandonment at the run's end, and a server that dies and comes back.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { Session, getClientProfile } from '../../src/session/index.js';
import type { Endpoint } from '../../src/target/types.js';
import { EventLog } from '../helpers/events.js';
import { seededRng } from '../helpers/rng.js';
import { fixtureHttp, type TestServer } from '../helpers/servers.js';

describe('lean caller in a session (misbehaving-http fixture)', { timeout: 60_000 }, () => {
  const running: { session: Session; server: TestServer }[] = [];
  afterEach(async () => {
    for (const { session, server } of running.splice(0)) {
      await session.close();
      await server.stop();
    }
  });

  async function open(env: Record<string, string>, opts: { headers?: Record<string, string>; endSignal?: AbortSignal; profile?: 'resilient' | 'claude-code' } = {}) {
    const server = await fixtureHttp('misbehaving-http.mjs', env);
    const endpoint: Endpoint = { ...server.endpoint, ...(opts.headers ? { headers: opts.headers } : {}) };
    const session = new Session(endpoint, getClientProfile(opts.profile ?? 'resilient', { pingIntervalMs: 0 }), { rng: seededRng(3), ...(opts.endSignal ? { endSignal: opts.endSignal } : {}) });
    running.push({ session, server });
    const log = new EventLog(session);
    assert.equal(await session.connect(), true, log.trace());
    return { server, session, log };
  }

  test('a stateless server (no Mcp-Session-Id): concurrent lean calls are answered, no expiry, no finding', async () => {
    const { session, log } = await open({ FIXTURE_STATELESS: '1' });
    const lean = session.leanCaller(4)!;
    try {
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => lean.call('echo', { message: `m${i}` }, { role: 'work' })));
      results.forEach((r, i) => {
        assert.equal(r.outcome, 'ok', r.error);
        assert.deepEqual(r.result, { content: [{ type: 'text', text: `m${i}` }] });
      });
      assert.equal(log.of('session-expired').length, 0);
      assert.equal(log.of('violation').length, 0, log.trace());
      assert.equal(log.of('request').filter((e) => e.method === 'tools/call' && e.outcome === 'ok').length, 40);
    } finally {
      lean.close();
    }
  });

  test("the endpoint's headers (authentication) go with every lean call", async () => {
    const { session } = await open({ FIXTURE_REQUIRE_TOKEN: 's3cret' }, { headers: { Authorization: 'Bearer s3cret' } });
    const lean = session.leanCaller(2)!;
    try {
      const r = await lean.call('echo', { message: 'authed' });
      assert.equal(r.outcome, 'ok', r.error);
    } finally {
      lean.close();
    }
  });

  test('isError results are tool errors (answered), error-looking text is a warning', async () => {
    const { session, log } = await open({ FIXTURE_TOOL_ERROR_EVERY: '2' });
    const lean = session.leanCaller(1)!;
    try {
      const outcomes = [];
      for (let i = 0; i < 4; i++) outcomes.push((await lean.call('echo', { message: 'x' })).outcome);
      assert.deepEqual(outcomes, ['ok', 'tool-error', 'ok', 'tool-error']);
      assert.equal(log.of('disconnected').length, 0);
    } finally {
      lean.close();
    }
    const text = await open({ FIXTURE_ERROR_TEXT: '1' });
    const lean2 = text.session.leanCaller(1)!;
    try {
      const r = await lean2.call('echo', { message: 'x' });
      assert.equal(r.outcome, 'ok');
      const v = await text.log.waitFor('violation', (e) => e.kind === 'error-text-result');
      assert.match(v.sample, /^echo: Error fetching/);
    } finally {
      lean2.close();
    }
  });

  test('a call the server never answers times out on its timeout; the next one is sent', async () => {
    const { session, log } = await open({ FIXTURE_HANG_AFTER_CALLS: '1' });
    const lean = session.leanCaller(2)!;
    try {
      assert.equal((await lean.call('echo', { message: 'first' })).outcome, 'ok');
      const t0 = performance.now();
      const r = await lean.call('echo', { message: 'hangs' }, { timeoutMs: 300 });
      const took = performance.now() - t0;
      assert.equal(r.outcome, 'timeout');
      assert.equal(r.error, 'no answer within 300 ms');
      assert.ok(took >= 290 && took < 3_000, `took ${took} ms`);
      const ev = log.of('request').filter((e) => e.method === 'tools/call').at(-1)!;
      assert.equal(ev.outcome, 'timeout');
      assert.equal(ev.abandoned, undefined);
    } finally {
      lean.close();
    }
  });

  test("the run's end abandons the calls in flight at once: timeouts flagged abandoned, no disconnection", async () => {
    const end = new AbortController();
    const { session, log } = await open({ FIXTURE_HANG_AFTER_CALLS: '0' }, { endSignal: end.signal });
    const lean = session.leanCaller(3)!;
    try {
      const pending = Array.from({ length: 3 }, (_, i) => lean.call('echo', { message: `${i}` }));
      await new Promise((r) => setTimeout(r, 200));
      const t0 = performance.now();
      end.abort();
      const results = await Promise.all(pending);
      assert.ok(performance.now() - t0 < 500, 'at once');
      assert.deepEqual(results.map((r) => r.outcome), ['timeout', 'timeout', 'timeout']);
      const events = log.of('request').filter((e) => e.method === 'tools/call');
      assert.equal(events.length, 3);
      assert.ok(events.every((e) => e.abandoned === true));
      assert.equal(log.of('disconnected').length, 0, log.trace());
    } finally {
      lean.close();
    }
  });

  test('the server dies: a connection error takes the session down (connection-error); after its restart the caller follows the new session', async () => {
    const { server, session, log } = await open({});
    const lean = session.leanCaller(2)!;
    try {
      assert.equal((await lean.call('echo', { message: 'before' })).outcome, 'ok');
      await server.kill();
      const r = await lean.call('echo', { message: 'dead' });
      assert.equal(r.outcome, 'error');
      assert.match(r.error ?? '', /ECONNREFUSED|other side closed|ECONNRESET/);
      const down = await log.waitFor('disconnected');
      assert.equal(down.reason, 'connection-error');
      await server.restart();
      await log.waitFor('recovered');
      const back = await lean.call('echo', { message: 'back' });
      assert.equal(back.outcome, 'ok', back.error);
    } finally {
      lean.close();
    }
  });
});

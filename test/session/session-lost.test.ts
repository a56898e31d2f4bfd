/**
 * Streamable HTTP session loss: the server restarts and forgets our Mcp-Session-Id. The spec says
 * 404 (and the client re-initializes); some servers answer 400, which is also reported as a finding.
 * The fixture has no GET stream, so nothing notices the restart until the next request.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { Session, getClientProfile } from '../../src/session/index.js';
import { EventLog } from '../helpers/events.js';
import { seededRng } from '../helpers/rng.js';
import { fixtureHttp, type TestServer } from '../helpers/servers.js';

describe('Streamable HTTP session loss', { timeout: 60_000 }, () => {
  const running: { session: Session; server: TestServer }[] = [];
  afterEach(async () => {
    for (const { session, server } of running.splice(0)) {
      await session.close();
      await server.stop();
    }
  });

  for (const status of [404, 400] as const) {
    test(`HTTP ${status} for our session: session-expired, re-initialize, recovered`, async () => {
      const server = await fixtureHttp('wrong-id-http.mjs', status === 400 ? { FIXTURE_UNKNOWN_SESSION_STATUS: '400' } : {});
      const session = new Session(server.endpoint, getClientProfile('resilient', { pingIntervalMs: 0 }), { rng: seededRng(5) });
      running.push({ session, server });
      const log = new EventLog(session);
      assert.equal(await session.connect(), true, log.trace());
      await server.kill();
      await server.restart();
      const lost = await session.callTool('echo', { message: 'after restart' });
      assert.equal(lost.outcome, 'error');
      const down = await log.waitFor('disconnected');
      assert.equal(down.reason, 'session-expired', down.detail);
      const findings = log.of('violation').filter((v) => v.kind === 'session-lost-400');
      assert.equal(findings.length, status === 400 ? 1 : 0);
      const rec = await log.waitFor('recovered');
      assert.equal(rec.reason, 'session-expired');
      const ok = await session.callTool('echo', { message: 'new session' });
      assert.equal(ok.outcome, 'ok', ok.error);
    });
  }

  test('a profile that does not re-initialize stays disconnected', async () => {
    const server = await fixtureHttp('wrong-id-http.mjs');
    const profile = { ...getClientProfile('resilient', { pingIntervalMs: 0 }), reinitializeOnSessionLost: false };
    const session = new Session(server.endpoint, profile, { rng: seededRng(5) });
    running.push({ session, server });
    const log = new EventLog(session);
    assert.equal(await session.connect(), true, log.trace());
    await server.kill();
    await server.restart();
    await session.callTool('echo', { message: 'x' });
    const down = await log.waitFor('disconnected');
    assert.equal(down.reason, 'session-expired');
    assert.equal(session.state, 'disconnected');
    assert.equal(log.of('reconnecting').length, 0);
  });
});

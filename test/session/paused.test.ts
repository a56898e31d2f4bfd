/**
 * A paused server (SIGSTOP) over Streamable HTTP: TCP still connects (kernel backlog) and no stream
 * breaks, so only application-level timeouts can tell. With a pinger the ping timeout decides; a
 * profile without one (claude-code) detects it through a request timeout.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { Session, getClientProfile, type ClientProfile } from '../../src/session/index.js';
import { EventLog } from '../helpers/events.js';
import { seededRng } from '../helpers/rng.js';
import { startEverything, type TestServer } from '../helpers/servers.js';

describe('paused Streamable HTTP server', { timeout: 90_000 }, () => {
  const running: { session: Session; server: TestServer }[] = [];
  afterEach(async () => {
    for (const { session, server } of running.splice(0)) {
      server.current()?.signal('SIGCONT');
      await session.close();
      await server.stop();
    }
  });

  async function pausedRun(profile: ClientProfile) {
    const server = await startEverything('streamable-http');
    const session = new Session(server.endpoint, profile, { rng: seededRng(13) });
    running.push({ session, server });
    const log = new EventLog(session);
    assert.equal(await session.connect(), true, log.trace());
    const pausedAt = Date.now();
    server.current()!.signal('SIGSTOP');
    return { server, session, log, pausedAt };
  }

  test('resilient: the pinger declares ping-timeout; after SIGCONT the session re-initializes', async (t) => {
    const profile = getClientProfile('resilient', { pingIntervalMs: 500, pingTimeoutMs: 1_000, maxReconnectAttempts: 30 });
    const { server, log, pausedAt } = await pausedRun(profile);
    const down = await log.waitFor('disconnected', () => true, 30_000);
    assert.equal(down.reason, 'ping-timeout', down.detail);
    t.diagnostic(`streamable-http paused: ping-timeout after ${down.at - pausedAt} ms (interval 500 ms, timeout 1000 ms)`);
    server.current()!.signal('SIGCONT');
    const rec = await log.waitFor('recovered', () => true, 60_000);
    assert.equal(rec.reason, 'ping-timeout');
  });

  test('claude-code (no pinger): a request timeout declares the link dead', async (t) => {
    const profile = getClientProfile('claude-code', { requestTimeoutMs: 1_500 });
    const { server, session, log, pausedAt } = await pausedRun(profile);
    const r = await session.callTool('echo', { message: 'into the void' });
    assert.equal(r.outcome, 'timeout');
    const down = await log.waitFor('disconnected');
    assert.equal(down.reason, 'request-timeout', down.detail);
    t.diagnostic(`streamable-http paused, no pinger: request-timeout after ${down.at - pausedAt} ms (request timeout 1500 ms)`);
    server.current()!.signal('SIGCONT');
    const rec = await log.waitFor('recovered', () => true, 60_000);
    assert.equal(rec.reason, 'request-timeout');
  });
});

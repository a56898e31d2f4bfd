/**
 * Protocol-hygiene oracles against a misbehaving stdio fixture: stdout pollution, a server without
 * `ping` (must not be declared dead), stray response ids, answers to notifications, version
 * downgrade, and a partial line at exit.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { Session, getClientProfile, type ClientProfile } from '../../src/session/index.js';
import { EventLog } from '../helpers/events.js';
import { seededRng } from '../helpers/rng.js';
import { fixtureStdio, type TestServer } from '../helpers/servers.js';

const running: { session: Session; server: TestServer }[] = [];
afterEach(async () => {
  for (const { session, server } of running.splice(0)) {
    await session.close();
    await server.stop();
  }
});

async function open(env: Record<string, string>, profile: ClientProfile = getClientProfile('resilient')) {
  const server = fixtureStdio('hygiene-stdio.mjs', env);
  const session = new Session(server.endpoint, profile, { rng: seededRng(1) });
  running.push({ session, server });
  const log = new EventLog(session);
  assert.equal(await session.connect(), true, log.trace());
  return { session, server, log };
}

describe('protocol hygiene', { timeout: 60_000 }, () => {
  test('a log line on stdout is a stdout-non-json finding, and the session carries on', async () => {
    const line = 'hygiene fixture: starting up (this belongs on stderr)';
    const { session, log } = await open({ FIXTURE_LOG_LINE: line });
    const v = await log.waitFor('violation', (e) => e.kind === 'stdout-non-json');
    assert.equal(v.sample, line);
    const r = await session.callTool('echo', { message: 'still fine' });
    assert.equal(r.outcome, 'ok', r.error);
  });

  test('ping answered with -32601: ping-unsupported once, and the health loop keeps the session alive', async () => {
    const profile = getClientProfile('resilient', { pingIntervalMs: 100, pingTimeoutMs: 2_000 });
    const { session, log } = await open({ FIXTURE_NO_PING: '1' }, profile);
    const v = await log.waitFor('violation', (e) => e.kind === 'ping-unsupported');
    assert.match(v.sample, /-32601/);
    // Wait (by polling the server's own counter, not by sleeping) until the pinger has pinged many times.
    let pings = 0;
    for (let i = 0; i < 200 && pings < 6; i++) {
      const r = await session.callTool('ping-count', {});
      assert.equal(r.outcome, 'ok', r.error);
      pings = Number((r.result as { content: { text: string }[] }).content[0]?.text);
      if (pings < 6) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(pings >= 6, `only ${pings} pings reached the server`);
    assert.equal(log.of('disconnected').length, 0, log.trace());
    assert.equal(session.state, 'connected');
    assert.equal(log.of('violation').filter((e) => e.kind === 'ping-unsupported').length, 1);
    // An explicit ping step reports the error answer as it is.
    const explicit = await session.ping();
    assert.equal(explicit.outcome, 'error');
  });

  test('a response with an id nobody used is unknown-response-id; the real answer still arrives', async () => {
    const { session, log } = await open({ FIXTURE_UNKNOWN_ID: '1' });
    const r = await session.callTool('echo', { message: 'x' });
    assert.equal(r.outcome, 'ok', r.error);
    const v = await log.waitFor('violation', (e) => e.kind === 'unknown-response-id');
    assert.match(v.sample, /987654/);
  });

  test('an answer to a notification is response-to-notification', async () => {
    const { log } = await open({ FIXTURE_NOTIFICATION_REPLY: '1' });
    const v = await log.waitFor('violation', (e) => e.kind === 'response-to-notification');
    assert.match(v.sample, /"id":null/);
  });

  test('an older protocol version is a version-downgrade finding, not a failure', async () => {
    const { session, log } = await open({ FIXTURE_PROTOCOL_VERSION: '2025-03-26' });
    const v = await log.waitFor('violation', (e) => e.kind === 'version-downgrade');
    assert.match(v.sample, /got 2025-03-26/);
    assert.equal(session.protocolVersion, '2025-03-26');
    assert.equal(session.state, 'connected');
  });

  test('half a line at exit is partial-line, and the exit is process-exit with its code', async () => {
    const { session, log } = await open({}, getClientProfile('resilient', { maxReconnectAttempts: 0 }));
    const r = await session.callTool('crash', {});
    assert.equal(r.outcome, 'error');
    const v = await log.waitFor('violation', (e) => e.kind === 'partial-line');
    assert.equal(v.sample, '{"jsonrpc":"2.0","id":');
    const down = await log.waitFor('disconnected');
    assert.equal(down.reason, 'process-exit');
    assert.match(down.detail, /code=3/);
    assert.equal(session.state, 'disconnected');
  });
});

/**
 * The tcp byte pipe (`mcp-reliability pipe`) is transparent: what a misbehaving stdio server
 * writes reaches a tcp client exactly as a local stdio client would see it — a log line on stdout
 * is a stdout-non-json finding, half a line at exit a partial-line finding — and every connection
 * gets its own server process, stopped when the client goes.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { Session, getClientProfile } from '../../src/session/index.js';
import { EventLog } from '../helpers/events.js';
import { seededRng } from '../helpers/rng.js';
import { fixtureTcp, type TestServer } from '../helpers/servers.js';

const running: { session: Session; server: TestServer }[] = [];
afterEach(async () => {
  for (const { session, server } of running.splice(0)) {
    await session.close();
    await server.stop();
  }
});

async function open(env: Record<string, string>) {
  const server = await fixtureTcp('hygiene-stdio.mjs', env);
  const session = new Session(server.endpoint, getClientProfile('resilient'), { rng: seededRng(1) });
  running.push({ session, server });
  const log = new EventLog(session);
  assert.equal(await session.connect(), true, log.trace());
  return { session, server, log };
}

describe('tcp byte pipe', { timeout: 60_000 }, () => {
  test('stdout pollution crosses the pipe unchanged: a stdout-non-json finding, and the session carries on', async () => {
    const line = 'hygiene fixture: starting up (this belongs on stderr)';
    const { session, log } = await open({ FIXTURE_LOG_LINE: line });
    const v = await log.waitFor('violation', (e) => e.kind === 'stdout-non-json');
    assert.equal(v.sample, line);
    const r = await session.callTool('echo', { message: 'through the pipe' });
    assert.equal(r.outcome, 'ok', r.error);
    assert.match(JSON.stringify(r.result), /through the pipe/);
  });

  test('half a line at exit is a partial-line finding; the pipe closes the socket and a reconnect gets a fresh server', async () => {
    const { session, server, log } = await open({});
    void session.callTool('crash', {});
    const v = await log.waitFor('violation', (e) => e.kind === 'partial-line', 10_000);
    assert.ok(v.sample.length > 0);
    const down = await log.waitFor('disconnected', () => true, 10_000);
    assert.equal(down.reason, 'transport-closed', down.detail);
    await log.waitFor('recovered', () => true, 30_000);
    assert.equal(server.processes.length, 2, 'one server process per connection');
    const r = await session.callTool('echo', { message: 'again' });
    assert.equal(r.outcome, 'ok', r.error);
  });

  test('closing the session stops its server process', async () => {
    const { session, server } = await open({});
    const proc = server.current();
    assert.ok(proc && proc.isRunning());
    await session.close();
    await proc.exited;
    assert.equal(proc.isRunning(), false);
  });
});

/**
 * server-everything over stdio, Streamable HTTP, SSE and WebSocket: connect, call, then SIGKILL
 * the server mid-run — the session must detect it (reason per transport, detection time printed),
 * re-initialize once the server is back on the same port, and emit `recovered`.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Session, getClientProfile } from '../../src/session/index.js';
import type { DisconnectReason } from '../../src/session/index.js';
import type { TransportKind } from '../../src/target/types.js';
import { EventLog } from '../helpers/events.js';
import { seededRng } from '../helpers/rng.js';
import { startEverything, type TestServer } from '../helpers/servers.js';

/** What each transport reports when the server dies (and why). */
const EXPECTED_REASON: Record<TransportKind, DisconnectReason> = {
  stdio: 'process-exit', // the child exits; stdout ends
  'streamable-http': 'connection-error', // no close event: the SDK's GET stream drops and its re-open is refused
  sse: 'transport-closed', // the EventSource errors as the stream terminates
  websocket: 'transport-closed', // the socket closes
  tcp: 'transport-closed', // the byte pipe closes the socket when its server exits
};

const TIMEOUT = 120_000;

for (const kind of ['stdio', 'streamable-http', 'sse', 'websocket', 'tcp'] as const) {
  describe(`server-everything over ${kind}`, { timeout: TIMEOUT }, () => {
    let server: TestServer | undefined;
    let session: Session | undefined;
    after(async () => {
      await session?.close();
      await server?.stop();
    });

    test('connects, calls, detects a SIGKILL, re-initializes after a restart', async (t) => {
      server = await startEverything(kind);
      // Generous attempts: a restart on a loaded machine may take seconds.
      const profile = getClientProfile('resilient', { maxReconnectAttempts: 30 });
      session = new Session(server.endpoint, profile, { rng: seededRng(42) });
      const log = new EventLog(session);

      assert.equal(await session.connect(), true, log.trace());
      const connected = await log.waitFor('connected');
      assert.ok(connected.handshakeMs > 0);
      assert.equal(connected.reconnect, false);
      assert.equal(connected.serverName, 'mcp-servers/everything');
      const tools = await log.waitFor('tools', (e) => e.initial);
      assert.ok(tools.tools.includes('echo') && tools.tools.includes('get-sum'), `tools: ${tools.tools.join(', ')}`);
      assert.deepEqual(session.initialTools, tools.tools);
      assert.ok(log.of('request').some((e) => e.method === 'initialize' && e.outcome === 'ok'));

      const echo = await session.callTool('echo', { message: 'hello' }, { role: 'probe' });
      assert.equal(echo.outcome, 'ok', echo.error);
      assert.match(JSON.stringify(echo.result), /hello/);
      const sum = await session.callTool('get-sum', { a: 2, b: 3 });
      assert.equal(sum.outcome, 'ok', sum.error);
      assert.match(JSON.stringify(sum.result), /5/);
      const calls = log.of('request').filter((e) => e.method === 'tools/call');
      assert.equal(calls.length, 2);
      assert.deepEqual(
        calls.map((e) => [e.tool, e.outcome, e.role]),
        [
          ['echo', 'ok', 'probe'],
          ['get-sum', 'ok', undefined],
        ],
      );
      assert.ok(calls.every((e) => e.ms > 0));

      const killedAt = Date.now();
      await server.kill();
      const down = await log.waitFor('disconnected', () => true, 30_000);
      assert.equal(down.reason, EXPECTED_REASON[kind], `${down.reason}: ${down.detail}`);
      assert.equal(down.expected, false);
      t.diagnostic(`${kind}: detected SIGKILL after ${down.at - killedAt} ms (reason ${down.reason}: ${down.detail})`);

      await server.restart();
      const recovered = await log.waitFor('recovered', () => true, 90_000);
      assert.equal(recovered.reason, EXPECTED_REASON[kind]);
      assert.ok(recovered.attempts >= 1);
      assert.ok(recovered.afterMs >= 0);
      t.diagnostic(`${kind}: recovered ${recovered.afterMs} ms after the disconnect, in ${recovered.attempts} attempt(s)`);
      const again = log.of('connected');
      assert.equal(again.length, 2);
      assert.equal(again[1]?.reconnect, true);
      assert.equal(session.state, 'connected');
      if (kind === 'stdio' || kind === 'tcp') assert.equal(server.processes.length, 2, 'the reconnect spawns a fresh process');

      const afterRestart = await session.callTool('echo', { message: 'back' });
      assert.equal(afterRestart.outcome, 'ok', afterRestart.error);
      assert.equal(log.of('tools-changed').length, 0, 'same server, same tools');
    });
  });
}

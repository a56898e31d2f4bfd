/**
 * The probes against the real reference server, @modelcontextprotocol/server-everything: over
 * Streamable HTTP it answers an unknown session with 400 and serves a foreign Origin/Host, so the
 * probes name session-lost-400 and origin-not-validated (and nothing else); over stdio and tcp the
 * probes run without error (its SDK stdio transport drops a malformed line without a -32700:
 * parse-error-unanswered, info); over legacy SSE and WebSocket the SDK-client probes pass.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { ServerProcess } from '../../src/target/types.js';
import { groupMembers } from '../helpers/proc.js';
import { startEverything, type TestServer } from '../helpers/servers.js';
import { assertOnly, checkServer, pick } from './helpers.js';

const started: TestServer[] = [];
after(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

async function everything(kind: Parameters<typeof startEverything>[0]): Promise<TestServer> {
  const s = await startEverything(kind);
  started.push(s);
  return s;
}

const LINE = { 'unknown-session': 'skipped', origin: 'skipped', 'malformed-json': 'parse-error-unanswered' } as const;
const SDK = { 'unknown-session': 'skipped', origin: 'skipped', notification: 'skipped', 'malformed-json': 'skipped' } as const;

describe('protocol checks against server-everything', { timeout: 180_000 }, () => {
  test('Streamable HTTP: session-lost-400 and origin-not-validated, everything else passes', async () => {
    const outcomes = await checkServer(await everything('streamable-http'));
    assertOnly(outcomes, { 'unknown-session': 'session-lost-400', origin: 'origin-not-validated' });
    assert.match(pick(outcomes, 'unknown-session').evidence, /HTTP 400 .*No valid session ID/);
    assert.match(pick(outcomes, 'origin').evidence, /HTTP 200, initialize answered by "mcp-servers\/everything"/);
    assert.match(pick(outcomes, 'malformed-json').evidence, /HTTP 400 .*-32700/);
  });

  test('stdio: the probes run without error, the malformed line goes unanswered (info), the process is stopped', async () => {
    const server = await everything('stdio');
    const spawned: ServerProcess[] = [];
    const outcomes = await checkServer(server, {}, spawned);
    assertOnly(outcomes, LINE);
    assert.match(pick(outcomes, 'malformed-json').evidence, /no -32700 parse error; then ping still answered/);
    assert.equal(spawned.length, 1);
    assert.equal(spawned[0]!.isRunning(), false);
    assert.deepEqual(groupMembers(spawned[0]!.pid!), []);
  });

  test('tcp (stdio behind the byte pipe): the same as stdio', async () => {
    assertOnly(await checkServer(await everything('tcp')), LINE);
  });

  test('legacy SSE: ping and the unknown method pass through an SDK client, the rest skipped with the reason', async () => {
    const outcomes = await checkServer(await everything('sse'));
    assertOnly(outcomes, SDK);
    assert.match(pick(outcomes, 'notification').evidence, /not probed on legacy SSE/);
    assert.match(pick(outcomes, 'unknown-method').evidence, /error -32601 "Method not found"/);
  });

  test('WebSocket (supergateway): ping and the unknown method pass, the rest skipped with the reason', async () => {
    const outcomes = await checkServer(await everything('websocket'));
    assertOnly(outcomes, SDK);
    assert.match(pick(outcomes, 'unknown-session').evidence, /not probed on WebSocket/);
  });
});

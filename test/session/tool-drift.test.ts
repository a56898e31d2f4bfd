/**
 * Tool drift: a fixture whose tool list changes between starts. After a reconnect (a fresh stdio
 * process) a re-listing profile reports exactly what was added and removed; the claude-code
 * profile keeps its first list and reports nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Session, getClientProfile } from '../../src/session/index.js';
import { EventLog } from '../helpers/events.js';
import { seededRng } from '../helpers/rng.js';
import { fixtureStdio, type TestServer } from '../helpers/servers.js';

describe('tool-list drift after reconnect', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'drift-'));
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanup) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(name: string, profileName: string): { server: TestServer; session: Session; log: EventLog } {
    const server = fixtureStdio('drift-stdio.mjs', { DRIFT_COUNTER_FILE: join(dir, name) });
    const session = new Session(server.endpoint, getClientProfile(profileName), { rng: seededRng(3) });
    cleanup.push(async () => {
      await session.close();
      await server.stop();
    });
    return { server, session, log: new EventLog(session) };
  }

  test('resilient: tools-changed{added, removed} against the first list', async () => {
    const { server, session, log } = start('resilient', 'resilient');
    assert.equal(await session.connect(), true, log.trace());
    assert.deepEqual([...session.initialTools].sort(), ['first-only', 'stable']);
    await server.kill();
    const changed = await log.waitFor('tools-changed');
    assert.deepEqual(changed.added, ['later-only']);
    assert.deepEqual(changed.removed, ['first-only']);
    await log.waitFor('recovered');
    const listings = log.of('tools');
    assert.deepEqual(
      listings.map((e) => [e.initial, [...e.tools].sort()]),
      [
        [true, ['first-only', 'stable']],
        [false, ['later-only', 'stable']],
      ],
    );
    assert.deepEqual([...session.tools].sort(), ['later-only', 'stable']);
  });

  test('claude-code: no auto-reconnect on stdio; after a manual reconnect the old list is kept', async () => {
    const { server, session, log } = start('claude-code', 'claude-code');
    assert.equal(await session.connect(), true, log.trace());
    await server.kill();
    const down = await log.waitFor('disconnected');
    assert.equal(down.reason, 'process-exit');
    assert.equal(session.state, 'disconnected');
    assert.equal(log.of('reconnecting').length, 0, 'Claude Code does not reconnect stdio servers by itself');
    const unavailable = await session.callTool('stable', {});
    assert.equal(unavailable.outcome, 'unavailable');

    assert.equal(await session.reconnect(), true, log.trace());
    const recovered = await log.waitFor('recovered');
    assert.equal(recovered.attempts, 1);
    assert.equal(log.of('tools').length, 1, 'no re-listing after reconnect');
    assert.equal(log.of('tools-changed').length, 0);
    // Confirmed by one ping (the harness' recovery probe), since this client does not re-list.
    assert.ok(log.of('request').some((e) => e.method === 'ping' && e.role === 'health' && e.outcome === 'ok'));
    // An explicit list-tools step still reveals the drift.
    const listed = await session.listTools();
    assert.equal(listed.outcome, 'ok', listed.error);
    const changed = await log.waitFor('tools-changed');
    assert.deepEqual([changed.added, changed.removed], [['later-only'], ['first-only']]);
  });
});

/** Client profiles: the shipped ones, overrides, and the error for an unknown name. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLIENT_PROFILES, UnknownProfileError, getClientProfile } from '../../src/session/index.js';

describe('client profiles', () => {
  test('resilient pings, re-lists and reconnects as specified', () => {
    const p = getClientProfile('resilient');
    assert.equal(p.pingIntervalMs, 5_000);
    assert.equal(p.pingTimeoutMs, 3_000);
    assert.equal(p.requestTimeoutMs, 30_000);
    assert.deepEqual(p.reconnect, { enabled: true, maxAttempts: 8, baseDelayMs: 250, maxDelayMs: 5_000 });
    assert.equal(p.reinitializeOnSessionLost, true);
    assert.equal(p.relistToolsOnReconnect, true);
  });

  test('claude-code: no ping, no re-list, remote-only reconnects, sources marked as assumptions', () => {
    const p = getClientProfile('claude-code');
    assert.equal(p.pingIntervalMs, null);
    assert.equal(p.relistToolsOnReconnect, false);
    assert.deepEqual(p.reconnect.transports, ['streamable-http', 'sse', 'websocket']);
    assert.ok(p.sources.length > 0 && p.sources.every((s) => s.startsWith('assumption:')));
  });

  test('overrides apply to a copy', () => {
    const p = getClientProfile('resilient', { pingIntervalMs: 0, requestTimeoutMs: 5, maxReconnectAttempts: 0 });
    assert.equal(p.pingIntervalMs, null);
    assert.equal(p.requestTimeoutMs, 5);
    assert.equal(p.reconnect.enabled, false);
    assert.equal(CLIENT_PROFILES.resilient!.pingIntervalMs, 5_000, 'the shipped profile is untouched');
  });

  test('an unknown name lists the known ones', () => {
    assert.throws(() => getClientProfile('cursor'), (err: unknown) => {
      assert.ok(err instanceof UnknownProfileError);
      assert.match(err.message, /unknown client profile "cursor"; choose one of: claude-code, resilient/);
      return true;
    });
  });
});

/** Backoff math (pure, seeded) and giving up against a port where nothing listens. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Session, backoffCapMs, backoffSchedule, getClientProfile, type ClientProfile } from '../../src/session/index.js';
import { EventLog } from '../helpers/events.js';
import { seededRng } from '../helpers/rng.js';
import { deadEndpoint } from '../helpers/servers.js';

describe('backoff with full jitter', () => {
  const policy = { baseDelayMs: 250, maxDelayMs: 5_000 };

  test('caps double from the base and stop at the maximum', () => {
    assert.deepEqual(
      Array.from({ length: 8 }, (_, i) => backoffCapMs(i + 1, policy)),
      [250, 500, 1000, 2000, 4000, 5000, 5000, 5000],
    );
    assert.equal(backoffCapMs(10_000, policy), 5000, 'huge attempts stay at the cap');
  });

  test('a seeded rng gives exactly the same delays, each within [0, cap]', () => {
    const a = backoffSchedule(12, policy, seededRng(2024));
    const b = backoffSchedule(12, policy, seededRng(2024));
    assert.deepEqual(a, b);
    a.forEach((d, i) => {
      assert.ok(Number.isInteger(d));
      assert.ok(d >= 0 && d <= backoffCapMs(i + 1, policy), `attempt ${i + 1}: ${d}`);
    });
    assert.notDeepEqual(a, backoffSchedule(12, policy, seededRng(2025)));
  });

  test('extreme rng values stay inside the bounds', () => {
    assert.deepEqual(backoffSchedule(3, policy, () => 0), [0, 0, 0]);
    const high = backoffSchedule(3, policy, () => 0.999999999);
    high.forEach((d, i) => assert.ok(d <= backoffCapMs(i + 1, policy)));
  });
});

describe('giving up', { timeout: 60_000 }, () => {
  for (const kind of ['streamable-http', 'sse', 'websocket'] as const) {
    test(`${kind}: maxAttempts failed attempts against a dead port, then gave-up`, async () => {
      const base = getClientProfile('resilient');
      const profile: ClientProfile = { ...base, reconnect: { ...base.reconnect, maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 80 } };
      const session = new Session(await deadEndpoint(kind), profile, { rng: seededRng(7) });
      const log = new EventLog(session);
      try {
        assert.equal(await session.connect(), false);
        const gaveUp = await log.waitFor('gave-up');
        assert.equal(gaveUp.attempts, 4);
        assert.equal(session.state, 'gave-up');
        assert.deepEqual(
          log.of('connect-failed').map((e) => e.attempt),
          [0, 1, 2, 3, 4],
        );
        // The delays are the seeded schedule, in order.
        assert.deepEqual(
          log.of('reconnecting').map((e) => e.delayMs),
          backoffSchedule(4, profile.reconnect, seededRng(7)),
        );
        const r = await session.callTool('echo', { message: 'x' }, { timeoutMs: 5_000 });
        assert.equal(r.outcome, 'unavailable');
        assert.equal(log.of('connected').length, 0);
      } finally {
        await session.close();
      }
    });
  }
});

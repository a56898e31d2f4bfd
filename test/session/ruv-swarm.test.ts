/**
 * The seed's real server, ruv-swarm (stdio), as the hygiene oracles see it: logs on stdout, an
 * error answer to `notifications/initialized`, an older protocol version, and no `ping` — which
 * must be reported, not mistaken for a dead server.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, describe, test } from 'node:test';
import { Session, getClientProfile } from '../../src/session/index.js';
import { EventLog } from '../helpers/events.js';
import { seededRng } from '../helpers/rng.js';
import { stdioServer } from '../helpers/servers.js';

const RUV_SWARM_BIN = createRequire(import.meta.url).resolve('ruv-swarm/bin/ruv-swarm-secure.js');

describe('ruv-swarm over stdio', { timeout: 90_000 }, () => {
  const server = stdioServer('ruv-swarm', RUV_SWARM_BIN, ['mcp', 'start']);
  const session = new Session(server.endpoint, getClientProfile('resilient', { pingIntervalMs: 200 }), { rng: seededRng(21) });
  const log = new EventLog(session);
  after(async () => {
    await session.close();
    await server.stop();
  });

  test('connects and reports its protocol-hygiene findings without declaring it dead', async () => {
    assert.equal(await session.connect(), true, log.trace());
    assert.ok(session.tools.includes('swarm_init'), session.tools.join(', '));
    await log.waitFor('violation', (e) => e.kind === 'ping-unsupported');
    const kinds = new Set(log.of('violation').map((e) => e.kind));
    for (const k of ['stdout-non-json', 'response-to-notification', 'version-downgrade', 'ping-unsupported'] as const) {
      assert.ok(kinds.has(k), `missing ${k}: ${[...kinds].join(', ')}`);
    }
    const r = await session.callTool('features_detect', {});
    assert.equal(r.outcome, 'ok', r.error);
    assert.equal(log.of('disconnected').length, 0);
    assert.equal(session.state, 'connected');
  });
});

/**
 * The Streamable HTTP probes against real fixture servers: a clean one built from the SDK's server
 * classes and a clean hand-written one pass every probe; a server built to fail one probe (one
 * defect each) fails exactly that probe with the right finding kind and evidence; a stateless
 * server gets unknown-session skipped with the reason; the sessions the probes make are DELETEd.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { ViolationKind } from '../../src/session/findings.js';
import { runProtocolChecks, type CheckId } from '../../src/checks/index.js';
import { fixtureHttp, type TestServer } from '../helpers/servers.js';
import { assertOnly, checkServer, describeAll, pick } from './helpers.js';

const started: TestServer[] = [];
after(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

async function server(name: string, env: Record<string, string> = {}): Promise<TestServer> {
  const s = await fixtureHttp(name, env);
  started.push(s);
  return s;
}

const OPTS = { timeoutMs: 1500 };

describe('protocol checks over Streamable HTTP', { timeout: 120_000 }, () => {
  test('a clean server built from the SDK (404, DNS-rebinding protection, 202, -32601, 400) passes every probe', async () => {
    const outcomes = await checkServer(await server('checks-clean-http.mjs'), OPTS);
    assertOnly(outcomes, {});
    assert.match(pick(outcomes, 'unknown-session').evidence, /HTTP 404/);
    assert.match(pick(outcomes, 'origin').evidence, /Origin: http:\/\/mcp-reliability\.invalid and Host: mcp-reliability\.invalid → HTTP 403/);
    assert.match(pick(outcomes, 'notification').evidence, /HTTP 202 \(no body\)/);
    assert.match(pick(outcomes, 'unknown-method').evidence, /-32601/);
    assert.match(pick(outcomes, 'malformed-json').evidence, /HTTP 400 .*-32700.*then ping still answered/);
  });

  test('the clean hand-written server passes every probe too', async () => {
    assertOnly(await checkServer(await server('checks-http.mjs'), OPTS), {});
  });

  test('a stateless server: unknown-session is skipped with the reason, the rest pass', async () => {
    const outcomes = await checkServer(await server('checks-clean-http.mjs', { FIXTURE_STATELESS: '1' }), OPTS);
    assertOnly(outcomes, { 'unknown-session': 'skipped' });
    assert.match(pick(outcomes, 'unknown-session').evidence, /issued no Mcp-Session-Id.*stateless/);
  });

  const defects: [defect: string, probe: CheckId, finding: ViolationKind, evidence: RegExp][] = [
    ['unknown-session-400', 'unknown-session', 'session-lost-400', /never issued → HTTP 400 .*No valid session ID/],
    ['unknown-session-accepted', 'unknown-session', 'unknown-session-accepted', /never issued → HTTP 200 .*"result":\{\}/],
    ['no-origin-check', 'origin', 'origin-not-validated', /Host: mcp-reliability\.invalid → HTTP 200, initialize answered by "checks-http", a session issued/],
    ['notification-200-body', 'notification', 'notification-not-202', /notifications\/cancelled .*→ HTTP 200 application\/json: \{"jsonrpc":"2\.0","result":\{\}\}/],
    ['unknown-method-result', 'unknown-method', 'unknown-method-not-32601', /no-such-method → HTTP 200, result \{"ok":true\}/],
    ['malformed-json-200', 'malformed-json', 'malformed-json-accepted', /not JSON .*→ HTTP 200 .*-32700.*then ping still answered/],
    ['dies-on-malformed-json', 'malformed-json', 'malformed-input-crash', /not JSON .*→ no HTTP answer .*then ping on the same session → no HTTP answer/],
    ['ping-unsupported', 'ping', 'ping-unsupported', /ping → error -32601/],
    ['ping-never-answered', 'ping', 'ping-unanswered', /ping → HTTP 200 text\/event-stream \(no body\) \(body still open/],
  ];
  for (const [defect, probe, finding, evidence] of defects) {
    test(`${defect}: ${probe} fails with ${finding}, every other probe passes`, async () => {
      const outcomes = await checkServer(await server('checks-http.mjs', { FIXTURE_DEFECT: defect }), OPTS);
      assertOnly(outcomes, { [probe]: finding });
      assert.match(pick(outcomes, probe).evidence, evidence);
    });
  }

  test('ping never answered: the malformed-json probe proves liveness with the unknown method instead', async () => {
    const outcomes = await checkServer(await server('checks-http.mjs', { FIXTURE_DEFECT: 'ping-never-answered' }), OPTS);
    assert.match(pick(outcomes, 'malformed-json').evidence, /then mcp-reliability\/no-such-method still answered/);
  });

  test('extra headers go on every request (a server that requires a bearer token is probed fully), and are never printed', async () => {
    const s = await server('checks-http.mjs', { FIXTURE_TOKEN: 'secret-token-123' });
    const outcomes = await runProtocolChecks({ transport: 'streamable-http', url: s.endpoint.url!, headers: { Authorization: 'Bearer secret-token-123' } }, OPTS);
    assertOnly(outcomes, {});
    assert.match(pick(outcomes, 'origin').evidence, /HTTP 403/, 'refused for its Host/Origin, not for a missing token (401)');
    for (const o of outcomes) assert.doesNotMatch(o.evidence, /secret-token-123/);
    const without = await runProtocolChecks({ transport: 'streamable-http', url: s.endpoint.url! }, OPTS);
    assert.ok(without.every((o) => o.status === 'skipped' && /initialize failed.*HTTP 401/.test(o.evidence)), describeAll(without));
  });

  test('every session the probes made is DELETEd, the foreign-Host one too', async () => {
    for (const env of [{}, { FIXTURE_DEFECT: 'no-origin-check' }] as Record<string, string>[]) {
      const s = await server('checks-http.mjs', env);
      await checkServer(s, OPTS);
      const res = await fetch(`http://127.0.0.1:${s.port}/debug/sessions`);
      assert.deepEqual(await res.json(), { live: 0 }, JSON.stringify(env));
    }
  });

  test('bad input is a skipped run with the reason, never an exception', async () => {
    const noUrl = await runProtocolChecks({ transport: 'streamable-http' });
    assert.ok(noUrl.every((o) => o.status === 'skipped' && /no URL/.test(o.evidence)));
    const badUrl = await runProtocolChecks({ transport: 'streamable-http', url: 'ftp://127.0.0.1/mcp' });
    assert.ok(badUrl.every((o) => o.status === 'skipped' && /http\(s\):\/\//.test(o.evidence)));
  });
});

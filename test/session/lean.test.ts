/** The lean load path: direct tools/call POSTs on the session's Mcp-Session-Id, still correct MCP. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Session, getClientProfile } from '../../src/session/index.js';
import { judgeReply, messagesOf } from '../../src/session/lean.js';
import { EventLog } from '../helpers/events.js';
import { seededRng } from '../helpers/rng.js';
import { deadEndpoint, fixtureHttp, startEverything, type TestServer } from '../helpers/servers.js';

describe('reply parsing (pure)', () => {
  test('JSON object, JSON batch and SSE bodies', () => {
    assert.deepEqual(messagesOf('application/json', '{"jsonrpc":"2.0","id":"a","result":{}}'), [{ jsonrpc: '2.0', id: 'a', result: {} }]);
    assert.equal(messagesOf('application/json; charset=utf-8', '[{"id":1},{"id":2}]').length, 2);
    const sse = 'id: 1\ndata: \n\nevent: message\ndata: {"jsonrpc":"2.0","method":"notifications/progress"}\n\nevent: message\r\ndata: {"jsonrpc":"2.0","id":"a",\r\ndata: "result":{"content":[]}}\r\n\r\n';
    const msgs = messagesOf('text/event-stream', sse);
    assert.equal(msgs.length, 2);
    assert.deepEqual(judgeReply('a', msgs), { outcome: 'ok', result: { content: [] } });
  });

  test('only a JSON-RPC 2.0 response with our id is accepted', () => {
    assert.equal(judgeReply('a', [{ jsonrpc: '2.0', id: 'b', result: {} }]).outcome, 'error');
    assert.ok(judgeReply('a', [{ jsonrpc: '2.0', id: 'b', result: {} }]).wrongId);
    assert.equal(judgeReply('a', [{ jsonrpc: '1.0', id: 'a', result: {} }]).outcome, 'error');
    assert.equal(judgeReply('a', [{ jsonrpc: '2.0', id: 'a', error: { code: -32602, message: 'bad' } }]).error, 'MCP error -32602: bad');
    // A tool error is an answer: the server is up (counted apart from errors).
  assert.equal(judgeReply('a', [{ jsonrpc: '2.0', id: 'a', result: { isError: true } }]).outcome, 'tool-error');
    assert.equal(judgeReply('a', []).outcome, 'error');
  });
});

describe('lean caller', { timeout: 60_000 }, () => {
  let everything: TestServer;
  let fixture: TestServer;
  const sessions: Session[] = [];
  before(async () => {
    [everything, fixture] = await Promise.all([startEverything('streamable-http'), fixtureHttp('wrong-id-http.mjs')]);
  });
  after(async () => {
    await Promise.all(sessions.map((s) => s.close()));
    await Promise.all([everything?.stop(), fixture?.stop()]);
  });
  function session(server: TestServer) {
    const s = new Session(server.endpoint, getClientProfile('resilient'), { rng: seededRng(9) });
    sessions.push(s);
    return { s, log: new EventLog(s) };
  }

  test('N concurrent calls against server-everything (SSE replies) are ok and emit request events', async () => {
    const { s, log } = session(everything);
    assert.equal(await s.connect(), true, log.trace());
    const lean = s.leanCaller(4);
    assert.ok(lean);
    const N = 60;
    let next = 0;
    const results = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const out = [];
        while (next < N) {
          const i = next++;
          out.push({ i, r: await lean.call('echo', { message: `m${i}` }, { role: 'work' }) });
        }
        return out;
      }),
    );
    lean.close();
    const flat = results.flat();
    assert.equal(flat.length, N);
    for (const { i, r } of flat) {
      assert.equal(r.outcome, 'ok', r.error);
      assert.match(JSON.stringify(r.result), new RegExp(`m${i}\\b`));
    }
    const events = log.of('request').filter((e) => e.method === 'tools/call');
    assert.equal(events.length, N);
    assert.ok(events.every((e) => e.tool === 'echo' && e.role === 'work' && e.outcome === 'ok' && e.ms > 0));
    assert.equal(log.of('violation').length, 0, log.trace());
  });

  test('a reply with the wrong id is rejected (and reported); JSON and SSE replies are read', async () => {
    const { s, log } = session(fixture);
    assert.equal(await s.connect(), true, log.trace());
    const lean = s.leanCaller(2)!;
    const ok = await lean.call('echo', { message: 'json' });
    assert.equal(ok.outcome, 'ok', ok.error);
    const sse = await lean.call('echo', { message: 'sse', sse: true });
    assert.equal(sse.outcome, 'ok', sse.error);
    const wrong = await lean.call('echo', { message: 'wrong-id' });
    assert.equal(wrong.outcome, 'error');
    assert.match(wrong.error ?? '', /another id/);
    const v = await log.waitFor('violation', (e) => e.kind === 'unknown-response-id');
    assert.match(v.sample, /not-yours/);
    lean.close();
  });

  test('SSE and WebSocket get null (the runner uses callTool)', async () => {
    for (const kind of ['sse', 'websocket'] as const) {
      const s = new Session(await deadEndpoint(kind), getClientProfile('resilient'), { rng: seededRng(1) });
      assert.equal(s.leanCaller(), null, kind);
    }
  });
});

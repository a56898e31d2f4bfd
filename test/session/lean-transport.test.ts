/**
 * The lean load path's transport (keep-alive sockets, http-parser-js) against in-process HTTP servers that misbehave at
 * the HTTP level, through a fake host: the exact bytes and headers on the wire, SSE and chunked
 * bodies, Connection: close, keep-alive sockets closed by the server between requests, per-request
 * timeouts, abandonment at the run's end, connection errors, session loss and replay, close(),
 * and https (in a child process trusting a certificate made for the test).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once, getEventListeners } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLeanCaller, mayReadAsError, messagesOf, type LeanHost, type LeanRequestEvent, type LeanTarget } from '../../src/session/lean.js';
import { errorLikeText } from '../../src/session/outcomes.js';
import type { ViolationKind } from '../../src/session/types.js';

const LEAN_TS = resolve(fileURLToPath(import.meta.url), '../../../src/session/lean.ts');

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: string;
  socket: Socket;
}

interface TestHttp {
  url: string;
  seen: Seen[];
  /** Every socket the server accepted, in order. */
  sockets: Socket[];
  open(): number;
  close(): Promise<void>;
}

type Handler = (req: Seen, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<TestHttp> {
  const seen: Seen[] = [];
  const sockets: Socket[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString('utf8'), socket: req.socket };
      seen.push(s);
      handler(s, res);
    });
  });
  server.on('connection', (s: Socket) => sockets.push(s));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    seen,
    sockets,
    open: () => sockets.filter((s) => !s.destroyed).length,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** The JSON-RPC answer to the request in `req`, with this result. */
function answer(req: Seen, result: unknown = { content: [{ type: 'text', text: 'ok' }] }): string {
  const { id } = JSON.parse(req.body) as { id: string };
  return JSON.stringify({ jsonrpc: '2.0', id, result });
}

function json(res: ServerResponse, body: string, headers: Record<string, string> = {}, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

interface FakeHost extends LeanHost {
  events: LeanRequestEvent[];
  violations: { kind: ViolationKind; sample: string }[];
  failures: { kind: string; detail: string; status?: number }[];
}

/** A host whose session is `targets[0]` until a session-lost moves it to the next one. */
function fakeHost(url: string, opts: { sessionIds?: (string | undefined)[]; headers?: Record<string, string>; replay?: boolean; endSignal?: AbortSignal; timeoutMs?: number } = {}): FakeHost {
  const ids = opts.sessionIds ?? ['sess-1'];
  let current = 0;
  const events: LeanRequestEvent[] = [];
  const violations: FakeHost['violations'] = [];
  const failures: FakeHost['failures'] = [];
  const target = (): LeanTarget | null => {
    if (current >= ids.length) return null;
    const sessionId = ids[current];
    return {
      url,
      ...(sessionId ? { sessionId } : {}),
      protocolVersion: '2025-06-18',
      // A fresh object each time, as the session hands out.
      headers: { ...(opts.headers ?? {}) },
      failed: (kind, detail, status) => {
        failures.push({ kind, detail, ...(status !== undefined ? { status } : {}) });
        if (kind === 'session-lost') current += 1;
      },
    };
  };
  return {
    requestTimeoutMs: opts.timeoutMs ?? 10_000,
    replayOnExpiry: opts.replay ?? true,
    ...(opts.endSignal ? { endSignal: opts.endSignal } : {}),
    target,
    waitTarget: async () => target(),
    report: (e) => events.push(e),
    violation: (kind, sample) => violations.push({ kind, sample }),
    events,
    violations,
    failures,
  };
}

describe('lean transport against in-process servers', { timeout: 60_000 }, () => {
  const servers: TestHttp[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  async function server(handler: Handler): Promise<TestHttp> {
    const s = await serve(handler);
    servers.push(s);
    return s;
  }

  test('the bytes on the wire: one POST with the session, version, accept, content-type and endpoint headers, and the body JSON.stringify gives', async () => {
    const s = await server((req, res) => json(res, answer(req)));
    const host = fakeHost(s.url, { headers: { Authorization: 'Bearer t0ken', 'X-Extra': 'yes', Accept: 'text/html' } });
    const lean = createLeanCaller(host, 2);
    const args = { message: 'héllo "quoted" \u2028', n: 1, nested: { a: [1, null] } };
    const r = await lean.call('echo', args, { role: 'probe' });
    assert.equal(r.outcome, 'ok', r.error);
    assert.deepEqual(r.result, { content: [{ type: 'text', text: 'ok' }] });
    const req = s.seen[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/mcp');
    assert.equal(req.body, JSON.stringify({ jsonrpc: '2.0', id: 'lean-1', method: 'tools/call', params: { name: 'echo', arguments: args } }));
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['accept'], 'application/json, text/event-stream', 'ours wins over the endpoint header of the same name');
    assert.equal(req.rawHeaders.filter((h) => h.toLowerCase() === 'accept').length, 1, 'accept is sent once');
    assert.equal(req.headers['mcp-session-id'], 'sess-1');
    assert.equal(req.headers['mcp-protocol-version'], '2025-06-18');
    assert.equal(req.headers['authorization'], 'Bearer t0ken');
    assert.equal(req.headers['x-extra'], 'yes');
    assert.equal(req.headers['content-length'], String(Buffer.byteLength(req.body)));
    assert.equal(req.headers['connection'], 'keep-alive');
    assert.equal(req.headers['transfer-encoding'], undefined);
    assert.deepEqual(host.events, [{ method: 'tools/call', tool: 'echo', role: 'probe', ms: host.events[0]!.ms, outcome: 'ok' }]);
    assert.ok(host.events[0]!.ms > 0);
    // More calls: the next ids, on the pool's keep-alive sockets (at most the concurrency).
    for (let i = 0; i < 6; i++) assert.equal((await lean.call('echo', { message: 'again' })).outcome, 'ok');
    assert.equal(JSON.parse(s.seen[1]!.body).id, 'lean-2');
    assert.ok(new Set(s.seen.map((r) => r.socket)).size <= 2, 'keep-alive sockets are reused');
    assert.equal(host.events[1]!.role, undefined);
    lean.close();
  });

  test('a stateless session (no Mcp-Session-Id) sends none, and a 404 to it is an HTTP error, not a session loss', async () => {
    let n = 0;
    const s = await server((req, res) => (n++ === 0 ? json(res, answer(req)) : json(res, '{"error":"nope"}', {}, 404)));
    const host = fakeHost(s.url, { sessionIds: [undefined] });
    const lean = createLeanCaller(host, 1);
    assert.equal((await lean.call('echo', {})).outcome, 'ok');
    assert.equal(s.seen[0]!.headers['mcp-session-id'], undefined);
    assert.equal(s.seen[0]!.headers['mcp-protocol-version'], '2025-06-18');
    const r = await lean.call('echo', {});
    assert.equal(r.outcome, 'error');
    assert.match(r.error ?? '', /^HTTP 404/);
    assert.deepEqual(host.failures, []);
    lean.close();
  });

  test('SSE bodies: notifications first, CRLF, multi-line data, a priming event, the answer split over many chunks (UTF-8 cut mid-character)', async () => {
    const s = await server((req, res) => {
      const { id } = JSON.parse(req.body) as { id: string };
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
      const answerJson = JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: 'prix: 5 €, ünïcödé' }] } });
      // A priming event (id, empty data), a notification, then the answer as two data lines.
      const cut = answerJson.indexOf(',"result"');
      const wire = Buffer.from(
        `id: 1\r\ndata: \r\n\r\nevent: message\r\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}\r\n\r\n` +
          `: a comment\nevent: message\nid: 2\ndata: ${answerJson.slice(0, cut)}\ndata: ${answerJson.slice(cut)}\n\n`,
      );
      // Written a few bytes at a time: chunked transfer, and '€' cut between two chunks.
      let i = 0;
      const step = () => {
        if (i >= wire.length) return res.end();
        res.write(wire.subarray(i, i + 7));
        i += 7;
        setImmediate(step);
      };
      step();
    });
    const host = fakeHost(s.url);
    const lean = createLeanCaller(host, 1);
    const r = await lean.call('echo', {});
    assert.equal(r.outcome, 'ok', r.error);
    assert.deepEqual(r.result, { content: [{ type: 'text', text: 'prix: 5 €, ünïcödé' }] });
    assert.deepEqual(host.violations, []);
    lean.close();
  });

  test('JSON-RPC verdicts: a JSON-RPC error, isError (tool-error), error-looking text (a warning), a non-JSON body, a wrong id', async () => {
    const replies: ((req: Seen) => string)[] = [
      (req) => JSON.stringify({ jsonrpc: '2.0', id: JSON.parse(req.body).id, error: { code: -32602, message: 'bad args' } }),
      (req) => answer(req, { content: [{ type: 'text', text: 'it broke' }], isError: true }),
      (req) => answer(req, { content: [{ type: 'text', text: '  Error fetching https://x: fetch failed' }] }),
      () => 'not json',
      (req) => JSON.stringify({ jsonrpc: '2.0', id: `${JSON.parse(req.body).id}-other`, result: {} }),
      (req) => answer(req, { content: [{ type: 'text', text: 'Echo: Error is only mentioned later' }] }),
    ];
    let n = 0;
    const s = await server((req, res) => json(res, replies[n++]!(req)));
    const host = fakeHost(s.url);
    const lean = createLeanCaller(host, 1);
    const rpc = await lean.call('echo', {});
    assert.equal(rpc.outcome, 'error');
    assert.equal(rpc.error, 'MCP error -32602: bad args');
    const tool = await lean.call('echo', {});
    assert.equal(tool.outcome, 'tool-error');
    const text = await lean.call('echo', {});
    assert.equal(text.outcome, 'ok');
    assert.deepEqual(host.violations.shift(), { kind: 'error-text-result', sample: 'echo:   Error fetching https://x: fetch failed' });
    const notJson = await lean.call('echo', {});
    assert.equal(notJson.outcome, 'error');
    assert.equal(notJson.error, 'reply body is not JSON');
    assert.deepEqual(host.violations.shift(), { kind: 'invalid-jsonrpc', sample: 'not json' });
    const wrong = await lean.call('echo', {});
    assert.equal(wrong.outcome, 'error');
    assert.match(wrong.error ?? '', /another id/);
    assert.equal(host.violations.shift()?.kind, 'unknown-response-id');
    assert.equal((await lean.call('echo', {})).outcome, 'ok');
    assert.deepEqual(host.violations, [], 'text that only mentions an error later is no warning');
    assert.deepEqual(host.failures, [], 'answers, however bad, are not connection failures');
    lean.close();
  });

  test('mayReadAsError never skips what errorLikeText would flag', () => {
    const texts = ['Echo: hi', 'Exceptional', 'e', 'x', 'Fa', 'tr', '[e', 'Error: x', 'error', 'ERROR', ' \t\nerror x', '\u00a0Error x', '\ufeffError', 'exception', 'Failed', 'failure', 'fatal', 'Traceback', '[error] x', '[ERROR]', 'ok', 'Echo: Error', '', '€ error', 'tomato', 'fine'];
    for (const text of texts) {
      const result = { content: [{ type: 'image', data: '' }, { type: 'text', text }] };
      if (errorLikeText(result) !== null) assert.equal(mayReadAsError(result), true, JSON.stringify(text));
    }
    assert.equal(mayReadAsError({ content: [{ type: 'text', text: 'Echo: hi' }] }), false, 'server-everything\'s echo runs no regex');
    assert.equal(mayReadAsError({ content: [{ type: 'text', text: 'ok, 3 calls' }] }), false);
    assert.equal(mayReadAsError({ content: [] }), false);
    assert.equal(mayReadAsError(null), false);
  });

  test('Connection: close on every answer: each request gets a fresh socket, none is lost or failed', async () => {
    const s = await server((req, res) => json(res, answer(req), { connection: 'close' }));
    const host = fakeHost(s.url);
    const lean = createLeanCaller(host, 3);
    for (let i = 0; i < 5; i++) assert.equal((await lean.call('echo', { i })).outcome, 'ok');
    const concurrent = await Promise.all(Array.from({ length: 9 }, (_, i) => lean.call('echo', { i })));
    assert.deepEqual(
      concurrent.map((r) => r.outcome),
      Array(9).fill('ok'),
    );
    assert.equal(s.seen.length, 14);
    assert.equal(new Set(s.seen.map((r) => r.socket)).size, 14, 'one socket per request');
    assert.deepEqual(host.failures, []);
    lean.close();
  });

  test('keep-alive sockets the server closes between requests (unannounced): the next request goes on a fresh socket, not lost', async () => {
    // The server answers with keep-alive and then closes the idle socket 20 ms later, as an
    // idle-timeout or a load balancer would, without a Keep-Alive hint the client could act on.
    const s = await server((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'keep-alive': 'timeout=600' });
      res.end(answer(req));
      res.once('finish', () => setTimeout(() => req.socket.end(), 20));
    });
    const host = fakeHost(s.url);
    const lean = createLeanCaller(host, 2);
    for (let i = 0; i < 4; i++) {
      const r = await lean.call('echo', { i });
      assert.equal(r.outcome, 'ok', r.error);
      await new Promise((r) => setTimeout(r, 80));
    }
    // Both of 2 connections in use, then closed under them while idle.
    const both = await Promise.all([lean.call('echo', {}), lean.call('echo', {})]);
    assert.deepEqual(both.map((r) => r.outcome), ['ok', 'ok']);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal((await lean.call('echo', {})).outcome, 'ok');
    assert.equal(s.seen.length, 7);
    assert.ok(new Set(s.seen.map((r) => r.socket)).size >= 6, 'a fresh socket after each close');
    assert.deepEqual(host.failures, []);
    assert.ok(host.events.every((e) => e.outcome === 'ok'));
    lean.close();
  });

  test('a server that resets the connection mid-answer: a connection failure, reported to the session', async () => {
    const s = await server((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"jsonrpc":"2.0",');
      setTimeout(() => req.socket.destroy(), 10);
    });
    const host = fakeHost(s.url);
    const lean = createLeanCaller(host, 1);
    const r = await lean.call('echo', {});
    assert.equal(r.outcome, 'error');
    assert.equal(host.failures.length, 1);
    assert.equal(host.failures[0]!.kind, 'connection');
    assert.equal(r.error, host.failures[0]!.detail);
    lean.close();
  });

  test('nothing listens: a connection failure naming ECONNREFUSED', async () => {
    const s = await server(() => undefined);
    const url = s.url;
    await s.close();
    servers.splice(servers.indexOf(s), 1);
    const host = fakeHost(url);
    const lean = createLeanCaller(host, 1);
    const r = await lean.call('echo', {});
    assert.equal(r.outcome, 'error');
    assert.match(r.error ?? '', /ECONNREFUSED/);
    assert.deepEqual(host.failures.map((f) => f.kind), ['connection']);
    lean.close();
  });

  test('a request with no answer times out on its own timeout: outcome timeout, the session told, its socket dropped', async () => {
    const s = await server((req, res) => {
      if (JSON.parse(req.body).params.arguments.hang) return; // never answered
      json(res, answer(req));
    });
    const host = fakeHost(s.url, { timeoutMs: 250 });
    const lean = createLeanCaller(host, 2);
    const t0 = performance.now();
    const [hung, fine] = await Promise.all([lean.call('echo', { hang: true }), lean.call('echo', {})]);
    const took = performance.now() - t0;
    assert.equal(fine.outcome, 'ok');
    assert.equal(hung.outcome, 'timeout');
    assert.equal(hung.error, 'no answer within 250 ms');
    assert.ok(took >= 240 && took < 2_000, `took ${took} ms`);
    assert.deepEqual(host.failures, [{ kind: 'timeout', detail: 'no answer within 250 ms' }]);
    // The call's own timeout wins over the host's.
    const short = await lean.call('echo', { hang: true }, { timeoutMs: 60 });
    assert.equal(short.error, 'no answer within 60 ms');
    // The sockets the hung requests were on are destroyed (nothing left waiting on the server).
    await new Promise((r) => setTimeout(r, 50));
    const hungSockets = s.seen.filter((r) => JSON.parse(r.body).params.arguments.hang).map((r) => r.socket);
    assert.ok(hungSockets.every((sock) => sock.destroyed), 'the timed-out requests\' sockets were closed');
    assert.equal((await lean.call('echo', {})).outcome, 'ok', 'and the caller goes on');
    lean.close();
  });

  test("the run's end signal abandons every request in flight at once (timeouts flagged abandoned, the session not told), and later ones at once", async () => {
    const s = await server(() => undefined); // never answers
    const end = new AbortController();
    const host = fakeHost(s.url, { endSignal: end.signal, timeoutMs: 30_000 });
    const lean = createLeanCaller(host, 4);
    const pending = Array.from({ length: 6 }, (_, i) => lean.call('echo', { i }));
    while (s.seen.length < 4) await new Promise((r) => setTimeout(r, 5));
    assert.equal(getEventListeners(end.signal, 'abort').length, 1, 'one listener for all requests in flight');
    const t0 = performance.now();
    end.abort();
    const results = await Promise.all(pending);
    assert.ok(performance.now() - t0 < 200, 'at once');
    assert.deepEqual(results.map((r) => r.outcome), Array(6).fill('timeout'));
    assert.ok(results.every((r) => r.error === "no answer by the run's end"));
    assert.ok(host.events.every((e) => e.abandoned === true && e.outcome === 'timeout'));
    assert.deepEqual(host.failures, [], 'abandoned, not a failure of the session');
    const later = await lean.call('echo', {});
    assert.equal(later.outcome, 'timeout');
    assert.equal(host.events.at(-1)?.abandoned, true);
    lean.close();
    assert.equal(getEventListeners(end.signal, 'abort').length, 0, 'close() removes it');
  });

  test('404 for our session: the session told (session-lost, 404), the request replayed on the fresh session; without replay it is lost', async () => {
    const s = await server((req, res) => {
      if (req.headers['mcp-session-id'] === 'old') return json(res, '{"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Session not found"}}', {}, 404);
      json(res, answer(req));
    });
    const host = fakeHost(s.url, { sessionIds: ['old', 'new'] });
    const lean = createLeanCaller(host, 1);
    const r = await lean.call('echo', { x: 1 }, { role: 'work' });
    assert.equal(r.outcome, 'ok', r.error);
    assert.deepEqual(s.seen.map((q) => q.headers['mcp-session-id']), ['old', 'new']);
    assert.deepEqual(JSON.parse(s.seen[1]!.body).params, { name: 'echo', arguments: { x: 1 } });
    assert.notEqual(JSON.parse(s.seen[1]!.body).id, JSON.parse(s.seen[0]!.body).id, 'a new id for the replay');
    assert.equal(host.failures.length, 1);
    assert.equal(host.failures[0]!.kind, 'session-lost');
    assert.equal(host.failures[0]!.status, 404);
    assert.equal(host.events.length, 1, 'one request as the user saw it');
    assert.equal(host.events[0]!.replayed, true);
    assert.equal(host.events[0]!.outcome, 'ok');
    lean.close();

    const noReplay = fakeHost(s.url, { sessionIds: ['old', 'new'], replay: false });
    const lean2 = createLeanCaller(noReplay, 1);
    const lost = await lean2.call('echo', {});
    assert.equal(lost.outcome, 'error');
    assert.match(lost.error ?? '', /^session expired, the request was lost: HTTP 404/);
    assert.equal(noReplay.events[0]!.lostToExpiry, true);
    assert.equal((await lean2.call('echo', {})).outcome, 'ok', 'the next request goes on the fresh session');
    lean2.close();
  });

  test('400: a session loss only when the body names the session; no fresh session in time: lost', async () => {
    const s = await server((req, res) => {
      const sid = req.headers['mcp-session-id'];
      if (sid === 'named') return json(res, '{"jsonrpc":"2.0","error":{"code":-32000,"message":"Bad Request: No valid session ID provided"}}', {}, 400);
      if (sid === 'other') return json(res, '{"jsonrpc":"2.0","error":{"code":-32600,"message":"Bad Request: invalid params"}}', {}, 400);
      json(res, answer(req));
    });
    const named = fakeHost(s.url, { sessionIds: ['named', 'fresh'] });
    const lean = createLeanCaller(named, 1);
    assert.equal((await lean.call('echo', {})).outcome, 'ok');
    assert.equal(named.failures[0]?.status, 400);
    lean.close();
    const other = fakeHost(s.url, { sessionIds: ['other'] });
    const lean2 = createLeanCaller(other, 1);
    const r = await lean2.call('echo', {});
    assert.equal(r.outcome, 'error');
    assert.match(r.error ?? '', /^HTTP 400/);
    assert.deepEqual(other.failures, []);
    lean2.close();
    const gone = fakeHost(s.url, { sessionIds: ['named'] }); // no session after it
    const lean3 = createLeanCaller(gone, 1);
    const l = await lean3.call('echo', {});
    assert.equal(l.outcome, 'error');
    assert.match(l.error ?? '', /no new one was up in time/);
    assert.equal(gone.events[0]!.lostToExpiry, true);
    lean3.close();
  });

  test('close() frees every socket; a later call opens a new one', async () => {
    const s = await server((req, res) => json(res, answer(req)));
    const host = fakeHost(s.url);
    const lean = createLeanCaller(host, 4);
    await Promise.all(Array.from({ length: 8 }, () => lean.call('echo', {})));
    assert.ok(s.open() >= 1 && s.open() <= 4, `${s.open()} sockets open (at most the concurrency)`);
    lean.close();
    const deadline = Date.now() + 2_000;
    while (s.open() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(s.open(), 0, 'all sockets closed');
    assert.equal((await lean.call('echo', {})).outcome, 'ok');
    lean.close();
  });

  test('close() with a call still in flight: abandoned (a timeout, flagged), not a connection failure of the session', async () => {
    const s = await server(() => undefined); // never answers
    const host = fakeHost(s.url, { timeoutMs: 30_000 });
    const lean = createLeanCaller(host, 2);
    const pending = lean.call('echo', {});
    while (s.seen.length < 1) await new Promise((r) => setTimeout(r, 5));
    lean.close();
    const r = await pending;
    assert.equal(r.outcome, 'timeout');
    assert.match(r.error ?? '', /caller was closed/);
    assert.equal(host.events[0]!.abandoned, true);
    assert.deepEqual(host.failures, []);
  });

  test('an unavailable session: outcome unavailable, nothing sent', async () => {
    const s = await server((req, res) => json(res, answer(req)));
    const host = fakeHost(s.url, { sessionIds: [] });
    const lean = createLeanCaller(host, 1);
    const r = await lean.call('echo', {});
    assert.equal(r.outcome, 'unavailable');
    assert.equal(s.seen.length, 0);
    lean.close();
  });

  /** A server that writes its answers byte for byte: what node:http would never send. */
  async function rawServer(onRequest: (sock: Socket, id: string, n: number) => void): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
    let connections = 0;
    let n = 0;
    const open = new Set<Socket>();
    const srv = createNetServer((sock) => {
      connections++;
      open.add(sock);
      sock.on('close', () => open.delete(sock));
      sock.on('error', () => undefined);
      let buf = '';
      sock.on('data', (d: Buffer) => {
        buf += d.toString('utf8');
        for (;;) {
          const headEnd = buf.indexOf('\r\n\r\n');
          if (headEnd === -1) return;
          const len = Number(/content-length: (\d+)/i.exec(buf.slice(0, headEnd))?.[1] ?? 0);
          if (buf.length < headEnd + 4 + len) return;
          const body = buf.slice(headEnd + 4, headEnd + 4 + len);
          buf = buf.slice(headEnd + 4 + len);
          onRequest(sock, (JSON.parse(body) as { id: string }).id, n++);
        }
      });
    });
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    const { port } = srv.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}/mcp`,
      connections: () => connections,
      close: async () => {
        for (const sock of open) sock.destroy();
        await new Promise((r) => srv.close(r));
      },
    };
  }
  const ok = (id: string) => JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: 'ok' }] } });

  test('HTTP the parser must get right: 1xx before the answer, a body read until close (HTTP/1.0), a Keep-Alive timeout hint too short to reuse', async () => {
    const early = await rawServer((sock, id) => {
      const body = ok(id);
      sock.write(`HTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
    const untilClose = await rawServer((sock, id) => {
      sock.end(`HTTP/1.0 200 OK\r\ncontent-type: application/json\r\n\r\n${ok(id)}`);
    });
    const shortKeepAlive = await rawServer((sock, id) => {
      const body = ok(id);
      sock.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nkeep-alive: timeout=1\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
    try {
      for (const [name, srv, sockets] of [['1xx', early, 1], ['until close', untilClose, 3], ['keep-alive timeout=1', shortKeepAlive, 3]] as const) {
        const host = fakeHost(srv.url);
        const lean = createLeanCaller(host, 1);
        for (let i = 0; i < 3; i++) {
          const r = await lean.call('echo', { i });
          assert.equal(r.outcome, 'ok', `${name}: ${r.error}`);
          assert.deepEqual(r.result, { content: [{ type: 'text', text: 'ok' }] });
        }
        assert.equal(srv.connections(), sockets, `${name}: sockets used`);
        assert.deepEqual(host.failures, [], name);
        assert.deepEqual(host.violations, [], name);
        lean.close();
      }
    } finally {
      await Promise.all([early.close(), untilClose.close(), shortKeepAlive.close()]);
    }
  });

  test('HTTP a tester must not mistake: garbage for an answer, an answer sent twice, a 204 to a request: each a finding or a failure, and the next request still answered', async () => {
    const srv = await rawServer((sock, id, n) => {
      const body = ok(id);
      const good = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      if (n === 0) sock.write('SMTP ready\r\n\r\n');
      else if (n === 1) sock.write(good + good);
      else if (n === 2) sock.write('HTTP/1.1 204 No Content\r\n\r\n');
      else sock.write(good);
    });
    try {
      const host = fakeHost(srv.url);
      const lean = createLeanCaller(host, 1);
      const garbage = await lean.call('echo', {});
      assert.equal(garbage.outcome, 'error');
      assert.match(garbage.error ?? '', /unparseable HTTP answer/);
      assert.deepEqual(host.failures.map((f) => f.kind), ['connection']);
      const twice = await lean.call('echo', {});
      assert.equal(twice.outcome, 'ok', 'the first answer is the answer');
      const empty = await lean.call('echo', {});
      assert.equal(empty.outcome, 'error', 'a 204 carries no JSON-RPC response');
      assert.deepEqual(host.violations.map((v) => v.kind), ['invalid-jsonrpc']);
      const after = await lean.call('echo', {});
      assert.equal(after.outcome, 'ok', after.error);
      assert.equal(srv.connections(), 3, 'a fresh socket after the garbage and after the doubled answer');
      lean.close();
    } finally {
      await srv.close();
    }
  });

  test('an endpoint header HTTP cannot carry (CR LF in the value) fails the request with a reason; nothing is sent', async () => {
    const s = await server((req, res) => json(res, answer(req)));
    const host = fakeHost(s.url, { headers: { 'X-Bad': 'a\r\nInjected: yes' } });
    const lean = createLeanCaller(host, 1);
    const r = await lean.call('echo', {});
    assert.equal(r.outcome, 'error');
    assert.match(r.error ?? '', /header "X-Bad"/);
    assert.equal(s.seen.length, 0);
    lean.close();
  });

  test('messagesOf: an SSE body with no trailing blank line, and data without a space', () => {
    assert.deepEqual(messagesOf('text/event-stream', 'data:{"a":1}'), [{ a: 1 }]);
    assert.deepEqual(messagesOf('text/event-stream', 'data: {"a":\ndata: 2}\n\ndata: [1]\n'), [{ a: 2 }, [1]]);
    assert.deepEqual(messagesOf('text/event-stream', ''), []);
    assert.deepEqual(messagesOf('text/event-stream', 'event: x\n\n\n'), []);
  });

  test('https: the same calls over TLS (a child process trusting a certificate made for 127.0.0.1)', async (t) => {
    let openssl = true;
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
    } catch {
      openssl = false;
    }
    if (!openssl) return t.skip('openssl is not installed: no certificate can be made');
    const dir = mkdtempSync(join(tmpdir(), 'lean-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      const script = join(dir, 'child.mts');
      writeFileSync(
        script,
        `
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { createLeanCaller } from ${JSON.stringify(LEAN_TS)};
const server = createServer({ key: readFileSync(${JSON.stringify(join(dir, 'key.pem'))}), cert: readFileSync(${JSON.stringify(join(dir, 'cert.pem'))}) }, (req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end('event: message\\ndata: ' + JSON.stringify({ jsonrpc: '2.0', id: JSON.parse(body).id, result: { content: [{ type: 'text', text: req.headers['mcp-session-id'] + ' ' + req.socket.encrypted }] } }) + '\\n\\n');
  });
});
server.listen(0, '127.0.0.1', async () => {
  const url = 'https://127.0.0.1:' + server.address().port + '/mcp';
  const failures = [];
  const lean = createLeanCaller({ requestTimeoutMs: 10000, target: () => ({ url, sessionId: 's-tls', protocolVersion: '2025-06-18', headers: {}, failed: (k, d) => failures.push(k + ': ' + d) }), waitTarget: async () => null, report: () => {}, violation: () => {} }, 2);
  const results = await Promise.all([lean.call('echo', {}), lean.call('echo', {}), lean.call('echo', {})]);
  lean.close();
  server.close();
  console.log(JSON.stringify({ results, failures }));
});
`,
      );
      const child = spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const [code] = (await once(child, 'close')) as [number];
      assert.equal(code, 0, err);
      const { results, failures } = JSON.parse(out.trim().split('\n').pop()!) as { results: { outcome: string; result?: unknown }[]; failures: string[] };
      assert.deepEqual(failures, []);
      for (const r of results) {
        assert.equal(r.outcome, 'ok');
        assert.deepEqual(r.result, { content: [{ type: 'text', text: 's-tls true' }] });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The lean load path on line-delimited JSON-RPC (stdio, and tcp behind the byte pipe) inside a real
 * Session: concurrent calls on server-everything, the same findings as the SDK path (a stray id, a
 * log line on stdout, error-looking text), timeouts that cancel as the spec asks and drop the late
 * answer, the run's end, and a server that dies mid-call and is respawned.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { Session, getClientProfile } from '../../src/session/index.js';
import { EventLog } from '../helpers/events.js';
import { seededRng } from '../helpers/rng.js';
import { fixtureStdio, startEverything, type TestServer } from '../helpers/servers.js';

describe('lean caller on stdio', { timeout: 60_000 }, () => {
  const running: { session: Session; server: TestServer }[] = [];
  afterEach(async () => {
    for (const { session, server } of running.splice(0)) {
      await session.close();
      await server.stop();
    }
  });

  async function open(server: TestServer | Promise<TestServer>, opts: { endSignal?: AbortSignal; pinger?: boolean } = {}) {
    const s = await server;
    // Without a pinger a request timeout takes the link down (as on the SDK path); with one, only the pinger does.
    const session = new Session(s.endpoint, getClientProfile('resilient', opts.pinger ? {} : { pingIntervalMs: 0 }), { rng: seededRng(5), ...(opts.endSignal ? { endSignal: opts.endSignal } : {}) });
    running.push({ session, server: s });
    const log = new EventLog(session);
    assert.equal(await session.connect(), true, log.trace());
    return { server: s, session, log };
  }

  for (const kind of ['stdio', 'tcp'] as const) {
    test(`${kind}: concurrent calls on server-everything are answered by their own id and emit request events, no finding`, async () => {
      const { session, log } = await open(startEverything(kind));
      const lean = session.leanCaller(10)!;
      assert.ok(lean, 'a lean caller on stdio');
      try {
        const results = await Promise.all(Array.from({ length: 200 }, (_, i) => lean.call('echo', { message: `m${i}` }, { role: 'work' })));
        results.forEach((r, i) => {
          assert.equal(r.outcome, 'ok', r.error);
          assert.deepEqual(r.result, { content: [{ type: 'text', text: `Echo: m${i}` }] });
        });
        const calls = log.of('request').filter((e) => e.method === 'tools/call');
        assert.equal(calls.length, 200);
        assert.ok(calls.every((e) => e.outcome === 'ok' && e.role === 'work' && e.tool === 'echo'));
        assert.equal(log.of('violation').length, 0, log.trace());
        // The SDK path on the same stream still works beside it.
        assert.equal((await session.callTool('echo', { message: 'sdk' })).outcome, 'ok');
      } finally {
        lean.close();
      }
    });
  }

  test('tool errors are answers; a stray id and a log line on stdout are findings, the calls still answered', async () => {
    const { session, log } = await open(fixtureStdio('hygiene-stdio.mjs', { FIXTURE_UNKNOWN_ID: '1' }));
    const lean = session.leanCaller(2)!;
    try {
      const fails = await lean.call('fails');
      assert.equal(fails.outcome, 'tool-error');
      const logged = await lean.call('log-line');
      assert.equal(logged.outcome, 'ok', logged.error);
      await log.waitFor('violation', (e) => e.kind === 'unknown-response-id' && /987654/.test(e.sample));
      await log.waitFor('violation', (e) => e.kind === 'stdout-non-json' && /plain log line/.test(e.sample));
    } finally {
      lean.close();
    }
  });

  test('a call past its timeout is a timeout, is cancelled with notifications/cancelled, and its late answer is no finding', async () => {
    const { session, log } = await open(fixtureStdio('hygiene-stdio.mjs'), { pinger: true });
    const lean = session.leanCaller(2)!;
    try {
      const r = await lean.call('late', { ms: 600 }, { timeoutMs: 150 });
      assert.equal(r.outcome, 'timeout');
      assert.equal(r.error, 'no answer within 150 ms');
      const ev = log.of('request').filter((e) => e.method === 'tools/call').at(-1)!;
      assert.equal(ev.outcome, 'timeout');
      await new Promise((res) => setTimeout(res, 900)); // the late answer arrives meanwhile
      const cancelled = await lean.call('cancelled');
      assert.equal(cancelled.outcome, 'ok', cancelled.error);
      const ids = JSON.parse((cancelled.result as { content: { text: string }[] }).content[0]!.text) as unknown[];
      assert.equal(ids.length, 1);
      assert.match(String(ids[0]), /^lean-/);
      assert.equal(log.of('violation').length, 0, log.trace());
      assert.equal(log.of('disconnected').length, 0, 'a timeout with a pinger configured does not take the link down');
    } finally {
      lean.close();
    }
  });

  test("the run's end abandons the calls in flight at once: timeouts flagged abandoned, no disconnection", async () => {
    const end = new AbortController();
    const { session, log } = await open(fixtureStdio('hygiene-stdio.mjs'), { endSignal: end.signal });
    const lean = session.leanCaller(3)!;
    try {
      const pending = Array.from({ length: 3 }, () => lean.call('late', { ms: 20_000 }));
      await new Promise((r) => setTimeout(r, 200));
      end.abort();
      const results = await Promise.all(pending);
      assert.deepEqual(results.map((r) => r.outcome), ['timeout', 'timeout', 'timeout']);
      const events = log.of('request').filter((e) => e.method === 'tools/call');
      assert.equal(events.length, 3);
      assert.ok(events.every((e) => e.abandoned === true));
      assert.equal(log.of('disconnected').length, 0, log.trace());
    } finally {
      lean.close();
    }
  });

  test('the server dies mid-call: the call fails at once (not at its timeout), the session goes down process-exit and the caller follows the respawned server', async () => {
    const { session, log } = await open(fixtureStdio('hygiene-stdio.mjs'));
    const lean = session.leanCaller(2)!;
    try {
      const waiting = lean.call('late', { ms: 20_000 }, { timeoutMs: 20_000 });
      await new Promise((r) => setTimeout(r, 100));
      const crash = await lean.call('crash', {}, { timeoutMs: 20_000 });
      assert.equal(crash.outcome, 'error');
      assert.match(crash.error ?? '', /stream ended|exit code=3/);
      const w = await waiting;
      assert.equal(w.outcome, 'error');
      assert.ok(w.ms < 10_000, `failed with the stream, not at its timeout (${w.ms} ms)`);
      const down = await log.waitFor('disconnected');
      assert.equal(down.reason, 'process-exit');
      await log.waitFor('violation', (e) => e.kind === 'partial-line');
      await log.waitFor('recovered');
      const back = await lean.call('echo', { message: 'back' });
      assert.equal(back.outcome, 'ok', back.error);
    } finally {
      lean.close();
    }
  });
});

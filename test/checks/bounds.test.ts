/**
 * The check run is bounded and leaves nothing behind: against a server that accepts connections and
 * never answers anything (tcp, Streamable HTTP, legacy SSE, WebSocket) every probe fails or is
 * skipped within its timeout, every connection is closed and no timer or socket of ours is left;
 * an abort (before or during the run) skips what is left at once, and the server process the
 * checks started is stopped anyway.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { runProtocolChecks, type CheckTarget } from '../../src/checks/index.js';
import type { ServerProcess } from '../../src/target/types.js';
import { groupMembers } from '../helpers/proc.js';
import { fixtureStdio, type TestServer } from '../helpers/servers.js';
import { activeResources, assertShape, describeAll, pick, silentListener } from './helpers.js';

const started: TestServer[] = [];
after(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

const OPTS = { timeoutMs: 500 };

describe('bounded check runs', { timeout: 60_000 }, () => {
  const silentTargets: [CheckTarget['transport'], (port: number) => string][] = [
    ['tcp', (port) => `tcp://127.0.0.1:${port}`],
    ['streamable-http', (port) => `http://127.0.0.1:${port}/mcp`],
    ['sse', (port) => `http://127.0.0.1:${port}/sse`],
    ['websocket', (port) => `ws://127.0.0.1:${port}/message`],
  ];
  for (const [transport, url] of silentTargets) {
    test(`${transport}: a server that accepts and never answers — every probe failed or skipped, every connection closed, no timer left`, async () => {
      const silent = await silentListener();
      try {
        const timersBefore = activeResources().get('Timeout') ?? 0;
        const outcomes = await runProtocolChecks({ transport, url: url(silent.port) }, OPTS);
        assertShape(outcomes);
        assert.ok(outcomes.every((o) => o.status !== 'passed'), describeAll(outcomes));
        assert.ok(silent.accepted() >= 1, 'the checks did connect');
        await silent.drained();
        assert.equal(activeResources().get('Timeout') ?? 0, timersBefore, `timers left: ${JSON.stringify([...activeResources()])}`);
      } finally {
        await silent.close();
      }
    });
  }

  test('aborted before the run: every probe skipped, nothing spawned', async () => {
    const ctl = new AbortController();
    ctl.abort();
    let spawns = 0;
    const outcomes = await runProtocolChecks(
      {
        transport: 'stdio',
        spawn: () => {
          spawns += 1;
          return Promise.reject(new Error('must not be called'));
        },
      },
      { signal: ctl.signal },
    );
    assertShape(outcomes);
    assert.ok(outcomes.every((o) => o.status === 'skipped' && /aborted/.test(o.evidence)), describeAll(outcomes));
    assert.equal(spawns, 0);
  });

  test('aborted while the HTTP initialize waits: every probe skipped, the connection closed', async () => {
    const silent = await silentListener();
    const ctl = new AbortController();
    const poll = setInterval(() => {
      if (silent.accepted() > 0) ctl.abort();
    }, 5);
    try {
      const outcomes = await runProtocolChecks({ transport: 'streamable-http', url: `http://127.0.0.1:${silent.port}/mcp` }, { timeoutMs: 20_000, signal: ctl.signal });
      assert.ok(outcomes.every((o) => o.status === 'skipped' && /aborted/.test(o.evidence)), describeAll(outcomes));
      await silent.drained();
    } finally {
      clearInterval(poll);
      await silent.close();
    }
  });

  test('aborted during the ping probe (a ping never answered, 20 s timeout): the rest skipped, the server stopped', async () => {
    const server = fixtureStdio('checks-stdio.mjs', { FIXTURE_DEFECT: 'ping-never-answered' });
    started.push(server);
    const ctl = new AbortController();
    let proc: ServerProcess | undefined;
    // Stand between the checks and the server's stdin: abort the moment the ping is written.
    const spawn = async (): Promise<ServerProcess> => {
      const p = await server.endpoint.openStdio!();
      proc = p;
      const stdin = new PassThrough();
      stdin.on('data', (chunk: Buffer) => {
        p.stdin.write(chunk);
        if (chunk.toString('utf8').includes('"method":"ping"')) setImmediate(() => ctl.abort());
      });
      stdin.once('end', () => p.stdin.end());
      return { pid: p.pid, stdin, stdout: p.stdout, exited: p.exited, isRunning: () => p.isRunning(), signal: (s) => p.signal(s), stop: (g) => p.stop(g) };
    };
    const outcomes = await runProtocolChecks({ transport: 'stdio', spawn }, { timeoutMs: 20_000, signal: ctl.signal });
    assertShape(outcomes);
    assert.equal(pick(outcomes, 'notification').status, 'passed');
    assert.equal(pick(outcomes, 'unknown-method').status, 'passed');
    assert.equal(pick(outcomes, 'ping').status, 'skipped');
    assert.match(pick(outcomes, 'ping').evidence, /aborted while this probe ran/);
    assert.equal(pick(outcomes, 'malformed-json').status, 'skipped');
    assert.match(pick(outcomes, 'malformed-json').evidence, /aborted/);
    assert.ok(proc);
    assert.equal(proc.isRunning(), false, 'the server was stopped');
    assert.deepEqual(groupMembers(proc.pid!), []);
  });
});

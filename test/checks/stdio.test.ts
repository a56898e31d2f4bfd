/**
 * The line-delimited probes (stdio, and tcp to a piped stdio server) against a hand-written fixture:
 * clean it passes every probe (a log line on its stdout notwithstanding); built to fail one probe
 * it fails exactly that one with the right finding and evidence. unknown-session and origin are
 * skipped with the reason. The process the checks spawn is gone afterwards, whatever happened.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { runProtocolChecks, type CheckId } from '../../src/checks/index.js';
import type { ViolationKind } from '../../src/session/findings.js';
import type { ServerProcess } from '../../src/target/types.js';
import { groupMembers } from '../helpers/proc.js';
import { fixtureStdio, fixtureTcp, type TestServer } from '../helpers/servers.js';
import { assertOnly, checkServer, describeAll, pick } from './helpers.js';

const started: TestServer[] = [];
after(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

const OPTS = { timeoutMs: 1500 };
const SKIPPED = { 'unknown-session': 'skipped', origin: 'skipped' } as const;

/** The checks over stdio with one defect; asserts the spawned process (and its group) is gone afterwards. */
async function checkStdio(env: Record<string, string>) {
  const server = fixtureStdio('checks-stdio.mjs', env);
  started.push(server);
  const spawned: ServerProcess[] = [];
  const outcomes = await checkServer(server, OPTS, spawned);
  assert.equal(spawned.length, 1, 'one process of its own for the checks');
  const proc = spawned[0]!;
  assert.equal(proc.isRunning(), false, 'the checks stopped their server');
  assert.deepEqual(groupMembers(proc.pid!), [], 'nothing of its process group is left');
  return outcomes;
}

const defects: [defect: string, probe: CheckId, finding: ViolationKind, evidence: RegExp][] = [
  ['response-to-notification', 'notification', 'response-to-notification', /notifications\/cancelled .*→ a response came back: \{"jsonrpc":"2\.0","id":null,"result":\{\}\}/],
  ['unknown-method-result', 'unknown-method', 'unknown-method-not-32601', /no-such-method → result \{"ok":true\}/],
  ['no-parse-error', 'malformed-json', 'parse-error-unanswered', /not JSON .*→ no -32700 parse error; then ping still answered/],
  ['dies-on-malformed-json', 'malformed-json', 'malformed-input-crash', /not JSON .*then ping → the server exited \(code=3/],
  ['stuck-on-malformed-json', 'malformed-json', 'malformed-input-crash', /not JSON .*then ping → no answer within 1500 ms/],
  ['ping-unsupported', 'ping', 'ping-unsupported', /ping → error -32601/],
  ['ping-never-answered', 'ping', 'ping-unanswered', /ping → no answer within 1500 ms/],
];

describe('protocol checks over stdio', { timeout: 120_000 }, () => {
  test('a clean server passes every probe; unknown-session and origin are skipped with the reason', async () => {
    const outcomes = await checkStdio({});
    assertOnly(outcomes, SKIPPED);
    assert.match(pick(outcomes, 'unknown-session').evidence, /no sessions on stdio/);
    assert.match(pick(outcomes, 'origin').evidence, /no HTTP on stdio/);
    assert.match(pick(outcomes, 'notification').evidence, /nothing came back within \d+ ms/);
    assert.match(pick(outcomes, 'malformed-json').evidence, /error -32700 "Parse error"; then ping still answered/);
  });

  for (const [defect, probe, finding, evidence] of defects) {
    test(`${defect}: ${probe} fails with ${finding}, every other probe passes`, async () => {
      const outcomes = await checkStdio({ FIXTURE_DEFECT: defect });
      assertOnly(outcomes, { ...SKIPPED, [probe]: finding });
      assert.match(pick(outcomes, probe).evidence, evidence);
    });
  }

  test('a server that never writes a byte: every probe skipped with the reason, the process stopped', async () => {
    const outcomes = await checkStdio({ FIXTURE_DEFECT: 'silent' });
    assert.ok(outcomes.every((o) => o.status === 'skipped'), describeAll(outcomes));
    assert.match(pick(outcomes, 'ping').evidence, /initialize got no answer within 3000 ms/);
  });

  test('a spawn that fails, or no spawn at all: every probe skipped with the reason', async () => {
    const failing = await runProtocolChecks({ transport: 'stdio', spawn: () => Promise.reject(new Error('no such command: mcp-nothing')) }, OPTS);
    assert.ok(failing.every((o) => o.status === 'skipped'), describeAll(failing));
    assert.match(pick(failing, 'ping').evidence, /could not open .*no such command: mcp-nothing/);
    const none = await runProtocolChecks({ transport: 'stdio' }, OPTS);
    assert.match(pick(none, 'ping').evidence, /needs spawn\(\)/);
  });

  test('a spawn slower than the handshake allowance: skipped with the reason, and the late process is stopped once it exists', async () => {
    const server = fixtureStdio('checks-stdio.mjs');
    started.push(server);
    let late: Promise<ServerProcess> | undefined;
    const spawn = () => (late = new Promise<void>((resolve) => setTimeout(resolve, 1000)).then(() => server.endpoint.openStdio!()));
    const outcomes = await runProtocolChecks({ transport: 'stdio', spawn }, { timeoutMs: 200 });
    assert.match(pick(outcomes, 'ping').evidence, /did not start within 400 ms/);
    const proc = await late!;
    await proc.exited;
    assert.deepEqual(groupMembers(proc.pid!), []);
  });
});

describe('protocol checks over tcp (a stdio server behind the byte pipe)', { timeout: 120_000 }, () => {
  async function checkTcp(env: Record<string, string>) {
    const server = await fixtureTcp('checks-stdio.mjs', env);
    started.push(server);
    const outcomes = await checkServer(server, OPTS);
    assert.equal(server.processes.length, 1, 'one connection, one server process');
    await server.processes[0]!.exited; // the pipe stops the server once the checks close their socket
    return outcomes;
  }

  test('a clean server passes every probe', async () => {
    const outcomes = await checkTcp({});
    assertOnly(outcomes, SKIPPED);
    assert.match(pick(outcomes, 'unknown-session').evidence, /no sessions on tcp/);
  });

  test('dies-on-malformed-json: the connection ending is malformed-input-crash', async () => {
    const outcomes = await checkTcp({ FIXTURE_DEFECT: 'dies-on-malformed-json' });
    assertOnly(outcomes, { ...SKIPPED, 'malformed-json': 'malformed-input-crash' });
    assert.match(pick(outcomes, 'malformed-json').evidence, /then ping → the tcp connection closed instead of answering/);
  });

  test('response-to-notification is seen through the pipe too', async () => {
    assertOnly(await checkTcp({ FIXTURE_DEFECT: 'response-to-notification' }), { ...SKIPPED, notification: 'response-to-notification' });
  });
});

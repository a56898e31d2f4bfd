/**
 * What the simulated client offers the server, per profile: the capabilities it declares, and how
 * it answers the server's own requests (elicitation/create, sampling/createMessage, roots/list) —
 * against a real SDK server that asks. Every server request is reported as an event.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, getClientProfile } from '../../src/session/index.js';
import { acceptedContent, SAMPLING_ANSWER } from '../../src/session/client-features.js';
import { EventLog } from '../helpers/events.js';
import { seededRng } from '../helpers/rng.js';
import { fixtureStdio, startEverything } from '../helpers/servers.js';

const textOf = (r: unknown) => ((r as { content?: { text?: string }[] }).content?.[0]?.text ?? '') as string;

test('resilient: elicitation accepted with the schema defaults (required fields filled), sampling answered, both counted', async () => {
  const server = fixtureStdio('tools-stdio.mjs', { FIXTURE_TOOLS: 'ask' });
  const session = new Session(server.endpoint, getClientProfile('resilient'), { rng: seededRng(1) });
  const log = new EventLog(session);
  try {
    assert.equal(await session.connect(), true, log.trace());
    const asked = await session.callTool('ask_user', {});
    assert.equal(asked.outcome, 'ok', asked.error);
    assert.deepEqual(JSON.parse(textOf(asked.result)), { action: 'accept', content: { confirm: false, name: 'Ada', count: 3 } });
    const sampled = await session.callTool('summarize', {});
    assert.equal(sampled.outcome, 'ok', sampled.error);
    assert.equal(JSON.parse(textOf(sampled.result)).content.text, SAMPLING_ANSWER);
    assert.deepEqual(
      log.of('server-request').map((e) => [e.method, e.answer]),
      [
        ['elicitation/create', 'accept'],
        ['sampling/createMessage', 'a fixed assistant text'],
      ],
    );
  } finally {
    await session.close();
    await server.stop();
  }
});

test('claude-code: elicitation cancelled (nobody to answer the dialog), sampling not declared: -32601', async () => {
  const server = fixtureStdio('tools-stdio.mjs', { FIXTURE_TOOLS: 'ask' });
  // claude-code does not restart a dead stdio server by itself; this test needs none.
  const session = new Session(server.endpoint, getClientProfile('claude-code'), { rng: seededRng(1) });
  const log = new EventLog(session);
  try {
    assert.equal(await session.connect(), true, log.trace());
    const asked = await session.callTool('ask_user', {});
    assert.equal(asked.outcome, 'ok', asked.error);
    assert.deepEqual(JSON.parse(textOf(asked.result)), { action: 'cancel' });
    const sampled = await session.callTool('summarize', {});
    // The server asks anyway (it does not check what the client declared): the answer is -32601, and the tool fails.
    assert.notEqual(sampled.outcome, 'ok');
    assert.deepEqual(
      log.of('server-request').map((e) => [e.method, e.answer]),
      [
        ['elicitation/create', 'cancel'],
        ['sampling/createMessage', 'method not found (-32601)'],
      ],
    );
  } finally {
    await session.close();
    await server.stop();
  }
});

test('roots/list: resilient answers an empty list, claude-code its workspace folder (server-everything asks on connect)', async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'mcpr-workspace-'));
  for (const [profile, expected] of [
    ['resilient', 'an empty list'],
    ['claude-code', `1 root (file://${workspace})`],
  ] as const) {
    const server = await startEverything('stdio');
    const session = new Session(server.endpoint, getClientProfile(profile), { rng: seededRng(1), workspaceDir: workspace });
    const log = new EventLog(session);
    try {
      assert.equal(await session.connect(), true, log.trace());
      const roots = await log.waitFor('server-request', (e) => e.method === 'roots/list');
      assert.equal(roots.answer, expected, profile);
    } finally {
      await session.close();
      await server.stop();
    }
  }
});

test('acceptedContent fills required fields without a default (defaults are the SDK\'s to apply)', () => {
  assert.deepEqual(acceptedContent({ properties: { a: { type: 'string', default: 'x' }, b: { type: 'integer', minimum: 2 }, c: { type: 'boolean' } }, required: ['a', 'b'] }), { b: 2 });
  assert.deepEqual(acceptedContent(undefined), {});
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listTargets, loadTargetFile, resolveTarget, TargetError } from '../../src/target/profile.js';

test('every shipped target profile validates', async () => {
  const names = await listTargets();
  assert.ok(names.includes('everything-stdio') && names.includes('ruv-swarm') && names.includes('everything-ws'));
  for (const n of names) {
    const p = await resolveTarget(n);
    assert.equal(p.name, n);
  }
});

test('resolveTarget turns URLs and commands into ad-hoc targets', async () => {
  assert.equal((await resolveTarget('http://127.0.0.1:9/mcp')).transport, 'streamable-http');
  assert.equal((await resolveTarget('http://127.0.0.1:9/sse')).transport, 'sse');
  assert.equal((await resolveTarget('ws://127.0.0.1:9/message')).transport, 'websocket');
  const cmd = await resolveTarget('node server.js --flag');
  assert.equal(cmd.transport, 'stdio');
  assert.deepEqual(cmd.launch?.args, ['-c', 'exec node server.js --flag']);
});

test('an unknown target name is bad input that lists the profiles', async () => {
  await assert.rejects(resolveTarget('no-such-target'), (e: Error) => e instanceof TargetError && /unknown target "no-such-target"/.test(e.message));
});

test('a profile with a typo and a missing url is rejected with pointers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcpr-target-'));
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify({ name: 'bad', transport: 'sse', rolez: {}, roles: {} }));
  await assert.rejects(loadTargetFile(file), (e: unknown) => {
    assert.ok(e instanceof TargetError);
    const pointers = e.issues.map((i) => `${i.pointer}: ${i.message}`);
    assert.ok(pointers.includes('/rolez: unknown property "rolez"'), pointers.join('\n'));
    assert.ok(pointers.includes('/url: missing required property "url"'), pointers.join('\n'));
    return true;
  });
});

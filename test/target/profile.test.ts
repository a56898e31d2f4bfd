import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatIssues } from '../../src/scenario/index.js';
import { listTargets, loadTargetFile, resolveTarget, TargetError } from '../../src/target/profile.js';
import { PACKAGE_ROOT, TARGETS_DIR } from '../../src/target/paths.js';

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

/** A folder with an executable script `name` in it (and nothing else). */
function scriptDir(name: string, mode = 0o755): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcpr-bin-'));
  writeFileSync(join(dir, name), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, name), mode);
  return dir;
}

function targetMessage(e: unknown): string {
  assert.ok(e instanceof TargetError, String(e));
  return formatIssues(e.issues);
}

test('a single word that is a command on the server PATH (node_modules/.bin) is a stdio command, not an unknown profile', async () => {
  assert.ok(existsSync(join(PACKAGE_ROOT, 'node_modules', '.bin', 'mcp-server-everything')));
  const t = await resolveTarget('mcp-server-everything');
  assert.equal(t.name, 'adhoc-stdio');
  assert.equal(t.transport, 'stdio');
  assert.deepEqual(t.launch?.args, ['-c', 'exec mcp-server-everything']);
  // Any PATH entry counts: the same word is unknown where no PATH entry has it, a command where one does.
  const dir = scriptDir('my-mcp-server');
  await assert.rejects(resolveTarget('my-mcp-server', TARGETS_DIR, { path: '/nonexistent' }), TargetError);
  assert.deepEqual((await resolveTarget('my-mcp-server', TARGETS_DIR, { path: `/nonexistent:${dir}` })).launch?.args, ['-c', 'exec my-mcp-server']);
});

test('a profile name wins over a command of the same name', async () => {
  assert.ok(existsSync(join(PACKAGE_ROOT, 'node_modules', '.bin', 'ruv-swarm')), 'ruv-swarm is also a command in node_modules/.bin');
  const t = await resolveTarget('ruv-swarm');
  assert.equal(t.name, 'ruv-swarm');
  assert.equal(t.source, join(TARGETS_DIR, 'ruv-swarm.json'));
  assert.equal((await resolveTarget('everything-http')).transport, 'streamable-http');
});

test('an unknown single word is bad input naming both possibilities, the profiles, and how to pass a command', async () => {
  await assert.rejects(resolveTarget('mcp-server-nope', TARGETS_DIR, { path: '/nonexistent' }), (e: unknown) => {
    const text = targetMessage(e);
    assert.match(text, /^<command line>: \/target: unknown target "mcp-server-nope": there is no profile of that name and no command "mcp-server-nope" on PATH/);
    assert.match(text, /expected: a profile name \(everything-http, everything-sse, everything-stdio, .*ruv-swarm.*\), a profile \.json file, a URL .*, or a stdio server command/);
    assert.match(text, /hint: to run a stdio server by command, quote it with its arguments: --target "node my-server\.js"/);
    return true;
  });
});

test('a path is a command when it is an executable file; otherwise bad input saying why', async () => {
  const dir = scriptDir('server.sh');
  assert.deepEqual((await resolveTarget(join(dir, 'server.sh'))).launch?.args, ['-c', `exec ${join(dir, 'server.sh')}`]);
  // A bare name of an executable in the working folder (not on PATH) runs as ./name: sh looks bare names up on PATH only.
  assert.deepEqual((await resolveTarget('server.sh', TARGETS_DIR, { cwd: dir, path: '/nonexistent' })).launch?.args, ['-c', 'exec ./server.sh']);
  assert.deepEqual((await resolveTarget('./server.sh', TARGETS_DIR, { cwd: dir, path: '/nonexistent' })).launch?.args, ['-c', 'exec ./server.sh']);

  const plain = scriptDir('server.js', 0o644);
  await assert.rejects(resolveTarget(join(plain, 'server.js')), (e: unknown) => {
    const text = targetMessage(e);
    assert.match(text, /is a file \(.*server\.js\) but not executable/);
    assert.match(text, /hint: run it with its interpreter, e\.g\. --target "node .*server\.js", or make it executable/);
    return true;
  });
  await assert.rejects(resolveTarget(join(plain, 'missing-server')), (e: unknown) => /unknown target ".*missing-server": there is no profile of that name and no file /.test(targetMessage(e)));
  mkdirSync(join(plain, 'folder'));
  await assert.rejects(resolveTarget(join(plain, 'folder')), (e: unknown) => /is a folder/.test(targetMessage(e)));
});

test('a value with spaces is a command; a URL is a URL even when it ends in .json', async () => {
  assert.deepEqual((await resolveTarget('  no-such-binary --stdio ')).launch?.args, ['-c', 'exec no-such-binary --stdio']);
  const url = await resolveTarget('https://example.com/mcp/config.json');
  assert.equal(url.transport, 'streamable-http');
  assert.equal(url.url, 'https://example.com/mcp/config.json');
});

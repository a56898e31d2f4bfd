import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGroupRss, spawnServer } from '../../src/target/process.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('stop() ends the server and the children it spawned, and stderr is captured', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcpr-proc-'));
  const stderrPath = join(dir, 'server.stderr.log');
  // A "server" that starts a grandchild and logs its pid on stderr, then ignores SIGTERM like a stuck server.
  const script = `const { spawn } = require('node:child_process');
    const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    console.error('child ' + c.pid);
    process.on('SIGTERM', () => {});
    setInterval(() => {}, 1000);`;
  const proc = await spawnServer({ command: process.execPath, args: ['-e', script], stderrPath });
  let childPid = 0;
  for (let i = 0; i < 100 && !childPid; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const m = /child (\d+)/.exec(readFileSync(stderrPath, 'utf8'));
    if (m) childPid = Number(m[1]);
  }
  assert.ok(childPid > 0, 'the grandchild reported its pid on stderr');
  const rss = await readGroupRss(proc.pid!);
  assert.ok(rss !== null && rss > 10 * 1024 * 1024, `group RSS covers both node processes (${rss})`);
  await proc.stop(300);
  assert.equal(proc.isRunning(), false);
  for (let i = 0; i < 50 && alive(childPid); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(alive(childPid), false, 'the grandchild is gone too');
});

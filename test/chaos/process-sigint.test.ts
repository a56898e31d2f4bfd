/**
 * SIGINT safety: a run (a fixture script) pauses its server (stdio: and stalls its stdout), then
 * gets SIGINT. stopAllFaults() must resume the server before the target is stopped, and no
 * process of the server's group may be left behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { groupMembers } from '../helpers/proc.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const FIXTURE = join(ROOT, 'test/fixtures/servers/pause-then-sigint.ts');


describe('SIGINT while a server is paused', { timeout: 90_000 }, () => {
  for (const targetName of ['everything-http', 'everything-stdio']) {
    test(`${targetName}: stopAllFaults resumes the server, target.stop ends it, nothing is left`, async (t) => {
      const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, targetName], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      const server: { pgid?: number } = {};
      t.after(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        if (server.pgid !== undefined) {
          try {
            process.kill(-server.pgid, 'SIGKILL');
          } catch {
            // already gone, as it should be
          }
        }
      });
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const next = async () => JSON.parse(((await lines.next()).value as string | undefined) ?? 'null') as Record<string, unknown> | null;

      const paused = await next();
      assert.equal(paused?.event, 'paused', JSON.stringify(paused));
      const serverPgid = (server.pgid = paused!.pid as number);
      assert.equal(paused!.state, 'T', 'the server is stopped (SIGSTOP)');
      assert.ok(groupMembers(serverPgid).length >= 1);

      const exited = once(child, 'exit');
      child.kill('SIGINT');
      const stopped = await next();
      t.diagnostic(`${targetName}: ${JSON.stringify(stopped)}`);
      const [code] = (await exited) as [number | null];
      assert.equal(code, 130);
      assert.equal(stopped?.event, 'stopped', JSON.stringify(stopped));
      assert.notEqual(stopped!.afterResume, 'T', 'stopAllFaults resumed the server before target.stop()');
      assert.ok(stopped!.afterResume !== null, 'the server was still there to be resumed');
      // Resumed, the server could take the graceful way out: SIGTERM (http: target.stop) or stdin EOF (stdio: session.close).
      assert.notEqual((stopped!.exit as { signal: unknown }).signal, 'SIGKILL', JSON.stringify(stopped!.exit));
      if (targetName === 'everything-stdio') assert.equal(stopped!.valve, 'open', 'the stall was lifted');
      assert.equal(exists(`/proc/${serverPgid}`), false, `/proc/${serverPgid} is gone`);
      assert.deepEqual(groupMembers(serverPgid), [], 'no process of the server group is left');
    });
  }
});

function exists(path: string): boolean {
  try {
    readdirSync(path);
    return true;
  } catch {
    return false;
  }
}

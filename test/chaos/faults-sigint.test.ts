/**
 * SIGINT mid-fault through the CLI: a run against everything-http with latency on the chaos proxy
 * and the server paused gets SIGINT. It must exit 130, write the result (faults ended by the end
 * of the run), leave no process of the server's group, and close the proxy's port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScenarioResult } from '../../src/report/result.js';
import { groupMembers } from '../helpers/proc.js';

const ROOT = join(import.meta.dirname, '..', '..');


function accepts(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const sock = connect({ host, port: Number(port) });
    sock.once('connect', () => (sock.destroy(), resolve(true)));
    sock.once('error', () => resolve(false));
  });
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('SIGINT while the server is paused and latency is on: exit 130, result written, server group gone, proxy closed', { timeout: 90_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'mcpr-sigint-'));
  const scenario = join(ROOT, 'test', 'fixtures', 'scenarios-faults', 'sigint.json');
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'run', '--scenario', scenario, '--target', 'everything-http', '--duration', '60s', '--out', out, '--progress', 'none', '--no-summary'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const server: { pgid?: number } = {};
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (server.pgid !== undefined) {
      try {
        process.kill(-server.pgid, 'SIGCONT');
        process.kill(-server.pgid, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    }
  });
  const eventsPath = join(out, 'logs', 'fault-sigint', 'events.ndjson');
  const pgid = (server.pgid = await waitFor(
    () => {
      if (!existsSync(eventsPath)) return undefined;
      const m = /"detail":"SIGSTOP to process group (\d+)"/.exec(readFileSync(eventsPath, 'utf8'));
      return m ? Number(m[1]) : undefined;
    },
    60_000,
    `the pause (${stderr})`,
  ));
  assert.ok(groupMembers(pgid).length >= 1, 'the paused server is there');
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  const [code] = (await exited) as [number | null];
  assert.equal(code, 130, stderr);
  assert.match(stderr, /SIGINT: stopping the run/);

  const result = JSON.parse(readFileSync(join(out, 'test-results', 'fault-sigint', 'result.json'), 'utf8')) as ScenarioResult;
  assert.deepEqual(
    result.faults.windows.map((w) => [w.kind, w.endedBy]),
    [
      ['latency', 'run-end'],
      ['pause', 'run-end'],
    ],
  );
  assert.ok(result.notes?.some((n) => /interrupted/.test(n)), JSON.stringify(result.notes));
  assert.ok(existsSync(join(out, 'reports', 'fault-sigint.md')));
  assert.deepEqual(groupMembers(pgid), [], 'no process of the server group is left');
  const proxy = result.faults.proxy!;
  assert.equal(await accepts(proxy.listen), false, `the proxy port ${proxy.listen} is closed`);
  assert.equal(await accepts(proxy.upstream), false, `the server port ${proxy.upstream} is closed`);
  t.diagnostic(`server group ${pgid} gone; proxy ${proxy.listen} and server ${proxy.upstream} closed; exit ${code}`);
});

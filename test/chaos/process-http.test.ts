/**
 * Process faults on a local Streamable HTTP target (server-everything started by startTarget),
 * observed through a real Session: pause → ping-timeout → resume → recovered; kill with a timed
 * restart on the same port; terminate restarted when the fault is lifted.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test, type TestContext } from 'node:test';
import { processFault, type ProcessFaultAction } from '../../src/chaos/process/index.js';
import { getClientProfile } from '../../src/session/index.js';
import { seededRng } from '../helpers/rng.js';
import { connectedTo } from '../helpers/connected.js';

const PING_INTERVAL_MS = 500;
const PING_TIMEOUT_MS = 1_000;
/** Scheduling slack on a loaded 2-core machine on top of interval + timeout. */
const DETECTION_MARGIN_MS = 1_500;
const fastPinger = () => getClientProfile('resilient', { pingIntervalMs: PING_INTERVAL_MS, pingTimeoutMs: PING_TIMEOUT_MS, maxReconnectAttempts: 30 });

/** The state letter of /proc/<pid>/stat (R, S, T = stopped …), or null once the process is gone. */
function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const connected = (t: TestContext) => connectedTo(t, 'everything-http', fastPinger(), 21);

describe('process faults on Streamable HTTP (server-everything)', { timeout: 120_000 }, () => {
  test('pause: the pinger declares ping-timeout within interval + timeout + margin; resumed, the session recovers', async (t) => {
    const { target, log } = await connected(t);
    const pid = target.currentProcess()!.pid!;
    const fault = processFault(target, { kind: 'pause' }, seededRng(1));
    const pausedAt = Date.now();
    await fault.start();
    await until(() => procState(pid) === 'T', 'the server is stopped');
    const down = await log.waitFor('disconnected', () => true, 15_000);
    assert.equal(down.reason, 'ping-timeout', down.detail);
    const detectMs = down.at - pausedAt;
    const bound = PING_INTERVAL_MS + PING_TIMEOUT_MS + DETECTION_MARGIN_MS;
    assert.ok(detectMs <= bound, `detected after ${detectMs} ms (bound ${bound} ms)`);

    const resumedAt = Date.now();
    await fault.stop();
    await fault.stop(); // idempotent
    assert.notEqual(procState(pid), 'T', 'SIGCONT resumed the server');
    const rec = await log.waitFor('recovered', () => true, 60_000);
    assert.equal(rec.reason, 'ping-timeout');
    assert.equal(target.currentProcess()!.pid, pid, 'the same server process, resumed');
    t.diagnostic(`pause: ping-timeout ${detectMs} ms after SIGSTOP (bound ${bound}); recovered ${rec.at - resumedAt} ms after SIGCONT (${rec.afterMs} ms down)`);
  });

  test('kill with restartAfterMs: the session detects the dead server and recovers once it listens again on the same port', async (t) => {
    const { target, log } = await connected(t);
    const oldPid = target.currentProcess()!.pid;
    const url = target.endpoint.url;
    const actions: ProcessFaultAction[] = [];
    const fault = processFault(target, { kind: 'kill', restartAfterMs: 1_000 }, seededRng(2), { onAction: (a) => actions.push(a) });
    const killedAt = Date.now();
    await fault.start();
    assert.ok(actions.some((a) => a.action === 'exited'), 'start() resolves once the server has exited');
    const down = await log.waitFor('disconnected', () => true, 15_000);
    assert.ok(['connection-error', 'transport-closed', 'ping-timeout'].includes(down.reason), `${down.reason}: ${down.detail}`);
    const rec = await log.waitFor('recovered', () => true, 60_000);
    const restarted = actions.find((a) => a.action === 'restarted');
    assert.ok(restarted, `restarted: ${JSON.stringify(actions)}`);
    assert.ok(rec.at >= restarted.at, 'recovered only after the restart');
    assert.notEqual(target.currentProcess()!.pid, oldPid, 'a new server process');
    assert.equal(target.endpoint.url, url, 'on the same address');
    await fault.stop();
    assert.equal(actions.filter((a) => a.action === 'restarting').length, 1, 'lifting after the timed restart does not restart again');
    const restarting = actions.find((a) => a.action === 'restarting')!;
    t.diagnostic(
      `kill: ${down.reason} detected ${down.at - killedAt} ms after SIGKILL; restart took ${restarted.at - restarting.at} ms; ` +
        `recovered ${rec.at - restarted.at} ms after the server listened again (${rec.afterMs} ms down, ${rec.attempts} attempts)`,
    );
  });

  test('terminate without restartAfterMs: SIGTERM stops the server gracefully; lifting the fault restarts it', async (t) => {
    const { target, log } = await connected(t);
    const proc = target.currentProcess()!;
    const actions: ProcessFaultAction[] = [];
    const fault = processFault(target, { kind: 'terminate' }, seededRng(3), { onAction: (a) => actions.push(a) });
    const termAt = Date.now();
    await fault.start();
    const exit = await proc.exited;
    const down = await log.waitFor('disconnected', () => true, 15_000);
    assert.equal(actions.some((a) => a.action === 'restarting'), false, 'no restart while the fault is active');
    const liftedAt = Date.now();
    await fault.stop();
    assert.ok(actions.some((a) => a.action === 'restarted'));
    const rec = await log.waitFor('recovered', () => true, 60_000);
    t.diagnostic(`terminate: server exit ${JSON.stringify(exit)}; ${down.reason} detected ${down.at - termAt} ms after SIGTERM; recovered ${rec.at - liftedAt} ms after stop() began`);
  });
});

/**
 * Fault logic on a fake target (no real process): what each fault signals, when it restarts, and
 * what stopAllFaults() does — resume paused servers first, cancel pending restarts, open valves.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { afterEach, describe, test } from 'node:test';
import { activeProcessFaults, createStdoutValve, processFault, stopAllFaults } from '../../src/chaos/process/index.js';
import { createRng } from '../../src/chaos/rng.js';
import type { RunningTarget } from '../../src/target/launch.js';
import type { ServerProcess, TransportKind } from '../../src/target/types.js';

interface Fake {
  target: RunningTarget;
  /** Every signal sent and every restart, in order, e.g. `4001:SIGSTOP`, `restart`. */
  log: string[];
}

function fakeTarget(transport: TransportKind, opts: { failSignal?: NodeJS.Signals; valve?: boolean } = {}): Fake {
  const log: string[] = [];
  let nextPid = 4001;
  const spawn = (): ServerProcess => {
    let alive = true;
    let exit!: (v: { code: number | null; signal: NodeJS.Signals | null }) => void;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => (exit = r));
    const pid = nextPid++;
    const end = (signal: NodeJS.Signals) => {
      alive = false;
      exit({ code: null, signal });
    };
    return {
      pid,
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      exited,
      isRunning: () => alive,
      signal(sig) {
        log.push(`${pid}:${sig}`);
        if (sig === opts.failSignal) throw new Error(`cannot send ${sig}`);
        if (sig === 'SIGKILL' || sig === 'SIGTERM') end(sig);
      },
      stop: async () => end('SIGTERM'),
    };
  };
  let proc = spawn();
  const valve = createStdoutValve();
  const stdio = transport === 'stdio';
  const target: RunningTarget = {
    profile: { name: `fake-${transport}`, transport, launch: { command: 'fake' }, roles: {}, ...(stdio ? {} : { url: 'http://127.0.0.1:1/mcp' }) },
    endpoint: { transport, label: 'fake', ...(stdio ? {} : { url: 'http://127.0.0.1:1/mcp' }) },
    currentProcess: () => proc,
    stop: async () => proc.stop(),
    ...(opts.valve ? { stdoutValve: () => valve } : {}),
    ...(stdio
      ? {}
      : {
          restart: async () => {
            await proc.stop();
            log.push('restart');
            proc = spawn();
          },
        }),
  };
  return { target, log };
}

const rng = createRng(7);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('process faults on a fake target', () => {
  afterEach(() => stopAllFaults());

  test('pause: SIGSTOP, then SIGCONT once however often stop() is called', async () => {
    const { target, log } = fakeTarget('streamable-http');
    const fault = processFault(target, { kind: 'pause' }, rng);
    await fault.start();
    assert.deepEqual(activeProcessFaults(), [fault]);
    await fault.stop();
    await fault.stop();
    assert.deepEqual(log, ['4001:SIGSTOP', '4001:SIGCONT']);
    assert.deepEqual(activeProcessFaults(), []);
  });

  test('pause: a start() that failed half-way is still undone by stop()', async () => {
    const { target, log } = fakeTarget('stdio', { failSignal: 'SIGSTOP' });
    const fault = processFault(target, { kind: 'pause' }, rng);
    await assert.rejects(fault.start(), /cannot send SIGSTOP/);
    await fault.stop();
    assert.deepEqual(log, ['4001:SIGSTOP', '4001:SIGCONT']);
  });

  test('kill on stdio: SIGKILL, and lifting restarts nothing (the client respawns)', async () => {
    const { target, log } = fakeTarget('stdio');
    const fault = processFault(target, { kind: 'kill' }, rng);
    assert.match(fault.describe(), /client's reconnect spawns a fresh process/);
    await fault.start();
    await fault.stop();
    assert.deepEqual(log, ['4001:SIGKILL']);
  });

  test('kill on a network target: restarts after restartAfterMs, and lifting then does not restart again', async () => {
    const { target, log } = fakeTarget('streamable-http');
    const fault = processFault(target, { kind: 'kill', restartAfterMs: 20 }, rng);
    await fault.start();
    while (!log.includes('restart')) await sleep(5);
    await fault.stop();
    assert.deepEqual(log, ['4001:SIGKILL', 'restart']);
    assert.equal(target.currentProcess()!.pid, 4002);
  });

  test('terminate without restartAfterMs restarts when lifted; a failed restart makes stop() reject once', async () => {
    const { target, log } = fakeTarget('streamable-http');
    const fault = processFault(target, { kind: 'terminate' }, rng);
    await fault.start();
    assert.deepEqual(log, ['4001:SIGTERM']);
    await fault.stop();
    assert.deepEqual(log, ['4001:SIGTERM', 'restart']);

    const broken = fakeTarget('streamable-http');
    broken.target.restart = async () => {
      throw new Error('port taken');
    };
    const f2 = processFault(broken.target, { kind: 'kill' }, rng);
    await f2.start();
    await assert.rejects(f2.stop(), /kill: the server could not be restarted: port taken/);
    await f2.stop();
  });

  test('stopAllFaults: resumes the paused server first, cancels a pending restart, opens the valve', async () => {
    const paused = fakeTarget('streamable-http');
    const killed = fakeTarget('streamable-http');
    const order: string[] = [];
    const kill = processFault(killed.target, { kind: 'kill', restartAfterMs: 60_000 }, rng, { onAction: (a) => order.push(`${a.kind}:${a.action}`) });
    const pause = processFault(paused.target, { kind: 'pause' }, rng, { onAction: (a) => order.push(`${a.kind}:${a.action}`) });
    await kill.start();
    await pause.start();
    order.length = 0;
    await stopAllFaults();
    assert.deepEqual(order, ['pause:signal'], 'only the SIGCONT: no restart at teardown');
    assert.deepEqual(paused.log, ['4001:SIGSTOP', '4001:SIGCONT']);
    assert.deepEqual(killed.log, ['4001:SIGKILL']);
    assert.deepEqual(activeProcessFaults(), []);
  });

  test('pipe faults need the valve of a stdio target, one at a time; stopAllFaults opens it', async () => {
    const bare = fakeTarget('stdio');
    await assert.rejects(processFault(bare.target, { kind: 'stdout-stall' }, rng).start(), /has no stdout valve/);

    const { target } = fakeTarget('stdio', { valve: true });
    const valve = target.stdoutValve!();
    const stall = processFault(target, { kind: 'stdout-stall' }, rng);
    const delay = processFault(target, { kind: 'stdout-delay', delayMs: 50 }, rng);
    await stall.start();
    assert.equal(valve.mode, 'hold');
    await assert.rejects(delay.start(), /another stdout fault is active .* \(valve: hold\)/);
    await stall.stop();
    await delay.start();
    assert.equal(valve.mode, 'delay');
    await stopAllFaults();
    assert.equal(valve.mode, 'open');
  });
});

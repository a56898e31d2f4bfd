/**
 * Container faults against a real Docker engine: server-everything in a container labelled like a
 * Compose service (found by those labels), on a network of its own, its port published on
 * 127.0.0.1 only. Pause, kill + start (through the FaultController, as the runner wires it), stop,
 * network-disconnect (seen from a second container on the network), memory-squeeze, netem (its
 * preflight, the failure without a proxy, the fallback with one), and teardown. Skipped, loudly,
 * when no engine answers or the images are missing; everything created is removed afterwards.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import Docker from 'dockerode';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ChaosProxy, containerFault, netemAvailable, stopAllFaults, type ContainerFaultAction } from '../../src/chaos/index.js';
import { NO_LIMIT_BYTES, activeContainerFaults } from '../../src/chaos/container/index.js';
import { FaultController } from '../../src/run/fault-control.js';
import type { FaultEvent } from '../../src/run/fault-log.js';
import { planFaults } from '../../src/run/fault-plan.js';
import { runScenario } from '../../src/run/runner.js';
import { validateScenario } from '../../src/scenario/index.js';
import { getClientProfile } from '../../src/session/index.js';
import { freePort } from '../../src/net/ready.js';
import type { RunningTarget } from '../../src/target/launch.js';
import type { TargetProfile } from '../../src/target/types.js';
import { seededRng } from '../helpers/rng.js';

const SERVER_IMAGE = 'mcp-reliability:local';
const NODE_IMAGE = 'mcp-reliability/node-offline:local';
const PREFIX = `mcpr-test-${randomBytes(4).toString('hex')}`;
const TEST_LABEL = 'mcp-reliability.test';
const ref = { project: PREFIX, service: 'mcp-server' };
const MiB = 1024 * 1024;

const docker = new Docker();
let skipReason: string | undefined;
let networkName = '';
let hostPort = 0;
let url = '';
let serverId = '';

async function whyNot(): Promise<string | undefined> {
  try {
    await docker.ping();
  } catch (err) {
    return `no Docker engine answers (${process.env.DOCKER_HOST ?? '/var/run/docker.sock'}): ${(err as Error).message}`;
  }
  for (const image of [SERVER_IMAGE, NODE_IMAGE]) {
    try {
      await docker.getImage(image).inspect();
    } catch {
      return `the local image ${image} is missing (nothing can be pulled here; build it first)`;
    }
  }
  return undefined;
}

before(async () => {
  skipReason = await whyNot();
  if (skipReason) {
    console.error(`SKIPPING the container fault tests: ${skipReason}`);
    return;
  }
  networkName = `${PREFIX}_default`;
  await docker.createNetwork({ Name: networkName, Driver: 'bridge', Labels: { [TEST_LABEL]: PREFIX, 'com.docker.compose.project': PREFIX } });
  hostPort = await freePort();
  const server = await docker.createContainer({
    name: `${PREFIX}-mcp-server-1`,
    Image: SERVER_IMAGE,
    Entrypoint: ['/app/node_modules/.bin/mcp-server-everything'],
    Cmd: ['streamableHttp'],
    Env: ['PORT=3001'],
    ExposedPorts: { '3001/tcp': {} },
    Labels: { [TEST_LABEL]: PREFIX, 'com.docker.compose.project': PREFIX, 'com.docker.compose.service': 'mcp-server', 'com.docker.compose.oneoff': 'False' },
    HostConfig: {
      Init: true, // as compose's `init: true`: SIGTERM reaches node through tini
      NetworkMode: networkName,
      // An explicit host port: a random one (HostPort "") changes on every docker start.
      PortBindings: { '3001/tcp': [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }] },
    },
    NetworkingConfig: { EndpointsConfig: { [networkName]: { Aliases: ['mcp-server'] } } },
  });
  serverId = server.id;
  await server.start();
  url = `http://127.0.0.1:${hostPort}/mcp`;
  await until(() => serves().then(() => true, () => false), 'the server serves MCP', 30_000);
});

after(async () => {
  await stopAllFaults();
  const mine = await docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=${PREFIX}`] } }).catch(() => []);
  await Promise.all(mine.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  if (networkName) await docker.getNetwork(networkName).remove().catch(() => undefined);
});

/** t.skip with the reason (loud) when the engine or images are missing; true when skipped. */
function skipped(t: TestContext): boolean {
  if (skipReason) t.skip(`container fault tests need Docker: ${skipReason}`);
  return skipReason !== undefined;
}

const server = () => docker.getContainer(serverId);
const state = async () => (await server().inspect()).State;

/** A plain SDK client over Streamable HTTP, initialized (the handshake bounded by `timeoutMs`). */
async function mcpClient(at = url, timeoutMs = 5_000): Promise<Client> {
  const client = new Client({ name: 'container-fault-test', version: '0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(at)), { timeout: timeoutMs });
  return client;
}

/** A fresh client answers a ping (the server serves MCP). */
async function serves(at = url): Promise<void> {
  const client = await mcpClient(at);
  try {
    await client.ping({ timeout: 5_000 });
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Run a node one-liner in a container on the test network; its exit code and output. */
async function onNetwork(script: string): Promise<{ code: number; output: string }> {
  const c = await docker.createContainer({
    Image: NODE_IMAGE,
    Entrypoint: ['node', '-e', script],
    Tty: true,
    Labels: { [TEST_LABEL]: PREFIX },
    HostConfig: { NetworkMode: networkName },
  });
  try {
    await c.start();
    const { StatusCode } = (await c.wait()) as { StatusCode: number };
    return { code: StatusCode, output: (await c.logs({ stdout: true, stderr: true, follow: false })).toString('utf8').trim() };
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}

/** From a second container: resolve the service alias and make one HTTP request to it. */
const REACH = `require('dns').lookup('mcp-server',(e,a)=>{if(e){console.log('dns '+e.code);process.exit(2)}
fetch('http://mcp-server:3001/mcp',{signal:AbortSignal.timeout(3000)}).then(r=>{console.log('http '+r.status+' '+a);process.exit(0)},x=>{console.log('fetch '+x.message);process.exit(3)})})`;

describe('container faults on a real Docker engine', { timeout: 120_000 }, () => {
  test('pause: an MCP request from the host times out; unpause restores it', async (t) => {
    if (skipped(t)) return;
    const client = await mcpClient();
    t.after(() => client.close().catch(() => undefined));
    await client.ping({ timeout: 5_000 });
    const actions: ContainerFaultAction[] = [];
    const fault = containerFault(ref, { kind: 'pause' }, { docker, onAction: (a) => actions.push(a) });
    await fault.start();
    assert.equal((await state()).Paused, true);
    await assert.rejects(client.ping({ timeout: 1_500 }), /timed out/i);
    await fault.stop();
    await fault.stop(); // idempotent
    assert.equal((await state()).Paused, false);
    await client.ping({ timeout: 5_000 });
    assert.deepEqual(actions.map((a) => a.action), ['paused', 'unpaused']);
    assert.equal(activeContainerFaults().length, 0);
  });

  test('kill through the FaultController: the window ends when the container is back on the same published port', async (t) => {
    if (skipped(t)) return;
    const profile: TargetProfile = { name: 'stack', transport: 'streamable-http', url, container: ref, roles: {} };
    const running: RunningTarget = { profile, endpoint: { transport: 'streamable-http', url, label: 'stack' }, currentProcess: () => undefined, stop: async () => undefined };
    const { plan } = validateScenario({ name: 'k', expect: { minRequests: 1 }, steps: [{ action: 'fault', fault: { kind: 'kill', restartAfterMs: 500 } }] }, '<inline>');
    assert.ok(plan);
    const events: FaultEvent[] = [];
    const notes: string[] = [];
    const controller = new FaultController({ running, seed: 1, plan: planFaults(plan, profile), record: (e) => events.push(e), note: (n) => notes.push(n), docker });
    const handle = await controller.start({ kind: 'kill', restartAfterMs: 500 }, { source: '/steps/0/fault', fromStep: true });
    assert.ok(handle, JSON.stringify({ events, notes }));
    assert.equal((await state()).Running, false, 'start() resolves once the container has exited');
    await until(() => events.some((e) => e.type === 'fault-ended'), 'the fault window ends');
    const ended = events.find((e) => e.type === 'fault-ended');
    assert.equal(ended?.type === 'fault-ended' && ended.endedBy, 'restarted');
    const actions = events.flatMap((e) => (e.type === 'fault-action' ? [e.action] : []));
    assert.deepEqual(actions, ['signal', 'exited', 'restarting', 'restarted']);
    assert.equal(events[0]?.type === 'fault-started' && events[0].family, 'process');
    const info = await server().inspect();
    assert.equal(info.State.Running, true);
    assert.equal(info.NetworkSettings.Ports['3001/tcp']?.[0]?.HostPort, String(hostPort), 'the same host port');
    await serves();
    await controller.lift(handle); // lifting after the timed start does not start it twice
    await controller.stopAll();
    assert.equal(activeContainerFaults().length, 0);
  });

  test('stop: docker stop, nothing listens; lifted, docker start and the server serves again', async (t) => {
    if (skipped(t)) return;
    const actions: ContainerFaultAction[] = [];
    const fault = containerFault(ref, { kind: 'stop', timeoutSeconds: 2 }, { docker, url, onAction: (a) => actions.push(a) });
    await fault.start();
    assert.equal((await state()).Running, false);
    await assert.rejects(serves(), /fetch failed|ECONNREFUSED|ECONNRESET|socket/i);
    await fault.stop();
    assert.equal((await state()).Running, true);
    await serves();
    assert.deepEqual(actions.map((a) => a.action), ['stopped', 'restarting', 'restarted']);
  });

  test('terminate (SIGTERM, through the init) started again when lifted; a one-shot restart', async (t) => {
    if (skipped(t)) return;
    const actions: ContainerFaultAction[] = [];
    const onAction = (a: ContainerFaultAction) => actions.push(a);
    const terminate = containerFault(ref, { kind: 'terminate' }, { docker, url, onAction });
    await terminate.start();
    assert.equal((await state()).Running, false, JSON.stringify(actions));
    await terminate.stop();
    await serves();
    const startedAt = (await state()).StartedAt;
    const restart = containerFault(ref, { kind: 'restart' }, { docker, url, onAction });
    await restart.start();
    await restart.stop(); // one-shot: nothing to lift
    const now = await state();
    assert.equal(now.Running, true);
    assert.notEqual(now.StartedAt, startedAt, 'started anew');
    await serves();
    assert.deepEqual(
      actions.map((a) => `${a.kind}:${a.action}`),
      ['terminate:signal', 'terminate:exited', 'terminate:restarting', 'terminate:restarted', 'restart:restarting', 'restart:restarted'],
    );
  });

  test('network-disconnect: the service alias stops resolving on the network; reconnected, it resolves and answers again', async (t) => {
    if (skipped(t)) return;
    const before = await onNetwork(REACH);
    assert.equal(before.code, 0, before.output);
    const fault = containerFault(ref, { kind: 'network-disconnect' }, { docker });
    await fault.start();
    assert.deepEqual(Object.keys((await server().inspect()).NetworkSettings.Networks), []);
    const during = await onNetwork(REACH);
    assert.notEqual(during.code, 0, `unreachable while disconnected: ${during.output}`);
    assert.match(during.output, /^dns (ENOTFOUND|EAI_AGAIN)/);
    await fault.stop();
    const net = (await server().inspect()).NetworkSettings.Networks[networkName];
    assert.ok(net, 'attached again');
    assert.ok(net.Aliases?.includes('mcp-server'), `alias kept: ${JSON.stringify(net.Aliases)}`);
    const afterwards = await onNetwork(REACH);
    assert.equal(afterwards.code, 0, afterwards.output);
    assert.match(afterwards.output, /^http \d{3} /);
    await serves(); // the published port works again too
  });

  test('memory-squeeze: the limit is lowered and restored (exactly, or to no limit in effect where there was none)', async (t) => {
    if (skipped(t)) return;
    const limits = async () => {
      const { Memory, MemorySwap } = (await server().inspect()).HostConfig;
      return { Memory, MemorySwap };
    };
    assert.deepEqual(await limits(), { Memory: 0, MemorySwap: 0 }, 'created without a limit');
    const squeeze = () => containerFault(ref, { kind: 'memory-squeeze', memoryBytes: 128 * MiB }, { docker, url });
    const first = squeeze();
    await first.start();
    assert.deepEqual(await limits(), { Memory: 128 * MiB, MemorySwap: 128 * MiB });
    await first.stop();
    assert.deepEqual(await limits(), { Memory: NO_LIMIT_BYTES, MemorySwap: NO_LIMIT_BYTES }, 'Docker cannot remove a limit: the no-limit value');
    const stats = await server().stats({ stream: false });
    const host = (await docker.info()) as { MemTotal: number };
    assert.equal(stats.memory_stats.limit, host.MemTotal, 'no limit in effect: the engine reports the host memory');

    await server().update({ Memory: 256 * MiB, MemorySwap: 512 * MiB });
    const second = squeeze();
    await second.start();
    assert.deepEqual(await limits(), { Memory: 128 * MiB, MemorySwap: 128 * MiB });
    await second.stop();
    await second.stop();
    assert.deepEqual(await limits(), { Memory: 256 * MiB, MemorySwap: 512 * MiB }, 'restored exactly');
    await squeeze().start();
    assert.deepEqual(await limits(), { Memory: 128 * MiB, MemorySwap: 128 * MiB });
    await stopAllFaults();
    assert.deepEqual(await limits(), { Memory: 256 * MiB, MemorySwap: 512 * MiB }, 'teardown restores too');
    await serves();
  });

  test('netem: the preflight answers with a reason; without a proxy the fault fails with it; with one it falls back', async (t) => {
    if (skipped(t)) return;
    const pre = await netemAvailable(docker, serverId);
    assert.equal(typeof pre.ok, 'boolean');
    if (!pre.ok) {
      assert.equal(typeof pre.reason, 'string');
      assert.ok(pre.reason.length > 0);
    }
    t.diagnostic(`netem preflight here: ${JSON.stringify(pre)}`);
    const spec = { kind: 'netem', latencyMs: 300 } as const;
    if (pre.ok) {
      const fault = containerFault(ref, spec, { docker });
      await fault.start();
      await fault.stop();
    } else {
      await assert.rejects(containerFault(ref, spec, { docker }).start(), (err: Error) => err.message.includes(`netem unavailable (${pre.reason})`) && /no chaos proxy/.test(err.message));
      assert.equal(activeContainerFaults().length, 0);
    }

    const proxy = await ChaosProxy.start({ upstream: { host: '127.0.0.1', port: hostPort }, rng: seededRng(3) });
    t.after(() => proxy.close());
    const notes: string[] = [];
    const fault = containerFault(ref, spec, { docker, proxy, note: (n) => notes.push(n) });
    const client = await mcpClient(proxy.url(url));
    t.after(() => client.close().catch(() => undefined));
    const pingMs = async () => {
      const t0 = performance.now();
      await client.ping({ timeout: 5_000 });
      return performance.now() - t0;
    };
    await fault.start();
    const slow = await pingMs();
    assert.ok(slow >= 290, `a ping takes the added 300 ms (${Math.round(slow)} ms)`);
    if (!pre.ok) assert.deepEqual(notes, [`netem unavailable (${pre.reason}): latency/loss applied by the chaos proxy instead`]);
    await fault.stop();
    const fast = await pingMs();
    assert.ok(fast < 250, `lifted: ${Math.round(fast)} ms`);
  });

  test('teardown (stopAllFaults, as on SIGINT): a paused container is unpaused, a killed one started again', async (t) => {
    if (skipped(t)) return;
    await containerFault(ref, { kind: 'pause' }, { docker }).start();
    assert.equal((await state()).Paused, true);
    await stopAllFaults();
    let s = await state();
    assert.equal(s.Running && !s.Paused, true, 'running and unpaused');
    await serves();

    await containerFault(ref, { kind: 'kill' }, { docker, url }).start();
    assert.equal((await state()).Running, false);
    await stopAllFaults();
    s = await state();
    assert.equal(s.Running, true, 'started again: the stack stays whole');
    await until(() => serves().then(() => true, () => false), 'serves again');
    assert.equal(activeContainerFaults().length, 0);
  });

  test('last resort at process exit: a process that exits with its container paused unpauses it synchronously', async (t) => {
    if (skipped(t)) return;
    const index = new URL('../../src/chaos/index.ts', import.meta.url).href;
    const script = `const { containerFault } = await import(${JSON.stringify(index)}); await containerFault(${JSON.stringify(ref)}, { kind: 'pause' }).start(); process.exit(0);`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(child.status, 0, child.stderr);
    const s = await state();
    assert.equal(s.Running && !s.Paused, true, 'unpaused by the exit hook');
  });

  test('runScenario on a container target (nothing but profile.container): pause and kill windows recovered, netem falls back to the proxy', async (t) => {
    if (skipped(t)) return;
    const target: TargetProfile = { name: 'stack', transport: 'streamable-http', url, container: ref, roles: { probe: { tool: 'echo', params: { message: 'probe' } } } };
    const { plan, issues } = validateScenario(
      {
        name: 'container-faults',
        expect: { minRequests: 1 },
        steps: [
          { action: 'connect' },
          { action: 'initialize' },
          { action: 'soak', background: true, interval: 100, steps: [{ action: 'call-tool', role: 'probe', timeout: 1000 }] },
          { action: 'wait', duration: 500 },
          { action: 'fault', fault: { kind: 'pause' }, duration: 1500 },
          { action: 'wait', duration: 1500 },
          { action: 'fault', fault: { kind: 'kill', restartAfterMs: 300 }, duration: 2000 },
          { action: 'wait', duration: 1500 },
          { action: 'fault', fault: { kind: 'netem', latencyMs: 50 }, duration: 800 },
        ],
      },
      '<inline>',
    );
    assert.ok(plan, JSON.stringify(issues));
    const client = getClientProfile('resilient', { pingIntervalMs: 500, pingTimeoutMs: 1000, maxReconnectAttempts: 30 });
    const result = await runScenario({ plan, target, client, durationMs: 12_000, seed: 5, outDir: mkdtempSync(join(tmpdir(), 'mcpr-container-run-')), signal: new AbortController().signal, toolVersion: 'test' });
    assert.equal(result.error, undefined, result.error);
    const windows = result.faults.windows.map((w) => [w.kind, w.family, w.endedBy, w.mttrMs !== null]);
    t.diagnostic(JSON.stringify({ windows: result.faults.windows.map((w) => ({ kind: w.kind, endedBy: w.endedBy, mttdMs: w.mttdMs, mttrMs: w.mttrMs })), notes: result.notes }));
    assert.deepEqual(windows.slice(0, 2), [
      ['pause', 'process', 'lifted', true],
      ['kill', 'process', 'restarted', true],
    ]);
    const netemNote = (result.notes ?? []).find((n) => n.includes('netem'));
    const pre = await netemAvailable(docker, serverId);
    if (!pre.ok) assert.equal(netemNote, `fault netem at /steps/8: netem unavailable (${pre.reason}): latency/loss applied by the chaos proxy instead`);
    assert.equal(result.faults.windows[2]?.endedBy, 'lifted');
    assert.ok(result.faults.proxy, 'the proxy ran (netem may need it)');
    const s = await state();
    assert.equal(s.Running && !s.Paused, true, 'the container is left whole');
    assert.equal(activeContainerFaults().length, 0);
  });

  test('the label lookup names project and service when there is no such container', async (t) => {
    if (skipped(t)) return;
    const fault = containerFault({ project: `${PREFIX}-none`, service: 'mcp-server' }, { kind: 'pause' }, { docker });
    await assert.rejects(fault.start(), new RegExp(`no container of service "mcp-server" in Compose project "${PREFIX}-none"`));
    await fault.stop();
  });
});

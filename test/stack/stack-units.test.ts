/** The stack's pure parts: Docker's log framing, docker-stats arithmetic, published ports, the host's view of the target. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demuxBuffer } from '../../src/stack/logs.js';
import { sampleFromStats } from '../../src/stack/stats.js';
import { hostEndpoint, simulatorBoundMs, stackPorts } from '../../src/stack/stack.js';
import { BadInputError } from '../../src/errors.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

test('demuxBuffer joins stdout and stderr frames in order; raw text (a TTY log) passes through', () => {
  const buf = Buffer.concat([frame(1, '2026-01-01T00:00:00.1Z out one\n'), frame(2, '2026-01-01T00:00:00.2Z err two\n'), frame(1, 'tail')]);
  assert.equal(demuxBuffer(buf), '2026-01-01T00:00:00.1Z out one\n2026-01-01T00:00:00.2Z err two\ntail');
  assert.equal(demuxBuffer(Buffer.from('plain tty log\n')), 'plain tty log\n');
  assert.equal(demuxBuffer(Buffer.alloc(0)), '');
});

test('sampleFromStats computes memory and CPU the way docker stats does (cgroup v1 and v2)', () => {
  const v1 = sampleFromStats({
    memory_stats: { usage: 100 * 2 ** 20, limit: 512 * 2 ** 20, stats: { total_inactive_file: 20 * 2 ** 20 } },
    cpu_stats: { cpu_usage: { total_usage: 3_000_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 2 },
    precpu_stats: { cpu_usage: { total_usage: 2_000_000_000 }, system_cpu_usage: 18_000_000_000 },
  });
  assert.ok(v1);
  assert.equal(v1.memoryBytes, 80 * 2 ** 20);
  assert.equal(v1.memoryLimitBytes, 512 * 2 ** 20);
  // 1 s of container CPU over 2 s of the host's (2 CPUs' worth of system time per second): one full CPU.
  assert.equal(v1.cpuRatio, 1);
  const v2 = sampleFromStats({ memory_stats: { usage: 50, limit: 2 ** 63, stats: { inactive_file: 10 } }, cpu_stats: { cpu_usage: { total_usage: 5 }, system_cpu_usage: 10 }, precpu_stats: {} });
  assert.deepEqual([v2?.memoryBytes, v2?.memoryLimitBytes, v2?.cpuRatio], [40, null, null]);
  // A stopped container's stats have no memory figures: no sample.
  assert.equal(sampleFromStats({ memory_stats: {} }), null);
});

test('stackPorts reads the compose file variables, rejecting what is not a port', () => {
  assert.deepEqual(stackPorts({}), { server: 3001, prometheus: 9090, grafana: 3002, loki: 3100, simulatorMetrics: 9464 });
  assert.equal(stackPorts({ PROMETHEUS_PORT: '19090' }).prometheus, 19090);
  assert.throws(() => stackPorts({ MCP_SERVER_PORT: 'http' }), (err: Error) => err instanceof BadInputError && /MCP_SERVER_PORT="http": expected a port number/.test(err.message));
});

test('hostEndpoint: the simulator’s view of mcp-server becomes the published port on 127.0.0.1', async () => {
  const profile = await hostEndpoint('stack-everything', 13001);
  assert.deepEqual([profile.transport, profile.url], ['streamable-http', 'http://127.0.0.1:13001/mcp']);
  const tcp = await hostEndpoint('tcp://mcp-server:3001', 13002);
  assert.deepEqual([tcp.transport, tcp.url], ['tcp', 'tcp://127.0.0.1:13002']);
  const elsewhere = await hostEndpoint('http://example.internal:8080/mcp', 13003);
  assert.equal(elsewhere.url, 'http://example.internal:8080/mcp');
  await assert.rejects(hostEndpoint('everything-stdio', 1), /is a server this tool starts itself/);
});

test('the simulator has an outer bound: per scenario × client profile its duration, the closing grace and start-up/teardown', () => {
  const one = simulatorBoundMs(1, 60_000);
  assert.ok(one > 60_000 + 10_000, `${one}`);
  assert.ok(simulatorBoundMs(2, 60_000) > 2 * (60_000 + 10_000));
  assert.equal(simulatorBoundMs(1, 60_000, '--client-profile resilient --client-profile claude-code'), simulatorBoundMs(2, 60_000));
  assert.equal(simulatorBoundMs(1, 60_000, '-c claude-code'), one);
});

/** Network fault specs: validation in words, Fault adapters over a real proxy. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NETWORK_FAULT_KINDS, proxyFault, validateNetworkFault, type NetworkFaultSpec } from '../../src/chaos/proxy/index.js';
import { Collector, client, connectError, now, startProxy, tcpServer } from './proxy-harness.js';

describe('validateNetworkFault', { timeout: 60_000 }, () => {
  it('accepts a valid spec of every kind', () => {
    const valid: NetworkFaultSpec[] = [
      { kind: 'latency', latencyMs: 100, jitterMs: 50, correlation: 0.25, direction: 'both', scope: 'all' },
      { kind: 'loss', percent: 5 },
      { kind: 'bandwidth', bytesPerSecond: 50_000, direction: 'downstream' },
      { kind: 'slicer', sizeBytes: 10, variationBytes: 5, delayMs: 1 },
      { kind: 'reset', afterMs: 100, scope: 'new' },
      { kind: 'blackhole', direction: 'upstream' },
      { kind: 'down', resetExisting: false },
      { kind: 'idle-cut', idleMs: 30_000, rst: true },
    ];
    assert.deepEqual(valid.map((s) => s.kind).sort(), [...NETWORK_FAULT_KINDS].sort());
    for (const spec of valid) assert.deepEqual(validateNetworkFault(spec), [], spec.kind);
  });

  it('reports problems in words', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ kind: 'latnecy', latencyMs: 1 }, /unknown network fault kind "latnecy" \(known: latency, loss/],
      [{ kind: 'loss', percent: 120 }, /loss: percent must be at most 100 % \(got 120\)/],
      [{ kind: 'loss', percent: -1 }, /loss: percent must be at least 0 % \(got -1\)/],
      [{ kind: 'loss' }, /loss: percent is required/],
      [{ kind: 'bandwidth', bytesPerSecond: 0 }, /bytesPerSecond must be greater than 0 bytes\/s/],
      [{ kind: 'latency', latencyMs: '100' }, /latencyMs must be a number \(got "100"\)/],
      [{ kind: 'latency', latencyMs: 50, jitterMs: 80 }, /jitterMs \(80\) must not exceed latencyMs \(50\)/],
      [{ kind: 'latency', latencyMs: 5, correlation: 2 }, /correlation must be at most 1/],
      [{ kind: 'latency', latency: 5 }, /unknown field "latency"/],
      [{ kind: 'slicer', sizeBytes: 10, variationBytes: 10 }, /variationBytes \(10\) must be smaller than sizeBytes/],
      [{ kind: 'slicer', sizeBytes: 1.5 }, /sizeBytes must be a whole number of bytes/],
      [{ kind: 'blackhole', direction: 'sideways' }, /direction must be one of upstream, downstream, both/],
      [{ kind: 'idle-cut', idleMs: 0 }, /idleMs must be greater than 0 ms/],
      [{ kind: 'down', scope: 'new' }, /down: scope "new" is meaningless/],
      [null, /must be an object/],
    ];
    for (const [spec, expected] of cases) {
      const problems = validateNetworkFault(spec);
      assert.ok(problems.some((p) => expected.test(p)), `${JSON.stringify(spec)} → ${JSON.stringify(problems)}`);
    }
  });
});

describe('proxyFault', { timeout: 60_000 }, () => {
  it('refuses an invalid spec with the validator words', async (t) => {
    const proxy = await startProxy(t, 1);
    assert.throws(() => proxyFault(proxy, { kind: 'loss', percent: 150 }), /invalid network fault: loss: percent must be at most 100/);
  });

  it('start adds the toxic, stop removes it; stop is idempotent and safe after close', async (t) => {
    const echo = await tcpServer(undefined, t);
    const proxy = await startProxy(t, echo.port);
    const fault = proxyFault(proxy, { kind: 'latency', latencyMs: 150, direction: 'upstream' });
    assert.equal(fault.kind, 'latency');
    assert.equal(fault.describe(), 'latency 150 ms (upstream, all connections)');
    const got = new Collector(await client(proxy.port, t));
    await fault.start();
    let started = now();
    got.socket.write('a');
    await got.waitFor(1);
    assert.ok(now() - started >= 149);
    await fault.stop();
    await fault.stop();
    started = now();
    got.socket.write('b');
    await got.waitFor(2);
    assert.equal(got.bytes().toString(), 'ab');
    await fault.start();
    await proxy.close();
    await fault.stop(); // active when the proxy went away: still fine
    await fault.stop();
  });

  it('down as a Fault: refused while active, listening again after stop', async (t) => {
    const echo = await tcpServer(undefined, t);
    const proxy = await startProxy(t, echo.port);
    const fault = proxyFault(proxy, { kind: 'down' });
    assert.match(fault.describe(), /^down \(new connections refused, existing ones reset\)$/);
    await fault.start();
    assert.equal((await connectError(proxy.port))?.code, 'ECONNREFUSED');
    await fault.stop();
    assert.equal(await connectError(proxy.port), undefined);
  });
});

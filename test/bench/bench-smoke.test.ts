/**
 * Smoke test of the benches' plumbing (not of performance: benches measure that, tests don't):
 * the load-generator comparison runs end to end on one tiny round, and the memory bench's inline
 * scenario passes the real scenario loader.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseScenarioText } from '../../src/scenario/index.js';
import { format, run } from '../../bench/loadgen.js';
import { memoryScenario } from '../../bench/memory.js';

describe('benches', { timeout: 120_000 }, () => {
  it('loadgen: ours, autocannon and the SDK each complete requests against server-everything', async () => {
    const f = await run({ rounds: 1, roundSeconds: 1, warmupSeconds: 0.5 });
    assert.equal(f.rounds.length, 1);
    for (const side of ['ours', 'autocannon', 'sdk'] as const) {
      const s = f.rounds[0]![side];
      assert.ok(s.requests > 0, `${side} made no requests`);
      assert.equal(s.failures, 0, `${side} had failed requests`);
      assert.ok(Number.isFinite(s.clientCpuUsPerRequest) && s.clientCpuUsPerRequest > 0, `${side}: client CPU per request`);
    }
    assert.ok(f.median.ratio > 0 && Number.isFinite(f.median.ratio));
    assert.match(format(f), /ratio ours\/autocannon by round/);
  });

  it('memory: the inline scenario is valid and uses a paced load step', () => {
    const { plan, issues } = parseScenarioText(JSON.stringify(memoryScenario(300, 10)), 'bench-memory.json');
    assert.deepEqual(issues, []);
    const load = plan!.scenario.steps.find((s) => s.action === 'load');
    assert.equal(load?.rate, 300);
    assert.equal(load?.concurrency, 10);
  });
});

/**
 * A paced load with many workers beside a chaos step runs without Node's listener-leak warning:
 * each worker's wait between requests listens on the run's stop signal, so 30 workers are 30
 * listeners on one signal, which is by design, not a leak (the warning would land in the user's
 * log as if the tester were leaking).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScenarioResult } from '../../src/report/result.js';
import { quietRun, ROOT } from '../helpers/cli.js';

const SCENARIO = join(ROOT, 'test', 'fixtures', 'scenarios-run', 'paced-chaos.json');

test('30 paced workers beside chaos: no MaxListenersExceededWarning, the load ran', { timeout: 60_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'mcpr-listeners-'));
  const { code, stderr } = await quietRun(out, ['--scenario', SCENARIO, '--duration', '6s']);
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /MaxListenersExceededWarning/);
  const result = JSON.parse(readFileSync(join(out, 'test-results', 'paced-chaos', 'result.json'), 'utf8')) as ScenarioResult;
  assert.ok(result.totals.requests >= 200, `the paced load ran: ${result.totals.requests} requests`);
  assert.ok(result.faults.total >= 1, `chaos injected faults: ${JSON.stringify(result.faults.byKind)}`);
});

/**
 * The engine against servers that misbehave on purpose (test/fixtures/servers/misbehaving-http.mjs),
 * through the shipped scenarios with inferred roles, as a user runs them: a hung server cannot
 * stretch a run past its duration plus the closing grace; session expiry (404, and 400) is repaired
 * at once and replayed by the resilient profile, and lost under claude-code; an older protocol
 * version is an info finding that does not fail the verdict; a stateless server is load-tested
 * like any other; tool errors are answers, with their own rate; error-looking result text is a
 * warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlan } from '../../src/scenario/index.js';
import { getClientProfile } from '../../src/session/index.js';
import { adhocTarget, SCENARIOS_DIR, type TargetProfile } from '../../src/target/index.js';
import { closingGraceMs } from '../../src/run/runner.js';
import { runSuite } from '../../src/run/suite.js';
import type { ScenarioResult } from '../../src/report/result.js';
import { fixtureHttp } from '../helpers/servers.js';

async function runOn(env: Record<string, string>, scenario: string, durationMs: number, profile = 'resilient', roles: TargetProfile['roles'] = {}): Promise<{ result: ScenarioResult; wallMs: number }> {
  const server = await fixtureHttp('misbehaving-http.mjs', env);
  try {
    const started = Date.now();
    const target = { ...adhocTarget({ url: server.endpoint.url! }), roles, ...(Object.keys(roles).length ? { roleFlags: Object.keys(roles) as (keyof TargetProfile['roles'])[] } : {}) };
    const { results } = await runSuite({
      plans: [await loadPlan(scenario, { scenariosDir: SCENARIOS_DIR })],
      target,
      clients: [getClientProfile(profile)],
      durationMs,
      seed: 3,
      outDir: mkdtempSync(join(tmpdir(), 'mcpr-misbehaving-')),
      signal: new AbortController().signal,
      toolVersion: 'test',
    });
    return { result: results[0]!, wallMs: Date.now() - started };
  } finally {
    await server.stop();
  }
}

const failed = (r: ScenarioResult) => r.slos.filter((s) => !s.passed).map((s) => `${s.id}: ${s.measured} vs ${s.limit}${s.note ? ` (${s.note})` : ''}`);
const slo = (r: ScenarioResult, id: string) => r.slos.find((s) => s.id === id);

test('a server that stops answering tools/call cannot stretch a high-load run past its duration plus the closing grace; the report names what was never answered', { timeout: 120_000 }, async () => {
  const durationMs = 6000;
  const { result, wallMs } = await runOn({ FIXTURE_HANG_AFTER_CALLS: '40' }, 'high-load-stress', durationMs);
  const grace = closingGraceMs(getClientProfile('resilient'));
  // Start-up (connect, role proof, checks) and teardown come on top of the duration and the grace; 15 s is a generous bound for them.
  assert.ok(wallMs < durationMs + grace + 15_000, `the run took ${wallMs} ms`);
  assert.ok(result.run.durationMs < durationMs + grace + 12_000, `result duration ${result.run.durationMs} ms`);
  assert.equal(result.verdict, 'fail');
  assert.ok((result.unanswered?.count ?? 0) >= 1, 'requests in flight at the end are listed as never answered');
  assert.ok(result.unanswered!.samples.every((s) => s.method === 'tools/call' && s.waitedMs > 0));
  assert.ok(result.totals.timeouts >= result.unanswered!.count, 'abandoned requests count as timeouts');
  assert.ok(result.notes?.some((n) => /hard deadline/.test(n)), JSON.stringify(result.notes));
});

for (const status of ['404', '400'] as const) {
  test(`session expiry (HTTP ${status}): the resilient profile re-initializes at once and replays the request; connection-stability passes`, { timeout: 60_000 }, async () => {
    const env: Record<string, string> = { FIXTURE_SESSION_TTL_MS: '1500', ...(status === '400' ? { FIXTURE_UNKNOWN_SESSION_STATUS: '400' } : {}) };
    const { result } = await runOn(env, 'connection-stability', 8000);
    assert.equal(result.verdict, 'pass', failed(result).join('; '));
    const ex = result.sessionExpiries!;
    assert.ok(ex.total >= 2, `expiries: ${ex.total}`);
    assert.equal(ex.byStatus[status], ex.total);
    assert.ok(ex.replayed >= 1, 'the refused requests were sent again');
    assert.equal(ex.lostRequests, 0);
    assert.ok(ex.renewed >= ex.total - 1);
    assert.ok(ex.lifetimeMs && ex.lifetimeMs.max >= 1400, 'observed lifetimes are about the TTL');
    // Not disconnections: the link was alive.
    assert.equal(result.disconnections.unexpected, 0);
    assert.equal(result.totals.errors, 0);
    const finding = result.violations.find((v) => v.kind === 'session-lost-400');
    if (status === '400') {
      assert.ok(finding && finding.severity === 'warning' && finding.bySource.traffic >= 1, JSON.stringify(result.violations));
    } else {
      assert.equal(finding, undefined);
    }
  });
}

test('session expiry under the claude-code profile: the request that met it fails (what the user lost), later ones use the fresh session', { timeout: 60_000 }, async () => {
  const { result } = await runOn({ FIXTURE_SESSION_TTL_MS: '1500' }, 'connection-stability', 8000, 'claude-code');
  const ex = result.sessionExpiries!;
  assert.ok(ex.total >= 2);
  assert.equal(ex.replayed, 0);
  assert.ok(ex.lostRequests >= 1, 'each expiry cost a request');
  assert.ok(result.totals.errors >= ex.lostRequests);
  assert.equal(slo(result, 'availability')?.passed, false, 'the loss shows in availability');
  assert.equal(result.client.capabilities?.onSessionExpiry, 'fail');
});

test('an initialize answered with an older protocol version is an info finding and does not fail the verdict', { timeout: 60_000 }, async () => {
  const { result } = await runOn({ FIXTURE_PROTOCOL_VERSION: '2024-11-05' }, 'connection-stability', 5000);
  assert.equal(result.verdict, 'pass', failed(result).join('; '));
  const v = result.violations.find((x) => x.kind === 'version-downgrade');
  assert.equal(v?.severity, 'info');
  assert.equal(result.findings?.info, 1);
  assert.equal(result.target.protocolVersion, '2024-11-05');
  assert.equal(slo(result, 'maxProtocolViolations')?.measured, 0);
});

test('a stateless server (no Mcp-Session-Id) is load-tested like any other: high-load-stress passes', { timeout: 60_000 }, async () => {
  const { result } = await runOn({ FIXTURE_STATELESS: '1' }, 'high-load-stress', 5000);
  assert.equal(result.verdict, 'pass', failed(result).join('; '));
  assert.ok(result.totals.requests > 500, `requests: ${result.totals.requests}`);
  assert.equal(result.totals.unavailable, 0);
  const skipped = result.checks?.find((c) => c.id === 'unknown-session');
  assert.equal(skipped?.status, 'skipped', 'no sessions to expire');
});

test('tool errors are answers: availability stays whole, the tool error rate has its own SLO', { timeout: 60_000 }, async () => {
  const { result } = await runOn({ FIXTURE_TOOL_ERROR_EVERY: '4' }, 'connection-stability', 6000);
  assert.ok((result.totals.toolErrors ?? 0) >= 1);
  assert.equal(result.totals.availabilityPercent, 100);
  assert.equal(result.totals.errors, 0);
  const rate = slo(result, 'toolErrorRate');
  assert.equal(rate?.passed, false);
  assert.ok(typeof rate?.measured === 'number' && rate.measured > 1);
  assert.equal(slo(result, 'availability')?.passed, true);
});

test('result text that reads like an error without isError is a warning finding with samples; availability is untouched', { timeout: 60_000 }, async () => {
  // The role prover rejects error-looking answers, so the probe must be the other tool: status answers plainly.
  const { result } = await runOn({ FIXTURE_ERROR_TEXT: '1' }, 'connection-stability', 5000);
  const trial = result.roles?.trials.find((t) => t.tool === 'echo');
  assert.equal(trial?.verdict, 'rejected');
  assert.match(trial?.reason ?? '', /reads like an error/);
  assert.equal(result.roles?.bindings.probe?.tool, 'status');
  // Given by hand, echo is called all run long: every answer is counted as answered, and flagged.
  const given = await runOn({ FIXTURE_ERROR_TEXT: '1' }, 'connection-stability', 5000, 'resilient', { probe: { tool: 'echo', params: { message: 'hi' } }, work: { tool: 'status' } });
  const finding = given.result.violations.find((v) => v.kind === 'error-text-result');
  assert.equal(finding?.severity, 'warning');
  assert.ok(finding!.count >= 2 && finding!.samples[0]!.includes('Error fetching'), JSON.stringify(finding));
  assert.equal(given.result.totals.availabilityPercent, 100);
  assert.equal(given.result.roles?.bindings.probe?.source, 'flag');
});

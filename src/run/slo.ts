/**
 * SLO evaluation (pure): one SloResult per limit written in the scenario's `expect`.
 *
 * Nothing passes silently: a limit that could not be measured (no requests of that kind, no
 * memory samples, no verify-state step) fails with a note saying why. The exceptions are
 * `recoverWithinSeconds` when there was nothing to recover from and the fault SLOs when no fault
 * was injected (slo-faults.ts), which pass with a note. A disconnection (or fault) the run ended
 * less than the limit after, not yet recovered, is not judged either way (noted).
 */
import type { Expect, LatencyLimit, SeverityLimits } from '../scenario/types.js';
import { FINDING_SEVERITIES } from '../session/findings.js';
import type { LatencyStats, ScenarioResult, SloResult, Verdict } from '../report/result.js';
import { faultDetectSlo, faultRecoverySlo } from './slo-faults.js';

const PERCENTILES = ['p50', 'p90', 'p95', 'p99', 'max'] as const satisfies readonly (keyof LatencyLimit)[];
const MIB = 1024 * 1024;

export function evaluateSlos(expect: Expect, result: ScenarioResult): SloResult[] {
  const slos: SloResult[] = [];
  const { totals } = result;
  if (expect.availability !== undefined) {
    slos.push(compare('availability', 'Availability: answered requests (results and tool errors) / all requests (pings included)', totals.availabilityPercent, '>=', expect.availability, '%', 'no requests were made', unavailabilityNote(result)));
  }
  if (expect.errorRate !== undefined) {
    slos.push(compare('errorRate', 'Error rate: requests that failed (JSON-RPC or transport error) or timed out / all requests', totals.errorRatePercent, '<=', expect.errorRate, '%', 'no requests were made'));
  }
  if (expect.toolErrorRate !== undefined) {
    const description = 'Tool error rate: tools/call answered with isError: true / all tools/call';
    const toolless = result.tools.listed === true && result.tools.initial.length === 0 && result.tools.final.length === 0;
    if ((totals.toolErrorRatePercent ?? null) === null && toolless) {
      slos.push({ id: 'toolErrorRate', description, measured: null, limit: expect.toolErrorRate, comparator: '<=', unit: '%', passed: true, note: 'the server lists no tools: there was no tools/call to judge' });
    } else {
      slos.push(compare('toolErrorRate', description, totals.toolErrorRatePercent ?? null, '<=', expect.toolErrorRate, '%', 'no tools/call requests were made', toolErrorNote(result)));
    }
  }
  for (const [key, limit] of Object.entries(expect.latency ?? {})) {
    slos.push(...latencySlos(key, limit, latencyStatsFor(key, result)));
  }
  if (expect.recoverWithinSeconds !== undefined) slos.push(recoverySlo(expect.recoverWithinSeconds, result));
  if (expect.toolListStable !== undefined) slos.push(toolListSlo(expect.toolListStable, result));
  if (expect.stateVerified !== undefined) slos.push(stateSlo(expect.stateVerified, result));
  if (expect.maxProtocolViolations !== undefined) slos.push(...violationSlos(expect.maxProtocolViolations, result));
  if (expect.maxSessionExpiries !== undefined) {
    const ex = result.sessionExpiries;
    const byStatus = ex ? Object.entries(ex.byStatus).map(([status, n]) => `HTTP ${status} ×${n}`).join(', ') : '';
    slos.push(compare('maxSessionExpiries', 'Sessions the server forgot (HTTP 404, or 400 naming the session)', ex?.total ?? 0, '<=', expect.maxSessionExpiries, 'expiries', '', byStatus));
  }
  if (expect.maxLostToSessionExpiry !== undefined) {
    const ex = result.sessionExpiries;
    const note = ex && ex.lostRequests > 0 ? `${ex.lostRequests} request(s) failed because the session expired under them (${result.client.profile} does not replay them); ${ex.replayed} replayed` : '';
    slos.push(compare('maxLostToSessionExpiry', 'Requests lost to a session expiry (the user saw the error)', ex?.lostRequests ?? 0, '<=', expect.maxLostToSessionExpiry, 'requests', '', note));
  }
  if (expect.maxUnexpectedDisconnections !== undefined) {
    const reasons = countBy(result.disconnections.records.filter((r) => !r.expected).map((r) => r.reason));
    slos.push(compare('maxUnexpectedDisconnections', 'Disconnections the scenario did not ask for', result.disconnections.unexpected, '<=', expect.maxUnexpectedDisconnections, 'disconnections', '', reasons));
  }
  if (expect.minRequests !== undefined) {
    slos.push(compare('minRequests', 'Requests made (guards against a run that tested nothing)', totals.requests, '>=', expect.minRequests, 'requests', ''));
  }
  if (expect.minRequestRate !== undefined) slos.push(requestRateSlo(expect.minRequestRate, result));
  if (expect.maxMemoryGrowthMiBPerMinute !== undefined) slos.push(memorySlo(expect.maxMemoryGrowthMiBPerMinute, result));
  if (expect.faultDetectWithinSeconds !== undefined) slos.push(faultDetectSlo(expect.faultDetectWithinSeconds, result));
  if (expect.faultRecoverWithinSeconds !== undefined) slos.push(faultRecoverySlo(expect.faultRecoverWithinSeconds, result));
  if (slos.length === 0) {
    slos.push({ id: 'expect', description: 'The scenario declares at least one SLO', measured: null, limit: true, comparator: '==', unit: '', passed: false, note: 'the scenario declares no SLOs, so nothing could pass' });
  }
  return slos;
}

/** `pass` when there is at least one SLO and every SLO passed. (`error` is decided by the runner.) */
export function verdictOf(slos: readonly SloResult[]): Exclude<Verdict, 'error'> {
  return slos.length > 0 && slos.every((s) => s.passed) ? 'pass' : 'fail';
}

/** Latency for a method, `role:<role>` or `tool:<name>`; `initialize` falls back to the handshake. */
function latencyStatsFor(key: string, result: ScenarioResult): LatencyStats | undefined {
  return result.latency[key] ?? (key === 'initialize' ? (result.handshake ?? undefined) : undefined);
}

function latencySlos(key: string, limit: LatencyLimit, stats: LatencyStats | undefined): SloResult[] {
  const what = describeKey(key);
  const sampled = stats ? stats.count - (stats.unavailable ?? 0) : 0;
  let noData = '';
  if (!stats || stats.count === 0) noData = `no ${what} were made`;
  else if (sampled === 0) noData = `all ${stats.count} ${what} were unavailable (never sent), so no latency was measured`;
  return PERCENTILES.filter((p) => limit[p] !== undefined).map((p) =>
    compare(`latency.${key}.${p}`, `${p} latency of ${what}`, noData ? null : (stats?.[p] ?? null), '<=', limit[p] as number, 'ms', noData),
  );
}

function describeKey(key: string): string {
  if (key.startsWith('role:')) return `requests for role ${key.slice(5)}`;
  if (key.startsWith('tool:')) return `calls to tool ${key.slice(5)}`;
  return `${key} requests`;
}

function recoverySlo(limitSeconds: number, result: ScenarioResult): SloResult {
  const base = { id: 'recoverWithinSeconds', description: 'Worst time to recover from a disconnection the client did not close gracefully', limit: limitSeconds, comparator: '<=' as const, unit: 's' };
  const considered = result.disconnections.records.filter((r) => r.reason !== 'client-disconnect');
  // An unexpected disconnection counts as recovered only when the client came back by itself; a
  // scenario reconnect step (like a user's /mcp reconnect) does not make the client recover.
  const recoveredAfter = (r: (typeof considered)[number]) => (r.recoveredAfterMs === null || (!r.expected && r.recoveredBy === 'scenario') ? null : r.recoveredAfterMs);
  const byScenario = considered.filter((r) => !r.expected && r.recoveredBy === 'scenario');
  const scenarioNote = byScenario.length
    ? `${byScenario.length} unexpected disconnection(s) were not recovered by the client itself (${result.client.profile} does not reconnect there); a scenario reconnect step brought the session back after ${byScenario
        .slice(0, 3)
        .map((r) => `${round((r.recoveredAfterMs ?? 0) / 1000)} s`)
        .join(', ')}`
    : '';
  const omitted = result.disconnections.omittedRecords ? ` (first ${result.disconnections.records.length} disconnections checked; ${result.disconnections.omittedRecords} more were not recorded)` : '';
  if (considered.length === 0) return { ...base, measured: null, passed: true, note: `no disconnections to recover from${omitted}` };
  const recovered = considered.flatMap((r) => {
    const after = recoveredAfter(r);
    return after === null ? [] : [after / 1000];
  });
  const worst = recovered.length > 0 ? round(Math.max(...recovered)) : null;
  // A disconnection the run ended too soon after to judge: not a failure to recover within the limit.
  const runEnd = Date.parse(result.run.endedAt);
  const tooLate = (r: (typeof considered)[number]) => r.recoveredAfterMs === null && runEnd - Date.parse(r.at) < limitSeconds * 1000;
  const neverByClient = (r: (typeof considered)[number]) => recoveredAfter(r) === null && !tooLate(r);
  const late = considered.filter(tooLate);
  const lateNote = late.length > 0 ? `not judged: ${late.length} disconnection${late.length === 1 ? '' : 's'} less than ${limitSeconds} s before the run ended (${late.map((r) => r.reason).slice(0, 3).join(', ')})` : '';
  const never = considered.filter(neverByClient);
  if (never.length > 0) {
    const named = never.slice(0, 3).map((r) => `${r.reason} at ${r.at} (${r.attempts} reconnect attempt${r.attempts === 1 ? '' : 's'})`).join('; ');
    const more = never.length > 3 ? ` and ${never.length - 3} more` : '';
    const parts = [`${never.length} of ${considered.length} disconnections never recovered by the client: ${named}${more}`, scenarioNote, lateNote].filter(Boolean);
    return { ...base, measured: worst, passed: false, note: `${parts.join('; ')}${omitted}` };
  }
  const slow = considered.filter((r) => (recoveredAfter(r) ?? 0) / 1000 > limitSeconds);
  const note = [slow.length > 0 ? `${slow.length} of ${considered.length} recoveries were too slow, worst: ${slow.map((r) => r.reason).slice(0, 3).join(', ')}` : '', scenarioNote, lateNote].filter(Boolean).join('; ') + omitted;
  return withNote({ ...base, measured: worst, passed: slow.length === 0 }, note.trim());
}

function toolListSlo(expected: boolean, result: ScenarioResult): SloResult {
  const base = { id: 'toolListStable', description: 'The tool list never changes after the first listing', limit: expected, comparator: '==' as const, unit: '' };
  const { initial, final, drift, listed } = result.tools;
  if (!listed && initial.length === 0 && final.length === 0 && drift.length === 0) {
    return { ...base, measured: null, passed: false, note: 'no tool list was recorded (no tools/list answer, or the server offers no tools)' };
  }
  const stable = drift.length === 0 && sameList(initial, final);
  if (stable === expected) return { ...base, measured: stable, passed: true };
  const added = [...new Set(drift.flatMap((d) => d.added))].sort();
  const removed = [...new Set(drift.flatMap((d) => d.removed))].sort();
  const parts = [added.length ? `added ${added.join(', ')}` : '', removed.length ? `removed ${removed.join(', ')}` : ''].filter(Boolean);
  const note = stable ? 'the tool list never changed' : `${drift.length} change(s): ${parts.join('; ') || 'final list differs from the first'}`;
  return { ...base, measured: stable, passed: false, note };
}

function stateSlo(expected: boolean, result: ScenarioResult): SloResult {
  const base = { id: 'stateVerified', description: 'Every verify-state step found the state it wrote', limit: expected, comparator: '==' as const, unit: '' };
  const { passed, failed, details } = result.stateChecks;
  if (passed + failed === 0) return { ...base, measured: null, passed: false, note: 'no verify-state step ran' };
  const verified = failed === 0;
  if (verified === expected) return { ...base, measured: verified, passed: true };
  const note = failed > 0 ? `${failed} of ${passed + failed} state checks failed${details[0] ? `; first: ${details[0]}` : ''}` : 'every state check passed';
  return { ...base, measured: verified, passed: false, note };
}

function memorySlo(limit: number, result: ScenarioResult): SloResult {
  const { memory } = result;
  const measured = memory && memory.samples >= 2 ? round(memory.growthBytesPerMinute / MIB) : null;
  const noData = !memory ? 'no server memory samples (only local targets report their RSS)' : `only ${memory.samples} server memory sample; a trend needs at least 2`;
  return compare('maxMemoryGrowthMiBPerMinute', 'Server RSS growth (least-squares slope)', measured, '<=', limit, 'MiB/min', noData);
}

/** `maxProtocolViolations`: a number limits error findings; an object limits each severity it names. */
function violationSlos(limit: number | SeverityLimits, result: ScenarioResult): SloResult[] {
  const limits: SeverityLimits = typeof limit === 'number' ? { error: limit } : limit;
  const out: SloResult[] = [];
  for (const severity of FINDING_SEVERITIES) {
    const max = limits[severity];
    if (max === undefined) continue;
    const of = result.violations.filter((v) => v.severity === severity);
    const found = of.reduce((sum, v) => sum + v.count, 0);
    const byKind = of.map((v) => `${v.kind} ×${v.count}`).join(', ');
    const id = typeof limit === 'number' ? 'maxProtocolViolations' : `maxProtocolViolations.${severity}`;
    out.push(compare(id, `Protocol-hygiene findings of severity ${severity}`, found, '<=', max, 'findings', '', byKind));
  }
  return out;
}

function requestRateSlo(perSecond: number, result: ScenarioResult): SloResult {
  const seconds = result.run.requestedDurationMs / 1000;
  const needed = Math.ceil(perSecond * seconds);
  const slo = compare('minRequestRate', `Requests made: at least ${perSecond}/s over the ${round(seconds)} s run (guards against a run that tested nothing)`, result.totals.requests, '>=', needed, 'requests', '');
  return slo;
}

function unavailabilityNote(result: ScenarioResult): string {
  const { errors, timeouts, unavailable } = result.totals;
  const parts = [errors ? `${errors} error(s)` : '', timeouts ? `${timeouts} timeout(s)` : '', unavailable ? `${unavailable} not sent (session down)` : ''].filter(Boolean);
  const unanswered = result.unanswered?.count ? `; ${result.unanswered.count} still unanswered at the run's end` : '';
  return parts.length ? `${parts.join(', ')}${unanswered}` : '';
}

function toolErrorNote(result: ScenarioResult): string {
  const tools = Object.entries(result.latency)
    .filter(([k, v]) => k.startsWith('tool:') && (v.toolErrors ?? 0) > 0)
    .map(([k, v]) => `${k.slice(5)} ×${v.toolErrors}`);
  return tools.length ? `tool errors by tool: ${tools.join(', ')}` : '';
}

function compare(id: string, description: string, measured: number | null, comparator: '>=' | '<=', limit: number, unit: string, noDataNote: string, failNote = ''): SloResult {
  if (measured === null) return { id, description, measured: null, limit, comparator, unit, passed: false, note: noDataNote || 'nothing was measured' };
  const value = round(measured);
  const passed = comparator === '>=' ? value >= limit : value <= limit;
  return withNote({ id, description, measured: value, limit, comparator, unit, passed }, passed ? '' : failNote);
}

function withNote(slo: SloResult, note: string): SloResult {
  return note ? { ...slo, note } : slo;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function countBy(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} ×${n}`).join(', ');
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/**
 * SLO evaluation (pure): one SloResult per limit written in the scenario's `expect`.
 *
 * Nothing passes silently: a limit that could not be measured (no requests of that kind, no
 * memory samples, no verify-state step) fails with a note saying why. The exceptions are
 * `recoverWithinSeconds` when there was nothing to recover from and the fault SLOs when no fault
 * was injected (slo-faults.ts), which pass with a note. A disconnection (or fault) the run ended
 * less than the limit after, not yet recovered, is not judged either way (noted).
 */
import type { Expect, LatencyLimit } from '../scenario/types.js';
import type { LatencyStats, ScenarioResult, SloResult, Verdict } from '../report/result.js';
import { faultDetectSlo, faultRecoverySlo } from './slo-faults.js';

const PERCENTILES = ['p50', 'p90', 'p95', 'p99', 'max'] as const satisfies readonly (keyof LatencyLimit)[];
const MIB = 1024 * 1024;

export function evaluateSlos(expect: Expect, result: ScenarioResult): SloResult[] {
  const slos: SloResult[] = [];
  const { totals } = result;
  if (expect.availability !== undefined) {
    slos.push(compare('availability', 'Availability: successful requests / all requests (pings included)', totals.availabilityPercent, '>=', expect.availability, '%', 'no requests were made'));
  }
  if (expect.errorRate !== undefined) {
    slos.push(compare('errorRate', 'Error rate: requests answered with an error or timed out / all requests', totals.errorRatePercent, '<=', expect.errorRate, '%', 'no requests were made'));
  }
  for (const [key, limit] of Object.entries(expect.latency ?? {})) {
    slos.push(...latencySlos(key, limit, latencyStatsFor(key, result)));
  }
  if (expect.recoverWithinSeconds !== undefined) slos.push(recoverySlo(expect.recoverWithinSeconds, result));
  if (expect.toolListStable !== undefined) slos.push(toolListSlo(expect.toolListStable, result));
  if (expect.stateVerified !== undefined) slos.push(stateSlo(expect.stateVerified, result));
  if (expect.maxProtocolViolations !== undefined) {
    const found = result.violations.reduce((sum, v) => sum + v.count, 0);
    const byKind = result.violations.map((v) => `${v.kind} ×${v.count}`).join(', ');
    slos.push(compare('maxProtocolViolations', 'Protocol-hygiene findings', found, '<=', expect.maxProtocolViolations, 'findings', '', byKind));
  }
  if (expect.maxUnexpectedDisconnections !== undefined) {
    const reasons = countBy(result.disconnections.records.filter((r) => !r.expected).map((r) => r.reason));
    slos.push(compare('maxUnexpectedDisconnections', 'Disconnections the scenario did not ask for', result.disconnections.unexpected, '<=', expect.maxUnexpectedDisconnections, 'disconnections', '', reasons));
  }
  if (expect.minRequests !== undefined) {
    slos.push(compare('minRequests', 'Requests made (guards against a run that tested nothing)', totals.requests, '>=', expect.minRequests, 'requests', ''));
  }
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
  const omitted = result.disconnections.omittedRecords ? ` (first ${result.disconnections.records.length} disconnections checked; ${result.disconnections.omittedRecords} more were not recorded)` : '';
  if (considered.length === 0) return { ...base, measured: null, passed: true, note: `no disconnections to recover from${omitted}` };
  const recovered = considered.flatMap((r) => (r.recoveredAfterMs === null ? [] : [r.recoveredAfterMs / 1000]));
  const worst = recovered.length > 0 ? round(Math.max(...recovered)) : null;
  // A disconnection the run ended too soon after to judge: not a failure to recover within the limit.
  const runEnd = Date.parse(result.run.endedAt);
  const tooLate = (r: (typeof considered)[number]) => r.recoveredAfterMs === null && runEnd - Date.parse(r.at) < limitSeconds * 1000;
  const late = considered.filter(tooLate);
  const lateNote = late.length > 0 ? `not judged: ${late.length} disconnection${late.length === 1 ? '' : 's'} less than ${limitSeconds} s before the run ended (${late.map((r) => r.reason).slice(0, 3).join(', ')})` : '';
  const never = considered.filter((r) => r.recoveredAfterMs === null && !tooLate(r));
  if (never.length > 0) {
    const named = never.slice(0, 3).map((r) => `${r.reason} at ${r.at} (${r.attempts} reconnect attempt${r.attempts === 1 ? '' : 's'})`).join('; ');
    const more = never.length > 3 ? ` and ${never.length - 3} more` : '';
    return { ...base, measured: worst, passed: false, note: `${never.length} of ${considered.length} disconnections never recovered: ${named}${more}${lateNote ? `; ${lateNote}` : ''}${omitted}` };
  }
  const slow = considered.filter((r) => (r.recoveredAfterMs ?? 0) / 1000 > limitSeconds);
  const note = [slow.length > 0 ? `${slow.length} of ${considered.length} recoveries were too slow, worst: ${slow.map((r) => r.reason).slice(0, 3).join(', ')}` : '', lateNote].filter(Boolean).join('; ') + omitted;
  return withNote({ ...base, measured: worst, passed: slow.length === 0 }, note.trim());
}

function toolListSlo(expected: boolean, result: ScenarioResult): SloResult {
  const base = { id: 'toolListStable', description: 'The tool list never changes after the first listing', limit: expected, comparator: '==' as const, unit: '' };
  const { initial, final, drift } = result.tools;
  if (initial.length === 0 && final.length === 0 && drift.length === 0) {
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

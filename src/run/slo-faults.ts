/**
 * The fault SLOs (pure), judged on the recorded fault windows:
 * - faultRecoverWithinSeconds: every fault's MTTR ≤ limit. A fault never recovered from fails it,
 *   by name — unless it was still active when the run ended, could not be injected, or was
 *   lifted less than `limit` before the end (no time to judge: noted).
 * - faultDetectWithinSeconds: every noticed fault's MTTD ≤ limit; a disruptive fault (one that
 *   stops all traffic) held longer than the limit and never noticed fails it; other unnoticed
 *   faults are degradations a client cannot be required to notice (noted).
 * No fault injected at all: passes with a note (like recoverWithinSeconds with nothing to recover).
 */
import { DISRUPTIVE_FAULT_KINDS } from '../chaos/index.js';
import type { FaultWindowRecord, ScenarioResult, SloResult } from '../report/result.js';

function name(w: FaultWindowRecord): string {
  return `#${w.index} ${w.kind} (${w.source}, started at +${(w.startOffsetMs / 1000).toFixed(1)} s)`;
}

function named(windows: readonly FaultWindowRecord[], what: (w: FaultWindowRecord) => string): string {
  const shown = windows.slice(0, 3).map(what).join('; ');
  return windows.length > 3 ? `${shown} and ${windows.length - 3} more` : shown;
}

function omittedNote(result: ScenarioResult): string {
  const omitted = result.faults.omittedWindows;
  return omitted ? ` (first ${result.faults.windows.length} faults checked; ${omitted} more were not recorded)` : '';
}

const round = (v: number) => Math.round(v * 10_000) / 10_000;

export function faultRecoverySlo(limit: number, result: ScenarioResult): SloResult {
  const base = { id: 'faultRecoverWithinSeconds', description: 'Worst MTTR: from the end of a fault to the first successful request after it', limit, comparator: '<=' as const, unit: 's' };
  const runEnd = Date.parse(result.run.endedAt);
  const judged: FaultWindowRecord[] = [];
  const unjudged: string[] = [];
  for (const w of result.faults.windows) {
    if (w.endedBy === 'failed' || w.endedBy === 'run-end' || w.endedBy === null) unjudged.push(`${name(w)} ${w.endedBy === 'failed' ? 'could not be injected' : 'was still active at the end of the run'}`);
    else if (w.mttrMs === null && w.endedAt !== null && runEnd - Date.parse(w.endedAt) < limit * 1000) unjudged.push(`${name(w)} was lifted less than ${limit} s before the run ended`);
    else judged.push(w);
  }
  const unjudgedNote = unjudged.length > 0 ? `not judged: ${unjudged.slice(0, 3).join('; ')}${unjudged.length > 3 ? ` and ${unjudged.length - 3} more` : ''}` : '';
  if (judged.length === 0) {
    const why = result.faults.windows.length === 0 ? 'no fault was injected' : unjudgedNote;
    return { ...base, measured: null, passed: true, note: `${why}${omittedNote(result)}` };
  }
  const recovered = judged.flatMap((w) => (w.mttrMs === null ? [] : [w.mttrMs / 1000]));
  const worst = recovered.length > 0 ? round(Math.max(...recovered)) : null;
  const never = judged.filter((w) => w.mttrMs === null);
  const slow = judged.filter((w) => w.mttrMs !== null && w.mttrMs / 1000 > limit);
  const problems = [
    never.length > 0 ? `${never.length} of ${judged.length} faults never recovered from: ${named(never, name)}` : '',
    slow.length > 0 ? `${slow.length} recovered too slowly: ${named(slow, (w) => `${name(w)} after ${((w.mttrMs ?? 0) / 1000).toFixed(2)} s`)}` : '',
  ].filter(Boolean);
  const note = [...problems, unjudgedNote].filter(Boolean).join('; ') + omittedNote(result);
  const slo: SloResult = { ...base, measured: worst, passed: problems.length === 0 };
  return note ? { ...slo, note } : slo;
}

export function faultDetectSlo(limit: number, result: ScenarioResult): SloResult {
  const base = { id: 'faultDetectWithinSeconds', description: 'Worst MTTD: from the start of a fault to the first failed request or unexpected disconnection', limit, comparator: '<=' as const, unit: 's' };
  const windows = result.faults.windows.filter((w) => w.endedBy !== 'failed');
  if (windows.length === 0) return { ...base, measured: null, passed: true, note: `no fault was injected${omittedNote(result)}` };
  const noticed = windows.filter((w) => w.mttdMs !== null);
  const worst = noticed.length > 0 ? round(Math.max(...noticed.map((w) => (w.mttdMs ?? 0) / 1000))) : null;
  const slow = noticed.filter((w) => (w.mttdMs ?? 0) / 1000 > limit);
  const held = (w: FaultWindowRecord) => w.heldMs ?? Date.parse(result.run.endedAt) - Date.parse(w.startedAt);
  const unnoticed = windows.filter((w) => w.mttdMs === null);
  const missed = unnoticed.filter((w) => (DISRUPTIVE_FAULT_KINDS as readonly string[]).includes(w.kind) && held(w) > limit * 1000);
  const tolerated = unnoticed.filter((w) => !missed.includes(w));
  const problems = [
    slow.length > 0 ? `${slow.length} noticed too late: ${named(slow, (w) => `${name(w)} after ${((w.mttdMs ?? 0) / 1000).toFixed(2)} s (${w.detectedBy})`)}` : '',
    missed.length > 0 ? `${missed.length} never noticed although held longer than ${limit} s: ${named(missed, name)}` : '',
  ].filter(Boolean);
  const toleratedNote = tolerated.length > 0 ? `not noticed, not required: ${named(tolerated, (w) => `#${w.index} ${w.kind}`)}` : '';
  const note = [...problems, toleratedNote].filter(Boolean).join('; ') + omittedNote(result);
  const slo: SloResult = { ...base, measured: worst, passed: problems.length === 0 };
  return note ? { ...slo, note } : slo;
}

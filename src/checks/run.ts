/**
 * One check run: the options with their defaults, the outcome of every probe in order, and the
 * rules every probe shares — an aborted run skips what is left, a probe the run was aborted under
 * never fails (it is skipped: the abort, not the server, cut it short), a bug in a probe is a
 * skipped probe with the reason, never an exception out of runProtocolChecks.
 */
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import type { ViolationKind } from '../session/findings.js';
import { CHECK_IDS, CHECK_TITLES, type CheckId, type CheckOptions, type CheckOutcome, type TransportFamily } from './types.js';

export type Verdict =
  | { status: 'passed'; evidence: string }
  | { status: 'failed'; finding: ViolationKind; evidence: string }
  | { status: 'skipped'; evidence: string };

export const passed = (evidence: string): Verdict => ({ status: 'passed', evidence });
export const failed = (finding: ViolationKind, evidence: string): Verdict => ({ status: 'failed', finding, evidence });
export const skipped = (evidence: string): Verdict => ({ status: 'skipped', evidence });

export const EVIDENCE_CHARS = 300;

/** Cut to `max` characters (with an ellipsis), newlines flattened: evidence is one short line. */
export function clip(text: string, max = EVIDENCE_CHARS): string {
  const flat = text.replace(/\s*\r?\n\s*/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export const ABORTED_BEFORE = 'not run: the check run was aborted';
export const ABORTED_DURING = 'aborted while this probe ran';

export class CheckRun {
  readonly timeoutMs: number;
  readonly protocolVersion: string;
  readonly clientInfo: { name: string; version: string };
  readonly signal: AbortSignal | undefined;
  private readonly outcomes = new Map<CheckId, CheckOutcome>();

  constructor(
    readonly family: TransportFamily,
    opts: CheckOptions = {},
  ) {
    const t = opts.timeoutMs;
    this.timeoutMs = typeof t === 'number' && Number.isFinite(t) && t > 0 ? t : 3000;
    this.protocolVersion = opts.protocolVersion ?? LATEST_PROTOCOL_VERSION;
    this.clientInfo = opts.clientInfo ?? { name: 'mcp-reliability-checks', version: '0' };
    this.signal = opts.signal;
  }

  get aborted(): boolean {
    return this.signal?.aborted === true;
  }

  /** The handshake that opens the probes' own connection: a process may have to start first. */
  get handshakeMs(): number {
    return this.timeoutMs * 2;
  }

  has(id: CheckId): boolean {
    return this.outcomes.has(id);
  }

  outcome(id: CheckId): CheckOutcome | undefined {
    return this.outcomes.get(id);
  }

  record(id: CheckId, verdict: Verdict, ms = 0): Verdict {
    if (this.outcomes.has(id)) return verdict;
    const evidence = clip(verdict.evidence);
    this.outcomes.set(id, {
      id,
      title: CHECK_TITLES[this.family][id],
      status: verdict.status,
      ...(verdict.status === 'failed' ? { finding: verdict.finding } : {}),
      evidence,
      ms: Math.round(ms),
    });
    return verdict;
  }

  /** Run one probe: timed, never throwing, skipped when the run is (or gets) aborted. */
  async probe(id: CheckId, body: () => Promise<Verdict>): Promise<Verdict> {
    if (this.outcomes.has(id)) return skipped('already judged');
    if (this.aborted) return this.record(id, skipped(ABORTED_BEFORE));
    const t0 = performance.now();
    let verdict: Verdict;
    try {
      verdict = await body();
    } catch (err) {
      verdict = skipped(`the probe itself failed (a bug in mcp-reliability, not the server): ${err instanceof Error ? err.message : String(err)}`);
    }
    if (this.aborted && verdict.status !== 'passed') verdict = skipped(`${ABORTED_DURING} (${verdict.evidence})`);
    return this.record(id, verdict, performance.now() - t0);
  }

  /** Every probe not judged yet is skipped with this reason. */
  skipRest(reason: string): void {
    for (const id of CHECK_IDS) if (!this.outcomes.has(id)) this.record(id, skipped(this.aborted ? ABORTED_BEFORE : reason));
  }

  results(): CheckOutcome[] {
    this.skipRest('not run');
    return CHECK_IDS.map((id) => this.outcomes.get(id)!);
  }
}

/** Settles with `p`, or with `fallback` after `ms`; never rejects, clears its timer. */
export async function within<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p.catch(() => fallback), new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Report sections about what the client met beyond plain requests (pure, Markdown): findings by
 * severity with the spec rule each rests on, the active protocol checks, which tools played which
 * role (and what the role prover tried), session expiries, requests never answered, and the
 * requests the server sent the client.
 */
import { markdownTable } from 'markdown-table';
import { FINDING_SEVERITIES } from '../session/findings.js';
import type { ScenarioResult } from './result.js';
import { codeSpan, escapeText, formatMs } from './format.js';

const SEVERITY_MEANING = {
  error: 'a corrupt stream or message, or a break no client can work around',
  warning: 'a MUST or SHOULD a careful client survives, or a risky practice',
  info: 'allowed by the spec, worth knowing',
} as const;

export function findingsSection(r: ScenarioResult): string {
  if (r.violations.length === 0) return 'No protocol-hygiene findings.';
  const parts: string[] = [];
  for (const severity of FINDING_SEVERITIES) {
    const of = r.violations.filter((v) => v.severity === severity);
    if (of.length === 0) continue;
    const rows = of.map((v) => [
      `${escapeText(v.title)} (${codeSpan(v.kind)})`,
      String(v.count),
      `[${escapeText(v.spec.section)}](${v.spec.url}): ${escapeText(v.spec.rule)}`,
      v.samples.map((s) => codeSpan(s)).join('<br>'),
    ]);
    const total = of.reduce((n, v) => n + v.count, 0);
    parts.push(
      `**${severity}** (${SEVERITY_MEANING[severity]}): ${total}`,
      markdownTable([['finding', 'count', 'spec', 'samples (first seen, truncated)'], ...rows], { align: ['l', 'r', 'l', 'l'] }),
    );
  }
  parts.push('_`maxProtocolViolations` counts error findings unless a scenario limits each severity; findings from the protocol checks are counted once each._');
  return parts.join('\n\n');
}

export function checksSection(r: ScenarioResult): string {
  if (!r.checks) return 'Not run (`--no-checks`, or the run did not get that far).';
  const rows = r.checks.map((c) => [codeSpan(c.id), escapeText(c.title), c.status === 'failed' ? `**failed** (${codeSpan(c.finding ?? '?')})` : c.status, codeSpan(c.evidence)]);
  const failed = r.checks.filter((c) => c.status === 'failed').length;
  return `${failed === 0 ? 'Every applicable check passed.' : `${failed} of ${r.checks.length} checks failed (each is a finding above).`} Run on a connection of their own before the steps, with harmless messages.\n\n${markdownTable([['check', 'what', 'result', 'evidence'], ...rows], { align: ['l', 'l', 'l', 'l'] })}`;
}

export function rolesSection(r: ScenarioResult): string {
  const roles = r.roles;
  if (!roles) return '_Not recorded._';
  const entries = Object.entries(roles.bindings);
  if (entries.length === 0) return 'The scenario uses no tool roles.';
  const source = { profile: 'target profile', flag: '`--role` flag', inferred: '**inferred**, proven by one call before the run' } as const;
  const rows = entries.map(([role, b]) => [codeSpan(role), b!.method ? `${codeSpan(b!.method)} request` : codeSpan(b!.tool), b!.params && Object.keys(b!.params).length ? codeSpan(JSON.stringify(b!.params)) : '—', source[b!.source]]);
  const parts = [markdownTable([['role', 'call', 'arguments', 'from'], ...rows], { align: ['l', 'l', 'l', 'l'] })];
  if (roles.trials.length) {
    const trialRows = roles.trials.map((t) => [codeSpan(t.tool), t.verdict, t.args ? codeSpan(JSON.stringify(t.args)) : '—', t.reason ? escapeText(t.reason) : '—']);
    parts.push('What the role prover looked at:', markdownTable([['tool', 'verdict', 'arguments', 'why'], ...trialRows], { align: ['l', 'l', 'l', 'l'] }));
  }
  return parts.join('\n\n');
}

export function expiriesSection(r: ScenarioResult): string {
  const ex = r.sessionExpiries;
  if (!ex || ex.total === 0) return 'No session expired.';
  const statuses = Object.entries(ex.byStatus)
    .map(([s, n]) => `HTTP ${s} ×${n}`)
    .join(', ');
  const lines = [
    `- ${ex.total} session expir${ex.total === 1 ? 'y' : 'ies'} (${statuses}); ${ex.renewed} renewed at once with a fresh initialize`,
    `- Requests replayed on the fresh session (the user saw no error): ${ex.replayed}; **lost** (the user saw the error): ${ex.lostRequests} — client profile ${codeSpan(r.client.profile, false)} ${r.client.capabilities?.onSessionExpiry === 'fail' ? 'does not replay' : 'replays'} them`,
  ];
  if (ex.lifetimeMs) lines.push(`- Observed session lifetime: p50 ${formatMs(ex.lifetimeMs.p50)}, max ${formatMs(ex.lifetimeMs.max)} over ${ex.lifetimeMs.count} expired session(s)`);
  const rows = ex.records.slice(0, 20).map((e, i) => [String(i + 1), e.at, String(e.status), e.lifetimeMs === null ? '—' : formatMs(e.lifetimeMs), e.renewedAfterMs === null ? '**not renewed**' : formatMs(e.renewedAfterMs)]);
  return `${lines.join('\n')}\n\n${markdownTable([['#', 'at', 'HTTP', 'session had lived', 'fresh session after'], ...rows], { align: ['r', 'l', 'r', 'r', 'r'] })}`;
}

export function unansweredSection(r: ScenarioResult): string {
  const u = r.unanswered;
  if (!u || u.count === 0) return 'Every request sent got an answer or timed out on its own.';
  const rows = u.samples.map((s) => [codeSpan(s.method), s.tool ? codeSpan(s.tool) : '—', s.role ? codeSpan(s.role) : '—', s.sentAt, formatMs(s.waitedMs)]);
  return `**${u.count} request(s) never got an answer** by the run's hard end; they were abandoned and count as timeouts.${u.count > u.samples.length ? ` The first ${u.samples.length}:` : ''}\n\n${markdownTable([['method', 'tool', 'role', 'sent at', 'waited'], ...rows], { align: ['l', 'l', 'l', 'l', 'r'] })}`;
}

export function serverRequestsSection(r: ScenarioResult): string {
  const caps = r.client.capabilities;
  const declared = caps ? `The client declared ${caps.declared.length ? caps.declared.map((c) => codeSpan(c, false)).join(', ') : 'no capabilities'}.` : '';
  const reqs = Object.entries(r.serverRequests ?? {});
  if (reqs.length === 0) return `${declared} The server sent no requests.`.trim();
  const rows = reqs.map(([m, e]) => [codeSpan(m), String(e.count), Object.entries(e.answers).map(([a, n]) => `${escapeText(a)} ×${n}`).join(', ')]);
  return `${declared}\n\n${markdownTable([['server request', 'count', 'answered'], ...rows], { align: ['l', 'r', 'l'] })}`.trim();
}

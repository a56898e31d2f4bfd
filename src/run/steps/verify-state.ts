/**
 * verify-state: a harness check, not a client behaviour. Lists tools afresh and compares with the
 * list taken at the first connect; where the target maps state roles and a marker was written,
 * reads it back and checks the marker is still there (state survived the disconnect).
 */
import type { StepRunner } from '../context.js';

export const verifyState: StepRunner = async (step, ctx) => {
  const timeout = step.timeout ? { timeoutMs: step.timeout } : {};
  const problems: string[] = [];
  const listed = await ctx.session.listTools(timeout);
  const names = listed.outcome === 'ok' ? (listed.tools ?? null) : null;
  if (!names) {
    problems.push(`tools/list failed (${listed.outcome}${listed.error ? `: ${listed.error}` : ''})`);
  } else {
    const initial = new Set(ctx.session.initialTools);
    const now = new Set(names);
    const removed = [...initial].filter((t) => !now.has(t));
    const added = [...now].filter((t) => !initial.has(t));
    if (removed.length) problems.push(`tools missing since the first connect: ${removed.join(', ')}`);
    if (added.length) problems.push(`tools added since the first connect: ${added.join(', ')}`);
  }
  const read = ctx.roles['state-read'];
  const marker = ctx.marker.current;
  if (read && marker) {
    const args = JSON.parse(JSON.stringify(read.params ?? {}).replaceAll('{{marker}}', marker)) as Record<string, unknown>;
    const r = await ctx.session.callTool(read.tool, args, { role: 'state-read', ...timeout });
    if (r.outcome !== 'ok') problems.push(`state read (${read.tool}) failed: ${r.outcome}${r.error ? ` ${r.error}` : ''}`);
    else if (!JSON.stringify(r.result ?? '').includes(marker)) problems.push(`state written before (${marker}) is not readable through ${read.tool}`);
  } else {
    const write = ctx.roles['state-write'];
    if (!write && !read) ctx.note('the target maps no state-write or state-read role: verify-state checked the tool list only');
    else if (!read) ctx.note(`the target maps state-write (${write!.tool}) but no state-read role: verify-state checked the tool list only`);
    else if (!write) ctx.note(`the target maps state-read (${read.tool}) but no state-write role: verify-state checked the tool list only`);
    else ctx.note('no state-write call had run before a verify-state step: that step checked the tool list only');
  }
  const ok = problems.length === 0;
  ctx.session.reportStateCheck(ok, ok ? `tools unchanged${marker && read ? `, marker ${marker} readable` : ''}` : problems.join('; '));
};

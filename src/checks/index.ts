/**
 * Active protocol probes: cheap, deterministic checks of an MCP server's protocol behaviour, each
 * on a connection of their own (never the client session a scenario uses), with harmless
 * messages only (ping, notifications/cancelled for an id never sent, a method no server has).
 * A failed probe is a finding (src/session/findings.ts) with its evidence; a clean server gets
 * none. Never throws because of the server: what cannot be judged is skipped with the reason.
 * Bounded: every probe has its timeout, every socket and process the probes open is closed.
 *
 * - Streamable HTTP (raw HTTP): unknown-session, origin, notification, unknown-method, ping, malformed-json.
 * - stdio / tcp (line-delimited JSON-RPC): notification, unknown-method, ping, malformed-json.
 * - legacy SSE / WebSocket (an SDK client): unknown-method, ping.
 */
import { runHttpChecks } from './http-probes.js';
import { runLineChecks } from './line-probes.js';
import { CheckRun } from './run.js';
import { runSdkChecks } from './sdk-probes.js';
import { familyOf, TRANSPORT_KINDS, type CheckOptions, type CheckOutcome, type CheckTarget } from './types.js';

export { CHECK_IDS, CHECK_TITLES, type CheckId, type CheckOptions, type CheckOutcome, type CheckStatus, type CheckTarget } from './types.js';

export async function runProtocolChecks(target: CheckTarget, opts: CheckOptions = {}): Promise<CheckOutcome[]> {
  const known = (TRANSPORT_KINDS as readonly string[]).includes(target?.transport);
  const run = new CheckRun(known ? familyOf(target.transport) : 'http', opts);
  if (!known) {
    run.skipRest(`unknown transport ${JSON.stringify(target?.transport)}: expected one of ${TRANSPORT_KINDS.join(', ')}`);
    return run.results();
  }
  if (run.aborted) {
    run.skipRest('aborted');
    return run.results();
  }
  try {
    if (target.transport === 'streamable-http') await runHttpChecks(target, run);
    else if (target.transport === 'stdio' || target.transport === 'tcp') await runLineChecks(target, run);
    else await runSdkChecks(target, run);
  } catch (err) {
    // A bug of ours, not the server's doing: say so on every probe left, never throw.
    run.skipRest(`the checks stopped on an internal error (a bug in mcp-reliability): ${err instanceof Error ? err.message : String(err)}`);
  }
  return run.results();
}

/**
 * The probes on legacy SSE and WebSocket: an SDK Client on a connection of its own (the project's
 * network transports), ping and an unknown method. The SDK hides HTTP statuses and the raw stream,
 * so the other probes are skipped with the reason. Every wait is bounded by our own timer (the
 * transports' start has no SDK timeout), and the connection is closed whatever happened.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError, ResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { createNetworkTransport, describeNetworkError, type NetworkTransport } from '../session/transports/network.js';
import { UNKNOWN_METHOD } from './jsonrpc.js';
import { failed, passed, skipped, within, type CheckRun, type Verdict } from './run.js';
import type { CheckTarget } from './types.js';

type Settled<T> = { kind: 'ok'; value: T } | { kind: 'error'; error: unknown } | { kind: 'timeout' } | { kind: 'aborted' };

/** Runs `start(signal)` against our own deadline and the run's abort; the SDK sees an aborted signal on either. */
async function bounded<T>(run: CheckRun, ms: number, start: (signal: AbortSignal) => Promise<T>): Promise<Settled<T>> {
  const ctl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const cut = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), ms);
    onAbort = () => resolve({ kind: 'aborted' });
    if (run.signal?.aborted) onAbort();
    run.signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const work = start(ctl.signal).then(
      (value): Settled<T> => ({ kind: 'ok', value }),
      (error: unknown): Settled<T> => ({ kind: 'error', error }),
    );
    return await Promise.race([work, cut]);
  } finally {
    clearTimeout(timer);
    if (onAbort) run.signal?.removeEventListener('abort', onAbort);
    ctl.abort();
  }
}

function describeError(error: unknown): string {
  if (error instanceof McpError) return `error ${error.code} ${JSON.stringify(error.message.replace(/^MCP error -?\d+: /, '')).slice(0, 120)}`;
  return describeNetworkError(error);
}

async function ping(client: Client, run: CheckRun): Promise<Verdict> {
  const r = await bounded(run, run.timeoutMs, (signal) => client.ping({ signal, timeout: run.timeoutMs * 2 }));
  if (r.kind === 'ok') return passed(`ping → result ${JSON.stringify(r.value).slice(0, 100)}`);
  if (r.kind === 'timeout') return failed('ping-unanswered', `ping → no answer within ${run.timeoutMs} ms`);
  if (r.kind === 'aborted') return skipped('aborted');
  if (r.error instanceof McpError && r.error.code !== -32000) return failed('ping-unsupported', `ping → ${describeError(r.error)}`);
  return failed('ping-unanswered', `ping → no answer: ${describeError(r.error)}`);
}

async function unknownMethod(client: Client, run: CheckRun): Promise<Verdict> {
  const r = await bounded(run, run.timeoutMs, (signal) => client.request({ method: UNKNOWN_METHOD, params: {} }, ResultSchema, { signal, timeout: run.timeoutMs * 2 }));
  const said = `${UNKNOWN_METHOD} → `;
  if (r.kind === 'aborted') return skipped('aborted');
  if (r.kind === 'timeout') return failed('unknown-method-not-32601', `${said}no answer within ${run.timeoutMs} ms`);
  if (r.kind === 'ok') return failed('unknown-method-not-32601', `${said}result ${JSON.stringify(r.value).slice(0, 120)}`);
  if (r.error instanceof McpError && r.error.code === -32601) return passed(`${said}${describeError(r.error)}`);
  return failed('unknown-method-not-32601', `${said}${describeError(r.error)}`);
}

export async function runSdkChecks(target: CheckTarget, run: CheckRun): Promise<void> {
  const kind = target.transport === 'websocket' ? 'websocket' : 'sse';
  const label = kind === 'sse' ? 'legacy SSE' : 'WebSocket';
  run.record('unknown-session', skipped(`not probed on ${label}: ${kind === 'sse' ? 'the session lives in the message endpoint the server hands out, there is no Mcp-Session-Id' : 'one socket is one session, there is no Mcp-Session-Id'}`));
  run.record('origin', skipped(`not probed on ${label}: the foreign Origin/Host probe is a Streamable HTTP initialize POST`));
  run.record('notification', skipped(`not probed on ${label}: the SDK client hides what comes back to a notification (the HTTP status / the raw stream)`));
  run.record('malformed-json', skipped(`not probed on ${label}: the SDK client cannot send bytes that are not JSON`));
  if (run.aborted) return run.skipRest('aborted');
  let net: NetworkTransport;
  try {
    if (!target.url) return run.skipRest('the target has no URL');
    const noop = () => undefined;
    net = createNetworkTransport(kind, target.url, target.headers, { down: noop, sessionLost: noop });
  } catch (err) {
    return run.skipRest(`could not create the ${label} transport: ${err instanceof Error ? err.message : String(err)}`);
  }
  const client = new Client(run.clientInfo, { capabilities: {} });
  // The SDK reports transport errors here; the probes judge outcomes, not these.
  client.onerror = () => undefined;
  try {
    const connected = await bounded(run, run.handshakeMs, (signal) => client.connect(net.transport, { signal, timeout: run.handshakeMs * 2 }));
    if (connected.kind === 'aborted') return run.skipRest('aborted');
    if (connected.kind === 'timeout') return run.skipRest(`the probes' own ${label} connection and initialize got no answer within ${run.handshakeMs} ms, nothing to probe`);
    if (connected.kind === 'error') return run.skipRest(`the probes' own ${label} connection failed, nothing to probe: ${describeError(connected.error)}`);
    await run.probe('unknown-method', () => unknownMethod(client, run));
    await run.probe('ping', () => ping(client, run));
  } finally {
    await within(net.closeGraceful(), 2000, undefined);
    await within(client.close(), 1000, undefined);
  }
}

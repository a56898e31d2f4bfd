/** What an out-of-band transport error means for the session (pure). */
import type { TransportKind } from '../target/types.js';
import { errorText } from './outcomes.js';
import { sampleOf } from './transports/stdio.js';
import type { DisconnectReason, ViolationKind } from './types.js';

export type ErrorMeaning = { violation: ViolationKind; sample: string } | { down: DisconnectReason; detail: string } | null;

/**
 * - Unparseable or schema-invalid data on a network transport: an `invalid-jsonrpc` finding.
 * - SSE: any EventSource error on a live connection is fatal, because the EventSource would
 *   silently reconnect to a fresh, never-initialized session.
 * - Streamable HTTP: the SDK gave up re-opening the server-to-client stream. A single "SSE stream
 *   disconnected" is not enough: the SDK re-opens the stream, and that fetch fails (connection
 *   error) or is answered 404/400 (session lost), which the tapped fetch reports.
 * - Everything else is noise for detection (the request that failed reports its own outcome).
 */
export function meaningOf(kind: TransportKind, err: Error): ErrorMeaning {
  const text = errorText(err);
  if (/ZodError|SyntaxError/.test(err.name) || Array.isArray((err as { issues?: unknown }).issues)) {
    return { violation: 'invalid-jsonrpc', sample: sampleOf(text) };
  }
  if (kind === 'sse' && /^SSE error/.test(text)) return { down: 'transport-closed', detail: text };
  if (kind === 'streamable-http' && /Maximum reconnection attempts/.test(text)) {
    return { down: 'transport-closed', detail: `the server-to-client stream is gone: ${text}` };
  }
  return null;
}

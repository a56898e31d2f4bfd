/** Turning what an SDK request threw into a request outcome (pure). */
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { RequestOutcome } from './types.js';

export type FailureKind =
  /** The server answered with a JSON-RPC error. */
  | 'answered'
  /** No answer within the timeout. */
  | 'timeout'
  /** The link broke under the request (closed, refused, reset, session lost). */
  | 'connection'
  /** Anything else (e.g. a result that fails the schema). */
  | 'other';

export interface Failure {
  kind: FailureKind;
  outcome: RequestOutcome;
  error: string;
  /** JSON-RPC error code, when the server answered with one. */
  code?: number;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function classifyFailure(err: unknown): Failure {
  const error = errorText(err);
  if (err instanceof McpError) {
    if (err.code === ErrorCode.RequestTimeout) return { kind: 'timeout', outcome: 'timeout', error };
    if (err.code === ErrorCode.ConnectionClosed && /Connection closed/.test(error)) return { kind: 'connection', outcome: 'error', error };
    return { kind: 'answered', outcome: 'error', error, code: err.code };
  }
  if (/Not connected|fetch failed|ECONNREFUSED|ECONNRESET|socket hang up|terminated|Streamable HTTP error|SSE error|Error POSTing/i.test(error)) {
    return { kind: 'connection', outcome: 'error', error };
  }
  return { kind: 'other', outcome: 'error', error };
}

/** The text of a tool result flagged `isError`, for the request event. */
export function toolErrorText(result: object): string {
  const raw = (result as { content?: unknown }).content;
  const content: unknown[] = Array.isArray(raw) ? raw : [];
  const text = content
    .map((c) => {
      const t = c as { type?: string; text?: unknown } | null;
      return t?.type === 'text' && typeof t.text === 'string' ? t.text : '';
    })
    .filter(Boolean)
    .join(' ');
  return `tool returned isError${text ? `: ${text.slice(0, 200)}` : ''}`;
}

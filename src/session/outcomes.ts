/** Turning what an SDK request threw into a request outcome (pure). */
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { RequestOutcome } from './types.js';

export type FailureKind =
  /** The server answered with a JSON-RPC error. */
  | 'answered'
  /** No answer within the timeout. */
  | 'timeout'
  /** The link broke under the request (closed, refused, reset, session lost). */
  | 'connection'
  /** Still unanswered at the run's hard end: abandoned (counted as a timeout). */
  | 'abandoned'
  /** Anything else (e.g. a result that fails the schema). */
  | 'other';

export interface Failure {
  kind: FailureKind;
  outcome: RequestOutcome;
  error: string;
  /** JSON-RPC error code, when the server answered with one. */
  code?: number;
}

/**
 * An error's message, with what Node and the SDK keep beside it: the HTTP status of a Streamable
 * HTTP error, the cause of a `fetch failed` (ECONNREFUSED, ENOTFOUND, ...).
 */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  let text = err.message;
  if (err instanceof StreamableHTTPError && typeof err.code === 'number' && err.code > 0 && !text.includes(`HTTP ${err.code}`)) text = `HTTP ${err.code}: ${text}`;
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause === 'object') {
    const code = typeof cause.code === 'string' ? cause.code : '';
    const msg = typeof cause.message === 'string' && cause.message !== err.message ? cause.message : '';
    if (code || msg) text += ` (${[code, msg && msg !== code ? msg : ''].filter(Boolean).join(': ')})`;
  }
  return text;
}

/** The HTTP status an error carries (a Streamable HTTP error), if any. */
export function httpStatusOf(err: unknown): number | null {
  return err instanceof StreamableHTTPError && typeof err.code === 'number' && err.code > 0 ? err.code : null;
}

const RUN_ENDED = 'RunEndedError';

/** The reason a session's end signal aborts with: requests still in flight are abandoned. */
export class RunEndedError extends Error {
  override name = RUN_ENDED;
  constructor() {
    super("no answer by the run's end");
  }
}

export function classifyFailure(err: unknown): Failure {
  if (err instanceof RunEndedError) return { kind: 'abandoned', outcome: 'timeout', error: err.message };
  const error = errorText(err);
  if (err instanceof McpError) {
    // The SDK wraps an abort's reason in a RequestTimeout McpError.
    if (err.code === ErrorCode.RequestTimeout && error.includes(RUN_ENDED)) return { kind: 'abandoned', outcome: 'timeout', error: "no answer by the run's end" };
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

/** Text at the start of a tool result that reads like a failure although `isError` is not set. */
const ERROR_LIKE = /^\s*(?:error\b|exception\b|failed\b|failure\b|fatal\b|traceback\b|\[error\])/i;

/**
 * The first text block of a result that is not flagged `isError` but reads like an error
 * ("Error fetching …: fetch failed"), or null. Only the start of the text is looked at, so an echo
 * of arbitrary text is not mistaken for one.
 */
export function errorLikeText(result: unknown): string | null {
  const content = (result as { content?: unknown } | null)?.content;
  if (!Array.isArray(content)) return null;
  for (const c of content) {
    const t = c as { type?: string; text?: unknown } | null;
    if (t?.type === 'text' && typeof t.text === 'string') return ERROR_LIKE.test(t.text) ? t.text.slice(0, 200) : null;
  }
  return null;
}

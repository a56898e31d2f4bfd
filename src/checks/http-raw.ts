/**
 * One raw HTTP exchange with node:http/https, so the probes see status codes and bodies as the
 * server sent them (and may set a Host header fetch would refuse). Every exchange is bounded: one
 * socket of its own (no agent, no keep-alive), destroyed when the exchange ends, the timer
 * cleared, at most BODY_CAP bytes kept. An SSE body that stays open is read until the response
 * we wait for is in it, then dropped.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { messagesOf } from '../session/lean.js';
import { responseWithId } from './jsonrpc.js';

export const BODY_CAP = 64 * 1024;

export interface HttpAsk {
  method: 'POST' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** The id of the JSON-RPC response we wait for: an SSE body may stop being read once it holds it. */
  wantId?: number;
}

export type HttpAnswer =
  | {
      kind: 'reply';
      status: number;
      headers: IncomingHttpHeaders;
      contentType: string;
      body: string;
      /** The body ended, or held the response we waited for; false: still open when time ran out (or over the cap). */
      complete: boolean;
    }
  /** No HTTP answer at all: connection refused or reset, or nothing within the timeout. */
  | { kind: 'none'; detail: string }
  | { kind: 'aborted' };

function errorText(err: NodeJS.ErrnoException): string {
  return `${err.message}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}`;
}

/** The JSON-RPC messages in a reply body; [] when the body is not JSON (that is evidence, not an error). */
export function bodyMessages(answer: { contentType: string; body: string }): unknown[] {
  if (answer.body.trim() === '') return [];
  try {
    return messagesOf(answer.contentType, answer.body);
  } catch {
    return [];
  }
}

export function exchange(ask: HttpAsk): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    if (ask.signal?.aborted) return resolve({ kind: 'aborted' });
    const secure = ask.url.protocol === 'https:';
    const bodyBytes = ask.body === undefined ? undefined : Buffer.from(ask.body, 'utf8');
    const headers: Record<string, string | number> = { ...ask.headers };
    if (bodyBytes) headers['content-length'] = bodyBytes.length;
    const hostname = ask.url.hostname.replace(/^\[|\]$/g, '');
    const options: https.RequestOptions = { method: ask.method, headers, agent: false };
    // A Host header of our own must not become the TLS server name: the certificate is the real host's.
    if (secure && isIP(hostname) === 0) options.servername = hostname;
    let settled = false;
    let req: http.ClientRequest;
    let status = 0;
    let resHeaders: IncomingHttpHeaders = {};
    let contentType = '';
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (answer: HttpAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ask.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(answer);
    };
    const reply = (complete: boolean): HttpAnswer => ({ kind: 'reply', status, headers: resHeaders, contentType, body: Buffer.concat(chunks).toString('utf8'), complete });
    const onAbort = () => settle({ kind: 'aborted' });
    const timer = setTimeout(() => settle(status ? reply(false) : { kind: 'none', detail: `nothing within ${Math.round(ask.timeoutMs)} ms` }), ask.timeoutMs);
    ask.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      req = (secure ? https : http).request(ask.url, options);
    } catch (err) {
      clearTimeout(timer);
      ask.signal?.removeEventListener('abort', onAbort);
      settled = true;
      return resolve({ kind: 'none', detail: `request not sent: ${(err as Error).message}` });
    }
    req.on('error', (err: NodeJS.ErrnoException) => settle(status ? reply(false) : { kind: 'none', detail: errorText(err) }));
    req.once('response', (res) => {
      status = res.statusCode ?? 0;
      resHeaders = res.headers;
      contentType = String(res.headers['content-type'] ?? '');
      const sse = contentType.includes('text/event-stream');
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        const room = BODY_CAP - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(chunk.length, room);
        if (sse && ask.wantId !== undefined && responseWithId(bodyMessages({ contentType, body: Buffer.concat(chunks).toString('utf8') }), ask.wantId)) return settle(reply(true));
        if (size >= BODY_CAP) settle(reply(false));
      });
      res.once('end', () => settle(reply(true)));
      res.once('error', () => settle(reply(false)));
    });
    req.end(bodyBytes);
  });
}

/** The answer in a few words: `HTTP 400 application/json: {...}`, or why there was none. */
export function describeAnswer(answer: HttpAnswer, bodyChars = 160): string {
  if (answer.kind === 'aborted') return 'aborted';
  if (answer.kind === 'none') return `no HTTP answer (${answer.detail})`;
  const type = answer.contentType ? ` ${answer.contentType.split(';')[0]}` : '';
  const body = answer.body.trim() === '' ? ' (no body)' : `: ${answer.body.trim().replace(/\s+/g, ' ').slice(0, bodyChars)}`;
  return `HTTP ${answer.status}${type}${body}${answer.complete ? '' : ' (body still open when reading stopped)'}`;
}

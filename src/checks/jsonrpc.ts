/**
 * The harmless messages the probes send and the plain checks that judge what comes back (no zod:
 * a misbehaving server's answers are data to describe, not to validate away).
 */

/** A method no server implements (namespaced so it can never collide with a real one). */
export const UNKNOWN_METHOD = 'mcp-reliability/no-such-method';
/** The request id `notifications/cancelled` names: never sent, so cancelling it changes nothing. */
export const NEVER_SENT_ID = 'mcp-reliability-never-sent';
/** A session id no server issued (UUID-shaped, so a server that checks the format still looks it up). */
export const NEVER_ISSUED_SESSION = '00000000-0000-4000-8000-6d6370726c79';
/** Foreign Origin and Host for the DNS-rebinding probe (`.invalid` never resolves: RFC 2606). */
export const FOREIGN_HOST = 'mcp-reliability.invalid';
export const FOREIGN_ORIGIN = `http://${FOREIGN_HOST}`;
/** Not JSON: an object cut short, with no id a server could answer with (a parse error must carry id null). */
export const MALFORMED_JSON = '{"jsonrpc": "2.0", "method": "ping", "params": {';

export interface JsonRpcResponse {
  jsonrpc?: unknown;
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown };
}

export function initializeRequest(id: number, protocolVersion: string, clientInfo: { name: string; version: string }): object {
  return { jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo } };
}
export const initializedNotification = { jsonrpc: '2.0', method: 'notifications/initialized' };
export const cancelledNotification = { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: NEVER_SENT_ID, reason: 'mcp-reliability protocol check' } };
export const pingRequest = (id: number): object => ({ jsonrpc: '2.0', id, method: 'ping' });
export const unknownMethodRequest = (id: number): object => ({ jsonrpc: '2.0', id, method: UNKNOWN_METHOD, params: {} });

/** A response (result or error, no method), whatever its id. */
export function isResponse(m: unknown): m is JsonRpcResponse {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return false;
  const v = m as Record<string, unknown>;
  return v.method === undefined && ('result' in v || 'error' in v);
}

/** A request from the server (method and id). */
export function isServerRequest(m: unknown): m is { id: string | number; method: string } {
  if (typeof m !== 'object' || m === null) return false;
  const v = m as Record<string, unknown>;
  return typeof v.method === 'string' && (typeof v.id === 'string' || typeof v.id === 'number');
}

export function responseWithId(messages: unknown[], id: number | string): JsonRpcResponse | undefined {
  return messages.find((m): m is JsonRpcResponse => isResponse(m) && m.id === id);
}

export function errorCode(r: JsonRpcResponse): number | undefined {
  return typeof r.error === 'object' && r.error !== null && typeof r.error.code === 'number' ? r.error.code : undefined;
}

/** A response as evidence: the error code and message, or the result, in a few words. */
export function describeResponse(r: JsonRpcResponse): string {
  if (typeof r.error === 'object' && r.error !== null) return `error ${String(r.error.code)} ${JSON.stringify(String(r.error.message ?? '')).slice(0, 100)}`;
  return `result ${JSON.stringify(r.result ?? null).slice(0, 120)}`;
}

/** How the server answers a request it sent us: ping gets its empty result, anything else -32601 (we declare no capabilities). */
export function answerToServerRequest(m: { id: string | number; method: string }): object {
  if (m.method === 'ping') return { jsonrpc: '2.0', id: m.id, result: {} };
  return { jsonrpc: '2.0', id: m.id, error: { code: -32601, message: `Method not found: ${m.method} (mcp-reliability protocol checks declare no client capabilities)` } };
}

/** Requests the server has answered so far (any response with our id, even an error): what can later prove it still answers. */
export type Answered = Map<string, (id: number) => object>;

/** ping if it was answered, else the unknown method if that was. */
export function livenessOf(answered: Answered): [name: string, make: (id: number) => object] | undefined {
  for (const name of ['ping', UNKNOWN_METHOD]) {
    const make = answered.get(name);
    if (make) return [name, make];
  }
  return undefined;
}

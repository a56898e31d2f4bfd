/**
 * The lean path's HTTP/1.1 client: keep-alive sockets (net or tls) and the response parser
 * autocannon itself uses (http-parser-js), so the load generator costs the server no more CPU
 * than the reference it is measured against. undici's Pool, measured in the same benchmark, spent
 * ~1.4 × autocannon's client CPU per request on its own before any MCP work (README, "What was
 * measured"); this client writes one pre-built request head per call and parses the reply in
 * place.
 *
 * What it does, and no more (the lean path sends only POSTs with a Content-Length body):
 * - up to `connections` sockets per origin; a request waits for a free one (FIFO);
 * - keep-alive unless the server says `Connection: close` (or answers HTTP/1.0 without
 *   keep-alive); a server's `Keep-Alive: timeout=N` hint retires an idle socket a second before
 *   the server would close it; a socket the server closes while idle is dropped, never reused;
 * - Content-Length, chunked and read-until-close bodies; 1xx answers skipped; 204/304 bodiless;
 * - an exchange that is cancelled drops its socket (the request may still be on it).
 * A server that closes a kept-alive socket in the instant a request is written on it makes that
 * request a connection failure: POST is not idempotent, so it is not silently sent again (node:http
 * and undici do the same).
 */
import net from 'node:net';
import tls from 'node:tls';
import { HTTPParser } from 'http-parser-js';

/** One request's view of the wire. Called at most once each, except onData. */
export interface HttpExchange {
  /** True once the caller gave up (timeout, abandoned): a waiting exchange is then never sent. */
  readonly done: boolean;
  /** The exchange is on a socket; `abort` drops that socket. */
  onConnect(abort: () => void): void;
  /** Status and the flat [name, value, ...] header list, as received. */
  onHeaders(status: number, headers: string[]): void;
  onData(chunk: Buffer): void;
  onComplete(): void;
  onError(err: Error): void;
}

export interface HttpPoolOptions {
  connections: number;
  connectTimeoutMs: number;
}

/** Headers the lean client writes itself: an endpoint header of the same name is not sent. */
export const HTTP_OWN_HEADERS = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'upgrade', 'expect', 'te', 'trailer']);

const INVALID_HEADER = /[\r\n\0]/;

/**
 * The request head up to (not including) Content-Length, built once per route: the request line,
 * Host, Connection: keep-alive, then `headers` ([name, value, ...]) in order. A name or value that
 * would break the head (CR, LF, NUL; an empty or spaced name) is an Error, not a request.
 */
export function requestHead(url: URL, headers: string[]): string | Error {
  let head = `POST ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\nconnection: keep-alive\r\n`;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    const value = headers[i + 1]!;
    if (name === '' || /[\s:]/.test(name) || INVALID_HEADER.test(name) || INVALID_HEADER.test(value)) {
      return new Error(`header ${JSON.stringify(name)} has a name or value HTTP cannot carry (CR, LF, NUL, space or colon in the name)`);
    }
    head += `${name}: ${value}\r\n`;
  }
  return head;
}

function codeError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** A server's `Keep-Alive: timeout=N` in ms, or undefined when it gives none. */
function keepAliveTimeoutMs(headers: string[]): number | undefined {
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    if (name.length !== 10 || name.toLowerCase() !== 'keep-alive') continue;
    const m = /timeout=(\d+)/i.exec(headers[i + 1]!);
    if (m) return Number(m[1]) * 1000;
  }
  return undefined;
}

/** Retire an idle socket this long before the server's announced keep-alive timeout (as undici). */
const KEEP_ALIVE_MARGIN_MS = 1000;

class Connection {
  readonly socket: net.Socket;
  private readonly parser = new HTTPParser(HTTPParser.RESPONSE);
  ex: HttpExchange | null = null;
  /** The socket may carry another request after this answer. */
  private reusable = true;
  /** The current answer is a 1xx: its end is not the exchange's end. */
  private informational = false;
  /** An answer completed in the chunk being parsed. */
  private answered = false;
  /** Idle sockets are retired at this time (performance.now()), from the server's hint. */
  idleUntil = Infinity;
  private connectTimer: NodeJS.Timeout | undefined;
  closed = false;

  constructor(
    private readonly pool: HttpPool,
    url: URL,
    connectTimeoutMs: number,
  ) {
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (url.protocol === 'https:') {
      // The platform's verification, as https.Agent and undici do; SNI unless the host is an address.
      const opts: tls.ConnectionOptions = { host, port, ALPNProtocols: ['http/1.1'] };
      if (!net.isIP(host)) opts.servername = host;
      this.socket = tls.connect(opts);
    } else {
      this.socket = net.connect({ host, port });
    }
    this.socket.setNoDelay(true);
    const connectEvent = url.protocol === 'https:' ? 'secureConnect' : 'connect';
    this.connectTimer = setTimeout(() => this.destroy(codeError(`connect timed out after ${connectTimeoutMs} ms`, 'ETIMEDOUT')), connectTimeoutMs);
    this.socket.once(connectEvent, () => clearTimeout(this.connectTimer));

    const p = this.parser;
    // The parser calls this with one info object, or (if anything in the process read
    // HTTPParser.kOnExecute, its old-Node compatibility switch) with the fields as arguments.
    p[HTTPParser.kOnHeadersComplete] = ((...args: unknown[]) => {
      const info = (typeof args[0] === 'number'
        ? { headers: args[2], statusCode: args[5], upgrade: args[7], shouldKeepAlive: args[8] }
        : args[0]) as { headers: string[]; statusCode: number; upgrade: boolean; shouldKeepAlive: boolean };
      return this.headersComplete(info.statusCode, info.headers, info.upgrade, info.shouldKeepAlive);
    }) as never;
    p[HTTPParser.kOnBody] = (chunk, offset, length) => {
      this.ex?.onData(offset === 0 && length === chunk.length ? chunk : chunk.subarray(offset, offset + length));
    };
    p[HTTPParser.kOnMessageComplete] = () => {
      if (this.informational) {
        this.informational = false;
        return;
      }
      const ex = this.ex;
      this.ex = null;
      if (this.closed || !ex) return;
      this.answered = true;
      ex.onComplete();
    };

    this.socket.on('data', (chunk: Buffer) => {
      if (this.ex === null) {
        this.destroy(new Error('the server sent bytes on an idle connection'));
        return;
      }
      const r = p.execute(chunk);
      if (r instanceof Error) {
        this.destroy(codeError(`unparseable HTTP answer: ${r.message}`, 'HPE_INVALID'));
        return;
      }
      // Released only once the chunk is parsed: bytes after the answer are not the next request's.
      if (this.answered) {
        this.answered = false;
        if (this.closed) return;
        if (this.reusable && this.ex === null) this.pool.release(this);
        else this.destroy();
      }
    });
    this.socket.on('end', () => {
      // The server closed its side: a body read until close ends here; anything else in flight is cut.
      if (this.ex) {
        const r = p.finish();
        if (r instanceof Error || this.ex) this.destroy(codeError('the server closed the connection before the answer was complete', 'ERR_CONNECTION_CLOSED'));
      }
      this.destroy();
    });
    this.socket.on('error', (err) => this.destroy(err));
    this.socket.on('close', () => this.destroy(codeError('the connection closed before the answer was complete', 'ERR_CONNECTION_CLOSED')));
  }

  /** The parser's skipBody: 1 for an answer without a body. */
  private headersComplete(status: number, headers: string[], upgrade: boolean, keepAlive: boolean): number {
    if (this.ex === null) {
      // An answer after the answer (in the same chunk as it): nothing asked for it.
      this.destroy(new Error('the server sent an answer to no request'));
      return 1;
    }
    if (status >= 100 && status < 200 && status !== 101) {
      this.informational = true;
      return 1; // no body; the real answer follows
    }
    if (upgrade) {
      this.destroy(new Error(`the server switched protocols (HTTP ${status}) on a POST`));
      return 1;
    }
    this.reusable = keepAlive;
    const ka = keepAliveTimeoutMs(headers);
    if (ka !== undefined) {
      if (ka <= KEEP_ALIVE_MARGIN_MS) this.reusable = false;
      else this.idleUntil = performance.now() + ka - KEEP_ALIVE_MARGIN_MS;
    }
    this.ex.onHeaders(status, headers);
    return status === 204 || status === 304 ? 1 : 0;
  }

  send(ex: HttpExchange, bytes: string): void {
    this.ex = ex;
    this.reusable = true;
    this.idleUntil = Infinity;
    ex.onConnect(() => this.destroy());
    this.socket.write(bytes);
  }

  /** Close the socket; an exchange still on it fails with `err` (or silently when it was cancelled). */
  destroy(err?: Error): void {
    const ex = this.ex;
    this.ex = null;
    if (ex && !ex.done) ex.onError(err ?? codeError('the connection was closed', 'ERR_CONNECTION_CLOSED'));
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.connectTimer);
    this.socket.destroy();
    this.pool.forget(this);
  }
}

/** Keep-alive HTTP/1.1 connections to one origin, at most `connections` at once. */
export class HttpPool {
  private readonly url: URL;
  private readonly all = new Set<Connection>();
  private readonly idle: Connection[] = [];
  private readonly waiting: { ex: HttpExchange; bytes: string }[] = [];
  private destroyed = false;

  constructor(
    origin: string,
    private readonly opts: HttpPoolOptions,
  ) {
    this.url = new URL(origin);
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') throw new Error(`not an http(s) origin: ${origin}`);
  }

  /** Send `head` (from requestHead) with `body`, on a free socket or once one frees up. */
  request(head: string, body: string, ex: HttpExchange): void {
    if (this.destroyed) {
      ex.onError(new Error('the pool was closed'));
      return;
    }
    const bytes = `${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const conn = this.free();
    if (conn) conn.send(ex, bytes);
    else this.waiting.push({ ex, bytes });
  }

  private free(): Connection | null {
    const now = performance.now();
    for (let c = this.idle.pop(); c; c = this.idle.pop()) {
      if (!c.closed && c.idleUntil > now) return c;
      c.destroy();
    }
    if (this.all.size < this.opts.connections) {
      const c = new Connection(this, this.url, this.opts.connectTimeoutMs);
      this.all.add(c);
      return c;
    }
    return null;
  }

  /** The next waiting request that still wants an answer, if any. */
  private next(): { ex: HttpExchange; bytes: string } | undefined {
    for (let w = this.waiting.shift(); w; w = this.waiting.shift()) if (!w.ex.done) return w;
    return undefined;
  }

  release(c: Connection): void {
    const w = this.next();
    if (w) c.send(w.ex, w.bytes);
    else this.idle.push(c);
  }

  forget(c: Connection): void {
    this.all.delete(c);
    const i = this.idle.indexOf(c);
    if (i !== -1) this.idle.splice(i, 1);
    if (this.destroyed) return;
    // A socket gone frees a place: the next waiting request gets a fresh one.
    if (this.waiting.length > 0) {
      const w = this.next();
      if (w) {
        const fresh = this.free();
        if (fresh) fresh.send(w.ex, w.bytes);
        else this.waiting.unshift(w);
      }
    }
  }

  /** Close every socket; waiting and in-flight requests fail (callers cancel theirs first). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const w of this.waiting.splice(0)) if (!w.ex.done) w.ex.onError(new Error('the pool was closed'));
    for (const c of [...this.all]) c.destroy();
  }
}

/**
 * A loopback GitHub Actions Results service for `@actions/artifact` 6.x, backed by a real Azure Blob
 * emulator (azurite) that checks every SAS signature.
 *
 *  - Twirp `POST /twirp/github.actions.results.api.v1.ArtifactService/{CreateArtifact,
 *    FinalizeArtifact,ListArtifacts,GetSignedArtifactURL,DeleteArtifact}` (JSON, snake_case fields,
 *    int64 as strings, wrappers as bare values, errors as `{code, msg}` with Twirp's HTTP statuses),
 *    authenticated by `Authorization: Bearer <ACTIONS_RUNTIME_TOKEN>`; the token's
 *    `Actions.Results:<run>:<job>` scope must match the run (and, for writes, the job) in the request.
 *  - Signed URLs are Azure service SAS URLs (HMAC-SHA256 with a random account key) for a blob in
 *    azurite (`azurite-blob --inMemoryPersistence` on a free loopback port). Upload URLs carry
 *    `sp=cw`, download URLs `sp=r`; azurite refuses a URL whose signature, permission, blob path or
 *    expiry does not match. They point at a thin recording proxy in front of azurite (the signature
 *    covers account/container/blob, not the host), so tests see every block and can inject faults.
 *  - FinalizeArtifact checks that the blob was committed, that its length equals the declared
 *    `size` and that its SHA-256 equals the declared `hash`.
 *
 * Everything stays inspectable: `artifacts()`, `calls`, `blobRequests`, `readArtifact(id)`,
 * `blockList(id)`, `unzip(buffer)`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { ROOT, base64url, closeServer, listenLoopback, node24, readBody, sendJson } from './common.js';

export const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/';
export type TwirpMethod = 'CreateArtifact' | 'FinalizeArtifact' | 'ListArtifacts' | 'GetSignedArtifactURL' | 'DeleteArtifact';
const TWIRP_METHODS: readonly TwirpMethod[] = ['CreateArtifact', 'FinalizeArtifact', 'ListArtifacts', 'GetSignedArtifactURL', 'DeleteArtifact'];

/** Twirp error codes and the HTTP status Twirp maps each to. */
const TWIRP_STATUS = {
  invalid_argument: 400,
  malformed: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  failed_precondition: 412,
  resource_exhausted: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type TwirpCode = keyof typeof TWIRP_STATUS;

// ---------------------------------------------------------------------------------------------
// ACTIONS_RUNTIME_TOKEN

export interface RuntimeTokenOptions {
  /** The workflow run's backend id (a UUID on GitHub). */
  runBackendId: string;
  /** The job's backend id (a UUID on GitHub). */
  jobBackendId: string;
  /** Sign with HS256 under this secret; without it the token is `alg: none` with an empty signature. */
  secret?: string | Buffer;
  /** Lifetime; default 6 hours (GitHub's job token lives as long as the job). */
  expiresInSeconds?: number;
  /** Replaces the whole `scp` claim (to forge bad scopes in tests). */
  scp?: string;
}

/**
 * An ACTIONS_RUNTIME_TOKEN: a JWT shaped like the runner's (`scp` holds
 * `Actions.GenericRead:… Actions.UploadArtifacts:<run>:<job> Actions.Results:<run>:<job>`).
 * `@actions/artifact` decodes it without verifying; this service verifies the HS256 signature
 * when it was started with `verifyTokens` (the default), so use `service.runtimeToken()` there.
 */
export function makeRuntimeToken(o: RuntimeTokenOptions): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: o.secret ? 'HS256' : 'none', x5t: o.secret ? 'fake-loopback' : undefined };
  const payload = {
    nameid: 'dddddddd-dddd-dddd-dddd-dddddddddddd',
    scp:
      o.scp ??
      `Actions.GenericRead:00000000-0000-0000-0000-000000000000 Actions.UploadArtifacts:${o.runBackendId}:${o.jobBackendId} Actions.Results:${o.runBackendId}:${o.jobBackendId}`,
    TrustedForDelegation: 'false',
    iss: 'vstoken.actions.githubusercontent.com',
    aud: 'vso:00000000-0000-0000-0000-000000000000',
    nbf: now - 60,
    iat: now - 60,
    exp: now + (o.expiresInSeconds ?? 6 * 3600),
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = o.secret ? createHmac('sha256', o.secret).update(signingInput).digest('base64url') : '';
  return `${signingInput}.${signature}`;
}

export interface DecodedRuntimeToken {
  header: Record<string, unknown>;
  payload: Record<string, unknown> & { scp?: string; exp?: number; nbf?: number };
  /** From the `Actions.Results:<run>:<job>` scope, when present and well-formed. */
  results?: { runBackendId: string; jobBackendId: string };
}

/** Decode (not verify) a runtime token the way `@actions/artifact` does; undefined when it is not a JWT. */
export function decodeRuntimeToken(token: string): DecodedRuntimeToken | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as DecodedRuntimeToken['payload'];
    const out: DecodedRuntimeToken = { header, payload };
    for (const scope of typeof payload.scp === 'string' ? payload.scp.split(' ') : []) {
      const p = scope.split(':');
      if (p[0] === 'Actions.Results' && p.length === 3 && p[1] && p[2]) out.results = { runBackendId: p[1], jobBackendId: p[2] };
    }
    return out;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Azure SAS (service SAS for a blob, account SAS for creating the container), version 2020-12-06+

const SAS_VERSION = '2023-11-03';
/** `x-ms-version` for the calls this helper makes itself. */
const API_VERSION = '2023-11-03';

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function hmac(key: Buffer, s: string): string {
  return createHmac('sha256', key).update(s, 'utf8').digest('base64');
}

interface BlobSasFields {
  permissions: string;
  expiry: Date;
  start?: Date;
  contentDisposition?: string;
  contentType?: string;
}

function blobSas(account: string, key: Buffer, container: string, blob: string, f: BlobSasFields): string {
  const st = f.start ? isoSeconds(f.start) : '';
  const se = isoSeconds(f.expiry);
  const stringToSign = [
    f.permissions,
    st,
    se,
    `/blob/${account}/${container}/${blob}`,
    '', // signedIdentifier
    '', // signedIP
    'http', // signedProtocol: the emulator is plain HTTP
    SAS_VERSION,
    'b', // signedResource
    '', // signedSnapshotTime
    '', // signedEncryptionScope
    '', // rscc
    f.contentDisposition ?? '',
    '', // rsce
    '', // rscl
    f.contentType ?? '',
  ].join('\n');
  const q = new URLSearchParams();
  q.set('sv', SAS_VERSION);
  if (st) q.set('st', st);
  q.set('se', se);
  q.set('sr', 'b');
  q.set('sp', f.permissions);
  q.set('spr', 'http');
  if (f.contentDisposition) q.set('rscd', f.contentDisposition);
  if (f.contentType) q.set('rsct', f.contentType);
  q.set('sig', hmac(key, stringToSign));
  return q.toString();
}

function accountSas(account: string, key: Buffer, permissions: string, resourceTypes: string, expiry: Date): string {
  const se = isoSeconds(expiry);
  const stringToSign = [account, permissions, 'b', resourceTypes, '', se, '', 'http', SAS_VERSION, '', ''].join('\n');
  const q = new URLSearchParams({ sv: SAS_VERSION, ss: 'b', srt: resourceTypes, sp: permissions, se, spr: 'http' });
  q.set('sig', hmac(key, stringToSign));
  return q.toString();
}

/** Encode a blob name for a URL path (keeps `/`). */
function blobPath(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/');
}

// ---------------------------------------------------------------------------------------------
// Minimal ZIP reader (central directory, stored/deflate, zip64 extras) for inspecting artifacts

/** The files in a zip (directories omitted), by their path inside the archive. */
export function unzip(zip: Buffer): Map<string, Buffer> {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65535); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip: no end-of-central-directory record');
  let count = zip.readUInt16LE(eocd + 10);
  let cd = zip.readUInt32LE(eocd + 16);
  if ((count === 0xffff || cd === 0xffffffff) && eocd >= 20 && zip.readUInt32LE(eocd - 20) === 0x07064b50) {
    const z64 = Number(zip.readBigUInt64LE(eocd - 20 + 8));
    count = Number(zip.readBigUInt64LE(z64 + 32));
    cd = Number(zip.readBigUInt64LE(z64 + 48));
  }
  const files = new Map<string, Buffer>();
  let p = cd;
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry at ${p}`);
    const method = zip.readUInt16LE(p + 10);
    let compSize = zip.readUInt32LE(p + 20);
    let size = zip.readUInt32LE(p + 24);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    let local = zip.readUInt32LE(p + 42);
    const name = zip.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = zip.readUInt16LE(e);
      const len = zip.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) { size = Number(zip.readBigUInt64LE(q)); q += 8; }
        if (compSize === 0xffffffff) { compSize = Number(zip.readBigUInt64LE(q)); q += 8; }
        if (local === 0xffffffff) { local = Number(zip.readBigUInt64LE(q)); }
      }
      e += 4 + len;
    }
    p = extraEnd + commentLen;
    if (name.endsWith('/')) continue;
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + compSize);
    const data = method === 0 ? Buffer.from(raw) : method === 8 ? inflateRawSync(raw) : undefined;
    if (!data) throw new Error(`${name}: unsupported zip method ${method}`);
    if (data.length !== size) throw new Error(`${name}: ${data.length} bytes inflated, central directory says ${size}`);
    files.set(name, data);
  }
  return files;
}

// ---------------------------------------------------------------------------------------------
// The service

export interface StoredArtifact {
  /** The database id (`artifact_id` / REST `id`), assigned at CreateArtifact, visible once finalized. */
  id: number;
  name: string;
  runBackendId: string;
  jobBackendId: string;
  /** From CreateArtifact's `mime_type` (application/zip unless the upload skipped archiving). */
  mimeType: string;
  version: number;
  /** Blob name inside the container. */
  blobName: string;
  createdAt: Date;
  expiresAt?: Date;
  finalizedAt?: Date;
  /** Bytes, as declared by FinalizeArtifact (and checked against the blob). */
  size?: number;
  /** `sha256:<hex>` as declared by FinalizeArtifact (and checked against the blob). */
  digest?: string;
  deleted: boolean;
}

export interface TwirpCall {
  method: string;
  status: number;
  request: unknown;
  response: unknown;
  authorization: string | undefined;
  at: Date;
}

export interface BlobRequest {
  method: string;
  /** Blob name (decoded path after the container). */
  blob: string;
  /** The `comp` query parameter (`block`, `blocklist`, …) or '' for a plain PUT/GET. */
  comp: string;
  blockId?: string;
  /** Bytes in the request body. */
  bytes: number;
  status: number;
  /** Set when this response came from an injected fault, not from azurite. */
  injected?: boolean;
}

export interface BlobFault {
  method?: string;
  comp?: string;
  status: number;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface ArtifactsServiceOptions {
  /** Refuse runtime tokens that this service did not sign (default true; GitHub verifies its tokens). */
  verifyTokens?: boolean;
  /** Lifetime of upload URLs (default 3600 s). */
  uploadUrlTtlSeconds?: number;
  /** Lifetime of download URLs from GetSignedArtifactURL (default 3600 s). */
  downloadUrlTtlSeconds?: number;
  /** First database id handed out (default a random 10-digit number, like GitHub's). */
  firstArtifactId?: number;
  /** Node binary for azurite (default: the Node 24 in tools/node24 if present, else this process's). */
  node?: string;
  /** Print azurite's output to this process's stderr. */
  verbose?: boolean;
}

export interface ArtifactsService {
  /** ACTIONS_RESULTS_URL: the Twirp service's origin plus `/` (the client uses the origin only). */
  readonly resultsUrl: string;
  /** The blob endpoint's origin (the recording proxy in front of azurite). */
  readonly blobOrigin: string;
  /** Azurite's own origin (no proxy). */
  readonly azuriteOrigin: string;
  readonly account: string;
  readonly container: string;
  /** Every Twirp call, in order. */
  readonly calls: TwirpCall[];
  /** Every request that went through the blob proxy, in order. */
  readonly blobRequests: BlobRequest[];
  /** A runtime token signed by this service, for a run/job (random UUIDs when omitted); `o` forges scp/expiry. */
  runtimeToken(runBackendId?: string, jobBackendId?: string, o?: Pick<RuntimeTokenOptions, 'scp' | 'expiresInSeconds'>): string;
  /** Every artifact ever created (including unfinalized and deleted ones), by id. */
  artifacts(): StoredArtifact[];
  /** The artifact with this database id, if any. */
  artifact(id: number): StoredArtifact | undefined;
  /** Finalized, not deleted artifacts of a run (optionally by name), newest id last. */
  listFinalized(runBackendId: string, name?: string): StoredArtifact[];
  /** A signed read URL for an artifact's blob (REST /zip redirects here). */
  signedDownloadUrl(id: number, ttlSeconds?: number): string;
  /** The stored bytes of an artifact (the zip, or the raw file when archiving was skipped). */
  readArtifact(id: number): Promise<Buffer>;
  /** The committed block list of an artifact's blob (names decoded from base64, sizes). */
  blockList(id: number): Promise<Array<{ name: string; size: number }>>;
  /** Mark an artifact deleted (REST DELETE uses this); false when there is none to delete. */
  deleteArtifact(id: number): boolean;
  /** Make the next `times` calls of a Twirp method (or '*') answer `status` with a Twirp error. */
  failTwirp(method: TwirpMethod | '*', status: number, times?: number): void;
  /** Make matching blob requests answer `status` (an Azure XML error) instead of reaching azurite. */
  failBlob(fault: BlobFault): void;
  close(): Promise<void>;
}

interface AzuriteProcess {
  child: ChildProcess;
  port: number;
}

async function startAzurite(account: string, key: Buffer, node: string, verbose: boolean): Promise<AzuriteProcess> {
  const main = join(ROOT, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');
  // The IPC channel is a lifeline: when this process dies (even by SIGKILL) the channel closes and
  // the preloaded handler ends azurite, so no emulator outlives its test.
  const lifeline = 'data:text/javascript,process.on("disconnect",()=>process.exit(0))';
  const child = spawn(
    node,
    ['--import', lifeline, main, '--blobHost', '127.0.0.1', '--blobPort', '0', '--inMemoryPersistence', '--extentMemoryLimit', '2048', '--disableTelemetry', '--silent'],
    {
      env: { ...process.env, AZURITE_ACCOUNTS: `${account}:${key.toString('base64')}` },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  let out = '';
  return new Promise<AzuriteProcess>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`azurite did not start within 30 s:\n${out}`));
    }, 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (verbose) process.stderr.write(d);
      const m = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ child, port: Number(m[1]) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`azurite exited (${code ?? signal}) before listening:\n${out}`));
    });
  });
}

/** One HTTP exchange with azurite (for the service's own calls). */
function azureCall(
  url: string,
  method: string,
  headers: Record<string, string> = {},
  body?: Buffer,
): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest(url, { method, headers: { 'x-ms-version': API_VERSION, 'x-ms-date': new Date().toUTCString(), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function twirpError(res: ServerResponse, code: TwirpCode, msg: string): { status: number; body: unknown } {
  const body = { code, msg };
  sendJson(res, TWIRP_STATUS[code], body);
  return { status: TWIRP_STATUS[code], body };
}

class TwirpFailure extends Error {
  constructor(
    readonly code: TwirpCode,
    msg: string,
  ) {
    super(msg);
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Start azurite, the blob proxy and the Twirp service. Call close() when done. */
export async function startArtifactsService(opts: ArtifactsServiceOptions = {}): Promise<ArtifactsService> {
  const verifyTokens = opts.verifyTokens ?? true;
  const uploadTtl = opts.uploadUrlTtlSeconds ?? 3600;
  const downloadTtl = opts.downloadUrlTtlSeconds ?? 3600;
  const secret = randomBytes(32);
  const account = 'actionsresults';
  const container = 'actions-results';
  const key = randomBytes(64);
  const azurite = await startAzurite(account, key, opts.node ?? node24() ?? process.execPath, opts.verbose ?? false);
  const azuriteOrigin = `http://127.0.0.1:${azurite.port}`;

  const stopAzurite = async () => {
    const c = azurite.child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    if (c.connected) c.disconnect();
    else c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(t);
  };

  try {
    const sas = accountSas(account, key, 'c', 'c', new Date(Date.now() + 3600_000));
    const r = await azureCall(`${azuriteOrigin}/${account}/${container}?restype=container&${sas}`, 'PUT', { 'content-length': '0' });
    if (r.status !== 201) throw new Error(`azurite: creating container ${container} gave ${r.status}: ${r.body.toString()}`);
  } catch (err) {
    await stopAzurite();
    throw err;
  }

  const calls: TwirpCall[] = [];
  const blobRequests: BlobRequest[] = [];
  const twirpFaults: Array<{ method: string; status: number; times: number }> = [];
  const blobFaults: Array<Required<Pick<BlobFault, 'status' | 'times'>> & BlobFault> = [];
  const store = new Map<number, StoredArtifact>();
  let nextId = opts.firstArtifactId ?? 1_000_000_000 + Math.floor(Math.random() * 8_000_000_000);

  // --- the blob proxy -------------------------------------------------------------------------
  const blobPrefix = `/${account}/${container}/`;
  const proxy: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const blob = url.pathname.startsWith(blobPrefix) ? decodeURIComponent(url.pathname.slice(blobPrefix.length)) : url.pathname;
    const record: BlobRequest = {
      method: req.method ?? '',
      blob,
      comp: url.searchParams.get('comp') ?? '',
      bytes: 0,
      status: 0,
    };
    const blockId = url.searchParams.get('blockid');
    if (blockId !== null) record.blockId = blockId;
    blobRequests.push(record);
    req.on('data', (c: Buffer) => (record.bytes += c.length));
    const fault = blobFaults.find((f) => f.times > 0 && (!f.method || f.method === req.method) && (f.comp === undefined || f.comp === record.comp));
    if (fault) {
      fault.times--;
      req.resume();
      req.on('end', () => {
        record.status = fault.status;
        record.injected = true;
        const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>Injected fault ${fault.status}</Message></Error>`;
        res.writeHead(fault.status, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(xml)), 'x-ms-error-code': 'ServerBusy' });
        res.end(xml);
      });
      return;
    }
    const upstream = httpRequest(
      `${azuriteOrigin}${req.url ?? '/'}`,
      { method: req.method, headers: { ...req.headers, host: `127.0.0.1:${azurite.port}` } },
      (up) => {
        record.status = up.statusCode ?? 0;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      record.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`blob proxy: ${err.message}`);
    });
    req.pipe(upstream);
  });
  const proxyPort = await listenLoopback(proxy);
  const blobOrigin = `http://127.0.0.1:${proxyPort}`;

  const blobUrl = (origin: string, blob: string, sas: string) => `${origin}/${account}/${container}/${blobPath(blob)}?${sas}`;
  const readSas = (a: StoredArtifact, ttl: number) => {
    const isZip = a.mimeType === 'application/zip';
    const fileName = isZip ? `${a.name}.zip` : a.name;
    return blobSas(account, key, container, a.blobName, {
      permissions: 'r',
      start: new Date(Date.now() - 5 * 60_000),
      expiry: new Date(Date.now() + ttl * 1000),
      contentDisposition: `attachment; filename="${fileName.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
    });
  };
  const readDirect = async (a: StoredArtifact): Promise<Buffer> => {
    const r = await azureCall(blobUrl(azuriteOrigin, a.blobName, readSas(a, 300)), 'GET');
    if (r.status !== 200) throw new Error(`azurite: GET ${a.blobName} gave ${r.status}: ${r.body.toString()}`);
    return r.body;
  };

  // --- Twirp ------------------------------------------------------------------------------------
  const tokenIds = (authorization: string | undefined): { runBackendId: string; jobBackendId: string } => {
    const m = /^Bearer (\S+)$/i.exec(authorization ?? '');
    if (!m) throw new TwirpFailure('unauthenticated', 'missing or malformed Authorization: Bearer header');
    const token = m[1]!;
    const decoded = decodeRuntimeToken(token);
    if (!decoded) throw new TwirpFailure('unauthenticated', 'the runtime token is not a JWT');
    if (verifyTokens) {
      const [h, p, s] = token.split('.') as [string, string, string];
      const want = createHmac('sha256', secret).update(`${h}.${p}`).digest();
      const got = Buffer.from(s, 'base64url');
      if (decoded.header.alg !== 'HS256' || got.length !== want.length || !timingSafeEqual(got, want)) {
        throw new TwirpFailure('unauthenticated', 'the runtime token signature is not valid');
      }
    }
    const now = Date.now() / 1000;
    if (typeof decoded.payload.exp === 'number' && decoded.payload.exp < now) throw new TwirpFailure('unauthenticated', 'the runtime token has expired');
    if (typeof decoded.payload.nbf === 'number' && decoded.payload.nbf > now + 300) throw new TwirpFailure('unauthenticated', 'the runtime token is not valid yet');
    if (!decoded.results) throw new TwirpFailure('permission_denied', 'the runtime token has no Actions.Results:<run>:<job> scope');
    return decoded.results;
  };

  const findPending = (run: string, job: string, name: string) =>
    [...store.values()].find((a) => a.runBackendId === run && a.jobBackendId === job && a.name === name && !a.finalizedAt && !a.deleted);
  const findFinal = (run: string, name: string, job?: string) =>
    [...store.values()]
      .filter((a) => a.runBackendId === run && a.name === name && a.finalizedAt && !a.deleted && (job === undefined || a.jobBackendId === job))
      .sort((x, y) => y.id - x.id)[0];

  const handlers: Record<TwirpMethod, (body: Record<string, unknown>, ids: { runBackendId: string; jobBackendId: string }) => Promise<unknown>> = {
    async CreateArtifact(b, ids) {
      const run = str(b.workflow_run_backend_id);
      const job = str(b.workflow_job_run_backend_id);
      const name = str(b.name);
      if (!run || !job) throw new TwirpFailure('invalid_argument', 'workflow_run_backend_id and workflow_job_run_backend_id are required');
      if (run !== ids.runBackendId || job !== ids.jobBackendId) throw new TwirpFailure('permission_denied', 'the runtime token is not valid for this workflow job');
      if (!name) throw new TwirpFailure('invalid_argument', 'name is required');
      const version = typeof b.version === 'number' ? b.version : 0;
      if (version < 4) throw new TwirpFailure('invalid_argument', `unsupported artifact version ${version}`);
      if (findFinal(run, name)) throw new TwirpFailure('already_exists', 'an artifact with this name already exists on the workflow run');
      const pending = findPending(run, job, name);
      if (pending) pending.deleted = true; // a retried create replaces the unfinished one
      const mimeType = str(b.mime_type) || 'application/zip';
      const hash = createHash('sha256').update(name).digest('hex');
      const a: StoredArtifact = {
        id: nextId++,
        name,
        runBackendId: run,
        jobBackendId: job,
        mimeType,
        version,
        blobName: `${run}/workflow-job-run-${job}/artifacts/${hash}${mimeType === 'application/zip' ? '.zip' : ''}`,
        createdAt: new Date(),
        deleted: false,
      };
      if (typeof b.expires_at === 'string') a.expiresAt = new Date(b.expires_at);
      store.set(a.id, a);
      const sas = blobSas(account, key, container, a.blobName, {
        permissions: 'cw',
        start: new Date(Date.now() - 5 * 60_000),
        expiry: new Date(Date.now() + uploadTtl * 1000),
      });
      return { ok: true, signed_upload_url: blobUrl(blobOrigin, a.blobName, sas) };
    },

    async FinalizeArtifact(b, ids) {
      const run = str(b.workflow_run_backend_id);
      const job = str(b.workflow_job_run_backend_id);
      const name = str(b.name);
      if (run !== ids.runBackendId || job !== ids.jobBackendId) throw new TwirpFailure('permission_denied', 'the runtime token is not valid for this workflow job');
      const a = findPending(run, job, name);
      if (!a) {
        if (findFinal(run, name, job)) throw new TwirpFailure('failed_precondition', `artifact ${name} is already finalized`);
        throw new TwirpFailure('not_found', `no artifact named ${name} was created for this job`);
      }
      if (!/^\d+$/.test(str(b.size))) throw new TwirpFailure('invalid_argument', 'size must be an int64');
      const size = Number(b.size);
      const head = await azureCall(blobUrl(azuriteOrigin, a.blobName, readSas(a, 300)), 'HEAD');
      if (head.status === 404) throw new TwirpFailure('failed_precondition', 'the artifact blob was never committed');
      if (head.status !== 200) throw new TwirpFailure('internal', `blob store answered ${head.status}`);
      const actualSize = Number(head.headers['content-length']);
      if (actualSize !== size) throw new TwirpFailure('invalid_argument', `declared size ${size} does not match the uploaded ${actualSize} bytes`);
      const data = await readDirect(a);
      const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
      const hash = str(b.hash);
      if (hash && hash !== digest) throw new TwirpFailure('invalid_argument', `declared hash ${hash} does not match the uploaded content (${digest})`);
      a.size = size;
      a.digest = digest;
      a.finalizedAt = new Date();
      return { ok: true, artifact_id: String(a.id) };
    },

    async ListArtifacts(b, ids) {
      const run = str(b.workflow_run_backend_id);
      if (run !== ids.runBackendId) throw new TwirpFailure('permission_denied', 'the runtime token is not valid for this workflow run');
      const nameFilter = typeof b.name_filter === 'string' ? b.name_filter : undefined;
      const idFilter = typeof b.id_filter === 'string' || typeof b.id_filter === 'number' ? Number(b.id_filter) : undefined;
      const list = [...store.values()]
        .filter((a) => a.runBackendId === run && a.finalizedAt && !a.deleted)
        .filter((a) => nameFilter === undefined || a.name === nameFilter)
        .filter((a) => idFilter === undefined || a.id === idFilter)
        .sort((x, y) => x.id - y.id);
      return {
        artifacts: list.map((a) => ({
          workflow_run_backend_id: a.runBackendId,
          workflow_job_run_backend_id: a.jobBackendId,
          database_id: String(a.id),
          name: a.name,
          size: String(a.size ?? 0),
          created_at: a.createdAt.toISOString(),
          ...(a.digest ? { digest: a.digest } : {}),
        })),
      };
    },

    async GetSignedArtifactURL(b, ids) {
      const run = str(b.workflow_run_backend_id);
      if (run !== ids.runBackendId) throw new TwirpFailure('permission_denied', 'the runtime token is not valid for this workflow run');
      const a = findFinal(run, str(b.name), str(b.workflow_job_run_backend_id) || undefined);
      if (!a) throw new TwirpFailure('not_found', `artifact ${str(b.name)} not found`);
      return { signed_url: blobUrl(blobOrigin, a.blobName, readSas(a, downloadTtl)) };
    },

    async DeleteArtifact(b, ids) {
      const run = str(b.workflow_run_backend_id);
      if (run !== ids.runBackendId) throw new TwirpFailure('permission_denied', 'the runtime token is not valid for this workflow run');
      const a = findFinal(run, str(b.name), str(b.workflow_job_run_backend_id) || undefined);
      if (!a) throw new TwirpFailure('not_found', `artifact ${str(b.name)} not found`);
      a.deleted = true;
      return { ok: true, artifact_id: String(a.id) };
    },
  };

  const twirp: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const call: TwirpCall = { method: url.pathname, status: 0, request: undefined, response: undefined, authorization: req.headers.authorization, at: new Date() };
      calls.push(call);
      const finish = (r: { status: number; body: unknown }) => {
        call.status = r.status;
        call.response = r.body;
      };
      const raw = await readBody(req);
      if (!url.pathname.startsWith(TWIRP_PREFIX)) return finish(twirpError(res, 'bad_route', `no handler for path "${url.pathname}"`));
      const method = url.pathname.slice(TWIRP_PREFIX.length);
      call.method = method;
      if (!(TWIRP_METHODS as readonly string[]).includes(method)) return finish(twirpError(res, 'bad_route', `no handler for path "${url.pathname}"`));
      if (req.method !== 'POST') return finish(twirpError(res, 'bad_route', `unsupported method "${req.method}" (only POST is allowed)`));
      const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (ct !== 'application/json') return finish(twirpError(res, 'bad_route', `unexpected Content-Type: "${ct}"`));
      let body: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(raw.toString('utf8'));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        body = parsed as Record<string, unknown>;
      } catch (err) {
        return finish(twirpError(res, 'malformed', `the json request could not be decoded: ${(err as Error).message}`));
      }
      call.request = body;
      const fault = twirpFaults.find((f) => f.times > 0 && (f.method === '*' || f.method === method));
      if (fault) {
        fault.times--;
        const code = (Object.keys(TWIRP_STATUS) as TwirpCode[]).find((c) => TWIRP_STATUS[c] === fault.status) ?? 'internal';
        const r = { code, msg: `injected fault ${fault.status}` };
        sendJson(res, fault.status, r);
        return finish({ status: fault.status, body: r });
      }
      try {
        const ids = tokenIds(req.headers.authorization);
        const out = await handlers[method as TwirpMethod](body, ids);
        sendJson(res, 200, out);
        finish({ status: 200, body: out });
      } catch (err) {
        if (err instanceof TwirpFailure) return finish(twirpError(res, err.code, err.message));
        return finish(twirpError(res, 'internal', (err as Error).message));
      }
    })().catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { code: 'internal', msg: String(err) });
    });
  });
  const twirpPort = await listenLoopback(twirp);

  const requireArtifact = (id: number) => {
    const a = store.get(id);
    if (!a) throw new Error(`no artifact with id ${id}`);
    return a;
  };

  return {
    resultsUrl: `http://127.0.0.1:${twirpPort}/`,
    blobOrigin,
    azuriteOrigin,
    account,
    container,
    calls,
    blobRequests,
    runtimeToken: (run = randomUUID(), job = randomUUID(), o = {}) => makeRuntimeToken({ ...o, runBackendId: run, jobBackendId: job, secret }),
    artifacts: () => [...store.values()].sort((x, y) => x.id - y.id),
    artifact: (id) => store.get(id),
    listFinalized: (run, name) =>
      [...store.values()]
        .filter((a) => a.runBackendId === run && a.finalizedAt && !a.deleted && (name === undefined || a.name === name))
        .sort((x, y) => x.id - y.id),
    signedDownloadUrl: (id, ttl = 60) => blobUrl(blobOrigin, requireArtifact(id).blobName, readSas(requireArtifact(id), ttl)),
    readArtifact: (id) => readDirect(requireArtifact(id)),
    async blockList(id) {
      const a = requireArtifact(id);
      const r = await azureCall(`${blobUrl(azuriteOrigin, a.blobName, readSas(a, 300))}&comp=blocklist&blocklisttype=committed`, 'GET');
      if (r.status !== 200) throw new Error(`azurite: Get Block List gave ${r.status}: ${r.body.toString()}`);
      const xml = r.body.toString('utf8');
      return [...xml.matchAll(/<Block><Name>([^<]*)<\/Name><Size>(\d+)<\/Size><\/Block>/g)].map((m) => ({
        name: Buffer.from(m[1]!, 'base64').toString('utf8'),
        size: Number(m[2]),
      }));
    },
    deleteArtifact(id) {
      const a = store.get(id);
      if (!a || a.deleted || !a.finalizedAt) return false;
      a.deleted = true;
      return true;
    },
    failTwirp(method, status, times = 1) {
      twirpFaults.push({ method, status, times });
    },
    failBlob(fault) {
      blobFaults.push({ ...fault, times: fault.times ?? 1 });
    },
    async close() {
      await Promise.all([closeServer(twirp), closeServer(proxy)]);
      await stopAzurite();
    },
  };
}

/**
 * Stream every container of a Compose project into `logs/<service>.log`, with Docker's
 * timestamps, as it runs: a container that appears later (the simulator after the server is
 * healthy) is picked up by polling, and one that stops and starts again (a kill fault) is followed
 * again from where its log left off — no line twice, none lost.
 */
import { mkdirSync } from 'node:fs';
import { CappedLog } from '../target/capped-log.js';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { projectContainers } from './docker.js';

export interface LogStreamer {
  /** service name → log file path, for every service seen so far. */
  files(): Record<string, string>;
  /** Fetch whatever the engine still holds beyond what was streamed, then stop. Idempotent. */
  stop(): Promise<void>;
}

interface Followed {
  service: string;
  /** Capped like a local server's log: the first 8 MiB and the last 2 MiB (target/capped-log.ts). */
  file: CappedLog;
  /** The last timestamp written (RFC 3339 with nanoseconds, as Docker prints it). */
  last: string;
  stream?: NodeJS.ReadableStream;
  following: boolean;
}

const TS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z) /;

export function streamProjectLogs(docker: Docker, project: string, logDir: string, opts: { pollMs?: number } = {}): LogStreamer {
  mkdirSync(logDir, { recursive: true });
  const byContainer = new Map<string, Followed>();
  const files: Record<string, string> = {};
  let stopped = false;

  const writeLines = (f: Followed, text: string) => {
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const m = TS.exec(line);
      // Docker's timestamps sort as strings (fixed width up to the nanoseconds): skip what we already wrote.
      if (m && m[1]! <= f.last) continue;
      if (m) f.last = m[1]!;
      f.file.write(`${line}\n`);
    }
  };

  const attach = async (id: string, f: Followed, follow: boolean) => {
    const container = docker.getContainer(id);
    const since = f.last ? Math.floor(Date.parse(f.last) / 1000) : 0;
    const out = new PassThrough();
    let carry = '';
    out.on('data', (chunk: Buffer) => {
      const text = carry + chunk.toString('utf8');
      const cut = text.lastIndexOf('\n');
      carry = cut === -1 ? text : text.slice(cut + 1);
      if (cut !== -1) writeLines(f, text.slice(0, cut + 1));
    });
    const flush = () => {
      if (carry) writeLines(f, carry);
      carry = '';
    };
    if (!follow) {
      const buf = (await container.logs({ follow: false, stdout: true, stderr: true, timestamps: true, since })) as unknown as Buffer;
      writeLines(f, demuxBuffer(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf))));
      return;
    }
    f.following = true;
    const stream = (await container.logs({ follow: true, stdout: true, stderr: true, timestamps: true, since })) as unknown as NodeJS.ReadableStream;
    f.stream = stream;
    docker.modem.demuxStream(stream, out, out);
    const ended = () => {
      flush();
      f.following = false;
      f.stream = undefined;
    };
    stream.once('end', ended);
    stream.once('error', ended);
  };

  const poll = async () => {
    let list: Docker.ContainerInfo[];
    try {
      list = await projectContainers(docker, project);
    } catch {
      return;
    }
    for (const info of list) {
      const service = info.Labels['com.docker.compose.service'] ?? info.Names[0]?.replace(/^\//, '') ?? info.Id.slice(0, 12);
      let f = byContainer.get(info.Id);
      if (!f) {
        const path = join(logDir, `${service}.log`);
        files[service] = path;
        f = { service, file: new CappedLog(path), last: '', following: false };
        byContainer.set(info.Id, f);
      }
      if (!f.following && info.State === 'running' && !stopped) await attach(info.Id, f, true).catch(() => undefined);
    }
  };

  let timer: NodeJS.Timeout | undefined;
  const loop = async () => {
    await poll();
    if (!stopped) timer = setTimeout(() => void loop(), opts.pollMs ?? 1000);
  };
  void loop();

  let stopping: Promise<void> | undefined;
  return {
    files: () => ({ ...files }),
    stop() {
      stopping ??= (async () => {
        stopped = true;
        clearTimeout(timer);
        await poll(); // containers that appeared since the last poll get a file too
        for (const [id, f] of byContainer) {
          f.stream?.removeAllListeners('end');
          (f.stream as { destroy?: () => void } | undefined)?.destroy?.();
          // What the engine holds that the stream had not delivered yet (a container that exited between polls).
          await attach(id, f, false).catch(() => undefined);
          await f.file.end();
        }
      })();
      return stopping;
    },
  };
}

/**
 * Docker's multiplexed log format (no TTY): frames of an 8-byte header — stream (0 stdin, 1
 * stdout, 2 stderr), three zero bytes, a big-endian length — then the payload. Pure; a buffer that
 * does not start with such a header is taken as raw text (a TTY container's log).
 */
export function demuxBuffer(buf: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= buf.length) {
    const kind = buf[at]!;
    if (kind > 2 || buf[at + 1] !== 0 || buf[at + 2] !== 0 || buf[at + 3] !== 0) return at === 0 ? buf.toString('utf8') : Buffer.concat(parts).toString('utf8');
    const size = buf.readUInt32BE(at + 4);
    parts.push(buf.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/**
 * A transparent byte pipe that puts a stdio MCP server on the network: every TCP connection gets
 * a fresh server process (as a stdio client spawns one per connection); the socket's bytes go to
 * its stdin unchanged and its stdout's bytes to the socket unchanged. No parsing, no framing, no
 * protocol translation: stdout pollution, partial lines and silent closes reach the client as the
 * server made them. The server's stderr goes to the pipe's stderr (the container's log).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { spawnServer } from '../target/process.js';
import type { ServerProcess } from '../target/types.js';

export interface TcpPipeOptions {
  host: string;
  port: number;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Where each server's stderr is appended; without it, it goes to this process's stderr. */
  stderrPath?: string;
  log?: (line: string) => void;
  /** Called with every server process the pipe starts. */
  onSpawn?: (proc: ServerProcess) => void;
}

export interface TcpPipe {
  readonly port: number;
  /** Live connections, each with its own server process. */
  connections(): number;
  /** Stop listening, close every connection, stop every server. Idempotent. */
  close(): Promise<void>;
}

export async function startTcpPipe(opts: TcpPipeOptions): Promise<TcpPipe> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const live = new Map<Socket, ServerProcess | undefined>();
  let nextId = 1;
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    const id = nextId++;
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    live.set(socket, undefined);
    socket.on('error', () => undefined);
    socket.pause();
    void (async () => {
      let proc: ServerProcess;
      try {
        proc = await spawnServer({ command: opts.command, args: opts.args, env: opts.env ?? {}, ...(opts.stderrPath ? { stderrPath: opts.stderrPath } : { stderrTo: process.stderr }), label: `pipe#${id}` });
      } catch (err) {
        log(`pipe #${id} ${peer}: ${(err as Error).message}`);
        socket.destroy();
        live.delete(socket);
        return;
      }
      live.set(socket, proc);
      opts.onSpawn?.(proc);
      log(`pipe #${id} ${peer}: connected, server pid ${proc.pid ?? '?'}`);
      socket.pipe(proc.stdin);
      proc.stdout.pipe(socket);
      socket.resume();
      // The client went away: the server's stdin has ended (pipe), give it a moment, then stop it.
      socket.once('close', () => {
        live.delete(socket);
        void proc.stop(2000);
      });
      void proc.exited.then(({ code, signal }) => {
        log(`pipe #${id} ${peer}: server exited (code=${code ?? 'none'} signal=${signal ?? 'none'})`);
        // Whatever stdout held is flushed by the pipe before end(); then the client sees the close.
        proc.stdout.once('end', () => socket.end());
        if (proc.stdout.readableEnded) socket.end();
        setTimeout(() => socket.destroy(), 1000).unref();
      });
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  log(`pipe: listening on ${opts.host}:${port} for ${[opts.command, ...opts.args].join(' ')}`);
  let closing: Promise<void> | undefined;
  return {
    port,
    connections: () => live.size,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const socket of live.keys()) socket.destroy();
        });
        await Promise.all([...live.values()].map((p) => p?.stop(1000)));
      })();
      return closing;
    },
  };
}

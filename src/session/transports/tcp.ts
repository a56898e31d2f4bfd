/**
 * Line-delimited JSON-RPC over TCP (`tcp://host:port`): a stdio server behind a transparent byte
 * pipe (`mcp-reliability pipe`). The socket stands in for the process's stdin and stdout, so the
 * stdio transport judges every byte the server wrote exactly as it does locally (stdout
 * pollution, partial lines); the end of the socket is the end of the peer.
 */
import { connect, type Socket } from 'node:net';
import type { ServerProcess } from '../../target/types.js';
import type { DisconnectReason } from '../types.js';

export interface TcpPeer {
  proc: ServerProcess;
  peerEnd: { reason: DisconnectReason; detail(): string };
}

/** `tcp://host:port` → host and port; throws a usable message for anything else. */
export function parseTcpUrl(url: string): { host: string; port: number } {
  const u = new URL(url);
  if (u.protocol !== 'tcp:') throw new Error(`a tcp target needs a tcp://host:port URL (got ${url})`);
  const port = Number(u.port);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`tcp URL ${url} has no port: expected tcp://host:port`);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
}

/** Connect to the pipe; resolves once the socket is connected. */
export function openTcpPeer(url: string, timeoutMs: number): Promise<TcpPeer> {
  const { host, port } = parseTcpUrl(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`tcp connect to ${host}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`tcp connect to ${host}:${port} failed: ${err.message}`));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socketPeer(socket, `${host}:${port}`));
    });
  });
}

function socketPeer(socket: Socket, where: string): TcpPeer {
  socket.setNoDelay(true);
  let lastError: string | undefined;
  socket.on('error', (err) => (lastError = err.message));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => socket.once('close', () => resolve({ code: null, signal: null })));
  const proc: ServerProcess = {
    pid: undefined,
    stdin: socket,
    stdout: socket,
    exited,
    isRunning: () => !socket.destroyed,
    signal: (sig) => {
      // A socket has no signals: any kill is an abrupt close (RST where the platform allows).
      if (sig !== 'SIGKILL' && sig !== 'SIGTERM') return;
      if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
      else socket.destroy();
    },
    stop: async (graceMs = 1000) => {
      if (socket.destroyed) return;
      socket.end();
      const timer = setTimeout(() => socket.destroy(), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  return {
    proc,
    peerEnd: { reason: 'transport-closed', detail: () => `the tcp pipe at ${where} closed${lastError ? ` (${lastError})` : ''}` },
  };
}

/**
 * The contracts targets and faults share — what a transport is, a server process, a container, a
 * stdio server's stdout valve, and what a fault needs of a started target — in a bottom module
 * that imports nothing of this project, so src/target and src/chaos depend on it and not on each
 * other's files.
 */
import type { Readable, Writable } from 'node:stream';

/**
 * `tcp`: line-delimited JSON-RPC over a TCP connection (`tcp://host:port`) — a stdio server behind a
 * transparent byte pipe (`mcp-reliability pipe`), so its stdout stays byte-for-byte what it wrote.
 */
export const TRANSPORTS = ['stdio', 'streamable-http', 'sse', 'websocket', 'tcp'] as const;
export type TransportKind = (typeof TRANSPORTS)[number];

/**
 * Where a server runs in a container: the service of a Compose project. Container faults (pause,
 * kill, restart, stop, network disconnect, memory squeeze, netem) act on that service's container.
 */
export interface ContainerRef {
  /** Compose service name, e.g. `mcp-server`. */
  service: string;
  /** Compose project name (the `com.docker.compose.project` label). */
  project: string;
}

/** A running local server process (stdio server, or the process behind a network target). */
export interface ServerProcess {
  readonly pid: number | undefined;
  readonly stdin: Writable;
  readonly stdout: Readable;
  /** Resolves once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
  /** Sends a signal to the process (and, for kills, its process group). */
  signal(sig: NodeJS.Signals): void;
  /** Stops the process and its children: SIGTERM, then SIGKILL after a grace period. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * What a stdio target's stdout valve does to the bytes between the server's stdout and the client:
 * `open` passes them through; `delay` holds each chunk for delayMs (± jitterMs, uniform) without
 * reordering; `hold` keeps everything until the valve is cleared; `cut` passes bytes up to the next
 * newline, then holds that newline and everything after it (the stream stops mid-line).
 */
export type StdoutValveMode =
  | { kind: 'open' }
  | { kind: 'delay'; delayMs: number; jitterMs?: number; rng?: () => number }
  | { kind: 'hold' }
  | { kind: 'cut' };

export interface StdoutValveStats {
  mode: StdoutValveMode['kind'];
  /** Chunks and bytes waiting in the valve (held or delayed), over every process it governs. */
  pendingChunks: number;
  pendingBytes: number;
  /** Processes whose stream the current `cut` has cut (bytes before the newline delivered, the rest held). */
  cutStreams: number;
}

/**
 * A control point between a stdio server's stdout and the session reading it. One per target; it
 * governs the current and every future connection's process until cleared.
 */
export interface StdoutValve {
  readonly mode: StdoutValveMode['kind'];
  /** Apply a mode. Whatever the previous mode held or delayed is released first, in order. */
  set(mode: StdoutValveMode): void;
  /** Back to plain pass-through; everything held or delayed is released at once, in order. */
  clear(): void;
  stats(): StdoutValveStats;
}

/** What a fault needs of a started target (src/target's RunningTarget is one). */
export interface FaultTarget {
  profile: { name: string; transport: TransportKind; launch?: unknown; container?: ContainerRef };
  endpoint: { url?: string };
  /** The server process now running, if this tool started one. */
  currentProcess(): ServerProcess | undefined;
  /** Local network targets: stop and start the server again on the same port. */
  restart?(): Promise<void>;
  /** stdio targets: the valve between the server's stdout and the session. */
  stdoutValve?(): StdoutValve;
}

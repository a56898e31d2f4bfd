/**
 * Target profiles: how to start or reach an MCP server, and which of its tools play which role.
 * Files live in `targets/*.json`; ad-hoc targets are built from a command line or a URL.
 */
import type { Readable, Writable } from 'node:stream';
import type { ToolRole } from '../scenario/types.js';

/**
 * `tcp`: line-delimited JSON-RPC over a TCP connection (`tcp://host:port`) — a stdio server behind a
 * transparent byte pipe (`mcp-reliability pipe`), so its stdout stays byte-for-byte what it wrote.
 */
export const TRANSPORTS = ['stdio', 'streamable-http', 'sse', 'websocket', 'tcp'] as const;
export type TransportKind = (typeof TRANSPORTS)[number];

/** A real tool and the arguments that make a valid call of it for a role. Strings may hold placeholders. */
export interface RoleBinding {
  tool: string;
  params?: Record<string, unknown>;
  /**
   * Not a tool call but this MCP request (only inferred, for a server that lists no tools: probe =
   * `ping`, work = a listing the server offers); `tool` then holds the method name for reports.
   */
  method?: RoleMethod;
  /** Inferred: the tool sends the client a request (elicitation/create, ...) during each call, which the lean load path cannot answer. */
  asksClient?: string;
}

export const ROLE_METHODS = ['ping', 'tools/list', 'resources/list', 'prompts/list'] as const;
export type RoleMethod = (typeof ROLE_METHODS)[number];

/** How to start a local process. `{{port}}` in args, env values and the target URL is a free port picked at start. */
export interface LaunchSpec {
  command: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** How long to wait for the server to become ready (ms). */
  readyTimeoutMs?: number;
}

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

export interface TargetProfile {
  name: string;
  description?: string;
  transport: TransportKind;
  /** stdio: the server command, spawned afresh for every connection. Network: the server to start locally, if any. */
  launch?: LaunchSpec;
  /** Network transports: where the server listens (may contain `{{port}}`). */
  url?: string;
  /** Extra HTTP headers (network transports). */
  headers?: Record<string, string>;
  /** The server lives in this container (a Compose stack): container faults act on it, its memory is sampled from it. */
  container?: ContainerRef;
  roles: Partial<Record<ToolRole, RoleBinding>>;
  /** The roles among `roles` that came from --role flags (the rest came from the profile). */
  roleFlags?: ToolRole[];
  /** Where the profile came from (file path, `<command line>`). */
  source?: string;
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

/** What the session needs to connect. */
export interface Endpoint {
  transport: TransportKind;
  /** Network transports: the URL to connect to. */
  url?: string;
  headers?: Record<string, string>;
  /** stdio: spawns a fresh server process for one connection. */
  openStdio?: () => Promise<ServerProcess>;
  /** A short label for reports and metric labels, e.g. `everything-stdio`. */
  label: string;
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

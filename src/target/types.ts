/**
 * Target profiles: how to start or reach an MCP server, and which of its tools play which role.
 * Files live in `targets/*.json`; ad-hoc targets are built from a command line or a URL.
 */
import type { ToolRole } from '../scenario/types.js';
import type { ContainerRef, ServerProcess, TransportKind } from '../contracts.js';

export { TRANSPORTS, type TransportKind, type ContainerRef, type ServerProcess, type StdoutValve, type StdoutValveMode, type StdoutValveStats, type FaultTarget } from '../contracts.js';

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


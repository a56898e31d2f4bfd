/**
 * The Docker side of container faults: a client (dockerode, loaded on first use so the core never
 * loads it for runs without containers), the one container of a Compose service found by its
 * labels, and Docker errors turned into words a user can act on.
 */
import type Docker from 'dockerode';
import type { ContainerRef } from '../../contracts.js';

let shared: Promise<Docker> | undefined;

/** dockerode's default client: DOCKER_HOST when set, else the socket /var/run/docker.sock. One per process. */
export function defaultDocker(): Promise<Docker> {
  return (shared ??= import('dockerode').then(({ default: DockerClass }) => new DockerClass()));
}

/** Where dockerode's default client talks to, for messages. */
export function engineAddress(): string {
  return process.env.DOCKER_HOST ? `DOCKER_HOST=${process.env.DOCKER_HOST}` : 'unix:///var/run/docker.sock';
}

interface DockerishError {
  statusCode?: number;
  code?: string;
  message?: string;
  json?: { message?: string } | null;
  reason?: string;
}

/** The HTTP status of a Docker API error (304 not modified, 404 gone, 409 conflict), if any. */
export function statusOf(err: unknown): number | undefined {
  return (err as DockerishError | undefined)?.statusCode;
}

/** A Docker error as words: the engine's own message, or why the engine cannot be reached and what to do. */
export function dockerMessage(err: unknown): string {
  const e = (err ?? {}) as DockerishError;
  if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'EHOSTUNREACH' || e.code === 'ETIMEDOUT') {
    return `cannot reach the Docker engine at ${engineAddress()} (${e.code}): container faults need it — mount /var/run/docker.sock into the container that runs the scenarios, or set DOCKER_HOST`;
  }
  if (e.code === 'EACCES') return `permission denied on the Docker socket (${engineAddress()}): run as root or as a member of the socket's group`;
  const engine = e.json?.message?.trim();
  if (engine) return `${engine} (HTTP ${e.statusCode ?? '?'})`;
  return e.message ?? String(err);
}

/** The container a fault acts on. */
export interface Located {
  id: string;
  /** `/name` without the slash, for messages. */
  name: string;
  container: Docker.Container;
}

const PROJECT_LABEL = 'com.docker.compose.project';
const SERVICE_LABEL = 'com.docker.compose.service';
const ONEOFF_LABEL = 'com.docker.compose.oneoff';

/**
 * The one container (running or not) of `ref.service` in Compose project `ref.project`, found by
 * the labels Compose sets; `compose run` one-offs do not count. Rejects with the project and the
 * service named when there is none, or more than one.
 */
export async function findServiceContainer(docker: Docker, ref: ContainerRef): Promise<Located> {
  const labels = `${PROJECT_LABEL}=${ref.project}, ${SERVICE_LABEL}=${ref.service}`;
  let list: Docker.ContainerInfo[];
  try {
    list = await docker.listContainers({ all: true, filters: { label: [`${PROJECT_LABEL}=${ref.project}`, `${SERVICE_LABEL}=${ref.service}`] } });
  } catch (err) {
    throw new Error(`looking up service "${ref.service}" of Compose project "${ref.project}": ${dockerMessage(err)}`);
  }
  const own = list.filter((c) => c.Labels?.[ONEOFF_LABEL] !== 'True');
  if (own.length === 0) {
    throw new Error(
      `no container of service "${ref.service}" in Compose project "${ref.project}" (labels ${labels}): is the stack up? Start it with \`mcp-reliability stack\`, or fix "container" in the target profile`,
    );
  }
  if (own.length > 1) {
    const names = own.map((c) => `${nameOf(c.Names)} (${c.State})`).join(', ');
    throw new Error(`${own.length} containers of service "${ref.service}" in Compose project "${ref.project}" (${names}): container faults act on exactly one; scale the service to 1`);
  }
  const [only] = own as [Docker.ContainerInfo];
  return { id: only.Id, name: nameOf(only.Names) || only.Id.slice(0, 12), container: docker.getContainer(only.Id) };
}

function nameOf(names: string[] | undefined): string {
  return (names?.[0] ?? '').replace(/^\//, '');
}

/** Whether the container runs now (paused counts as running, as Docker says). */
export async function isRunning(c: Located): Promise<boolean> {
  const info = await c.container.inspect();
  return info.State.Running === true;
}

/**
 * The Docker engine, through dockerode: connect (DOCKER_HOST or the default socket), check that an
 * engine answers, and find a Compose project's containers by the labels Compose puts on them.
 */
import Docker from 'dockerode';

/** A client for the engine at DOCKER_HOST, or the local socket. */
export function dockerClient(): Docker {
  return new Docker();
}

/** Whether an engine answers; the reason when not (socket missing, permission, daemon down). */
export async function engineAvailable(docker: Docker = dockerClient()): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  try {
    await docker.ping();
    const v = await docker.version();
    return { ok: true, version: `${v.Version} (API ${v.ApiVersion})` };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

/** Compose labels that select a project's containers (and one service's). */
export function composeLabels(project: string, service?: string): string[] {
  return [`com.docker.compose.project=${project}`, ...(service ? [`com.docker.compose.service=${service}`] : [])];
}

/** The one container of a Compose service (the same lookup container faults use; rejects with words when there is none). */
export { findServiceContainer } from '../chaos/container/docker.js';

/** Every container of a Compose project. */
export async function projectContainers(docker: Docker, project: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: composeLabels(project) } });
}

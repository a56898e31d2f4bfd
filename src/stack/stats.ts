/**
 * Container CPU and memory, sampled from the Docker engine's stats stream (one JSON document a
 * second per container), computed the way `docker stats` does: memory is usage less the inactive
 * file cache; CPU is the container's share of the host's CPU time between two samples, times the
 * number of online CPUs (1.0 = one full CPU). The container is looked up again whenever its
 * stream ends (a kill or restart fault), so samples resume with the new container.
 */
import type Docker from 'dockerode';
import type { ContainerRef } from '../target/types.js';
import { findServiceContainer } from './docker.js';

export interface ContainerSample {
  at: number;
  memoryBytes: number;
  memoryLimitBytes: number | null;
  /** Fraction of one CPU since the previous sample; null on the first sample of a stream. */
  cpuRatio: number | null;
}

/** The fields of a Docker stats document we read (API 1.41+, cgroup v1 and v2). */
export interface DockerStats {
  read?: string;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
}

/** Pure: one stats document → a sample (null when it holds no memory figures, e.g. a stopped container). */
export function sampleFromStats(doc: DockerStats, at = Date.now()): ContainerSample | null {
  const mem = doc.memory_stats;
  if (!mem || typeof mem.usage !== 'number') return null;
  const stats = mem.stats ?? {};
  // docker CLI: cgroup v1 subtracts total_inactive_file, v2 inactive_file (when smaller than usage).
  const inactive = stats.total_inactive_file ?? stats.inactive_file ?? 0;
  const memoryBytes = inactive < mem.usage ? mem.usage - inactive : mem.usage;
  const cpu = doc.cpu_stats;
  const pre = doc.precpu_stats;
  let cpuRatio: number | null = null;
  const total = cpu?.cpu_usage?.total_usage;
  const preTotal = pre?.cpu_usage?.total_usage;
  const system = cpu?.system_cpu_usage;
  const preSystem = pre?.system_cpu_usage;
  if (total !== undefined && preTotal !== undefined && system !== undefined && preSystem !== undefined && system > preSystem && preTotal > 0) {
    const cpus = cpu?.online_cpus ?? cpu?.cpu_usage?.percpu_usage?.length ?? 1;
    cpuRatio = Math.max(0, ((total - preTotal) / (system - preSystem)) * cpus);
  }
  // An unlimited container reports the host's memory (or a huge number) as its limit.
  const limit = typeof mem.limit === 'number' && mem.limit > 0 && mem.limit < 2 ** 62 ? mem.limit : null;
  return { at, memoryBytes, memoryLimitBytes: limit, cpuRatio };
}

export interface StatsSampler {
  /** Stop sampling. Idempotent. */
  stop(): void;
}

/**
 * Follow the stats of the container of `ref`, calling `onSample` about once a second, until
 * stopped. A missing container is retried every `retryMs`; errors go to `onError` once per kind.
 */
export function sampleContainerStats(docker: Docker, ref: ContainerRef, onSample: (s: ContainerSample) => void, opts: { retryMs?: number; onError?: (message: string) => void } = {}): StatsSampler {
  const retryMs = opts.retryMs ?? 1000;
  let stopped = false;
  let current: NodeJS.ReadableStream | undefined;
  let timer: NodeJS.Timeout | undefined;
  const reported = new Set<string>();
  const report = (message: string) => {
    if (reported.has(message)) return;
    reported.add(message);
    opts.onError?.(message);
  };
  const again = () => {
    if (stopped) return;
    timer = setTimeout(() => void follow(), retryMs);
    timer.unref();
  };
  const follow = async () => {
    if (stopped) return;
    try {
      // Not there (yet, or between a kill and its restart): look again shortly.
      const located = await findServiceContainer(docker, ref).catch(() => undefined);
      if (!located) return again();
      const stream = (await located.container.stats({ stream: true })) as unknown as NodeJS.ReadableStream;
      if (stopped) return destroy(stream);
      current = stream;
      let buffered = '';
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let nl = buffered.indexOf('\n');
        while (nl !== -1) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          nl = buffered.indexOf('\n');
          if (!line) continue;
          try {
            const sample = sampleFromStats(JSON.parse(line) as DockerStats);
            if (sample) onSample(sample);
          } catch {
            report('a stats document from the Docker engine was not JSON');
          }
        }
      });
      stream.once('end', again);
      stream.once('error', (err: Error) => {
        report(`stats stream of ${ref.project}/${ref.service}: ${err.message}`);
        again();
      });
    } catch (err) {
      report(`stats of ${ref.project}/${ref.service}: ${(err as Error).message}`);
      again();
    }
  };
  void follow();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      if (current) destroy(current);
    },
  };
}

function destroy(stream: NodeJS.ReadableStream): void {
  const s = stream as NodeJS.ReadableStream & { destroy?: () => void };
  s.removeAllListeners('end');
  s.destroy?.();
}

/**
 * Artifacts through the runner's own artifact service (@actions/artifact): a folder uploaded as
 * one artifact, this run's artifacts listed and downloaded, another run's found by its id.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultArtifactClient, type FindOptions } from '@actions/artifact';

export interface ListedArtifact {
  id: number;
  name: string;
  size: number;
}

/** Every file under `dir` (the artifact's layout is the folder's). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

export class Artifacts {
  private readonly client = new DefaultArtifactClient();

  /** Upload every file under `dir` as artifact `name`; null when there is nothing to upload. */
  async uploadDir(name: string, dir: string, retentionDays?: number): Promise<{ id: number; size: number } | null> {
    const files = filesUnder(dir);
    if (files.length === 0) return null;
    const res = await this.client.uploadArtifact(name, files, dir, retentionDays !== undefined ? { retentionDays } : {});
    return { id: res.id ?? 0, size: res.size ?? 0 };
  }

  /** This run's artifacts (or another run's, with `findBy`). */
  async list(findBy?: FindOptions['findBy']): Promise<ListedArtifact[]> {
    const res = await this.client.listArtifacts({ latest: true, ...(findBy ? { findBy } : {}) });
    return res.artifacts.map((a) => ({ id: a.id, name: a.name, size: a.size }));
  }

  async download(id: number, path: string, findBy?: FindOptions['findBy']): Promise<string> {
    const res = await this.client.downloadArtifact(id, { path, ...(findBy ? { findBy } : {}) });
    return res.downloadPath ?? path;
  }
}

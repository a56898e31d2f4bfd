/** Where the package's own files live, from source (src/target) or built (lib/target) alike. */
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TARGETS_DIR = join(PACKAGE_ROOT, 'targets');
export const SCENARIOS_DIR = join(PACKAGE_ROOT, 'scenarios');

/** PATH with the package's and the working directory's node_modules/.bin first, so profile commands resolve to pinned servers. */
export function serverPath(cwd = process.cwd()): string {
  const extra = [join(cwd, 'node_modules', '.bin'), join(PACKAGE_ROOT, 'node_modules', '.bin')];
  return [...new Set(extra), process.env.PATH ?? ''].join(':');
}

/** Where the package's own files live, from source (src/target) or built (lib/target) alike. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

/**
 * The folder of this package's package.json, found upwards from this module: src/target and
 * lib/target are two levels down, the bundled action (dist/) one.
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'mcp-reliability') return dir;
    } catch {
      // no package.json here
    }
    const up = dirname(dir);
    if (up === dir) return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
    dir = up;
  }
}

export const PACKAGE_ROOT = packageRoot();
export const TARGETS_DIR = join(PACKAGE_ROOT, 'targets');
export const SCENARIOS_DIR = join(PACKAGE_ROOT, 'scenarios');

/** PATH with the package's and the working directory's node_modules/.bin first, so profile commands resolve to pinned servers. */
export function serverPath(cwd = process.cwd()): string {
  const extra = [join(cwd, 'node_modules', '.bin'), join(PACKAGE_ROOT, 'node_modules', '.bin')];
  return [...new Set(extra), process.env.PATH ?? ''].join(':');
}

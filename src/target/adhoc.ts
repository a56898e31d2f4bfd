/** Targets given on the command line: a server command (stdio) or a URL. Roles come later, from the server's tool list or flags. */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { serverPath } from './paths.js';
import type { TargetProfile, TransportKind } from './types.js';

export interface AdhocSpec {
  command?: string;
  url?: string;
  /** Override the transport inferred from the URL. */
  transport?: TransportKind;
}

export function transportForUrl(url: string): TransportKind {
  const u = new URL(url);
  if (u.protocol === 'ws:' || u.protocol === 'wss:') return 'websocket';
  if (u.protocol === 'tcp:') return 'tcp';
  if (/\/sse\/?$/.test(u.pathname)) return 'sse';
  return 'streamable-http';
}

export function adhocTarget(spec: AdhocSpec): TargetProfile {
  if (spec.url) {
    const transport = spec.transport ?? transportForUrl(spec.url);
    return { name: `adhoc-${transport}`, description: `ad-hoc target at ${spec.url}`, transport, url: spec.url, roles: {}, source: '<command line>' };
  }
  if (!spec.command) throw new Error('an ad-hoc target needs a command or a URL');
  return {
    name: 'adhoc-stdio',
    description: `ad-hoc stdio server: ${spec.command}`,
    transport: 'stdio',
    // Through the shell so quoting works as the user typed it; `exec` keeps the server as the group leader.
    launch: { command: 'sh', args: ['-c', `exec ${spec.command}`] },
    roles: {},
    source: '<command line>',
  };
}

/**
 * What a single word given as `--target` is as a command: an executable on `path` (the PATH the
 * server is started with: node_modules/.bin first), or a path to an executable file (a bare name
 * of a file in `cwd` becomes `./name`, since the shell looks bare names up on PATH only).
 */
export type CommandLookup =
  | { found: true; command: string; where: string }
  | { found: false; reason: 'not-found' | 'not-executable' | 'not-a-file'; where?: string };

function executableFile(path: string): boolean | 'not-a-file' | 'not-executable' {
  try {
    if (!statSync(path).isFile()) return 'not-a-file';
  } catch {
    return false;
  }
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return 'not-executable';
  }
}

export function lookupCommand(word: string, opts: { path?: string; cwd?: string } = {}): CommandLookup {
  const cwd = opts.cwd ?? process.cwd();
  const asFile = executableFile(resolve(cwd, word));
  if (word.includes('/') || isAbsolute(word)) {
    if (asFile === true) return { found: true, command: word, where: resolve(cwd, word) };
    return { found: false, reason: asFile === false ? 'not-found' : asFile, where: resolve(cwd, word) };
  }
  // POSIX: an empty PATH entry is the current folder.
  for (const dir of (opts.path ?? serverPath(cwd)).split(delimiter)) {
    const candidate = resolve(cwd, dir === '' ? '.' : dir, word);
    if (executableFile(candidate) === true) return { found: true, command: word, where: candidate };
  }
  if (asFile === true) return { found: true, command: `./${word}`, where: join(cwd, word) };
  return asFile === false ? { found: false, reason: 'not-found' } : { found: false, reason: asFile, where: join(cwd, word) };
}

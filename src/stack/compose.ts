/**
 * The Compose CLI: `docker compose` (v2) where the plugin is installed, else `docker-compose` (v1,
 * >= 1.28 for profiles and depends_on conditions). Every call names the file and the project, so
 * two stacks never mix, and its output is appended to a log file rather than lost.
 */
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';

export interface ComposeCli {
  kind: 'v2' | 'v1';
  /** argv[0] and the args before compose's own (`docker` + `compose`, or `docker-compose`). */
  command: string;
  prefix: string[];
  version: string;
}

export interface CommandResult {
  code: number | null;
  output: string;
}

/** Run a command, collecting stdout and stderr together (bounded), appending them to `logPath`. */
export function runCommand(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; logPath?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const take = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-200_000);
      if (opts.logPath) appendFileSync(opts.logPath, text);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs) : undefined;
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, output: `${output}${err.message}` });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Find a Compose CLI; the error says what was tried and what to install. */
export async function detectCompose(env: NodeJS.ProcessEnv = process.env): Promise<ComposeCli> {
  const v2 = await runCommand('docker', ['compose', 'version', '--short'], { env, timeoutMs: 15_000 });
  if (v2.code === 0 && /\d+\.\d+/.test(v2.output)) return { kind: 'v2', command: 'docker', prefix: ['compose'], version: v2.output.trim() };
  const v1 = await runCommand('docker-compose', ['version', '--short'], { env, timeoutMs: 15_000 });
  if (v1.code === 0 && /\d+\.\d+/.test(v1.output)) {
    const version = v1.output.trim();
    const [major = 0, minor = 0] = version.split('.').map(Number);
    if (major === 1 && minor < 28) throw new Error(`docker-compose ${version} is too old: profiles and depends_on conditions need 1.28 or later (or Compose v2: the docker compose plugin)`);
    return { kind: 'v1', command: 'docker-compose', prefix: [], version };
  }
  throw new Error(`no Compose CLI found: "docker compose version" said ${JSON.stringify(v2.output.trim().slice(0, 200))}, "docker-compose version" said ${JSON.stringify(v1.output.trim().slice(0, 200))}; install the Compose v2 plugin or docker-compose >= 1.28`);
}

export interface ComposeProjectOptions {
  file: string;
  project: string;
  /** Variables for the compose file's interpolation (added to this process's environment). */
  env: Record<string, string>;
  /** An env file with more variables (e.g. the offline images'). */
  envFile?: string;
  profiles: string[];
  logPath: string;
}

/** One Compose project: the file, the project name and its variables, for every call. */
export class ComposeProject {
  constructor(
    readonly cli: ComposeCli,
    readonly opts: ComposeProjectOptions,
  ) {}

  private args(rest: string[], profiles = this.opts.profiles): string[] {
    return [
      ...this.cli.prefix,
      '-f',
      this.opts.file,
      '-p',
      this.opts.project,
      ...(this.opts.envFile ? ['--env-file', this.opts.envFile] : []),
      ...profiles.flatMap((p) => ['--profile', p]),
      ...rest,
    ];
  }

  run(rest: string[], opts: { timeoutMs?: number; profiles?: string[] } = {}): Promise<CommandResult> {
    appendFileSync(this.opts.logPath, `\n$ ${this.cli.command} ${this.args(rest, opts.profiles).join(' ')}\n`);
    return runCommand(this.cli.command, this.args(rest, opts.profiles), { env: { ...process.env, ...this.opts.env }, logPath: this.opts.logPath, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
  }

  /** Throws with the command's last output lines when it fails. */
  async must(what: string, rest: string[], opts: { timeoutMs?: number; profiles?: string[] } = {}): Promise<string> {
    const r = await this.run(rest, opts);
    if (r.code !== 0) {
      const tail = r.output.trim().split('\n').slice(-15).join('\n');
      throw new Error(`${what} failed (compose exit ${r.code ?? 'none'}; full output in ${this.opts.logPath}):\n${tail}`);
    }
    return r.output;
  }

  config(): Promise<string> {
    return this.must('docker compose config', ['config', '-q']);
  }

  build(services: string[]): Promise<string> {
    return this.must('building the images', ['build', ...services], { timeoutMs: 30 * 60_000 });
  }

  up(services: string[]): Promise<string> {
    return this.must('starting the stack', ['up', '-d', '--no-build', ...services], { timeoutMs: 15 * 60_000 });
  }

  /** Everything of the project, every profile, its volumes and orphans. */
  down(): Promise<CommandResult> {
    return this.run(['down', '-v', '--remove-orphans', '--timeout', '5'], { timeoutMs: 5 * 60_000, profiles: ['monitoring'] });
  }
}

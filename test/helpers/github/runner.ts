/**
 * A runner harness: runs a JavaScript action entry (`node <file>`) as a child process the way the
 * GitHub Actions runner does, then reads back what the step left behind.
 *
 *  - Environment: the host's environment without any GITHUB_* / INPUT_* / STATE_* / ACTIONS_* /
 *    RUNNER_* (so the harness behaves the same when the test suite itself runs on Actions), then the
 *    job context (GITHUB_REPOSITORY, GITHUB_RUN_ID, …, GITHUB_API_URL, GITHUB_SERVER_URL,
 *    ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL, RUNNER_TEMP, …), job `env`, GITHUB_ENV/GITHUB_PATH
 *    from earlier steps, `INPUT_<NAME>` (upper-cased, spaces → `_`, hyphens kept; declared inputs of
 *    an action.yml get their defaults or ''), and for post steps `STATE_<name>` from the main step.
 *  - Fresh GITHUB_OUTPUT, GITHUB_STATE, GITHUB_ENV, GITHUB_PATH and GITHUB_STEP_SUMMARY files per
 *    step, parsed back (`name=value` and `name<<delimiter` … `delimiter`, as the runner does; a
 *    malformed file fails the step like it does on GitHub).
 *  - Workflow commands on stdout and stderr (`::error file=…::msg`, `::group::`, `::add-mask::`, …,
 *    honouring `::stop-commands::`), with the runner's unescaping.
 *  - Cancellation like a cancelled run: SIGINT, SIGTERM after `sigtermAfterMs` (runner: 7.5 s),
 *    SIGKILL of the whole process tree after `killAfterMs` more (runner: 2.5 s).
 *  - Orphans: every step carries the job's RUNNER_TRACKING_ID; `orphans()` lists processes still
 *    carrying it and `close()` kills them, as the runner does when the job ends.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter as PATH_DELIMITER, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { node24 } from './common.js';
import type { GitHubEvent } from './events.js';

export { node24, NODE24_PATH } from './common.js';
export * from './events.js';

// ---------------------------------------------------------------------------------------------
// File commands and workflow commands

/**
 * Parse a GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV file as the runner does: `name=value` lines and
 * `name<<DELIM` heredocs; blank lines between entries are skipped; throws on a line that is
 * neither, on an empty name, or on a heredoc without its closing delimiter.
 */
export function parseFileCommand(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const eq = line.indexOf('=');
    const hd = line.indexOf('<<');
    if (eq >= 0 && (hd < 0 || eq < hd)) {
      const name = line.slice(0, eq);
      if (!name) throw new Error(`Invalid format '${line}'. Name must not be empty`);
      out[name] = line.slice(eq + 1);
    } else if (hd >= 0 && (eq < 0 || hd < eq)) {
      const name = line.slice(0, hd);
      const delim = line.slice(hd + 2);
      if (!name) throw new Error(`Invalid format '${line}'. Name must not be empty`);
      if (!delim) throw new Error(`Invalid format '${line}'. Delimiter must not be empty`);
      const value: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delim) {
          closed = true;
          break;
        }
        value.push(lines[i]!);
      }
      if (!closed) throw new Error(`Invalid value. Matching delimiter not found '${delim}'`);
      out[name] = value.join('\n');
    } else {
      throw new Error(`Invalid format '${line}'`);
    }
  }
  return out;
}

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
  stream: 'stdout' | 'stderr';
}

function unescapeData(s: string): string {
  return s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}
function unescapeProperty(s: string): string {
  return s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%3A/gi, ':').replace(/%2C/gi, ',').replace(/%25/g, '%');
}

/** Parse `::command k=v,k=v::message` lines (runner v2 syntax), honouring `::stop-commands::<token>` … `::<token>::`. */
export function parseWorkflowCommands(text: string, stream: 'stdout' | 'stderr' = 'stdout'): WorkflowCommand[] {
  const out: WorkflowCommand[] = [];
  let stopToken: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (stopToken !== undefined) {
      if (line === `::${stopToken}::`) stopToken = undefined;
      continue;
    }
    if (!line.startsWith('::')) continue;
    const end = line.indexOf('::', 2);
    if (end < 0) continue;
    const info = line.slice(2, end);
    const message = unescapeData(line.slice(end + 2));
    const sp = info.indexOf(' ');
    const command = sp < 0 ? info : info.slice(0, sp);
    if (!command) continue;
    const properties: Record<string, string> = {};
    if (sp >= 0) {
      for (const pair of info.slice(sp + 1).split(',')) {
        const eq = pair.indexOf('=');
        if (eq > 0) properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
      }
    }
    if (command === 'stop-commands') {
      stopToken = message;
      out.push({ command, properties, message, stream });
      continue;
    }
    out.push({ command, properties, message, stream });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Job and steps

export interface JobOptions {
  /** `owner/name` (GITHUB_REPOSITORY). */
  repository: string;
  /** The triggering event (see events.ts builders): sets GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REF, GITHUB_SHA, … */
  event: GitHubEvent;
  runId?: number;
  runAttempt?: number;
  runNumber?: number;
  /** GITHUB_JOB (the job's id in the workflow). */
  job?: string;
  /** GITHUB_WORKFLOW (the workflow's name). */
  workflow?: string;
  /** GITHUB_API_URL (the REST fake's url). Default https://api.github.com (unreachable here). */
  apiUrl?: string;
  /**
   * GITHUB_SERVER_URL. Default `https://github.localhost`: `@actions/artifact` only accepts
   * github.com, *.ghe.com and *.localhost (anything else is GHES and refused). null leaves it unset.
   */
  serverUrl?: string | null;
  /** ACTIONS_RESULTS_URL (the artifacts service's resultsUrl). */
  resultsUrl?: string;
  /** ACTIONS_RUNTIME_TOKEN (e.g. artifacts.runtimeToken(run.backendId)). */
  runtimeToken?: string;
  /** The job's GITHUB_TOKEN: what `${{ github.token }}` in action.yml defaults evaluates to. */
  token?: string;
  /** Node binary for steps (default process.execPath). */
  node?: string;
  /** Job-level `env:`. */
  env?: Record<string, string>;
  /** RUNNER_DEBUG=1 (core.isDebug()). */
  debug?: boolean;
  /** Directory to create the runner's work tree in (default a fresh temp dir, removed by close()). */
  root?: string;
}

export interface CancelPlan {
  /** Cancel this long after the step started. */
  afterMs?: number;
  /** Cancel once the step's stdout or stderr matches. */
  whenOutput?: RegExp | string;
  /** SIGINT → SIGTERM delay (runner: 7500 ms). */
  sigtermAfterMs?: number;
  /** SIGTERM → SIGKILL (the whole tree) delay (runner: 2500 ms). */
  killAfterMs?: number;
}

export interface StepOptions {
  /** The file to run with `node` (absolute, or relative to the job's workspace). */
  entry: string;
  /** `with:` inputs. Names are turned into INPUT_<NAME> as the runner does. */
  inputs?: Record<string, string | number | boolean>;
  /** An action.yml whose declared inputs get their defaults (or '') when not given, like the runner. */
  actionYml?: string;
  /** Step-level `env:` (undefined removes a variable). */
  env?: Record<string, string | undefined>;
  /** STATE_<name> variables (post steps; runAction fills them in). */
  state?: Record<string, string>;
  /** Node binary for this step (default the job's). */
  node?: string;
  /** Working directory (default GITHUB_WORKSPACE, as on the runner). */
  cwd?: string;
  /** Cancel the step like a cancelled workflow run. */
  cancel?: CancelPlan;
  /** `timeout-minutes` stand-in: SIGINT → SIGTERM → SIGKILL after this long, and the step fails. Default 180 s. */
  timeoutMs?: number;
  /** GITHUB_ACTION (default `__run_<n>`). */
  actionId?: string;
}

export interface StepResult {
  exitCode: number | null;
  /** The signal that ended the process, if any. */
  signal: NodeJS.Signals | null;
  /** The runner's step conclusion: success (exit 0 and valid file commands), failure (incl. timeout), or cancelled. */
  conclusion: 'success' | 'failure' | 'cancelled';
  /** The step ran past timeoutMs (the runner cancels it and fails the step). */
  timedOut: boolean;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  /** What the step saved with core.saveState (becomes STATE_<name> in the post step). */
  state: Record<string, string>;
  /** What the step exported through GITHUB_ENV (visible to later steps). */
  exportedEnv: Record<string, string>;
  /** Lines the step appended to GITHUB_PATH (prepended to PATH for later steps). */
  addedPath: string[];
  /** GITHUB_STEP_SUMMARY content. */
  summary: string;
  /** The runner drops summaries over 1 MiB ("upload aborted"); true when this one would be. */
  summaryRejected: boolean;
  /** Every workflow command, stdout then stderr order within each stream. */
  commands: WorkflowCommand[];
  /** `error`/`warning`/`notice` commands. */
  annotations: WorkflowCommand[];
  /** `::add-mask::` values. */
  masks: string[];
  /** Errors the runner would report for malformed file commands (the step then fails). */
  fileCommandErrors: string[];
  /** Warnings the runner itself would print, e.g. `Unexpected input(s) 'x', valid inputs are [...]`. */
  runnerWarnings: string[];
  /** Signals sent, with ms since start. */
  signals: Array<{ signal: NodeJS.Signals; atMs: number }>;
  durationMs: number;
  /** The environment the step ran with. */
  env: Record<string, string>;
  /** Paths of the per-step files. */
  files: { output: string; state: string; env: string; path: string; summary: string };
}

export interface RunningStep {
  pid: number;
  /** Start the runner's cancellation sequence now (SIGINT, then SIGTERM, then SIGKILL). */
  cancel(plan?: Omit<CancelPlan, 'afterMs' | 'whenOutput'>): void;
  /** Output so far. */
  output(): { stdout: string; stderr: string };
  done: Promise<StepResult>;
}

export interface ActionRunOptions extends Omit<StepOptions, 'entry' | 'actionYml' | 'state'> {
  /** Directory holding action.yml (or action.yaml). */
  actionDir: string;
  /** Cancellation applies to the main step; the post step then runs if post-if allows (always()). */
  cancel?: CancelPlan;
  /** Options for the post step only. */
  post?: { cancel?: CancelPlan; timeoutMs?: number; env?: Record<string, string | undefined> };
}

export interface ActionRunResult {
  /** The node binary used (node24 actions: tools/node24's when present). */
  node: string;
  pre?: StepResult;
  main: StepResult;
  /** Undefined when the action has no post, or post-if said no. */
  post?: StepResult;
}

export interface Job {
  readonly root: string;
  readonly workspace: string;
  readonly runnerTemp: string;
  readonly eventPath: string;
  /** Environment exported by earlier steps (GITHUB_ENV). */
  readonly exportedEnv: Record<string, string>;
  /** PATH additions from earlier steps (GITHUB_PATH), newest first. */
  readonly addedPath: string[];
  /** Every step run so far. */
  readonly steps: StepResult[];
  startStep(opts: StepOptions): RunningStep;
  runStep(opts: StepOptions): Promise<StepResult>;
  /** Run an action's pre/main/post from its action.yml (`runs.using: node20|node24`). */
  runAction(opts: ActionRunOptions): Promise<ActionRunResult>;
  /** The env a step would get (for inspection). */
  stepEnv(opts: Pick<StepOptions, 'inputs' | 'actionYml' | 'env' | 'state' | 'actionId'>, files: StepResult['files']): Record<string, string>;
  /** RUNNER_TRACKING_ID this job's steps carry (the runner tags every process it starts with it). */
  readonly trackingId: string;
  /** Live processes still carrying this job's RUNNER_TRACKING_ID (orphans once every step has ended). */
  orphans(): Array<{ pid: number; cmdline: string }>;
  /** Like the runner at the end of a job: SIGKILL every orphan ("Terminate orphan process"), remove the work tree (when it was a temp dir). Returns the orphans killed. */
  close(): Array<{ pid: number; cmdline: string }>;
}

/** `INPUT_<NAME>` for an input name: upper-cased, spaces → `_`, everything else (hyphens) kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

const STRIPPED = /^(GITHUB_|INPUT_|STATE_|ACTIONS_|RUNNER_|NODE_TEST_CONTEXT$|NODE_OPTIONS$|CI$)/;

interface ActionManifest {
  inputs: Record<string, { default?: unknown; required?: boolean }>;
  runs: { using?: string; main?: string; pre?: string; post?: string; 'pre-if'?: string; 'post-if'?: string };
}

function readManifest(file: string): ActionManifest {
  const doc = parseYaml(readFileSync(file, 'utf8')) as Partial<ActionManifest> | null;
  return { inputs: doc?.inputs ?? {}, runs: doc?.runs ?? {} };
}

function manifestPath(dir: string): string {
  for (const n of ['action.yml', 'action.yaml']) if (existsSync(join(dir, n))) return join(dir, n);
  throw new Error(`no action.yml in ${dir}`);
}

/** Descendants of a pid (by walking /proc's ppid links). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** Processes whose environment holds RUNNER_TRACKING_ID=<id> (what the runner scans for orphans). */
function trackedProcesses(id: string): Array<{ pid: number; cmdline: string }> {
  const needle = `RUNNER_TRACKING_ID=${id}\0`;
  const out: Array<{ pid: number; cmdline: string }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (!`${readFileSync(`/proc/${name}/environ`, 'latin1')}\0`.includes(needle)) continue;
      out.push({ pid: Number(name), cmdline: readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ') });
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

function killTree(pid: number): void {
  for (const p of [...descendants(pid), pid]) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Create a job: its work tree, event file and context. Steps then run one after another. */
export function createJob(o: JobOptions): Job {
  const ownRoot = o.root === undefined;
  const root = o.root ?? mkdtempSync(join(tmpdir(), 'gh-runner-'));
  const repoName = o.repository.split('/')[1] ?? 'repo';
  const workspace = join(root, 'work', repoName, repoName);
  const runnerTemp = join(root, 'work', '_temp');
  const toolCache = join(root, 'tool');
  const home = join(root, 'work', '_temp', '_github_home');
  const commandsDir = join(runnerTemp, '_runner_file_commands');
  const eventPath = join(runnerTemp, '_github_workflow', 'event.json');
  for (const d of [workspace, runnerTemp, toolCache, home, commandsDir, dirname(eventPath)]) mkdirSync(d, { recursive: true });
  writeFileSync(eventPath, JSON.stringify(o.event.payload, null, 2));

  const runId = o.runId ?? 1_000_000 + Math.floor(Math.random() * 9_000_000);
  const trackingId = `github_${randomUUID()}`;
  const exportedEnv: Record<string, string> = {};
  const addedPath: string[] = [];
  const steps: StepResult[] = [];
  let stepCounter = 0;
  const serverUrl = o.serverUrl === undefined ? 'https://github.localhost' : o.serverUrl;
  const apiUrl = o.apiUrl ?? 'https://api.github.com';

  const jobContext = (): Record<string, string> => {
    const [owner] = o.repository.split('/');
    const refName = o.event.ref.replace(/^refs\/(heads|tags)\//, '').replace(/^refs\/pull\//, '');
    const ctx: Record<string, string> = {
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: o.repository,
      GITHUB_REPOSITORY_OWNER: owner ?? '',
      GITHUB_RUN_ID: String(runId),
      GITHUB_RUN_ATTEMPT: String(o.runAttempt ?? 1),
      GITHUB_RUN_NUMBER: String(o.runNumber ?? 1),
      GITHUB_JOB: o.job ?? 'reliability',
      GITHUB_WORKFLOW: o.workflow ?? 'Reliability',
      GITHUB_WORKFLOW_REF: `${o.repository}/.github/workflows/reliability.yml@${o.event.ref}`,
      GITHUB_EVENT_NAME: o.event.name,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_SHA: o.event.sha,
      GITHUB_REF: o.event.ref,
      GITHUB_REF_NAME: refName,
      GITHUB_REF_TYPE: o.event.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      GITHUB_HEAD_REF: o.event.headRef ?? '',
      GITHUB_BASE_REF: o.event.baseRef ?? '',
      GITHUB_ACTOR: o.event.actor,
      GITHUB_TRIGGERING_ACTOR: o.event.actor,
      GITHUB_API_URL: apiUrl,
      GITHUB_GRAPHQL_URL: `${apiUrl}/graphql`,
      GITHUB_WORKSPACE: workspace,
      GITHUB_RETENTION_DAYS: '90',
      RUNNER_TEMP: runnerTemp,
      RUNNER_TOOL_CACHE: toolCache,
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_NAME: 'GitHub Actions 1',
      RUNNER_ENVIRONMENT: 'github-hosted',
      RUNNER_TRACKING_ID: trackingId,
      HOME: process.env.HOME ?? home,
    };
    if (serverUrl !== null) ctx.GITHUB_SERVER_URL = serverUrl;
    if (o.resultsUrl) ctx.ACTIONS_RESULTS_URL = o.resultsUrl;
    if (o.runtimeToken) ctx.ACTIONS_RUNTIME_TOKEN = o.runtimeToken;
    if (o.debug) ctx.RUNNER_DEBUG = '1';
    return ctx;
  };

  const expression = (expr: string): string => {
    const ctx = jobContext();
    const table: Record<string, string | undefined> = {
      'github.token': o.token,
      'github.repository': ctx.GITHUB_REPOSITORY,
      'github.repository_owner': ctx.GITHUB_REPOSITORY_OWNER,
      'github.run_id': ctx.GITHUB_RUN_ID,
      'github.run_attempt': ctx.GITHUB_RUN_ATTEMPT,
      'github.run_number': ctx.GITHUB_RUN_NUMBER,
      'github.job': ctx.GITHUB_JOB,
      'github.workflow': ctx.GITHUB_WORKFLOW,
      'github.workspace': ctx.GITHUB_WORKSPACE,
      'github.sha': ctx.GITHUB_SHA,
      'github.ref': ctx.GITHUB_REF,
      'github.event_name': ctx.GITHUB_EVENT_NAME,
      'github.server_url': ctx.GITHUB_SERVER_URL ?? 'https://github.com',
      'github.api_url': ctx.GITHUB_API_URL,
      'runner.temp': ctx.RUNNER_TEMP,
      'runner.os': ctx.RUNNER_OS,
    };
    return expr.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, e: string) => {
      const v = table[e];
      if (v === undefined) throw new Error(`runner harness: cannot evaluate \${{ ${e} }} in an action.yml default (pass the input explicitly)`);
      return v;
    });
  };

  const stepEnv: Job['stepEnv'] = (s, files) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !STRIPPED.test(k)) env[k] = v;
    const noProxy = ['127.0.0.1', 'localhost', '.localhost', env.NO_PROXY, env.no_proxy].filter(Boolean).join(',');
    env.NO_PROXY = noProxy;
    env.no_proxy = noProxy;
    Object.assign(env, jobContext(), o.env ?? {}, exportedEnv);
    if (addedPath.length) env.PATH = [...addedPath, env.PATH ?? ''].join(PATH_DELIMITER);
    env.GITHUB_ACTION = s.actionId ?? `__run_${stepCounter}`;
    env.GITHUB_OUTPUT = files.output;
    env.GITHUB_STATE = files.state;
    env.GITHUB_ENV = files.env;
    env.GITHUB_PATH = files.path;
    env.GITHUB_STEP_SUMMARY = files.summary;
    const inputs: Record<string, string> = {};
    if (s.actionYml) {
      for (const [name, def] of Object.entries(readManifest(s.actionYml).inputs)) {
        inputs[name] = def?.default === undefined || def.default === null ? '' : expression(String(def.default));
      }
    }
    for (const [name, v] of Object.entries(s.inputs ?? {})) inputs[name] = String(v);
    for (const [name, v] of Object.entries(inputs)) env[inputEnvName(name)] = v;
    for (const [name, v] of Object.entries(s.state ?? {})) env[`STATE_${name}`] = v;
    for (const [k, v] of Object.entries(s.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    return env;
  };

  const startStep = (s: StepOptions): RunningStep => {
    stepCounter++;
    const id = randomUUID();
    const files = {
      output: join(commandsDir, `set_output_${id}`),
      state: join(commandsDir, `save_state_${id}`),
      env: join(commandsDir, `set_env_${id}`),
      path: join(commandsDir, `add_path_${id}`),
      summary: join(commandsDir, `step_summary_${id}`),
    };
    for (const f of Object.values(files)) writeFileSync(f, '');
    const env = stepEnv(s, files);
    const runnerWarnings: string[] = [];
    if (s.actionYml) {
      const declared = Object.keys(readManifest(s.actionYml).inputs);
      const unexpected = Object.keys(s.inputs ?? {}).filter((k) => !declared.some((d) => d.toLowerCase() === k.toLowerCase()));
      if (unexpected.length) {
        runnerWarnings.push(`Unexpected input(s) ${unexpected.map((k) => `'${k}'`).join(', ')}, valid inputs are [${declared.map((k) => `'${k}'`).join(', ')}]`);
      }
    }
    const entry = isAbsolute(s.entry) ? s.entry : resolve(workspace, s.entry);
    const started = Date.now();
    const child = spawn(s.node ?? o.node ?? process.execPath, [entry], {
      cwd: s.cwd ?? workspace,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const signals: StepResult['signals'] = [];
    const timers: NodeJS.Timeout[] = [];
    let cancelled = false;
    let timedOut = false;
    let exited = false;
    const send = (sig: NodeJS.Signals) => {
      if (exited || child.pid === undefined) return;
      signals.push({ signal: sig, atMs: Date.now() - started });
      if (sig === 'SIGKILL') killTree(child.pid);
      else {
        try {
          process.kill(child.pid, sig);
        } catch {
          // gone
        }
      }
    };
    const cancel = (plan: Omit<CancelPlan, 'afterMs' | 'whenOutput'> = {}) => {
      if (cancelled || exited) return;
      cancelled = true;
      const sigtermAfter = plan.sigtermAfterMs ?? s.cancel?.sigtermAfterMs ?? 7500;
      const killAfter = plan.killAfterMs ?? s.cancel?.killAfterMs ?? 2500;
      send('SIGINT');
      timers.push(setTimeout(() => send('SIGTERM'), sigtermAfter));
      timers.push(setTimeout(() => send('SIGKILL'), sigtermAfter + killAfter));
    };
    const watchOutput = () => {
      const w = s.cancel?.whenOutput;
      if (!w || cancelled) return;
      const text = stdout + stderr;
      if (typeof w === 'string' ? text.includes(w) : w.test(text)) cancel();
    };
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      watchOutput();
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      watchOutput();
    });
    if (s.cancel?.afterMs !== undefined) timers.push(setTimeout(() => cancel(), s.cancel.afterMs));
    timers.push(
      setTimeout(() => {
        if (!cancelled) timedOut = true;
        cancel();
      }, s.timeoutMs ?? 180_000),
    );

    const done = new Promise<StepResult>((resolvePromise, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        exited = true;
        for (const t of timers) clearTimeout(t);
        // Give the pipes a moment to drain (a grandchild may keep them open).
        let settled = false;
        const finish = () => {
          if (settled) return;
          settled = true;
          const fileCommandErrors: string[] = [];
          const parse = (file: string, label: string) => {
            try {
              return parseFileCommand(readFileSync(file, 'utf8'));
            } catch (err) {
              fileCommandErrors.push(`${label}: ${(err as Error).message}`);
              return {};
            }
          };
          const outputs = parse(files.output, 'GITHUB_OUTPUT');
          const state = parse(files.state, 'GITHUB_STATE');
          const exported = parse(files.env, 'GITHUB_ENV');
          if ('NODE_OPTIONS' in exported) {
            fileCommandErrors.push("GITHUB_ENV: Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.");
            delete exported.NODE_OPTIONS;
          }
          const added = readFileSync(files.path, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
          const summary = readFileSync(files.summary, 'utf8');
          const commands = [...parseWorkflowCommands(stdout, 'stdout'), ...parseWorkflowCommands(stderr, 'stderr')];
          Object.assign(exportedEnv, exported);
          addedPath.unshift(...[...added].reverse());
          const result: StepResult = {
            exitCode: code,
            signal,
            conclusion: timedOut ? 'failure' : cancelled ? 'cancelled' : code === 0 && fileCommandErrors.length === 0 ? 'success' : 'failure',
            timedOut,
            stdout,
            stderr,
            outputs,
            state,
            exportedEnv: exported,
            addedPath: added,
            summary,
            summaryRejected: Buffer.byteLength(summary) > 1024 * 1024,
            commands,
            annotations: commands.filter((c) => c.command === 'error' || c.command === 'warning' || c.command === 'notice'),
            masks: commands.filter((c) => c.command === 'add-mask').map((c) => c.message),
            fileCommandErrors,
            runnerWarnings,
            signals,
            durationMs: Date.now() - started,
            env,
            files,
          };
          steps.push(result);
          resolvePromise(result);
        };
        child.once('close', finish);
        setTimeout(finish, 2000).unref();
      });
    });
    return { pid: child.pid ?? -1, cancel, output: () => ({ stdout, stderr }), done };
  };

  const evalCondition = (cond: string | undefined, mainConclusion: StepResult['conclusion']): boolean => {
    const c = (cond ?? 'success()').replace(/^\$\{\{\s*|\s*\}\}$/g, '').trim();
    switch (c) {
      case 'always()':
        return true;
      case 'success()':
        return mainConclusion === 'success';
      case 'failure()':
        return mainConclusion === 'failure';
      case 'cancelled()':
        return mainConclusion === 'cancelled';
      case '!cancelled()':
        return mainConclusion !== 'cancelled';
      default:
        throw new Error(`runner harness: cannot evaluate post-if/pre-if '${cond}'`);
    }
  };

  const runAction: Job['runAction'] = async (a) => {
    const yml = manifestPath(a.actionDir);
    const m = readManifest(yml);
    const using = m.runs.using ?? '';
    if (!/^node(12|16|20|24)$/.test(using)) throw new Error(`runner harness runs JavaScript actions only; runs.using is '${using}'`);
    if (!m.runs.main) throw new Error(`${yml}: runs.main is missing`);
    const node = a.node ?? o.node ?? (using === 'node24' ? (node24() ?? process.execPath) : process.execPath);
    const actionId = a.actionId ?? `__${o.repository.replace('/', '_')}`;
    const base = { ...a, node, actionYml: yml, actionId };
    const out: Partial<ActionRunResult> & { node: string } = { node };
    const state: Record<string, string> = {};
    if (m.runs.pre && evalCondition(m.runs['pre-if'] ?? 'always()', 'success')) {
      out.pre = await runStep({ ...base, entry: join(a.actionDir, m.runs.pre), cancel: undefined });
      Object.assign(state, out.pre.state);
    }
    out.main = await runStep({ ...base, entry: join(a.actionDir, m.runs.main), state });
    Object.assign(state, out.main.state);
    // post-if (and pre-if) default to always(), as on GitHub.
    if (m.runs.post && evalCondition(m.runs['post-if'] ?? 'always()', out.main.conclusion)) {
      out.post = await runStep({
        ...base,
        entry: join(a.actionDir, m.runs.post),
        state,
        cancel: a.post?.cancel,
        timeoutMs: a.post?.timeoutMs ?? a.timeoutMs,
        env: { ...(a.env ?? {}), ...(a.post?.env ?? {}) },
      });
    }
    return out as ActionRunResult;
  };

  const runStep = (s: StepOptions) => startStep(s).done;

  return {
    root,
    workspace,
    runnerTemp,
    eventPath,
    exportedEnv,
    addedPath,
    steps,
    startStep,
    runStep,
    runAction,
    stepEnv,
    trackingId,
    orphans: () => trackedProcesses(trackingId),
    close() {
      const orphans = trackedProcesses(trackingId);
      for (const p of orphans) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      if (ownRoot) rmSync(root, { recursive: true, force: true });
      return orphans;
    },
  };
}

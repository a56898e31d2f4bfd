/**
 * The action's inputs (action.yml), read and validated into a typed object before anything
 * starts (pure: `read` returns an input's raw value, '' when unset). Every problem names its input
 * and says what was expected; all of them are reported at once.
 */
import { parseDuration } from '../scenario/index.js';
import { parseShard, type ShardSpec } from '../scenario/shard.js';

export type Mode = 'run' | 'report' | 'comment';
export type RunnerKind = 'compose' | 'local';
export type FailOn = 'slo' | 'harness' | 'regression' | 'never';
export type BaselineKind = 'nightly' | 'none';

export interface ActionInputs {
  mode: Mode;
  /** Run mode: a shipped scenario name or a file path (relative to the working directory). */
  scenario: string;
  durationMs: number;
  maxDurationMs: number;
  runner: RunnerKind;
  serverCommand?: string;
  serverImage?: string;
  serverDockerfile?: string;
  serverPort: number;
  target?: string;
  clientProfile: string;
  seed: number;
  /** Run mode: this job's share of a load split across a matrix (`k/N`). */
  shard?: ShardSpec;
  logRequests: 'sampled' | 'all';
  failOn: FailOn;
  /** Report and comment modes: what the runs are compared with. */
  baseline: BaselineKind;
  /** The workflow file whose scheduled runs are the baseline ('' = the running workflow). */
  baselineWorkflow: string;
  /** How many of its latest successful scheduled runs (a history: their spread raises the bar). */
  baselineRuns: number;
  artifactName: string;
  retentionDays?: number;
  comment: boolean;
  githubToken: string;
  workingDirectory: string;
}

export class InputError extends Error {
  override name = 'InputError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[], problems: string[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`input "${name}": "${value}" is not one of ${allowed.join(', ')}`);
  return allowed[0]!;
}

function durationOf(name: string, value: string, problems: string[]): number {
  try {
    return parseDuration(value);
  } catch (err) {
    problems.push(`input "${name}": ${(err as Error).message}`);
    return 0;
  }
}

function intOf(name: string, value: string, min: number, max: number, problems: string[]): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < min || n > max) {
    problems.push(`input "${name}": expected a whole number from ${min} to ${max}, got "${value}"`);
    return min;
  }
  return n;
}

/**
 * `scenarios`: the shipped scenario names (a run-mode `scenario` that is neither one of them nor
 * a path ending in .json is reported with the list).
 */
export function parseInputs(read: (name: string) => string, scenarios: readonly string[]): ActionInputs {
  const problems: string[] = [];
  const get = (name: string, fallback = '') => read(name).trim() || fallback;
  const mode = oneOf<Mode>('mode', get('mode', 'run'), ['run', 'report', 'comment'], problems);
  const durationMs = durationOf('duration', get('duration', '60s'), problems);
  const maxDurationMs = durationOf('max-duration', get('max-duration', '6h'), problems);
  if (durationMs > 0 && maxDurationMs > 0 && durationMs > maxDurationMs) {
    problems.push(`input "duration": ${get('duration')} is longer than max-duration (${get('max-duration', '6h')}); raise max-duration if you mean it`);
  }
  const scenario = get('scenario');
  if (mode === 'run') {
    if (!scenario) problems.push(`input "scenario": required in run mode: one of ${scenarios.join(', ')}, or a scenario file (.json)`);
    else if (!scenarios.includes(scenario) && !scenario.endsWith('.json')) {
      problems.push(`input "scenario": "${scenario}" is no shipped scenario (${scenarios.join(', ')}) and no .json file`);
    }
  }
  const runner = oneOf<RunnerKind>('runner', get('runner', 'compose'), ['compose', 'local'], problems);
  const serverCommand = get('server-command') || undefined;
  const serverImage = get('server-image') || undefined;
  const serverDockerfile = get('server-dockerfile') || undefined;
  const target = get('target') || undefined;
  if (mode === 'run') {
    if (serverImage && serverDockerfile) problems.push('inputs "server-image" and "server-dockerfile": give one of them (the Dockerfile builds the image)');
    if (target && (serverCommand || serverImage || serverDockerfile)) problems.push('input "target": a URL or profile replaces the server-* inputs; give one or the other');
    if (runner === 'local' && (serverImage || serverDockerfile)) problems.push('inputs "server-image"/"server-dockerfile": need runner compose (the local runner starts server-command as a process)');
  }
  const serverPort = intOf('server-port', get('server-port', '3001'), 1, 65535, problems);
  const clientProfile = oneOf('client-profile', get('client-profile', 'resilient'), ['resilient', 'claude-code'], problems);
  const seed = intOf('seed', get('seed', '1'), 0, 2 ** 32 - 1, problems);
  const shardText = get('shard');
  let shard: ShardSpec | undefined;
  if (shardText) {
    const parsed = parseShard(shardText);
    if ('error' in parsed) problems.push(`input "shard": ${parsed.error}`);
    else if (parsed.count > 1) shard = parsed;
  }
  const logRequests = oneOf('log-requests', get('log-requests', 'sampled'), ['sampled', 'all'], problems);
  const failOn = oneOf<FailOn>('fail-on', get('fail-on', 'slo'), ['slo', 'harness', 'regression', 'never'], problems);
  const baseline = oneOf<BaselineKind>('baseline', get('baseline', 'nightly'), ['nightly', 'none'], problems);
  const baselineWorkflow = get('baseline-workflow');
  if (baselineWorkflow && !/^[A-Za-z0-9._-]+\.ya?ml$/.test(baselineWorkflow)) problems.push(`input "baseline-workflow": "${baselineWorkflow}" is not a workflow file name (e.g. reliability.yml, the file under .github/workflows/)`);
  const baselineRuns = intOf('baseline-runs', get('baseline-runs', '3'), 1, 10, problems);
  const artifactName = get('artifact-name', 'mcp-reliability');
  if (!/^[A-Za-z0-9._-]+$/.test(artifactName)) problems.push(`input "artifact-name": "${artifactName}" may hold letters, digits, ".", "_" and "-" only`);
  const retention = get('retention-days');
  const retentionDays = retention ? intOf('retention-days', retention, 1, 400, problems) : undefined;
  const commentText = get('comment', 'true');
  if (!['true', 'false'].includes(commentText)) problems.push(`input "comment": expected true or false, got "${commentText}"`);
  if (problems.length) throw new InputError(problems);
  return {
    mode,
    scenario,
    durationMs,
    maxDurationMs,
    runner,
    ...(serverCommand ? { serverCommand } : {}),
    ...(serverImage ? { serverImage } : {}),
    ...(serverDockerfile ? { serverDockerfile } : {}),
    serverPort,
    ...(target ? { target } : {}),
    clientProfile,
    seed,
    ...(shard ? { shard } : {}),
    logRequests,
    failOn,
    baseline,
    baselineWorkflow,
    baselineRuns,
    artifactName,
    ...(retentionDays !== undefined ? { retentionDays } : {}),
    comment: commentText === 'true',
    githubToken: get('github-token'),
    workingDirectory: get('working-directory', '.'),
  };
}

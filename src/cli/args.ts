/** Command-line parsing (node:util parseArgs) into a typed command; usage errors carry exit code 2. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
import { BadInputError } from '../errors.js';
import { parseDuration } from '../scenario/index.js';

export class UsageError extends BadInputError {
  override name = 'UsageError';
}

export interface RunCommand {
  command: 'run';
  scenarios: string[];
  target: string;
  transport?: string;
  durationMs: number;
  clientProfiles: string[];
  out: string;
  seed: number;
  metricsPort?: number;
  metricsHost: string;
  metricsLingerMs: number;
  /** The target's server lives in this Compose service's container (container faults, container stats). */
  container?: { service: string; project: string };
  roles: string[];
  progress: 'auto' | 'tty' | 'plain' | 'none';
  printSummary: boolean;
}

export interface ProbeCommand {
  command: 'probe';
  target: string;
  timeoutMs: number;
}

export interface PipeCommand {
  command: 'pipe';
  host: string;
  port: number;
  argv: string[];
}

export interface StackCommand {
  command: 'stack';
  scenarios: string[];
  durationMs: number;
  out: string;
  seed: number;
  noCleanup: boolean;
  monitoring: boolean;
  imagesEnv?: string;
  project: string;
  composeFile?: string;
  /** The server: a command in our image (MCP_SERVER_COMMAND), and the target the simulator uses (MCP_TARGET). */
  serverCommand?: string;
  serverImage?: string;
  target?: string;
  /** Extra `run` flags for the simulator, as one string (MCP_RELIABILITY_ARGS). */
  runArgs?: string;
  readyTimeoutMs: number;
}

export interface ValidateCommand {
  command: 'validate';
  files: string[];
}

export interface ListCommand {
  command: 'list';
}

export interface HelpCommand {
  command: 'help' | 'version';
}

export type Command = RunCommand | ValidateCommand | ListCommand | HelpCommand | ProbeCommand | PipeCommand | StackCommand;

export const DEFAULT_DURATION = '20s';
export const DEFAULT_TARGET = 'everything-stdio';

function intOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} "${value}": expected a whole number from ${min} to ${max}`);
  return n;
}

export function parseCommand(argv: string[]): Command {
  const [sub, ...rest] = argv;
  if (!sub || sub === 'help' || sub === '--help' || sub === '-h') return { command: 'help' };
  if (sub === '--version' || sub === '-v' || sub === 'version') return { command: 'version' };
  if (sub === 'list') return { command: 'list' };
  if (sub === 'validate') {
    const { positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true, options: {} });
    return { command: 'validate', files: positionals };
  }
  if (sub === 'probe') return parseProbe(rest);
  if (sub === 'pipe') return parsePipe(rest);
  if (sub === 'stack') return parseStack(rest);
  if (sub !== 'run') throw new UsageError(`unknown command "${sub}": expected run, stack, validate, list, probe or pipe (see --help)`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: false,
      strict: true,
      options: {
        scenario: { type: 'string', multiple: true, short: 's' },
        target: { type: 'string', short: 't' },
        transport: { type: 'string' },
        duration: { type: 'string', short: 'd' },
        'client-profile': { type: 'string', multiple: true, short: 'c' },
        out: { type: 'string', short: 'o' },
        seed: { type: 'string' },
        'metrics-port': { type: 'string' },
        'metrics-host': { type: 'string' },
        'metrics-linger': { type: 'string' },
        container: { type: 'string' },
        'compose-project': { type: 'string' },
        role: { type: 'string', multiple: true },
        progress: { type: 'string' },
        'no-summary': { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message} (see mcp-reliability --help)`);
  }
  const v = parsed.values;
  let durationMs: number;
  try {
    durationMs = parseDuration(v.duration ?? DEFAULT_DURATION);
  } catch (err) {
    throw new UsageError(`--duration: ${(err as Error).message}`);
  }
  const progress = progressMode(v.progress);
  if (v['compose-project'] !== undefined && v.container === undefined) throw new UsageError('--compose-project needs --container <service>');
  const container = v.container !== undefined ? { service: nonEmpty('container', v.container), project: projectName(v['compose-project'] ?? process.env.MCP_RELIABILITY_PROJECT ?? 'mcp-reliability') } : undefined;
  return {
    command: 'run',
    scenarios: scenarioList(v.scenario),
    target: v.target ?? DEFAULT_TARGET,
    ...(v.transport ? { transport: v.transport } : {}),
    durationMs,
    clientProfiles: v['client-profile'] ?? ['resilient'],
    out: v.out ?? '.',
    seed: intOption('seed', v.seed, 0, 2 ** 32 - 1) ?? 1,
    ...(v['metrics-port'] !== undefined ? { metricsPort: intOption('metrics-port', v['metrics-port'], 0, 65535)! } : {}),
    metricsHost: v['metrics-host'] ?? '127.0.0.1',
    metricsLingerMs: v['metrics-linger'] !== undefined ? durationOption('metrics-linger', v['metrics-linger']) : 0,
    ...(container ? { container } : {}),
    roles: v.role ?? [],
    progress,
    printSummary: !v['no-summary'],
  };
}

function durationOption(name: string, value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new UsageError(`--${name}: ${(err as Error).message}`);
  }
}

function nonEmpty(name: string, value: string): string {
  if (value.trim() === '') throw new UsageError(`--${name}: expected a value, got an empty string`);
  return value;
}

function projectName(value: string): string {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(value)) throw new UsageError(`--compose-project "${value}": expected lowercase letters, digits, "-" and "_" (a Compose project name)`);
  return value;
}

function progressMode(value: string | undefined): RunCommand['progress'] {
  const progress = value ?? 'auto';
  if (!['auto', 'tty', 'plain', 'none'].includes(progress)) throw new UsageError(`--progress "${progress}": expected auto, tty, plain or none`);
  return progress as RunCommand['progress'];
}

/** `--scenario a --scenario b,c` → [a, b, c] (a comma list is how the compose file passes several). */
function scenarioList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

function strictParse(command: string, args: string[], options: ParseArgsOptionsConfig, allowPositionals = false): { values: OptionValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, allowPositionals, strict: true, options });
    return { values: values as OptionValues, positionals };
  } catch (err) {
    throw new UsageError(`${command}: ${(err as Error).message} (see mcp-reliability --help)`);
  }
}

function parseProbe(rest: string[]): ProbeCommand {
  const { values, positionals } = strictParse('probe', rest, { timeout: { type: 'string' } }, true);
  if (positionals.length !== 1) throw new UsageError('probe: expected one target (a URL such as http://127.0.0.1:3001/mcp or tcp://host:port, a profile name, or a quoted command)');
  return { command: 'probe', target: positionals[0]!, timeoutMs: values.timeout !== undefined ? durationOption('timeout', values.timeout as string) : 10_000 };
}

function parsePipe(rest: string[]): PipeCommand {
  const dash = rest.indexOf('--');
  const own = dash === -1 ? rest : rest.slice(0, dash);
  const argv = dash === -1 ? [] : rest.slice(dash + 1);
  const { values } = strictParse('pipe', own, { listen: { type: 'string' } });
  if (argv.length === 0) throw new UsageError('pipe: expected the stdio server command after "--", e.g. mcp-reliability pipe --listen 0.0.0.0:3001 -- ruv-swarm mcp start');
  const listen = (values.listen as string | undefined) ?? '0.0.0.0:3001';
  const m = /^(.*):(\d+)$/.exec(listen);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !m[1] || !Number.isInteger(port) || port > 65535) throw new UsageError(`pipe --listen "${listen}": expected host:port, e.g. 0.0.0.0:3001`);
  return { command: 'pipe', host: m[1].replace(/^\[|\]$/g, ''), port, argv };
}

function parseStack(rest: string[]): StackCommand {
  const { values: v } = strictParse('stack', rest, {
    scenario: { type: 'string', multiple: true, short: 's' },
    duration: { type: 'string', short: 'd' },
    out: { type: 'string', short: 'o' },
    seed: { type: 'string' },
    'no-cleanup': { type: 'boolean' },
    monitoring: { type: 'boolean' },
    'images-env': { type: 'string' },
    project: { type: 'string', short: 'p' },
    'compose-file': { type: 'string', short: 'f' },
    'server-command': { type: 'string' },
    'server-image': { type: 'string' },
    target: { type: 'string', short: 't' },
    'run-args': { type: 'string' },
    'ready-timeout': { type: 'string' },
  });
  const scenarios = scenarioList(v.scenario as string[] | undefined);
  return {
    command: 'stack',
    scenarios: scenarios.length ? scenarios : ['connection-stability'],
    durationMs: durationOption('duration', (v.duration as string | undefined) ?? '60s'),
    out: (v.out as string | undefined) ?? '.',
    seed: intOption('seed', v.seed as string | undefined, 0, 2 ** 32 - 1) ?? 1,
    noCleanup: Boolean(v['no-cleanup']),
    monitoring: Boolean(v.monitoring),
    ...(v['images-env'] !== undefined ? { imagesEnv: v['images-env'] as string } : {}),
    project: projectName((v.project as string | undefined) ?? process.env.MCP_RELIABILITY_PROJECT ?? 'mcp-reliability'),
    ...(v['compose-file'] !== undefined ? { composeFile: v['compose-file'] as string } : {}),
    ...(v['server-command'] !== undefined ? { serverCommand: nonEmpty('server-command', v['server-command'] as string) } : {}),
    ...(v['server-image'] !== undefined ? { serverImage: nonEmpty('server-image', v['server-image'] as string) } : {}),
    ...(v.target !== undefined ? { target: nonEmpty('target', v.target as string) } : {}),
    ...(v['run-args'] !== undefined ? { runArgs: v['run-args'] as string } : {}),
    readyTimeoutMs: durationOption('ready-timeout', (v['ready-timeout'] as string | undefined) ?? '180s'),
  };
}

export const HELP = `mcp-reliability: reliability tests for MCP servers

Usage:
  mcp-reliability run [options]        run scenarios against a target and write results and reports
  mcp-reliability stack [options]      run scenarios in the Docker Compose stack (server, simulator, Prometheus)
  mcp-reliability validate [file ...]  validate scenario files (default: every shipped scenario)
  mcp-reliability list                 list shipped scenarios, targets and client profiles
  mcp-reliability probe <target>       MCP initialize + tools/list against a target; exit 0 when it answers
  mcp-reliability pipe [--listen host:port] -- <command...>
                                       serve a stdio server over TCP (line-delimited JSON-RPC, bytes unchanged)

Run options:
  -s, --scenario <name|file>   scenario to run (repeatable; default: every shipped scenario)
  -t, --target <profile|command|url>
                               profile name (targets/*.json), a profile file, a URL
                               (http(s):// Streamable HTTP, .../sse legacy SSE, ws(s):// WebSocket)
                               or a stdio server command (default: ${DEFAULT_TARGET})
      --transport <kind>       override the transport inferred from a URL (streamable-http|sse|websocket)
  -d, --duration <time>        run length per scenario: 90s, 30m, 1h, 1500ms or seconds (default: ${DEFAULT_DURATION})
  -c, --client-profile <name>  resilient | claude-code (repeatable: each scenario runs once per profile)
  -o, --out <dir>              where test-results/, reports/ and logs/ go (default: .)
      --seed <n>               seed for every random choice (default: 1)
      --metrics-port <n>       serve Prometheus /metrics on 127.0.0.1:<n> during the run (0 = any free port)
      --metrics-host <addr>    address for /metrics (default 127.0.0.1; 0.0.0.0 in a container)
      --metrics-linger <time>  keep serving the final metrics this long after the run (default 0)
      --container <service>    the target's server runs in this Compose service's container: container
                               faults act on it, its memory and CPU come from the engine's stats
      --compose-project <name> the Compose project of --container (default: $MCP_RELIABILITY_PROJECT or mcp-reliability)
      --role <role=tool[:json]>  map a tool role, e.g. --role probe=echo:'{"message":"hi"}' (repeatable)
      --progress <mode>        auto | tty | plain | none (default: auto: live line on a terminal, plain lines otherwise)
      --no-summary             do not print reports/summary.md at the end

Stack options (mcp-reliability stack):
  -s, --scenario <name|file>   scenario(s) for the simulator (repeatable or comma list; default: connection-stability)
  -d, --duration <time>        per scenario (default: 60s)
  -o, --out <dir>              where test-results/, reports/ and logs/ go (default: .)
      --seed <n>               as for run (default: 1)
      --no-cleanup             leave the stack up afterwards (Prometheus on 127.0.0.1:9090)
      --monitoring             also start Grafana, Loki and Promtail (compose profile "monitoring")
      --images-env <file>      env file with image variables (tools/offline-images.sh writes one)
  -p, --project <name>         Compose project name (default: mcp-reliability)
  -f, --compose-file <file>    default: docker-compose.mcp-reliability.yml of this package
      --server-command <cmd>   the server's command in mcp-server (MCP_SERVER_COMMAND)
      --server-image <image>   the server's image (MCP_SERVER_IMAGE)
  -t, --target <url|profile>   what the simulator connects to (default: stack-everything)
      --run-args <flags>       extra run flags for the simulator, e.g. "--client-profile claude-code"
      --ready-timeout <time>   how long to wait for the stack and an MCP answer (default: 180s)

Exit codes: 0 all SLOs met; 1 an SLO failed; 2 bad input or usage; 3 harness failure; 130 interrupted.`;

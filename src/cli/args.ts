/** Command-line parsing (node:util parseArgs) into a typed command; usage errors carry exit code 2. */
import { parseArgs } from 'node:util';
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
  roles: string[];
  progress: 'auto' | 'tty' | 'plain' | 'none';
  printSummary: boolean;
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

export type Command = RunCommand | ValidateCommand | ListCommand | HelpCommand;

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
  if (sub !== 'run') throw new UsageError(`unknown command "${sub}": expected run, validate or list (see --help)`);
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
  const progress = v.progress ?? 'auto';
  if (!['auto', 'tty', 'plain', 'none'].includes(progress)) throw new UsageError(`--progress "${progress}": expected auto, tty, plain or none`);
  return {
    command: 'run',
    scenarios: v.scenario ?? [],
    target: v.target ?? DEFAULT_TARGET,
    ...(v.transport ? { transport: v.transport } : {}),
    durationMs,
    clientProfiles: v['client-profile'] ?? ['resilient'],
    out: v.out ?? '.',
    seed: intOption('seed', v.seed, 0, 2 ** 32 - 1) ?? 1,
    ...(v['metrics-port'] !== undefined ? { metricsPort: intOption('metrics-port', v['metrics-port'], 0, 65535)! } : {}),
    roles: v.role ?? [],
    progress: progress as RunCommand['progress'],
    printSummary: !v['no-summary'],
  };
}

export const HELP = `mcp-reliability: reliability tests for MCP servers

Usage:
  mcp-reliability run [options]        run scenarios against a target and write results and reports
  mcp-reliability validate [file ...]  validate scenario files (default: every shipped scenario)
  mcp-reliability list                 list shipped scenarios, targets and client profiles

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
      --role <role=tool[:json]>  map a tool role, e.g. --role probe=echo:'{"message":"hi"}' (repeatable)
      --progress <mode>        auto | tty | plain | none (default: auto: live line on a terminal, plain lines otherwise)
      --no-summary             do not print reports/summary.md at the end

Exit codes: 0 all SLOs met; 1 an SLO failed; 2 bad input or usage; 3 harness failure.`;

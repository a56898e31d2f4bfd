/** Command-line parsing (node:util parseArgs) into a typed command; usage errors carry exit code 2. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
import { BadInputError } from '../errors.js';
import { parseDuration } from '../scenario/index.js';
import { closest } from '../scenario/suggest.js';
import { parseShard } from '../scenario/shard.js';

export class UsageError extends BadInputError {
  override name = 'UsageError';
  /** The subcommand whose usage was wrong (`run`, `validate`, ...): the CLI prints `mcp-reliability <command>: <message>`. */
  command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
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
  /** Raw `--header 'Name: value'` flags (parsed, with `${VAR}` filled in, by src/target/headers.ts). */
  headers: string[];
  progress: 'auto' | 'tty' | 'plain' | 'none';
  printSummary: boolean;
  /** Run the active protocol checks before each scenario (false with --no-checks). */
  checks: boolean;
  /** What the event log keeps of the requests. */
  logRequests: 'sampled' | 'all';
  /** Run this share of every load step (`--shard k/N`). */
  shard?: { index: number; count: number };
}

export interface ReportCommand {
  command: 'report';
  /** result.json files, or folders searched for them. */
  paths: string[];
  /** Write the Markdown here (else stdout). */
  out?: string;
  /** Write the merged loads as JSON here. */
  json?: string;
  /** Compare with these baseline results (the headline says what got worse, a table per scenario the deltas). */
  baseline: string[];
}

export interface CompareCommand {
  command: 'compare';
  /** Baseline result.json files or folders; several runs of a scenario are a history. */
  baseline: string[];
  current: string[];
  out?: string;
  json?: string;
  failOn: 'regression' | 'never';
}

export interface ProbeCommand {
  command: 'probe';
  target: string;
  timeoutMs: number;
  transport?: string;
  /** Raw `--header 'Name: value'` flags, as for run. */
  headers: string[];
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
  /** Machine-readable output. */
  json: boolean;
}

export interface HelpCommand {
  command: 'help' | 'version';
  /** The text to print: a subcommand's usage; the general HELP when absent. */
  usage?: string;
}

export type Command = RunCommand | ValidateCommand | ListCommand | HelpCommand | ProbeCommand | PipeCommand | StackCommand | ReportCommand | CompareCommand;

export const DEFAULT_DURATION = '20s';
/** The embedded default: the SDK's reference Streamable HTTP server, started here as a local process (network faults apply too); see targets/sdk-example-http.json. */
export const DEFAULT_TARGET = 'sdk-example-http';

function intOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} "${value}": expected a whole number from ${min} to ${max}`);
  return n;
}

/**
 * A flag of a subcommand: how parseArgs reads it and how its usage line reads. The tables below are
 * the one source of both — parsing, `<command> --help`, the unknown-option message and the general help.
 */
interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in the usage, e.g. `<name|file>`. */
  value?: string;
  /** What it does (one sentence; the usage wraps it). */
  help: string;
  /** The value parseArgs fills in when the flag is absent (the usage shows it as the default). */
  default?: string | readonly string[];
  /** The default in words, when it is no plain value (`every shipped scenario`). */
  defaultText?: string;
}

interface CommandSpec {
  summary: string;
  /** The positional arguments: usage text, meaning, how many. */
  args?: { usage: string; help: string; min: number; max: number; hint?: string; /** What they are in a few words, for usage errors. */ brief?: string };
  options: Record<string, FlagSpec>;
  /** Paragraphs after the options. */
  notes?: string[];
  /** Its exit codes, in words. */
  exits: string;
}

const HEADER_FLAG: FlagSpec = {
  type: 'string',
  multiple: true,
  value: "<'Name: value'>",
  help: "send this HTTP header to a network target (Streamable HTTP or SSE), e.g. 'Authorization: Bearer ${API_TOKEN}'; ${VAR} is replaced by the environment variable VAR (unset: exit 2); a flag replaces the profile's header of that name; never printed",
  defaultText: 'none',
};

const TRANSPORT_FLAG: FlagSpec = { type: 'string', value: '<kind>', help: 'override the transport inferred from a URL target: streamable-http, sse or websocket', defaultText: 'inferred from the URL' };

const TARGET_FORMS =
  'a profile name (targets/<name>.json) or profile file; a URL (http(s):// Streamable HTTP, .../sse legacy SSE, ws(s):// WebSocket, tcp://host:port a stdio server behind `pipe`); or a stdio server command: quoted with its arguments, or a single word that is an executable on PATH (node_modules/.bin first) or a path to one';

const COMMANDS = {
  run: {
    summary: 'run scenarios against a target and write results and reports',
    options: {
      scenario: { type: 'string', multiple: true, short: 's', value: '<name|file>', help: 'a shipped scenario name (scenarios/<name>.json) or a scenario file; also a comma list', defaultText: 'every shipped scenario' },
      target: { type: 'string', short: 't', value: '<profile|command|url>', help: TARGET_FORMS, default: DEFAULT_TARGET },
      transport: TRANSPORT_FLAG,
      duration: { type: 'string', short: 'd', value: '<time>', help: 'run length per scenario: 90s, 30m, 1h, 1500ms or a number of seconds; soak and load steps stretch to it', default: DEFAULT_DURATION },
      'client-profile': { type: 'string', multiple: true, short: 'c', value: '<name>', help: 'resilient or claude-code; each scenario runs once per profile', default: ['resilient'] },
      out: { type: 'string', short: 'o', value: '<dir>', help: 'where test-results/, reports/ and logs/ are written', default: '.' },
      seed: { type: 'string', value: '<n>', help: 'seed for every random choice (backoff jitter, chaos schedules, toxics): the same seed replays the same run', default: '1' },
      'metrics-port': { type: 'string', value: '<n>', help: 'serve Prometheus /metrics (and /healthz) during the run; 0 picks a free port', defaultText: 'off' },
      'metrics-host': { type: 'string', value: '<addr>', help: 'address /metrics binds to (0.0.0.0 inside a container)', default: '127.0.0.1' },
      'metrics-linger': { type: 'string', value: '<time>', help: 'keep serving the final metrics this long after the run, so a scraping Prometheus sees the last values', default: '0' },
      container: { type: 'string', value: '<service>', help: "the target's server runs in this Compose service's container: container faults act on it, its memory and CPU come from the engine's stats (needs the Docker socket)", defaultText: 'off' },
      'compose-project': { type: 'string', value: '<name>', help: 'the Compose project of --container', defaultText: '$MCP_RELIABILITY_PROJECT or mcp-reliability' },
      role: { type: 'string', multiple: true, value: '<role=tool[:json]>', help: `map a tool role to a tool and its arguments, e.g. --role 'probe=echo:{"message":"hi"}'`, defaultText: "from the profile, or inferred from the server's tools" },
      header: HEADER_FLAG,
      progress: { type: 'string', value: '<mode>', help: 'auto (a live line on a terminal, a plain line every 10 s otherwise), tty, plain or none', default: 'auto' },
      'no-summary': { type: 'boolean', help: "don't print reports/summary.md at the end" },
      'no-checks': { type: 'boolean', help: "don't run the active protocol checks (unknown session, Origin, notification, unknown method, malformed JSON, ping) before each scenario" },
      'log-requests': { type: 'string', value: '<mode>', help: 'what logs/<run>/events.ndjson keeps of the requests: sampled (every request that did not simply succeed, the 5 slowest successes and one requests-interval line of counts and percentiles per interval: the size follows the run length, not the request count) or all (every request, gzipped to events.ndjson.gz: for debugging)', default: 'sampled' },
      shard: { type: 'string', value: '<k/N>', help: "run share k of N of the scenarios' load (one matrix job per shard): each load step's rate and workers divided by N, the request floors too, the seed derived from --seed and k; report merges the shards' histograms", defaultText: 'off' },
    },
    exits: '0 every SLO of every scenario met; 1 an SLO failed (the reports name it); 2 bad input or usage, reported before anything starts; 3 harness failure; 130 interrupted (what was measured is written).',
  },
  stack: {
    summary: 'run scenarios in the Docker Compose stack (server, simulator, Prometheus)',
    options: {
      scenario: { type: 'string', multiple: true, short: 's', value: '<name|file>', help: 'scenario for the simulator; also a comma list', defaultText: 'connection-stability' },
      duration: { type: 'string', short: 'd', value: '<time>', help: 'run length per scenario', default: '60s' },
      out: { type: 'string', short: 'o', value: '<dir>', help: 'where test-results/, reports/ and logs/ are written', default: '.' },
      seed: { type: 'string', value: '<n>', help: 'seed for every random choice, as for run', default: '1' },
      'no-cleanup': { type: 'boolean', help: 'leave the stack up afterwards (Prometheus on 127.0.0.1:9090)' },
      monitoring: { type: 'boolean', help: 'also start Grafana, Loki and Promtail (compose profile "monitoring")' },
      'images-env': { type: 'string', value: '<file>', help: 'env file with image variables (tools/offline-images.sh writes one)', defaultText: 'none' },
      project: { type: 'string', short: 'p', value: '<name>', help: 'Compose project name', defaultText: '$MCP_RELIABILITY_PROJECT or mcp-reliability' },
      'compose-file': { type: 'string', short: 'f', value: '<file>', help: 'the Compose file', defaultText: 'docker-compose.mcp-reliability.yml of this package' },
      'server-command': { type: 'string', value: '<cmd>', help: "the server's command in the mcp-server container (MCP_SERVER_COMMAND)", defaultText: "$MCP_SERVER_COMMAND or 'mcp-server-everything streamableHttp'" },
      'server-image': { type: 'string', value: '<image>', help: "the server's image (MCP_SERVER_IMAGE)", defaultText: '$MCP_SERVER_IMAGE or mcp-reliability:local' },
      target: { type: 'string', short: 't', value: '<url|profile>', help: 'what the simulator connects to: a URL or a profile with "url" and no "launch"', defaultText: 'stack-everything' },
      'run-args': { type: 'string', value: '<flags>', help: 'extra run flags for the simulator, as one string, e.g. "--client-profile claude-code"', defaultText: 'none' },
      'ready-timeout': { type: 'string', value: '<time>', help: 'how long to wait for the stack and an MCP answer from the server', default: '180s' },
    },
    exits: "the simulator's code (as for run); 2 bad input or usage; 3 also when the stack cannot run (no Docker engine or Compose CLI, an image that does not build, a server that never answers MCP); 130 interrupted.",
  },
  report: {
    summary: "one report over many runs' results (the action's report): shards of a split load merged",
    args: { usage: '<result.json|dir> ...', help: 'result files, or folders searched for test-results/*/result.json', brief: 'result.json files or folders holding them', min: 1, max: Infinity },
    options: {
      out: { type: 'string', short: 'o', value: '<file>', help: 'write the Markdown report here', defaultText: 'stdout' },
      json: { type: 'string', value: '<file>', help: 'write the merged loads (totals, merged latency with its histogram, SLOs judged again) as JSON here', defaultText: 'none' },
      baseline: { type: 'string', multiple: true, short: 'b', value: '<result.json|dir>', help: 'compare with these baseline results, as compare does: the headline says what got worse, a table per scenario the deltas (the exit code stays the SLO verdict; compare gates on regressions)', defaultText: 'none' },
    },
    notes: [
      "Results with a shard (run --shard k/N) of the same scenario, client profile, target and seed are one load: their counts are added, their latency histograms merged (the percentiles are those of one histogram holding every request; never an average of percentiles), and availability, error rates, latency limits and request floors judged again on the merged figures. The other SLOs are each shard's own and fail the load when they failed in any shard. A missing shard makes the load's verdict error.",
    ],
    exits: "0 every scenario (a split load by its merged verdict) passed; 1 one failed; 2 bad input (a file that is not a valid result, no result found); 3 a run's verdict was error.",
  },
  compare: {
    summary: 'did the current runs get worse than the baseline? per scenario and metric: baseline, current, delta, verdict',
    options: {
      baseline: { type: 'string', multiple: true, short: 'b', value: '<result.json|dir>', help: 'baseline results: result files or folders holding test-results/*/result.json (repeatable; several runs of a scenario are a history, whose spread raises the bar)', defaultText: 'required' },
      current: { type: 'string', multiple: true, short: 'c', value: '<result.json|dir>', help: 'the results to judge (repeatable)', defaultText: 'required' },
      out: { type: 'string', short: 'o', value: '<file>', help: 'write the Markdown comparison here', defaultText: 'stdout' },
      json: { type: 'string', value: '<file>', help: 'write the comparison (every metric: baseline, current, delta, verdict, method) as JSON here', defaultText: 'none' },
      'fail-on': { type: 'string', value: '<when>', help: 'regression: exit 1 when a metric got worse; never: exit 0 whatever the verdict', default: 'regression' },
    },
    notes: [
      'A metric is worse only when the change is beyond sampling noise (99 % intervals: Newcombe for availability and error rates, order statistics on the HDR histograms for latency percentiles, a Poisson rate test for reconnects), at least a minimum effect (latency: +10 ms and +50 %; rates: +0.2 pp and 1.5x), and, with a baseline history, outside the range of the baseline runs. A finding the baseline never had is always worse. The scenario\'s expect.regression sets the limits.',
      'Scenarios are matched by name and client profile; the shards of a split load are put back together first.',
    ],
    exits: '0 no metric got worse (or --fail-on never); 1 a metric got worse; 2 bad input (a file that is not a valid result, no result found, a missing --baseline or --current).',
  },
  validate: {
    summary: 'validate scenario files and print each problem with file, JSON pointer, expectation and hint',
    args: { usage: '[scenario-file ...]', help: 'scenario files or shipped scenario names (default: every shipped scenario)', min: 0, max: Infinity },
    options: {},
    exits: '0 every scenario is valid; 2 a problem was found (each printed) or bad usage.',
  },
  list: {
    summary: 'list shipped scenarios, targets and client profiles',
    options: {
      json: { type: 'boolean', help: 'print {"scenarios": [...], "targets": [...], "clientProfiles": [...]} (a workflow builds its matrix from it)' },
    },
    exits: '0; 2 bad usage.',
  },
  probe: {
    summary: 'MCP initialize + tools/list against a target; exit 0 when it answers, 1 with the reason otherwise',
    args: { usage: '<target>', help: `what to probe, in any form run --target takes: ${TARGET_FORMS}`, brief: 'one target: a URL, a profile name or file, or a stdio server command (quoted with its arguments)', min: 1, max: 1 },
    options: {
      timeout: { type: 'string', value: '<time>', help: 'how long the server has to answer initialize and tools/list (a server this tool starts also has its own start-up time)', default: '10s' },
      transport: TRANSPORT_FLAG,
      header: HEADER_FLAG,
    },
    notes: [
      'A URL, or a profile with a "url" and no "launch", is reached as it runs (the stack\'s healthcheck: probe http://127.0.0.1:3001/mcp). A command, or a profile with "launch", is started (its stderr in a temporary folder, kept and named when the probe fails), probed and stopped again, also on failure.',
    ],
    exits: '0 it answered (server, protocol and tools on stdout); 1 it did not (the reason on stderr); 2 bad input or usage; 130 interrupted (a server it started is stopped).',
  },
  pipe: {
    summary: 'serve a stdio server over TCP: each connection gets a fresh server process, bytes pass unchanged both ways',
    args: { usage: '-- <command...>', help: 'the stdio server command and its arguments, after "--"', min: 0, max: 0, hint: 'put the server command after "--", e.g. mcp-reliability pipe --listen 0.0.0.0:3001 -- ruv-swarm mcp start' },
    options: {
      listen: { type: 'string', value: '<host:port>', help: 'address to listen on', default: '0.0.0.0:3001' },
    },
    exits: '0 stopped by SIGINT/SIGTERM; 2 bad usage; 3 it cannot listen.',
  },
} as const satisfies Record<string, CommandSpec>;

type CommandName = keyof typeof COMMANDS;
type OptionName<C extends CommandName> = keyof (typeof COMMANDS)[C]['options'] & string;
const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

const HELP_FLAG: FlagSpec = { type: 'boolean', short: 'h', help: 'print this help and exit' };

function flagsOf(name: CommandName): Record<string, FlagSpec> {
  return { ...(COMMANDS[name].options as Record<string, FlagSpec>), help: HELP_FLAG };
}

function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

/** A subcommand's parsed flags, read by name (names checked against its table at compile time). */
class Values<C extends CommandName> {
  constructor(private readonly values: Record<string, unknown>) {}
  string(name: OptionName<C>): string | undefined {
    return this.values[name] as string | undefined;
  }
  /** A flag the table gives a default: always has a value. */
  value(name: OptionName<C>): string {
    const v = this.values[name];
    if (typeof v !== 'string') throw new Error(`internal: --${name} has no default in the option table`);
    return v;
  }
  list(name: OptionName<C>): string[] {
    return (this.values[name] as string[] | undefined) ?? [];
  }
  flag(name: OptionName<C>): boolean {
    return this.values[name] === true;
  }
}

type Parsed<C extends CommandName> = { help: true } | { help: false; values: Values<C>; positionals: string[] };

function flagNames(flags: Record<string, FlagSpec>): string {
  return Object.entries(flags)
    .map(([n, f]) => (f.short ? `--${n} (-${f.short})` : `--${n}`))
    .join(', ');
}

/**
 * Parse a subcommand's arguments against its table. Clear one-line usage errors instead of
 * parseArgs' own: an unknown option (with a suggestion and the valid ones), a missing or unwanted
 * value, an unexpected or missing argument. `--help`/`-h` anywhere wins.
 */
function parseFor<C extends CommandName>(command: C, args: string[]): Parsed<C> {
  const spec: CommandSpec = COMMANDS[command];
  const flags = flagsOf(command);
  const options: ParseArgsOptionsConfig = {};
  for (const [n, f] of Object.entries(flags)) {
    options[n] = { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}), ...(f.default !== undefined ? { default: f.default } : {}) } as ParseArgsOptionsConfig[string];
  }
  const see = `(see mcp-reliability ${command} --help)`;
  const { values, tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const optionTokens = tokens.filter((t) => t.kind === 'option');
  if (optionTokens.some((t) => t.name === 'help')) return { help: true };
  for (const t of optionTokens) {
    const flag = Object.hasOwn(flags, t.name) ? flags[t.name] : undefined;
    if (!flag) {
      const guess = closest(t.name, Object.keys(flags));
      throw new UsageError(`unknown option "${t.rawName}"${guess ? ` (did you mean "--${guess}"?)` : ''}; valid options: ${flagNames(flags)} ${see}`, command);
    }
    const shown = `--${t.name}${flag.value ? ` ${flag.value}` : ''}`;
    if (flag.type === 'string' && t.value === undefined) throw new UsageError(`${t.rawName} needs a value: ${shown} ${see}`, command);
    // As parseArgs' strict mode: `--target --other` is a forgotten value, not the value "--other" (which is not echoed: it may be a secret).
    if (flag.type === 'string' && !t.inlineValue && t.value?.startsWith('-')) {
      throw new UsageError(`${t.rawName} needs a value, but the next argument is an option; a value starting with "-" is written ${t.rawName}=<value> ${see}`, command);
    }
    if (flag.type === 'boolean' && t.value !== undefined) throw new UsageError(`${t.rawName} takes no value ${see}`, command);
  }
  const positionals = tokens.flatMap((t) => (t.kind === 'positional' ? [t.value] : []));
  const max = spec.args?.max ?? 0;
  if (positionals.length > max) {
    const expected = max === 0 ? `${command} takes no arguments${spec.args?.hint ? `; ${spec.args.hint}` : ''}` : `expected ${spec.args!.brief ?? spec.args!.help}`;
    throw new UsageError(`unexpected argument "${positionals[max]}": ${expected} ${see}`, command);
  }
  if (spec.args && positionals.length < spec.args.min) throw new UsageError(`expected ${spec.args.brief ?? spec.args.help}, got none ${see}`, command);
  return { help: false, values: new Values<C>(values as Record<string, unknown>), positionals };
}

export function parseCommand(argv: string[]): Command {
  const [sub, ...rest] = argv;
  if (!sub || sub === 'help' || sub === '--help' || sub === '-h') {
    const topic = sub === 'help' ? rest[0] : undefined;
    if (topic === undefined) return { command: 'help' };
    if (!isCommand(topic)) throw unknownCommand(topic);
    return { command: 'help', usage: usage(topic) };
  }
  if (sub === '--version' || sub === '-v' || sub === 'version') return { command: 'version' };
  if (!isCommand(sub)) throw unknownCommand(sub);
  try {
    return parseSubcommand(sub, rest);
  } catch (err) {
    if (err instanceof UsageError) err.command ??= sub;
    throw err;
  }
}

function unknownCommand(name: string): UsageError {
  const guess = closest(name, COMMAND_NAMES);
  return new UsageError(`unknown command "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}: expected ${COMMAND_NAMES.slice(0, -1).join(', ')} or ${COMMAND_NAMES.at(-1)} (see mcp-reliability --help)`);
}

function parseSubcommand(sub: CommandName, rest: string[]): Command {
  switch (sub) {
    case 'list': {
      const p = parseFor('list', rest);
      return p.help ? { command: 'help', usage: usage('list') } : { command: 'list', json: p.values.flag('json') };
    }
    case 'validate': {
      const p = parseFor('validate', rest);
      return p.help ? { command: 'help', usage: usage('validate') } : { command: 'validate', files: p.positionals };
    }
    case 'probe':
      return parseProbe(rest);
    case 'pipe':
      return parsePipe(rest);
    case 'stack':
      return parseStack(rest);
    case 'run':
      return parseRun(rest);
    case 'compare':
      return parseCompare(rest);
    case 'report': {
      const p = parseFor('report', rest);
      if (p.help) return { command: 'help', usage: usage('report') };
      const out = p.values.string('out');
      const json = p.values.string('json');
      return { command: 'report', paths: p.positionals, baseline: p.values.list('baseline').map((b) => nonEmpty('baseline', b)), ...(out !== undefined ? { out: nonEmpty('out', out) } : {}), ...(json !== undefined ? { json: nonEmpty('json', json) } : {}) };
    }
  }
}

function parseCompare(rest: string[]): CompareCommand | HelpCommand {
  const p = parseFor('compare', rest);
  if (p.help) return { command: 'help', usage: usage('compare') };
  const v = p.values;
  const baseline = v.list('baseline').map((b) => nonEmpty('baseline', b));
  const current = v.list('current').map((c) => nonEmpty('current', c));
  if (baseline.length === 0) throw new UsageError('--baseline is required: the results to compare against (result.json files or folders holding test-results/)');
  if (current.length === 0) throw new UsageError('--current is required: the results to judge (result.json files or folders holding test-results/)');
  const failOn = v.value('fail-on');
  if (failOn !== 'regression' && failOn !== 'never') throw new UsageError(`--fail-on "${failOn}": expected regression or never`);
  const out = v.string('out');
  const json = v.string('json');
  return { command: 'compare', baseline, current, failOn, ...(out !== undefined ? { out: nonEmpty('out', out) } : {}), ...(json !== undefined ? { json: nonEmpty('json', json) } : {}) };
}

function parseRun(rest: string[]): RunCommand | HelpCommand {
  const p = parseFor('run', rest);
  if (p.help) return { command: 'help', usage: usage('run') };
  const v = p.values;
  const duration = durationOption('duration', v.value('duration'));
  const progress = progressMode(v.value('progress'));
  const composeProject = v.string('compose-project');
  const containerService = v.string('container');
  if (composeProject !== undefined && containerService === undefined) throw new UsageError('--compose-project needs --container <service>');
  const container = containerService !== undefined ? { service: nonEmpty('container', containerService), project: projectName(composeProject ?? process.env.MCP_RELIABILITY_PROJECT ?? 'mcp-reliability') } : undefined;
  const transport = v.string('transport');
  const metricsPort = v.string('metrics-port');
  return {
    command: 'run',
    scenarios: scenarioList(v.list('scenario')),
    target: nonEmpty('target', v.value('target')),
    ...(transport ? { transport } : {}),
    durationMs: duration,
    clientProfiles: v.list('client-profile'),
    out: v.value('out'),
    seed: intOption('seed', v.value('seed'), 0, 2 ** 32 - 1)!,
    ...(metricsPort !== undefined ? { metricsPort: intOption('metrics-port', metricsPort, 0, 65535)! } : {}),
    metricsHost: v.value('metrics-host'),
    metricsLingerMs: durationOption('metrics-linger', v.value('metrics-linger')),
    ...(container ? { container } : {}),
    roles: v.list('role'),
    headers: v.list('header'),
    progress,
    printSummary: !v.flag('no-summary'),
    checks: !v.flag('no-checks'),
    logRequests: logRequestsMode(v.value('log-requests')),
    ...shardOption(v.string('shard')),
  };
}

function logRequestsMode(value: string): RunCommand['logRequests'] {
  if (value !== 'sampled' && value !== 'all') throw new UsageError(`--log-requests "${value}": expected sampled or all`);
  return value;
}

function shardOption(value: string | undefined): Pick<RunCommand, 'shard'> {
  if (value === undefined) return {};
  const shard = parseShard(value);
  if ('error' in shard) throw new UsageError(`--shard ${shard.error}`);
  return { shard };
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

function parseProbe(rest: string[]): ProbeCommand | HelpCommand {
  const p = parseFor('probe', rest);
  if (p.help) return { command: 'help', usage: usage('probe') };
  const transport = p.values.string('transport');
  return {
    command: 'probe',
    target: p.positionals[0]!,
    timeoutMs: durationOption('timeout', p.values.value('timeout')),
    ...(transport ? { transport } : {}),
    headers: p.values.list('header'),
  };
}

function parsePipe(rest: string[]): PipeCommand | HelpCommand {
  const dash = rest.indexOf('--');
  const own = dash === -1 ? rest : rest.slice(0, dash);
  const argv = dash === -1 ? [] : rest.slice(dash + 1);
  const p = parseFor('pipe', own);
  if (p.help) return { command: 'help', usage: usage('pipe') };
  if (argv.length === 0) throw new UsageError(`expected the stdio server command after "--", e.g. mcp-reliability pipe --listen 0.0.0.0:3001 -- ruv-swarm mcp start (see mcp-reliability pipe --help)`);
  const listen = p.values.value('listen');
  const m = /^(.*):(\d+)$/.exec(listen);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !m[1] || !Number.isInteger(port) || port > 65535) throw new UsageError(`--listen "${listen}": expected host:port, e.g. 0.0.0.0:3001`);
  return { command: 'pipe', host: m[1].replace(/^\[|\]$/g, ''), port, argv };
}

function parseStack(rest: string[]): StackCommand | HelpCommand {
  const p = parseFor('stack', rest);
  if (p.help) return { command: 'help', usage: usage('stack') };
  const v = p.values;
  const scenarios = scenarioList(v.list('scenario'));
  const optional = <K extends keyof StackCommand>(key: K, value: StackCommand[K] | undefined) => (value !== undefined ? ({ [key]: value } as Pick<StackCommand, K>) : {});
  const nonEmptyOrUndefined = (name: OptionName<'stack'>) => {
    const value = v.string(name);
    return value === undefined ? undefined : nonEmpty(name, value);
  };
  return {
    command: 'stack',
    scenarios: scenarios.length ? scenarios : ['connection-stability'],
    durationMs: durationOption('duration', v.value('duration')),
    out: v.value('out'),
    seed: intOption('seed', v.value('seed'), 0, 2 ** 32 - 1)!,
    noCleanup: v.flag('no-cleanup'),
    monitoring: v.flag('monitoring'),
    ...optional('imagesEnv', v.string('images-env')),
    project: projectName(v.string('project') ?? process.env.MCP_RELIABILITY_PROJECT ?? 'mcp-reliability'),
    ...optional('composeFile', v.string('compose-file')),
    ...optional('serverCommand', nonEmptyOrUndefined('server-command')),
    ...optional('serverImage', nonEmptyOrUndefined('server-image')),
    ...optional('target', nonEmptyOrUndefined('target')),
    ...optional('runArgs', v.string('run-args')),
    readyTimeoutMs: durationOption('ready-timeout', v.value('ready-timeout')),
  };
}

const WIDTH = 100;

/** Words of `text` in lines of at most `width - indent` characters, every line but the first indented. */
function wrap(text: string, indent: number, width = WIDTH): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function defaultOf(f: FlagSpec): string | undefined {
  if (f.defaultText !== undefined) return f.defaultText;
  if (f.default === undefined) return undefined;
  return typeof f.default === 'string' ? f.default : f.default.join(', ');
}

/** One line per flag: `-s, --scenario <name|file>` then what it does, whether it repeats, its default. */
function optionLines(flags: Record<string, FlagSpec>): string[] {
  const rows = Object.entries(flags).map(([n, f]) => {
    const left = `${f.short ? `-${f.short}, ` : '    '}--${n}${f.value ? ` ${f.value}` : ''}`;
    const dflt = defaultOf(f);
    const right = `${f.help}${f.multiple ? ' (repeatable)' : ''}${dflt !== undefined ? ` (default: ${dflt})` : ''}`;
    return { left, right };
  });
  const column = Math.min(32, Math.max(...rows.map((r) => r.left.length)) + 4);
  return rows.map(({ left, right }) => {
    const head = `  ${left}`;
    return head.length + 2 <= column ? `${head.padEnd(column)}${wrap(right, column)}` : `${head}\n${' '.repeat(column)}${wrap(right, column)}`;
  });
}

function synopsis(name: CommandName): string {
  const spec: CommandSpec = COMMANDS[name];
  return `mcp-reliability ${name}${Object.keys(spec.options).length ? ' [options]' : ''}${spec.args ? ` ${spec.args.usage}` : ''}`;
}

const EXIT_CODES = 'Exit codes: 0 all SLOs met; 1 an SLO failed; 2 bad input or usage; 3 harness failure; 130 interrupted.';

/** `mcp-reliability <name> --help`: the synopsis, what the command does, its arguments and every flag with its meaning and default. */
export function usage(name: CommandName): string {
  const spec: CommandSpec = COMMANDS[name];
  const parts = [`Usage: ${synopsis(name)}`, '', wrap(`${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.`, 0)];
  if (spec.args) parts.push('', 'Arguments:', `  ${spec.args.usage}`, `    ${wrap(spec.args.help, 4)}`);
  parts.push('', 'Options:', ...optionLines(flagsOf(name)));
  for (const note of spec.notes ?? []) parts.push('', wrap(note, 0));
  parts.push('', wrap(`Exit codes: ${spec.exits}`, 0));
  return parts.join('\n');
}

function generalHelp(): string {
  const rows: { left: string; right: string }[] = COMMAND_NAMES.map((n) => ({ left: synopsis(n), right: COMMANDS[n].summary }));
  rows.push({ left: 'mcp-reliability <command> --help', right: "a command's arguments and flags, with their meaning and default" });
  return [
    'mcp-reliability: reliability tests for MCP servers',
    '',
    'Usage:',
    ...rows.map((r) => `  ${r.left}\n      ${wrap(r.right, 6)}`),
    '',
    'Run options:',
    ...optionLines(flagsOf('run')),
    '',
    EXIT_CODES,
  ].join('\n');
}

export const HELP = generalHelp();


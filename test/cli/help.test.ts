/**
 * The command line as a user meets it, through the real CLI: every subcommand's --help, strict
 * flags and arguments (exit 2, one clear line, no stack trace), --target/probe resolving commands
 * and profiles, probe starting and stopping a server itself, and --header ${VAR} from the
 * environment, sent to the server and never printed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/net/ready.js';
import { ROOT, runCli, type CliOutcome } from '../helpers/cli.js';

type Outcome = CliOutcome;
/** The CLI, asynchronously, so a server in this process can answer it. */
const cli = runCli;

function noStackTrace(r: Outcome, what: string): void {
  assert.doesNotMatch(r.stderr, /^\s+at /m, `${what}: a stack trace\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /harness failure|ERR_PARSE_ARGS/, `${what}\n${r.stderr}`);
}

/** Each subcommand and the flags its usage must name (besides --help). */
const SUBCOMMANDS: Record<string, string[]> = {
  run: ['--scenario', '--target', '--transport', '--duration', '--client-profile', '--out', '--seed', '--metrics-port', '--metrics-host', '--metrics-linger', '--container', '--compose-project', '--role', '--header', '--progress', '--no-summary', '--no-checks', '--log-requests', '--shard'],
  stack: ['--scenario', '--duration', '--out', '--seed', '--no-cleanup', '--monitoring', '--images-env', '--project', '--compose-file', '--server-command', '--server-image', '--target', '--run-args', '--ready-timeout'],
  report: ['--out', '--json', '--baseline'],
  compare: ['--baseline', '--current', '--out', '--json', '--fail-on'],
  validate: [],
  list: ['--json'],
  probe: ['--timeout', '--transport', '--header'],
  pipe: ['--listen'],
};

describe('every subcommand: --help and strict flags', { timeout: 180_000 }, () => {
  for (const [sub, flags] of Object.entries(SUBCOMMANDS)) {
    test(`${sub} --help / -h / help ${sub}: its own usage on stdout, exit 0`, async () => {
      const runs = await Promise.all([cli([sub, '--help']), cli([sub, '-h']), cli(['help', sub])]);
      for (const r of runs) {
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, '');
        assert.match(r.stdout, new RegExp(`^Usage: mcp-reliability ${sub}\\b`));
        assert.match(r.stdout, /-h, --help +print this help/);
        for (const flag of flags) assert.match(r.stdout, new RegExp(`${flag}\\b`), `${sub} --help names ${flag}`);
        assert.match(r.stdout, /^Exit codes: /m);
      }
      assert.equal(runs[0]!.stdout, runs[1]!.stdout);
      assert.equal(runs[0]!.stdout, runs[2]!.stdout);
    });

    test(`${sub} --bogus: exit 2, one line naming the flag and ${sub}'s valid flags`, async () => {
      const r = await cli([sub, '--bogus']);
      assert.equal(r.code, 2, r.stderr);
      noStackTrace(r, `${sub} --bogus`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, new RegExp(`^mcp-reliability ${sub}: unknown option "--bogus"; valid options: `));
      for (const flag of [...flags, '--help']) assert.ok(lines[0]!.includes(flag), `lists ${flag}: ${lines[0]}`);
      assert.equal(r.stdout, '');
    });
  }

  test('the exact line for validate, a short option, a typo with its suggestion, and options with a value missing or unwanted', async () => {
    const cases: [string[], RegExp][] = [
      [['validate', '--bogus'], /^mcp-reliability validate: unknown option "--bogus"; valid options: --help \(-h\) \(see mcp-reliability validate --help\)$/],
      [['run', '-x'], /^mcp-reliability run: unknown option "-x"; valid options: --scenario \(-s\), --target \(-t\),/],
      [['run', '--targt', 'x'], /^mcp-reliability run: unknown option "--targt" \(did you mean "--target"\?\); valid options: /],
      [['run', '--target'], /^mcp-reliability run: --target needs a value: --target <profile\|command\|url>/],
      [['run', '--target', '--seed', '2'], /^mcp-reliability run: --target needs a value, but the next argument is an option/],
      [['run', '--no-summary=yes'], /^mcp-reliability run: --no-summary takes no value/],
      [['stack', '--monitoring=yes'], /^mcp-reliability stack: --monitoring takes no value/],
      [['rn'], /^mcp-reliability: unknown command "rn" \(did you mean "run"\?\): expected run, stack, report, compare, validate, list, probe or pipe/],
      [['help', 'nope'], /^mcp-reliability: unknown command "nope"/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(args)));
    runs.forEach((r, i) => {
      const [args, pattern] = cases[i]!;
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      noStackTrace(r, args.join(' '));
      assert.match(r.stderr.trim(), pattern, args.join(' '));
    });
  });

  test('unexpected or missing arguments: exit 2 naming them', async () => {
    const cases: [string[], RegExp][] = [
      [['list', 'foo'], /^mcp-reliability list: unexpected argument "foo": list takes no arguments/],
      [['run', 'connection-stability'], /^mcp-reliability run: unexpected argument "connection-stability": run takes no arguments/],
      [['stack', 'foo'], /^mcp-reliability stack: unexpected argument "foo"/],
      [['probe'], /^mcp-reliability probe: expected one target: a URL, a profile name or file, or a stdio server command/],
      [['probe', 'a', 'b'], /^mcp-reliability probe: unexpected argument "b": expected one target/],
      [['pipe', 'cat'], /^mcp-reliability pipe: unexpected argument "cat": pipe takes no arguments; put the server command after "--"/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(args)));
    runs.forEach((r, i) => {
      const [args, pattern] = cases[i]!;
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      noStackTrace(r, args.join(' '));
      assert.match(r.stderr.trim(), pattern, args.join(' '));
    });
  });

  test('mcp-reliability --help: the general usage naming every subcommand and the run options', async () => {
    for (const r of await Promise.all([cli(['--help']), cli(['-h']), cli(['help']), cli([])])) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^mcp-reliability: reliability tests for MCP servers/);
      for (const sub of Object.keys(SUBCOMMANDS)) assert.match(r.stdout, new RegExp(`^  mcp-reliability ${sub}\\b`, 'm'));
      assert.match(r.stdout, /mcp-reliability <command> --help/);
      for (const flag of SUBCOMMANDS.run!) assert.ok(r.stdout.includes(flag), flag);
    }
  });
});

describe('--target and probe: commands on PATH, profiles, and servers probe starts itself', { timeout: 180_000 }, () => {
  test('a bare command on the server PATH is a stdio command (probe answers); an unknown bare word names both possibilities', async () => {
    assert.ok(existsSync(join(ROOT, 'node_modules', '.bin', 'mcp-server-everything')));
    const [bare, unknown, runUnknown] = await Promise.all([cli(['probe', 'mcp-server-everything']), cli(['probe', 'mcp-server-nope']), cli(['run', '--target', 'mcp-server-nope'])]);
    assert.equal(bare.code, 0, bare.stderr);
    assert.match(bare.stdout, /^ok: mcp-servers\/everything /);
    for (const r of [unknown, runUnknown]) {
      assert.equal(r.code, 2, r.stderr);
      noStackTrace(r, 'unknown target');
      assert.match(r.stderr, /unknown target "mcp-server-nope": there is no profile of that name and no command "mcp-server-nope" on PATH/);
      assert.match(r.stderr, /expected: a profile name \(everything-http, .*everything-stdio.*\)/);
      assert.match(r.stderr, /hint: to run a stdio server by command, quote it with its arguments: --target "node my-server\.js"/);
    }
  });

  test('probe "<command>" and probe <profile with launch>: started, probed, stopped, exit 0', async () => {
    const runs = await Promise.all([cli(['probe', 'mcp-server-everything stdio']), cli(['probe', 'everything-http']), cli(['probe', 'everything-stdio', '--timeout', '20s'])]);
    for (const r of runs) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^ok: mcp-servers\/everything \S+, protocol 20\d\d-\d\d-\d\d, \d+ tools \(.*echo/);
    }
  });

  test('probe of a command that exits at once: exit 1 with its exit code and stderr, the log folder kept', async () => {
    const r = await cli(['probe', "sh -c 'echo missing config file /etc/nothing.conf >&2; exit 7'"]);
    assert.equal(r.code, 1, r.stderr);
    noStackTrace(r, 'failing probe');
    assert.match(r.stderr, /^probe sh -c 'echo missing config file \/etc\/nothing\.conf >&2; exit 7': .*\(the server exited with code 7\)/m);
    const logs = /^server logs: (.+)$/m.exec(r.stderr)?.[1];
    assert.ok(logs && existsSync(join(logs, 'server.stderr.log')), r.stderr);
  });

  test('a network profile whose server dies before it listens: exit 1 with the reason and its stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpr-help-'));
    const profile = join(dir, 'dies.json');
    writeFileSync(
      profile,
      JSON.stringify({ name: 'dies', transport: 'streamable-http', launch: { command: 'sh', args: ['-c', 'echo cannot bind port {{port}} >&2; exit 3'] }, url: 'http://127.0.0.1:{{port}}/mcp', roles: {} }),
    );
    const r = await cli(['probe', profile]);
    assert.equal(r.code, 1, r.stderr);
    noStackTrace(r, 'dying profile');
    assert.match(r.stderr, /^probe .*dies\.json: target dies did not start: the server process exited before listening/m);
    assert.match(r.stderr, /^ {2}cannot bind port \d+$/m);
  });
});

describe('--header', { timeout: 120_000 }, () => {
  test('an unset ${VAR} is exit 2 naming VAR, before anything starts; a header on a stdio target is bad input', async () => {
    const env = { ...process.env };
    delete env.MCPR_TEST_UNSET_TOKEN;
    const port = await freePort();
    const [probe, run, stdio, wsTarget] = await Promise.all([
      cli(['probe', `http://127.0.0.1:${port}/mcp`, '--header', 'Authorization: Bearer ${MCPR_TEST_UNSET_TOKEN}'], env),
      cli(['run', '--target', `http://127.0.0.1:${port}/mcp`, '--header', 'Authorization: Bearer ${MCPR_TEST_UNSET_TOKEN}'], env),
      cli(['probe', 'everything-stdio', '--header', 'X-Tenant: acme']),
      cli(['probe', 'ws://127.0.0.1:1/message', '--header', 'X-Tenant: acme']),
    ]);
    for (const [r, sub] of [[probe, 'probe'], [run, 'run']] as const) {
      assert.equal(r.code, 2, r.stderr);
      noStackTrace(r, sub);
      assert.match(r.stderr, new RegExp(`^mcp-reliability ${sub}: --header "Authorization": the environment variable \\$\\{MCPR_TEST_UNSET_TOKEN\\} is not set`));
    }
    assert.equal(stdio.code, 2, stdio.stderr);
    assert.match(stdio.stderr, /--header: "everything-stdio" is a stdio server, which gets no HTTP headers/);
    assert.equal(wsTarget.code, 2, wsTarget.stderr);
    assert.match(wsTarget.stderr, /is a websocket target, whose transport sends no HTTP headers/);
  });

  test('the header reaches the server with ${VAR} filled in, and its value is printed nowhere', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const secret = 'sk-test-9f8e7d6c5b4a';
    // A server that wants authentication and refuses everyone, echoing what it got (as a careless server might).
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(401, { 'content-type': 'text/plain' }).end(`unauthorized: ${req.headers.authorization ?? ''}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const r = await cli(['probe', `http://127.0.0.1:${port}/mcp`, '--timeout', '5s', '--header', 'Authorization: Bearer ${MCPR_TEST_TOKEN}', '--header', 'X-Tenant: acme'], { ...process.env, MCPR_TEST_TOKEN: secret });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^probe http://127.0.0.1:${port}/mcp: `));
      assert.ok(seen.length >= 1, 'the server was asked');
      assert.equal(seen[0]!.authorization, `Bearer ${secret}`);
      assert.equal(seen[0]!['x-tenant'], 'acme');
      assert.ok(!`${r.stdout}${r.stderr}`.includes(secret), `the secret was printed:\n${r.stderr}`);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

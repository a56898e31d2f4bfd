/**
 * How often `compare` cries wolf: N runs of each scenario against the same server, one after the
 * other (so they see different moments of the machine), every ordered pair compared; any metric
 * not `same` is a false alarm, since nothing changed. Prints the count per scenario and each alarm.
 *
 *   node --import tsx bench/false-alarms.ts [--runs 4] [--duration 20s] [--target sdk-example-http] [scenario ...]
 *   (default: every shipped scenario; about runs × (duration + 10 s) per scenario)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareResults } from '../src/compare/index.js';
import { readResults } from '../src/report/index.js';
import { listScenarios } from '../src/scenario/index.js';
import { PACKAGE_ROOT, SCENARIOS_DIR } from '../src/target/index.js';

function cliRun(args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(PACKAGE_ROOT, 'src', 'cli', 'main.ts'), 'run', ...args], { cwd: PACKAGE_ROOT, stdio: 'ignore' });
    child.once('close', resolve);
  });
}

const { values, positionals } = parseArgs({ options: { runs: { type: 'string', default: '4' }, duration: { type: 'string', default: '20s' }, target: { type: 'string', default: 'sdk-example-http' } }, allowPositionals: true });
const runs = Number(values.runs);
const scenarios = positionals.length ? positionals : await listScenarios(SCENARIOS_DIR);
const dir = mkdtempSync(join(tmpdir(), 'mcpr-false-alarms-'));
try {
  for (const scenario of scenarios) {
    const results = [];
    for (let i = 0; i < runs; i++) {
      const out = join(dir, `${scenario}-${i}`);
      const code = await cliRun(['--scenario', scenario, '--target', values.target!, '--duration', values.duration!, '--out', out, '--progress', 'none', '--no-summary', '--no-checks']);
      if (code !== 0 && code !== 1) throw new Error(`${scenario} run ${i + 1}: exit ${code}`);
      results.push(readResults([out]).results);
    }
    let judged = 0;
    const alarms: string[] = [];
    for (let b = 0; b < runs; b++) {
      for (let c = 0; c < runs; c++) {
        if (b === c) continue;
        for (const m of compareResults(results[b]!, results[c]!).scenarios.flatMap((s) => s.metrics)) {
          if (m.verdict === 'unknown') continue;
          judged += 1;
          if (m.verdict !== 'same') alarms.push(`run ${b + 1} → run ${c + 1}: ${m.id} ${m.verdict} (${m.baseline} → ${m.current}): ${m.method}`);
        }
      }
    }
    console.log(`${scenario}: ${alarms.length} of ${judged} judged metrics not 'same' over ${runs * (runs - 1)} ordered pairs of ${runs} runs of ${values.duration} (false-alarm rate ${judged ? ((alarms.length / judged) * 100).toFixed(1) : '—'} %)`);
    for (const a of alarms) console.log(`  ${a}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

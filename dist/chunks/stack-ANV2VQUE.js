import { createRequire as __mcprCreateRequire } from 'node:module'; import { dirname as __mcprDirname } from 'node:path'; import { fileURLToPath as __mcprFileUrl } from 'node:url'; const require = __mcprCreateRequire(import.meta.url); const __mcprFile = __mcprFileUrl(import.meta.url); const __mcprDir = __mcprDirname(__mcprFile);
import {
  Connection,
  MAX_CLOSING_GRACE_MS,
  SCRAPE_LIMITS,
  SCRAPE_QUERY,
  ScenarioError,
  alerts,
  describeNetworkError,
  findServiceContainer,
  instantQuery,
  loadPlan,
  rangeQuery,
  ready,
  rules,
  sampleValue,
  summarizeScrape,
  writeRunFiles,
  writeSummaryFiles
} from "./chunk-VEVELUK4.js";
import {
  BadInputError,
  CappedLog,
  EXIT,
  HarnessError,
  SCENARIOS_DIR,
  resolveTarget
} from "./chunk-QLLCLM2A.js";
import {
  require_docker
} from "./chunk-UUTO5GMN.js";
import "./chunk-SFONEEKR.js";
import {
  ComposeProject,
  detectCompose
} from "./chunk-ORFHDF73.js";
import {
  __toESM
} from "./chunk-42A6FYL2.js";

// src/stack/stack.ts
import { copyFileSync, existsSync, mkdirSync as mkdirSync2, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, join as join2, relative, resolve } from "node:path";

// src/stack/docker.ts
var import_dockerode = __toESM(require_docker(), 1);
function dockerClient() {
  return new import_dockerode.default();
}
async function engineAvailable(docker = dockerClient()) {
  try {
    await docker.ping();
    const v = await docker.version();
    return { ok: true, version: `${v.Version} (API ${v.ApiVersion})` };
  } catch (err) {
    return { ok: false, reason: err.message };
  }
}
function composeLabels(project, service) {
  return [`com.docker.compose.project=${project}`, ...service ? [`com.docker.compose.service=${service}`] : []];
}
async function projectContainers(docker, project) {
  return docker.listContainers({ all: true, filters: { label: composeLabels(project) } });
}

// src/stack/logs.ts
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
var TS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z) /;
function streamProjectLogs(docker, project, logDir, opts = {}) {
  mkdirSync(logDir, { recursive: true });
  const byContainer = /* @__PURE__ */ new Map();
  const files = {};
  let stopped = false;
  const writeLines = (f, text) => {
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const m = TS.exec(line);
      if (m && m[1] <= f.last) continue;
      if (m) f.last = m[1];
      f.file.write(`${line}
`);
    }
  };
  const attach = async (id, f, follow) => {
    const container = docker.getContainer(id);
    const since = f.last ? Math.floor(Date.parse(f.last) / 1e3) : 0;
    const out = new PassThrough();
    let carry = "";
    out.on("data", (chunk) => {
      const text = carry + chunk.toString("utf8");
      const cut = text.lastIndexOf("\n");
      carry = cut === -1 ? text : text.slice(cut + 1);
      if (cut !== -1) writeLines(f, text.slice(0, cut + 1));
    });
    const flush = () => {
      if (carry) writeLines(f, carry);
      carry = "";
    };
    if (!follow) {
      const buf = await container.logs({ follow: false, stdout: true, stderr: true, timestamps: true, since });
      writeLines(f, demuxBuffer(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf))));
      return;
    }
    f.following = true;
    const stream = await container.logs({ follow: true, stdout: true, stderr: true, timestamps: true, since });
    f.stream = stream;
    docker.modem.demuxStream(stream, out, out);
    const ended = () => {
      flush();
      f.following = false;
      f.stream = void 0;
    };
    stream.once("end", ended);
    stream.once("error", ended);
  };
  const poll = async () => {
    let list;
    try {
      list = await projectContainers(docker, project);
    } catch {
      return;
    }
    for (const info of list) {
      const service = info.Labels["com.docker.compose.service"] ?? info.Names[0]?.replace(/^\//, "") ?? info.Id.slice(0, 12);
      let f = byContainer.get(info.Id);
      if (!f) {
        const path = join(logDir, `${service}.log`);
        files[service] = path;
        f = { service, file: new CappedLog(path), last: "", following: false };
        byContainer.set(info.Id, f);
      }
      if (!f.following && info.State === "running" && !stopped) await attach(info.Id, f, true).catch(() => void 0);
    }
  };
  let timer;
  const loop = async () => {
    await poll();
    if (!stopped) timer = setTimeout(() => void loop(), opts.pollMs ?? 1e3);
  };
  void loop();
  let stopping;
  return {
    files: () => ({ ...files }),
    stop() {
      stopping ??= (async () => {
        stopped = true;
        clearTimeout(timer);
        await poll();
        for (const [id, f] of byContainer) {
          f.stream?.removeAllListeners("end");
          f.stream?.destroy?.();
          await attach(id, f, false).catch(() => void 0);
          await f.file.end();
        }
      })();
      return stopping;
    }
  };
}
function demuxBuffer(buf) {
  const parts = [];
  let at = 0;
  while (at + 8 <= buf.length) {
    const kind = buf[at];
    if (kind > 2 || buf[at + 1] !== 0 || buf[at + 2] !== 0 || buf[at + 3] !== 0) return at === 0 ? buf.toString("utf8") : Buffer.concat(parts).toString("utf8");
    const size = buf.readUInt32BE(at + 4);
    parts.push(buf.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString("utf8");
}

// src/stack/probe.ts
async function probeMcp(endpoint, timeoutMs, clientVersion = "0", signal) {
  const abort = new AbortController();
  const deadline = setTimeout(() => abort.abort(), timeoutMs);
  const onAbort = () => abort.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  let connection;
  const noop = () => void 0;
  try {
    connection = await Connection.open({
      endpoint,
      clientName: "mcp-reliability-probe",
      clientVersion,
      handshakeTimeoutMs: timeoutMs,
      abort: abort.signal,
      signals: { violation: noop, down: noop, sessionLost: noop, error: noop, serverRequest: noop }
    });
    const remaining = Math.max(1, timeoutMs - connection.handshakeMs);
    const listed = await connection.client.listTools(void 0, { timeout: remaining, signal: abort.signal });
    const info = connection.serverInfo;
    return { ok: true, serverName: info.name, serverVersion: info.version, protocolVersion: connection.protocolVersion, tools: listed.tools.map((t) => t.name), handshakeMs: Math.round(connection.handshakeMs) };
  } catch (err) {
    const why = err.cause ? describeNetworkError(err) : err.message;
    const stage = connection ? "tools/list" : "initialize";
    if (signal?.aborted) return { ok: false, error: `interrupted (${why})`, stage };
    return abort.signal.aborted ? { ok: false, error: `no MCP answer within ${timeoutMs} ms (${why})`, stage, timedOut: true } : { ok: false, error: why, stage };
  } finally {
    clearTimeout(deadline);
    signal?.removeEventListener("abort", onAbort);
    await connection?.close("graceful").catch(() => void 0);
  }
}
async function waitForMcp(endpoint, timeoutMs, opts = {}) {
  const until = Date.now() + timeoutMs;
  let last = { ok: false, error: "not probed yet" };
  while (Date.now() < until && !opts.signal?.aborted) {
    last = await probeMcp(endpoint, Math.min(opts.attemptMs ?? 5e3, Math.max(500, until - Date.now())));
    if (last.ok) return last;
    await new Promise((resolve2) => setTimeout(resolve2, opts.intervalMs ?? 1e3));
  }
  return last.ok ? last : { ok: false, error: `no MCP answer within ${Math.round(timeoutMs / 1e3)} s: ${last.error}` };
}

// src/stack/scrape.ts
var NOT_SCRAPED = "the simulator may not have been scraped";
var INSTANT = [
  { name: SCRAPE_QUERY.requests, description: "requests by status, run to date (last scraped counter values)", metric: (c) => `mcp_requests_total{${c.sel}}`, query: (c) => `sum by (status) (last_over_time(mcp_requests_total{${c.sel}}[${c.win}]))`, empty: "missing", hint: NOT_SCRAPED },
  { name: SCRAPE_QUERY.requestsIncrease, description: "requests by status, increase over the window (extrapolated)", metric: (c) => `mcp_requests_total{${c.sel}}`, query: (c) => `sum by (status) (increase(mcp_requests_total{${c.sel}}[${c.win}]))`, empty: "missing", hint: NOT_SCRAPED },
  { name: SCRAPE_QUERY.availability, description: "availability ratio (0..1), last value", metric: (c) => `mcp_availability_ratio{${c.sel}}`, query: (c) => `last_over_time(mcp_availability_ratio{${c.sel}}[${c.win}])`, empty: "missing" },
  { name: SCRAPE_QUERY.disconnections, description: "disconnections by reason, run to date", metric: (c) => `mcp_disconnections_total{${c.sel}}`, query: (c) => `sum by (reason) (last_over_time(mcp_disconnections_total{${c.sel}}[${c.win}]))`, empty: "none" },
  { name: SCRAPE_QUERY.reconnects, description: "reconnect attempts, run to date", metric: (c) => `mcp_reconnect_attempts_total{${c.sel}}`, query: (c) => `sum(last_over_time(mcp_reconnect_attempts_total{${c.sel}}[${c.win}]))`, empty: "missing" },
  { name: SCRAPE_QUERY.p95, description: "request latency p95 over the run by method, seconds (histogram, run to date)", metric: (c) => `mcp_request_duration_seconds_bucket{${c.sel}}`, query: (c) => `histogram_quantile(0.95, sum by (method, le) (last_over_time(mcp_request_duration_seconds_bucket{${c.sel}}[${c.win}])))`, empty: "missing", hint: "no request was sent, or the histogram was not scraped" },
  { name: SCRAPE_QUERY.toolsAvailable, description: "tools in the last tools/list answer", metric: (c) => `mcp_tools_available{${c.sel}}`, query: (c) => `last_over_time(mcp_tools_available{${c.sel}}[${c.win}])`, empty: "missing" },
  { name: SCRAPE_QUERY.sessionUp, description: "session up (1) or down (0), last value", metric: (c) => `mcp_session_up{${c.sel}}`, query: (c) => `last_over_time(mcp_session_up{${c.sel}}[${c.win}])`, empty: "missing" },
  { name: SCRAPE_QUERY.faults, description: "faults injected by kind, run to date", metric: (c) => `mcp_faults_total{${c.sel}}`, query: (c) => `sum by (kind) (last_over_time(mcp_faults_total{${c.sel}}[${c.win}]))`, empty: "none" },
  { name: SCRAPE_QUERY.up, description: "scrape target up, last value", metric: (c) => `up{job="${c.job}"}`, query: (c) => `last_over_time(up{job="${c.job}"}[${c.win}])`, empty: "missing", hint: "Prometheus has no such scrape job, or did not scrape it in the window" },
  { name: SCRAPE_QUERY.upMin, description: "scrape target up, lowest value in the window (0: a scrape failed)", metric: (c) => `up{job="${c.job}"}`, query: (c) => `min_over_time(up{job="${c.job}"}[${c.win}])`, empty: "missing" },
  { name: SCRAPE_QUERY.scrapes, description: "scrapes of the target in the window", metric: (c) => `up{job="${c.job}"}`, query: (c) => `count_over_time(up{job="${c.job}"}[${c.win}])`, empty: "missing" },
  { name: SCRAPE_QUERY.alertsFired, description: "alerts that were firing at some point in the window", metric: () => "ALERTS", query: (c) => `max by (alertname) (max_over_time(ALERTS{alertstate="firing"${c.alertSel}}[${c.win}]))`, empty: "none" },
  { name: "rule_requests_rate_last", description: "recording rule: requests/s by method and status, last value", metric: (c) => `mcp:requests:rate30s{${c.sel}}`, query: (c) => `last_over_time(mcp:requests:rate30s{${c.sel}}[${c.win}])`, empty: { rule: "mcp:requests:rate30s" } },
  { name: "rule_availability_worst", description: "recording rule: lowest 30 s availability in the window", metric: (c) => `mcp:availability:ratio_rate30s{${c.sel}}`, query: (c) => `min_over_time(mcp:availability:ratio_rate30s{${c.sel}}[${c.win}])`, empty: { rule: "mcp:availability:ratio_rate30s" } },
  { name: "rule_request_p95_worst", description: "recording rule: highest 30 s p95 latency by method in the window, seconds", metric: (c) => `mcp:request_duration_seconds:p95_rate30s{${c.sel}}`, query: (c) => `max_over_time(mcp:request_duration_seconds:p95_rate30s{${c.sel}}[${c.win}])`, empty: { rule: "mcp:request_duration_seconds:p95_rate30s" } },
  { name: "rule_reconnect_rate_peak", description: "recording rule: peak reconnect attempts/s (30 s rate)", metric: (c) => `mcp:reconnect_attempts:rate30s{${c.sel}}`, query: (c) => `max_over_time(mcp:reconnect_attempts:rate30s{${c.sel}}[${c.win}])`, empty: { rule: "mcp:reconnect_attempts:rate30s" } },
  { name: "rule_disconnection_rate_peak", description: "recording rule: peak disconnections/s by reason (30 s rate)", metric: (c) => `mcp:disconnections:rate30s{${c.sel}}`, query: (c) => `max_over_time(mcp:disconnections:rate30s{${c.sel}}[${c.win}])`, empty: { rule: "mcp:disconnections:rate30s" } }
];
var RANGE = [
  { name: "request_rate", description: "requests/s by status", query: (c) => `sum by (status) (rate(mcp_requests_total{${c.sel}}[${c.rate}]))` },
  { name: SCRAPE_QUERY.availability, description: "availability ratio (0..1), run to date", query: (c) => `mcp_availability_ratio{${c.sel}}` },
  { name: SCRAPE_QUERY.sessionUp, description: "session up (1) or down (0)", query: (c) => `mcp_session_up{${c.sel}}` },
  { name: SCRAPE_QUERY.p95, description: "request latency p95 by method, seconds", query: (c) => `histogram_quantile(0.95, sum by (method, le) (rate(mcp_request_duration_seconds_bucket{${c.sel}}[${c.rate}])))` }
];
async function scrapePrometheus(options) {
  const now = options.now ?? (() => /* @__PURE__ */ new Date());
  const url = options.baseUrl.replace(/\/+$/, "");
  const job = options.job ?? "mcp-reliability";
  const timeoutMs = options.timeoutMs;
  const start = options.start;
  const end = new Date(Math.max(options.end.getTime(), start.getTime()));
  const windowSec = Math.max(1, Math.ceil((end.getTime() - start.getTime()) / 1e3));
  const step = Math.max(options.stepSeconds ?? Math.ceil(windowSec / SCRAPE_LIMITS.pointsPerSeries), Math.ceil(windowSec / 11e3), 1);
  const rateSec = Math.max(10, 4 * step);
  const missing = [];
  const readiness = await ready(url, { timeoutMs });
  const reachable = readiness.ok || readiness.kind === "http";
  if (!readiness.ok && readiness.kind === "http") missing.push(`prometheus at ${url} is not ready (/-/ready: ${readiness.error}); its answers may be incomplete`);
  if (reachable && options.settleMs !== 0) missing.push(...await settle(url, job, end, options.settleMs ?? 5e3, timeoutMs));
  const evaluatedAt = new Date(Math.max(end.getTime(), Math.min(now().getTime(), end.getTime() + (options.graceSeconds ?? 15) * 1e3)));
  const ctx = {
    sel: matchers({ scenario: options.scenario, ...options.target !== void 0 ? { target: options.target } : {} }),
    win: `${Math.max(1, Math.ceil((evaluatedAt.getTime() - start.getTime()) / 1e3))}s`,
    rate: `${rateSec}s`,
    job: escapeString(job),
    alertSel: `,scenario=~"${escapeString(`(${escapeRegex(options.scenario)})?`)}"${options.target !== void 0 ? `,target=~"${escapeString(`(${escapeRegex(options.target)})?`)}"` : ""}`
  };
  const base = {
    url,
    scrapedAt: now().toISOString(),
    window: { start: start.toISOString(), end: end.toISOString(), evaluatedAt: evaluatedAt.toISOString(), stepSeconds: step, rateWindowSeconds: rateSec },
    selector: ctx.sel,
    job
  };
  const instantSpecs = [...INSTANT.map((s) => ({ ...s, query: s.query(ctx) })), ...(options.extraQueries ?? []).map((x) => ({ name: x.name, description: x.description ?? "extra query", query: x.query, metric: () => x.query, empty: "none" }))];
  const rangeSpecs = RANGE.map((s) => ({ ...s, query: s.query(ctx) }));
  if (!reachable) {
    const error = `not queried: prometheus unreachable at ${url}: ${readiness.error}`;
    return {
      ...base,
      reachable: false,
      instant: instantSpecs.map((s) => ({ name: s.name, description: s.description, query: s.query, ok: false, error })),
      range: rangeSpecs.map((s) => ({ name: s.name, description: s.description, query: s.query, ok: false, error })),
      alerts: [],
      rules: [],
      missing: [`prometheus unreachable at ${url}: ${shortReason(readiness.error)} \u2014 no metrics, alerts or rules could be read`]
    };
  }
  const [instant, range, alertAnswer, ruleAnswer] = await Promise.all([
    Promise.all(instantSpecs.map(async (s) => toInstantEntry(s, await instantQuery(url, s.query, { time: evaluatedAt, timeoutMs })))),
    Promise.all(rangeSpecs.map(async (s) => toRangeEntry(s, await rangeQuery(url, s.query, { start, end: evaluatedAt, stepSeconds: step, timeoutMs })))),
    alerts(url, { timeoutMs }),
    rules(url, { timeoutMs })
  ]);
  const ruleList = ruleAnswer.ok ? flattenRules(ruleAnswer.data) : [];
  if (!ruleAnswer.ok) missing.push(`rules could not be read from ${url}: ${ruleAnswer.error}`);
  if (!alertAnswer.ok) missing.push(`alerts could not be read from ${url}: ${alertAnswer.error}`);
  const ours = (labels) => (labels.scenario === void 0 || labels.scenario === options.scenario) && (options.target === void 0 || labels.target === void 0 || labels.target === options.target);
  const alertList = (alertAnswer.ok ? alertAnswer.data : []).filter((a) => ours(a.labels)).map((a) => ({ name: a.labels.alertname ?? "", state: a.state, labels: a.labels, ...a.activeAt ? { activeAt: a.activeAt } : {}, value: sampleValue(a.value), ...a.annotations?.summary ? { summary: a.annotations.summary } : {} })).sort((a, b) => compare(`${a.state} ${a.name} ${labelKey(a.labels)}`, `${b.state} ${b.name} ${labelKey(b.labels)}`));
  missing.push(...missingLines(instantSpecs, instant, range, ctx, ruleAnswer.ok ? new Set(ruleList.filter((r) => r.type === "recording").map((r) => r.name)) : void 0));
  return {
    ...base,
    reachable: true,
    instant,
    range,
    alerts: alertList.slice(0, SCRAPE_LIMITS.alerts),
    ...alertList.length > SCRAPE_LIMITS.alerts ? { omittedAlerts: alertList.length - SCRAPE_LIMITS.alerts } : {},
    rules: ruleList.slice(0, SCRAPE_LIMITS.rules),
    ...ruleList.length > SCRAPE_LIMITS.rules ? { omittedRules: ruleList.length - SCRAPE_LIMITS.rules } : {},
    missing
  };
}
async function settle(url, job, end, settleMs, timeoutMs) {
  const deadline = Date.now() + settleMs;
  const query = `max(timestamp(up{job="${escapeString(job)}"}))`;
  for (; ; ) {
    const answer = await instantQuery(url, query, { timeoutMs });
    const last = answer.ok && answer.data.resultType === "vector" ? sampleValue(answer.data.result[0]?.value[1] ?? "") : null;
    if (last === null) return [];
    if (last * 1e3 >= end.getTime()) return [];
    if (Date.now() >= deadline) return [`Prometheus had not scraped job ${job} since the run ended (waited ${settleMs} ms): the last values may miss the run's final seconds`];
    await new Promise((resolve2) => setTimeout(resolve2, Math.min(250, Math.max(1, deadline - Date.now()))));
  }
}
function missingLines(specs, instant, range, ctx, loadedRules) {
  const lines = [];
  const said = /* @__PURE__ */ new Set();
  const empty = (e) => e?.ok === true && e.result.length === 0;
  const primaryEmpty = empty(instant.find((e) => e.name === SCRAPE_QUERY.requests));
  const notLoaded = [];
  specs.forEach((spec, i) => {
    const entry = instant[i];
    if (!entry) return;
    if (!entry.ok) {
      lines.push(`query ${spec.name} failed: ${entry.error}`);
      return;
    }
    if (entry.result.length > 0 || spec.empty === "none") return;
    const metric = spec.metric(ctx);
    if (typeof spec.empty === "object") {
      if (loadedRules === void 0 || primaryEmpty) return;
      if (!loadedRules.has(spec.empty.rule)) notLoaded.push(spec.empty.rule);
      else if (!said.has(metric)) lines.push(`no samples for ${metric} in the window (the rule is loaded but evaluated to nothing for this run)`);
      said.add(metric);
      return;
    }
    if (said.has(metric)) return;
    said.add(metric);
    if (primaryEmpty && spec.name !== SCRAPE_QUERY.requests && metric.startsWith("mcp_")) return;
    lines.push(`no samples for ${metric} in the window (${spec.hint ?? "the simulator did not expose it, or it was not scraped"})`);
  });
  if (primaryEmpty) {
    const others = [...new Set(specs.filter((s) => s.name !== SCRAPE_QUERY.requests && s.empty === "missing").map((s) => s.metric(ctx).split("{")[0] ?? ""))].filter((m) => m.startsWith("mcp_") && m !== "mcp_requests_total");
    const at = lines.findIndex((l) => l.startsWith(`no samples for mcp_requests_total`));
    if (at >= 0) lines[at] = `${lines[at]}; nor for ${others.join(", ")}`;
  }
  if (notLoaded.length > 0) lines.push(`recording rules not loaded in Prometheus (their queries are empty): ${notLoaded.join(", ")}`);
  for (const entry of range) {
    if (!entry.ok) lines.push(`range query ${entry.name} failed: ${entry.error}`);
    else if (entry.result.length === 0 && !primaryEmpty) lines.push(`no range data for ${entry.name} over the run window (${entry.query})`);
  }
  return lines;
}
function toInstantEntry(spec, answer) {
  const head = { name: spec.name, description: spec.description, query: spec.query };
  if (!answer.ok) return { ...head, ok: false, error: answer.error };
  const d = answer.data;
  const raw = d.resultType === "vector" ? d.result.map((s) => ({ metric: s.metric, value: s.value[1] })) : d.resultType === "matrix" ? d.result.map((s) => ({ metric: s.metric, value: s.values.at(-1)?.[1] ?? "NaN" })) : [{ metric: {}, value: d.result[1] }];
  const samples = raw.map((s) => {
    const value = sampleValue(s.value);
    return { labels: s.metric, value, ...value === null ? { note: `Prometheus answered ${s.value}` } : {} };
  }).sort((a, b) => compare(labelKey(a.labels), labelKey(b.labels)));
  return { ...head, ok: true, result: samples.slice(0, SCRAPE_LIMITS.seriesPerQuery), ...capped(samples.length), ...answer.warnings ? { warnings: answer.warnings } : {} };
}
function toRangeEntry(spec, answer) {
  const head = { name: spec.name, description: spec.description, query: spec.query };
  if (!answer.ok) return { ...head, ok: false, error: answer.error };
  const series = answer.data.result.map((s) => {
    const all = s.values.map(([t, v]) => [t, sampleValue(v)]);
    const nonFinite = all.filter(([, v]) => v === null).length;
    const points = downsample(all, SCRAPE_LIMITS.pointsPerSeries);
    return { labels: s.metric, points, ...nonFinite > 0 ? { nonFinitePoints: nonFinite } : {}, ...points.length < all.length ? { downsampledFrom: all.length } : {} };
  }).sort((a, b) => compare(labelKey(a.labels), labelKey(b.labels)));
  return { ...head, ok: true, result: series.slice(0, SCRAPE_LIMITS.seriesPerQuery), ...capped(series.length), ...answer.warnings ? { warnings: answer.warnings } : {} };
}
function shortReason(error) {
  return error.replace(/^connection refused to .*$/, "connection refused").replace(/^(timed out after \d+ ms) waiting for .*$/, "$1");
}
function capped(total) {
  return total > SCRAPE_LIMITS.seriesPerQuery ? { omittedSeries: total - SCRAPE_LIMITS.seriesPerQuery } : {};
}
function downsample(points, max) {
  if (points.length <= max) return points;
  return Array.from({ length: max }, (_, i) => points[Math.round(i * (points.length - 1) / (max - 1))]);
}
function flattenRules(groups) {
  return groups.flatMap(
    (g) => g.rules.map((r) => ({ name: r.name, type: r.type, group: g.name, health: r.health, ...r.lastError ? { lastError: r.lastError } : {} }))
  );
}
function matchers(labels) {
  return Object.entries(labels).map(([k, v]) => `${k}="${escapeString(v)}"`).join(",");
}
function escapeString(value) {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
function escapeRegex(value) {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
function labelKey(labels) {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(",");
}
function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

// src/stack/stack.ts
var SERVER_SERVICE = "mcp-server";
var SIMULATOR_SERVICE = "claude-simulator";
var CORE_SERVICES = [SERVER_SERVICE, "prometheus"];
var MONITORING_SERVICES = ["grafana", "loki", "promtail"];
var CONTAINER_OUT = "/work/out";
var StackError = class extends HarnessError {
  name = "StackError";
  area = "stack";
};
function stackPorts(env = process.env) {
  const port = (name, fallback) => {
    const raw = env[name];
    if (raw === void 0 || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new BadInputError(`${name}="${raw}": expected a port number from 1 to 65535`);
    return n;
  };
  return { server: port("MCP_SERVER_PORT", 3001), prometheus: port("PROMETHEUS_PORT", 9090), grafana: port("GRAFANA_PORT", 3002), loki: port("LOKI_PORT", 3100), simulatorMetrics: port("SIMULATOR_METRICS_PORT", 9464) };
}
async function stageScenarios(scenarios, outDir) {
  const staged = [];
  const issues = [];
  for (const s of scenarios) {
    try {
      const plan = await loadPlan(s, { scenariosDir: SCENARIOS_DIR });
      const shipped = resolve(plan.source).startsWith(resolve(SCENARIOS_DIR));
      if (shipped) {
        staged.push(basename(plan.source, ".json"));
        continue;
      }
      const dir = join2(outDir, ".stack", "scenarios");
      mkdirSync2(dir, { recursive: true });
      copyFileSync(plan.source, join2(dir, basename(plan.source)));
      staged.push(`${CONTAINER_OUT}/.stack/scenarios/${basename(plan.source)}`);
    } catch (err) {
      if (err instanceof ScenarioError) issues.push(...err.issues);
      else throw err;
    }
  }
  if (issues.length) throw new ScenarioError(issues);
  return staged;
}
async function hostEndpoint(target, serverPort) {
  const profile = await resolveTarget(target);
  if (!profile.url || profile.launch) {
    throw new BadInputError(
      `stack target "${target}" ${profile.launch ? "is a server this tool starts itself" : "has no URL"}: in the stack the server runs in the ${SERVER_SERVICE} container and the simulator reaches it over the network \u2014 give an http:// or tcp:// URL (e.g. tcp://${SERVER_SERVICE}:3001) or a profile with "url" and no "launch" (stack-everything)`
    );
  }
  const url = new URL(profile.url);
  if (url.hostname === SERVER_SERVICE) {
    url.hostname = "127.0.0.1";
    url.port = String(serverPort);
  }
  const href = url.protocol === "tcp:" ? `tcp://${url.host}` : url.toString();
  return { transport: profile.transport, url: href, label: `${profile.name} (host)`, ...profile.headers ? { headers: profile.headers } : {} };
}
function simulatorUser(env = process.env) {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  let dockerGid = 0;
  const socket = env.DOCKER_HOST?.startsWith("unix://") ? env.DOCKER_HOST.slice("unix://".length) : env.DOCKER_HOST ? void 0 : "/var/run/docker.sock";
  if (socket && existsSync(socket)) dockerGid = statSync(socket).gid;
  return { MCP_RELIABILITY_UID: String(uid), MCP_RELIABILITY_GID: String(gid), MCP_RELIABILITY_DOCKER_GID: String(dockerGid) };
}
async function serverHealthcheck(target) {
  const profile = await resolveTarget(target);
  if (!profile.url) return void 0;
  const url = new URL(profile.url);
  if (url.hostname !== SERVER_SERVICE) return void 0;
  url.hostname = "127.0.0.1";
  const href = url.protocol === "tcp:" ? `tcp://${url.host}` : url.toString();
  return `mcp-reliability probe ${href} --timeout 4s`;
}
function resultsSince(outDir, since) {
  const dir = join2(outDir, "test-results");
  if (!existsSync(dir)) return [];
  const found = [];
  for (const slug of readdirSync(dir)) {
    const path = join2(dir, slug, "result.json");
    if (!existsSync(path) || statSync(path).mtimeMs < since) continue;
    try {
      found.push({ path, result: JSON.parse(readFileSync(path, "utf8")) });
    } catch {
    }
  }
  return found.sort((a, b) => a.result.run.startedAt.localeCompare(b.result.run.startedAt));
}
function abortable(p, signal) {
  if (signal.aborted) return Promise.resolve("aborted");
  return new Promise((resolvePromise, reject) => {
    const onAbort = () => resolvePromise("aborted");
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolvePromise(v);
      },
      (err) => {
        signal.removeEventListener("abort", onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    );
  });
}
async function runStack(opts) {
  const started = Date.now();
  const outDir = resolve(opts.outDir);
  const logDir = join2(outDir, "logs");
  const reportsDir = join2(outDir, "reports");
  mkdirSync2(logDir, { recursive: true });
  mkdirSync2(reportsDir, { recursive: true });
  const composeLog = join2(logDir, "compose.log");
  writeFileSync(composeLog, "");
  const notes = [];
  const ports = stackPorts(opts.env);
  const composeFile = resolve(opts.composeFile ?? join2(opts.root, "docker-compose.mcp-reliability.yml"));
  if (!existsSync(composeFile)) throw new BadInputError(`compose file ${composeFile} does not exist`);
  if (opts.imagesEnv !== void 0 && !existsSync(opts.imagesEnv)) throw new BadInputError(`--images-env ${opts.imagesEnv}: no such file (tools/offline-images.sh writes one)`);
  const target = opts.target ?? "stack-everything";
  const endpoint = await hostEndpoint(target, ports.server);
  const scenarios = await stageScenarios(opts.scenarios, outDir);
  const healthcheck = (opts.env ?? process.env).MCP_SERVER_HEALTHCHECK ?? await serverHealthcheck(target);
  const docker = dockerClient();
  const engine = await engineAvailable(docker);
  if (!engine.ok) throw new StackError(`no Docker engine answers (${engine.reason}): start dockerd, or run without Docker (mcp-reliability run)`);
  if (!existsSync(join2(opts.root, "lib", "cli", "main.js"))) throw new StackError(`the CLI is not built in ${opts.root} (lib/cli/main.js): run "npm run build" \u2014 the simulator's image is built from lib/`);
  const cli = await detectCompose();
  opts.log(`stack: Docker ${engine.version}, compose ${cli.kind} ${cli.version}, project ${opts.project}`);
  const compose = new ComposeProject(cli, {
    file: composeFile,
    project: opts.project,
    ...opts.imagesEnv !== void 0 ? { envFile: resolve(opts.imagesEnv) } : {},
    profiles: opts.monitoring ? ["monitoring"] : [],
    logPath: composeLog,
    env: {
      ...simulatorUser(opts.env ?? process.env),
      MCP_RELIABILITY_PROJECT: opts.project,
      MCP_RELIABILITY_OUT: outDir,
      MCP_SCENARIOS: scenarios.join(","),
      MCP_DURATION: `${opts.durationMs}ms`,
      MCP_SEED: String(opts.seed),
      MCP_TARGET: target,
      ...opts.serverCommand !== void 0 ? { MCP_SERVER_COMMAND: opts.serverCommand } : {},
      ...opts.serverImage !== void 0 ? { MCP_SERVER_IMAGE: opts.serverImage } : {},
      ...opts.serverContainerPort !== void 0 ? { MCP_SERVER_CONTAINER_PORT: String(opts.serverContainerPort) } : {},
      ...opts.workspace !== void 0 ? { MCP_SERVER_WORKSPACE: resolve(opts.workspace), MCP_SERVER_WORKDIR: "/workspace" } : {},
      ...opts.runArgs !== void 0 ? { MCP_RELIABILITY_ARGS: opts.runArgs } : {},
      ...healthcheck !== void 0 ? { MCP_SERVER_HEALTHCHECK: healthcheck } : {}
    }
  });
  let logs;
  let exitCode = EXIT.harness;
  let tornDown = false;
  const files = { results: [], reports: [], prometheus: [], summary: join2(reportsDir, "summary.md"), junit: join2(reportsDir, "junit.xml"), logs: {}, compose: composeLog };
  let results = [];
  try {
    await compose.config();
    opts.log("stack: building the simulator image");
    await compose.build([SIMULATOR_SERVICE]);
    if (opts.signal.aborted) throw new Interrupted();
    const first = [...CORE_SERVICES, ...opts.monitoring ? MONITORING_SERVICES : []];
    opts.log(`stack: starting ${first.join(", ")}`);
    logs = streamProjectLogs(docker, opts.project, logDir);
    await compose.up(first);
    opts.log(`stack: waiting for MCP initialize + tools/list at ${endpoint.url}`);
    const ready2 = await waitForMcp(endpoint, opts.readyTimeoutMs, { signal: opts.signal });
    if (opts.signal.aborted) throw new Interrupted();
    if (!ready2.ok) throw new StackError(`the server in ${SERVER_SERVICE} never answered MCP: ${ready2.error} (see ${relative(process.cwd(), join2(logDir, `${SERVER_SERVICE}.log`))})`);
    opts.log(`stack: ${ready2.serverName} ${ready2.serverVersion} answered (protocol ${ready2.protocolVersion}, ${ready2.tools.length} tools, handshake ${ready2.handshakeMs} ms)`);
    opts.log(`stack: running ${scenarios.join(", ")} for ${Math.round(opts.durationMs / 1e3)} s each; Prometheus: http://127.0.0.1:${ports.prometheus}`);
    await compose.up([SIMULATOR_SERVICE]);
    const simulator = await findServiceContainer(docker, { project: opts.project, service: SIMULATOR_SERVICE }).catch((err) => {
      throw new StackError(err.message);
    });
    const container = simulator.container;
    const boundMs = simulatorBoundMs(scenarios.length, opts.durationMs, opts.runArgs);
    const overdue = AbortSignal.timeout(boundMs);
    const waited = await abortable(container.wait(), AbortSignal.any([opts.signal, overdue]));
    if (waited === "aborted" && !opts.signal.aborted) {
      opts.log(`stack: the simulator is still running ${Math.round(boundMs / 1e3)} s after it started, past every run's bound: stopping it`);
      await container.stop({ t: 15 }).catch(() => void 0);
      notes.push(`the simulator did not finish within ${Math.round(boundMs / 1e3)} s (${scenarios.length} scenario(s) \xD7 (duration + closing grace + start-up and teardown)): it was stopped`);
      exitCode = EXIT.harness;
    } else if (waited === "aborted") {
      opts.log("stack: interrupted: stopping the simulator so it writes what it measured");
      await container.stop({ t: 15 }).catch(() => void 0);
      exitCode = EXIT.interrupted;
    } else {
      exitCode = waited.StatusCode;
    }
    results = await scrapeAndReport(outDir, started, ports.prometheus, files, notes, opts.log);
    if (results.length === 0) notes.push(`the simulator wrote no result (exit ${exitCode}): see ${relative(process.cwd(), join2(logDir, `${SIMULATOR_SERVICE}.log`))}`);
    if (exitCode === EXIT.ok && results.some((r) => r.verdict !== "pass")) exitCode = results.some((r) => r.verdict === "error") ? EXIT.harness : EXIT.sloFailed;
  } catch (err) {
    if (err instanceof Interrupted) exitCode = EXIT.interrupted;
    else if (err instanceof StackError || err instanceof BadInputError || err instanceof ScenarioError) throw err;
    else throw new StackError(err.message);
  } finally {
    await logs?.stop().catch(() => void 0);
    files.logs = logs?.files() ?? {};
    if (opts.noCleanup) {
      opts.log(`stack: left running (--no-cleanup): Prometheus http://127.0.0.1:${ports.prometheus}, server 127.0.0.1:${ports.server}${opts.monitoring ? `, Grafana http://127.0.0.1:${ports.grafana}` : ""}; stop it with: ${cli.command} ${[...cli.prefix, "-f", composeFile, "-p", opts.project, "down", "-v"].join(" ")}`);
    } else {
      opts.log("stack: tearing down (down -v)");
      const down = await compose.down();
      tornDown = down.code === 0;
      if (!tornDown) notes.push(`teardown failed (compose exit ${down.code ?? "none"}): see ${composeLog}`);
    }
  }
  return { exitCode, results, files, tornDown, notes };
}
var Interrupted = class extends Error {
};
function simulatorBoundMs(scenarios, durationMs, runArgs = "") {
  const profiles = Math.max(1, (runArgs.match(/(^|\s)(--client-profile|-c)(\s|=)/g) ?? []).length);
  const perRun = durationMs + MAX_CLOSING_GRACE_MS + 9e4;
  return scenarios * profiles * perRun + 3e4;
}
async function scrapeAndReport(outDir, since, prometheusPort, files, notes, log) {
  const found = resultsSince(outDir, since);
  const baseUrl = `http://127.0.0.1:${prometheusPort}`;
  for (const { path, result } of found) {
    const slug = basename(resolve(path, ".."));
    const scrape = await scrapePrometheus({ baseUrl, scenario: result.scenario.name, start: new Date(result.run.startedAt), end: new Date(result.run.endedAt) });
    const scrapePath = join2(outDir, "test-results", slug, "prometheus.json");
    writeFileSync(scrapePath, `${JSON.stringify(scrape, null, 2)}
`);
    result.prometheus = summarizeScrape(scrape, relative(outDir, scrapePath));
    if (!scrape.reachable) notes.push(`Prometheus was unreachable for ${slug}: ${scrape.missing.join("; ")}`);
    log(`stack: Prometheus ${scrape.reachable ? `answered for ${slug}` : `was unreachable for ${slug}`}${scrape.missing.length ? ` (missing: ${scrape.missing.length})` : ""}`);
    const written = writeRunFiles(outDir, result);
    files.results.push(written.result);
    files.reports.push(written.report);
    files.prometheus.push(scrapePath);
  }
  const results = found.map((f) => f.result);
  writeSummaryFiles(outDir, results);
  return results;
}
export {
  SERVER_SERVICE,
  SIMULATOR_SERVICE,
  StackError,
  hostEndpoint,
  runStack,
  serverHealthcheck,
  simulatorBoundMs,
  simulatorUser,
  stackPorts,
  stageScenarios
};

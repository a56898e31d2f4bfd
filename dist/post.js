import { createRequire as __mcprCreateRequire } from 'node:module'; import { dirname as __mcprDirname } from 'node:path'; import { fileURLToPath as __mcprFileUrl } from 'node:url'; const require = __mcprCreateRequire(import.meta.url); const __mcprFile = __mcprFileUrl(import.meta.url); const __mcprDir = __mcprDirname(__mcprFile);
import {
  Artifacts,
  getState,
  info,
  warning
} from "./chunks/chunk-IHWGWHJN.js";
import {
  PACKAGE_ROOT
} from "./chunks/chunk-QLLCLM2A.js";
import "./chunks/chunk-SFONEEKR.js";
import "./chunks/chunk-42A6FYL2.js";

// src/action/post.ts
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
async function teardown(project, outDir) {
  const { ComposeProject, detectCompose } = await import("./chunks/compose-IZHQNXBI.js");
  const cli = await detectCompose();
  mkdirSync(join(outDir, "logs"), { recursive: true });
  const compose = new ComposeProject(cli, {
    file: join(PACKAGE_ROOT, "docker-compose.mcp-reliability.yml"),
    project,
    env: { MCP_RELIABILITY_PROJECT: project },
    profiles: ["monitoring"],
    logPath: join(outDir, "logs", "compose-post.log")
  });
  const down = await compose.down();
  if (down.code === 0) info(`post: the Compose project ${project} is down (down -v)`);
  else warning(`post: down -v of ${project} exited ${down.code}: see logs/compose-post.log in the artifact`);
}
async function post() {
  if (getState("mode") !== "run") return;
  const outDir = getState("out-dir");
  const project = getState("compose-project");
  const finished = getState("done") === "true";
  if (project && !finished) await teardown(project, outDir || join(process.env.RUNNER_TEMP ?? "/tmp", "mcp-reliability-post"));
  if (getState("uploaded") !== "true" && outDir && existsSync(outDir)) {
    const retention = getState("retention-days");
    const uploaded = await new Artifacts().uploadDir(getState("artifact-name"), outDir, retention ? Number(retention) : void 0);
    info(uploaded ? `post: uploaded what the run wrote as ${getState("artifact-name")} (${uploaded.size} bytes)` : "post: the run wrote nothing to upload");
  }
}
post().then(
  () => setTimeout(() => process.exit(), 2e3).unref(),
  (err) => warning(`post: ${err instanceof Error ? err.message : String(err)}`)
);

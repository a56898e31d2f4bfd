import { createRequire as __mcprCreateRequire } from 'node:module'; import { dirname as __mcprDirname } from 'node:path'; import { fileURLToPath as __mcprFileUrl } from 'node:url'; const require = __mcprCreateRequire(import.meta.url); const __mcprFile = __mcprFileUrl(import.meta.url); const __mcprDir = __mcprDirname(__mcprFile);

// src/stack/compose.ts
import { spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
function runCommand(command, args, opts = {}) {
  return new Promise((resolve) => {
    let output = "";
    const child = spawn(command, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const take = (chunk) => {
      const text = chunk.toString("utf8");
      output = (output + text).slice(-2e5);
      if (opts.logPath) appendFileSync(opts.logPath, text);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    const timer = opts.timeoutMs ? setTimeout(() => child.kill("SIGTERM"), opts.timeoutMs) : void 0;
    child.once("error", (err) => {
      clearTimeout(timer);
      resolve({ code: null, output: `${output}${err.message}` });
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
async function detectCompose(env = process.env) {
  const v2 = await runCommand("docker", ["compose", "version", "--short"], { env, timeoutMs: 15e3 });
  if (v2.code === 0 && /\d+\.\d+/.test(v2.output)) return { kind: "v2", command: "docker", prefix: ["compose"], version: v2.output.trim() };
  const v1 = await runCommand("docker-compose", ["version", "--short"], { env, timeoutMs: 15e3 });
  if (v1.code === 0 && /\d+\.\d+/.test(v1.output)) {
    const version = v1.output.trim();
    const [major = 0, minor = 0] = version.split(".").map(Number);
    if (major === 1 && minor < 28) throw new Error(`docker-compose ${version} is too old: profiles and depends_on conditions need 1.28 or later (or Compose v2: the docker compose plugin)`);
    return { kind: "v1", command: "docker-compose", prefix: [], version };
  }
  throw new Error(`no Compose CLI found: "docker compose version" said ${JSON.stringify(v2.output.trim().slice(0, 200))}, "docker-compose version" said ${JSON.stringify(v1.output.trim().slice(0, 200))}; install the Compose v2 plugin or docker-compose >= 1.28`);
}
var ComposeProject = class {
  constructor(cli, opts) {
    this.cli = cli;
    this.opts = opts;
  }
  cli;
  opts;
  args(rest, profiles = this.opts.profiles) {
    return [
      ...this.cli.prefix,
      "-f",
      this.opts.file,
      "-p",
      this.opts.project,
      ...this.opts.envFile ? ["--env-file", this.opts.envFile] : [],
      ...profiles.flatMap((p) => ["--profile", p]),
      ...rest
    ];
  }
  run(rest, opts = {}) {
    appendFileSync(this.opts.logPath, `
$ ${this.cli.command} ${this.args(rest, opts.profiles).join(" ")}
`);
    return runCommand(this.cli.command, this.args(rest, opts.profiles), { env: { ...process.env, ...this.opts.env }, logPath: this.opts.logPath, ...opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {} });
  }
  /** Throws with the command's last output lines when it fails. */
  async must(what, rest, opts = {}) {
    const r = await this.run(rest, opts);
    if (r.code !== 0) {
      const tail = r.output.trim().split("\n").slice(-15).join("\n");
      throw new Error(`${what} failed (compose exit ${r.code ?? "none"}; full output in ${this.opts.logPath}):
${tail}`);
    }
    return r.output;
  }
  config() {
    return this.must("docker compose config", ["config", "-q"]);
  }
  build(services) {
    return this.must("building the images", ["build", ...services], { timeoutMs: 30 * 6e4 });
  }
  up(services) {
    return this.must("starting the stack", ["up", "-d", "--no-build", ...services], { timeoutMs: 15 * 6e4 });
  }
  /** Everything of the project, every profile, its volumes and orphans. */
  down() {
    return this.run(["down", "-v", "--remove-orphans", "--timeout", "5"], { timeoutMs: 5 * 6e4, profiles: ["monitoring"] });
  }
};

export {
  runCommand,
  detectCompose,
  ComposeProject
};

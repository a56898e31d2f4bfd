/**
 * docker-compose.mcp-reliability.yml as data, so its promises hold even where no engine runs:
 * every service has a healthcheck and a memory limit, every published port is on 127.0.0.1 with
 * the seed's defaults, data sits in named volumes, Grafana/Loki/Promtail sit behind the
 * `monitoring` profile, the mounted configs exist, and the simulator gets the Docker socket.
 * Where a Compose CLI is installed, `config -q` must accept the file too.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { parse } from 'yaml';
import { detectCompose } from '../../src/stack/compose.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const FILE = join(ROOT, 'docker-compose.mcp-reliability.yml');

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  ports?: string[];
  volumes?: string[];
  mem_limit?: string;
  healthcheck?: { test: string[] };
  profiles?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
}
const doc = parse(readFileSync(FILE, 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown>; networks: Record<string, unknown> };

/** `${NAME:-default}` → default (what compose uses when the variable is unset). */
const defaults = (text: string) => text.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

test('the seed services, with healthchecks and memory limits on every one', () => {
  assert.deepEqual(Object.keys(doc.services).sort(), ['claude-simulator', 'grafana', 'loki', 'mcp-server', 'prometheus', 'promtail']);
  for (const [name, s] of Object.entries(doc.services)) {
    assert.ok(s.healthcheck && s.healthcheck.test.length > 1, `${name}: healthcheck`);
    assert.match(defaults(s.mem_limit ?? ''), /^\d+m$/, `${name}: mem_limit`);
  }
  assert.match(defaults(doc.services['mcp-server']!.healthcheck!.test.join(' ')), /mcp-reliability probe http:\/\/127\.0\.0\.1:3001\/mcp/, 'the server is healthy when it answers MCP, not when a port is open');
});

test('ports: the seed numbers, published on 127.0.0.1 only', () => {
  const published = Object.fromEntries(Object.entries(doc.services).map(([n, s]) => [n, (s.ports ?? []).map(defaults)]));
  for (const [name, ports] of Object.entries(published)) for (const p of ports) assert.match(p, /^127\.0\.0\.1:\d+:\d+$/, `${name}: ${p}`);
  assert.deepEqual(published['mcp-server'], ['127.0.0.1:3001:3001']);
  assert.deepEqual(published.prometheus, ['127.0.0.1:9090:9090']);
  assert.deepEqual(published.grafana, ['127.0.0.1:3002:3000']);
  assert.deepEqual(published.loki, ['127.0.0.1:3100:3100']);
});

test('monitoring profile, named volumes, mounted configs that exist, the simulator wired to server and Prometheus', () => {
  for (const name of ['grafana', 'loki', 'promtail']) assert.deepEqual(doc.services[name]!.profiles, ['monitoring'], name);
  for (const name of ['mcp-server', 'claude-simulator', 'prometheus']) assert.equal(doc.services[name]!.profiles, undefined, `${name} is in the core stack`);
  // mcp-server-workspace: empty unless MCP_SERVER_WORKSPACE binds the user's repository there (the action's server-command).
  assert.deepEqual(Object.keys(doc.volumes).sort(), ['grafana-data', 'loki-data', 'mcp-server-workspace', 'prometheus-data']);
  const server = doc.services['mcp-server']!;
  assert.ok(server.volumes?.includes('${MCP_SERVER_WORKSPACE:-mcp-server-workspace}:/workspace'), JSON.stringify(server.volumes));
  for (const [name, s] of Object.entries(doc.services)) {
    for (const v of s.volumes ?? []) {
      const source = defaults(v).split(':')[0]!;
      if (source === './mcp-reliability-out') continue; // the output folder: the stack sets MCP_RELIABILITY_OUT, Docker creates it by hand use
      if (source.startsWith('./')) assert.ok(existsSync(join(ROOT, source)), `${name}: ${source} does not exist`);
      else if (!source.startsWith('/')) assert.ok(source in doc.volumes, `${name}: ${source} is not a named volume`);
    }
  }
  const sim = doc.services['claude-simulator']!;
  assert.ok(sim.volumes?.some((v) => v.startsWith('/var/run/docker.sock:')), 'container faults need the Docker socket');
  assert.deepEqual(sim.depends_on, { 'mcp-server': { condition: 'service_healthy' }, prometheus: { condition: 'service_healthy' } });
  const command = defaults(String(sim.command));
  for (const flag of ['--container mcp-server', '--metrics-port 9464', '--metrics-host 0.0.0.0', '--out /work/out', '--target stack-everything']) assert.ok(command.includes(flag), `simulator command lacks ${flag}: ${command}`);
  assert.ok(sim.build, 'the simulator image is built from this checkout');
  assert.equal(doc.services['mcp-server']!.build, undefined, 'the server image is never built under a user-chosen name');
});

test('a Compose CLI, where installed, accepts the file', async (t) => {
  let cli;
  try {
    cli = await detectCompose();
  } catch (err) {
    return t.skip(`no Compose CLI here: ${(err as Error).message}`);
  }
  await promisify(execFile)(cli.command, [...cli.prefix, '-f', FILE, '-p', 'mcpr-config-check', '--profile', 'monitoring', 'config', '-q'], { cwd: ROOT, env: { ...process.env, MCP_RELIABILITY_OUT: ROOT } });
});

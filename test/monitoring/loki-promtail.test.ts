/**
 * monitoring/loki and monitoring/promtail as data (neither is installable here; both run in the
 * compose stack on GitHub). Loki: a Loki 3.x single-binary config with none of the settings Loki 3.0
 * removed (Loki rejects unknown fields, so one of them stops it from starting). Promtail: Docker
 * discovery of this compose project only, with its relabelling run on sample containers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { readText, readYaml } from './monitoring-files.js';

type Yaml = Record<string, unknown>;

/**
 * Settings Loki 3.0 removed (https://grafana.com/docs/loki/latest/setup/upgrade/#300), as paths;
 * `**` matches any depth. Loki parses its config strictly, so any of them stops Loki 3 at startup.
 */
const REMOVED_IN_LOKI_3: { path: string; why: string }[] = [
  { path: '**.shared_store', why: 'tsdb/boltdb shipper and compactor shared_store: object_store of the period config is used' },
  { path: '**.shared_store_key_prefix', why: 'replaced by index.path_prefix in the period config' },
  { path: 'chunk_store_config.max_look_back_period', why: 'use limits_config.max_query_lookback' },
  { path: 'limits_config.enforce_metric_name', why: 'removed' },
  { path: 'ingester.max_transfer_retries', why: 'removed in favour of the WAL' },
  { path: '**.use_boltdb_shipper_as_backup', why: 'removed' },
  { path: '**.async_cache_write_back_concurrency', why: 'use writeback_goroutines' },
  { path: '**.async_cache_write_back_buffer_size', why: 'use writeback_buffer' },
  { path: 'querier.engine', why: 'querier.engine.timeout removed' },
  { path: 'querier.query_timeout', why: 'moved to limits_config.query_timeout' },
  { path: 'querier.worker_parallelism', why: 'use querier.max_concurrent' },
  { path: 'query_range.split_queries_by_interval', why: 'moved to limits_config' },
  { path: 'frontend.forward_headers_list', why: 'removed' },
  { path: 'ruler.evaluation_delay_duration', why: 'removed' },
  { path: 'compactor.deletion_mode', why: 'moved to limits_config.deletion_mode' },
  { path: 'storage_config.aws.sse_encryption', why: 'use sse.type' },
  { path: 'storage_config.boltdb_shipper', why: 'boltdb-shipper is deprecated; this stack uses tsdb only' },
];

/** Every key path of a parsed YAML document, dot-joined (list items are transparent). */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => keyPaths(item, prefix));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Yaml).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    return [path, ...keyPaths(v, path)];
  });
}

function matchesRemoved(path: string, pattern: string): boolean {
  if (pattern.startsWith('**.')) return path === pattern.slice(3) || path.endsWith(`.${pattern.slice(3)}`);
  return path === pattern || path.startsWith(`${pattern}.`);
}

test('keyPaths and matchesRemoved find a removed field at any depth', () => {
  const paths = keyPaths({ storage_config: { tsdb_shipper: { shared_store: 'filesystem' } }, chunk_store_config: { max_look_back_period: '0s' } });
  assert.ok(paths.some((p) => matchesRemoved(p, '**.shared_store')));
  assert.ok(paths.some((p) => matchesRemoved(p, 'chunk_store_config.max_look_back_period')));
  assert.ok(!paths.some((p) => matchesRemoved(p, 'querier.engine')));
});

test('loki: single binary, no auth, port 3100, filesystem storage under common.path_prefix', () => {
  interface Loki {
    auth_enabled: boolean;
    server: { http_listen_port: number };
    common: { path_prefix: string; replication_factor: number; storage: { filesystem: { chunks_directory: string; rules_directory: string } }; ring: { kvstore: { store: string } } };
    target?: string;
  }
  const loki = readYaml<Loki>('loki/loki-config.yml');
  assert.equal(loki.auth_enabled, false);
  assert.equal(loki.server.http_listen_port, 3100);
  assert.equal(loki.target ?? 'all', 'all');
  assert.equal(loki.common.path_prefix, '/loki', 'the compose volume loki-data is mounted at /loki');
  assert.ok(loki.common.storage.filesystem.chunks_directory.startsWith('/loki/'));
  assert.ok(loki.common.storage.filesystem.rules_directory.startsWith('/loki/'));
  assert.equal(loki.common.replication_factor, 1);
  assert.equal(loki.common.ring.kvstore.store, 'inmemory');
});

test('loki: schema v13 on a tsdb index in the filesystem object store (required by Loki 3)', () => {
  interface Period {
    from: string;
    store: string;
    object_store: string;
    schema: string;
    index: { prefix: string; period: string };
  }
  const { schema_config } = readYaml<{ schema_config: { configs: Period[] } }>('loki/loki-config.yml');
  assert.ok(schema_config.configs.length >= 1);
  for (const period of schema_config.configs) {
    assert.equal(period.store, 'tsdb', `${period.from}: index store (boltdb-shipper must not be the index)`);
    assert.equal(period.object_store, 'filesystem');
    assert.equal(period.schema, 'v13');
    assert.equal(period.index.period, '24h', 'tsdb needs a 24h index period');
    assert.match(String(period.from), /^\d{4}-\d{2}-\d{2}/);
  }
});

test('loki: none of the settings Loki 3.0 removed', () => {
  const paths = keyPaths(readYaml('loki/loki-config.yml'));
  assert.ok(paths.length > 20);
  for (const removed of REMOVED_IN_LOKI_3) {
    const hit = paths.find((p) => matchesRemoved(p, removed.path));
    assert.equal(hit, undefined, `${hit} was removed in Loki 3.0 (${removed.why})`);
  }
});

test('loki: retention on the compactor names its delete_request_store (Loki 3 requires it)', () => {
  const { compactor } = readYaml<{ compactor?: { retention_enabled?: boolean; delete_request_store?: string } }>('loki/loki-config.yml');
  if (compactor?.retention_enabled) assert.equal(compactor.delete_request_store, 'filesystem');
});

interface RelabelConfig {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: string;
}
interface Promtail {
  server: { http_listen_port: number };
  positions: { filename: string };
  clients: { url: string }[];
  scrape_configs: {
    job_name: string;
    docker_sd_configs?: { host: string; filters?: { name: string; values: string[] }[] }[];
    relabel_configs: RelabelConfig[];
  }[];
}

/** promtail -config.expand-env=true: ${VAR} and ${VAR:-default} (drone/envsubst), then YAML. */
function expandEnv(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => {
    const value = env[name];
    return value === undefined || value === '' ? (fallback ?? '') : value;
  });
}

/** Prometheus relabelling (replace, keep, drop): what Promtail does to discovered targets. */
function relabel(labels: Record<string, string>, configs: RelabelConfig[]): Record<string, string> | null {
  const out = { ...labels };
  for (const c of configs) {
    const value = (c.source_labels ?? []).map((l) => out[l] ?? '').join(c.separator ?? ';');
    const match = new RegExp(`^(?:${c.regex ?? '(.*)'})$`).exec(value);
    const action = c.action ?? 'replace';
    if (action === 'keep' && !match) return null;
    if (action === 'drop' && match) return null;
    if (action === 'replace' && match && c.target_label) {
      const replaced = (c.replacement ?? '$1').replace(/\$(\d+)|\$\{(\d+)\}/g, (_, a: string | undefined, b: string | undefined) => match[Number(a ?? b)] ?? '');
      if (replaced === '') delete out[c.target_label];
      else out[c.target_label] = replaced;
    }
  }
  // Labels starting with __ are dropped after relabelling.
  return Object.fromEntries(Object.entries(out).filter(([k]) => !k.startsWith('__')));
}

function container(project: string, service: string): Record<string, string> {
  return {
    __meta_docker_container_id: 'f00d',
    __meta_docker_container_name: `/${project}-${service}-1`,
    __meta_docker_container_label_com_docker_compose_project: project,
    __meta_docker_container_label_com_docker_compose_service: service,
    __meta_docker_container_log_stream: 'stderr',
  };
}

const promtailText = readText('promtail/promtail-config.yml');

test('promtail: pushes to Loki, reads containers from the Docker socket, listens where the healthcheck asks', () => {
  const promtail = readYaml<Promtail>('promtail/promtail-config.yml');
  assert.deepEqual(promtail.clients.map((c) => c.url), ['http://loki:3100/loki/api/v1/push']);
  assert.equal(promtail.server.http_listen_port, 9080);
  assert.equal(promtail.scrape_configs.length, 1);
  const [scrape] = promtail.scrape_configs;
  assert.deepEqual(scrape?.docker_sd_configs?.map((d) => d.host), ['unix:///var/run/docker.sock']);
});

test('promtail: the only variable is MCP_RELIABILITY_PROJECT, and nothing else expand-env would mangle', () => {
  const variables = [...promtailText.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
  assert.ok(variables.length >= 2, 'the project name is used by the Docker filter and the keep rule');
  assert.deepEqual([...new Set(variables)], ['MCP_RELIABILITY_PROJECT']);
  // expand-env turns \\ into \ and treats every $ as a variable: neither may appear otherwise.
  assert.ok(!promtailText.includes('\\'), 'no backslashes');
  assert.equal(promtailText.match(/\$/g)?.length, variables.length, 'every $ starts the project variable');
});

test('promtail: keeps only the project containers, labelled service, container and project', () => {
  for (const [env, project] of [
    [{ MCP_RELIABILITY_PROJECT: 'mcp-rel-run7' }, 'mcp-rel-run7'],
    [{}, 'mcp-reliability'],
  ] as const) {
    // As promtail does: expand the text, then parse it.
    const config = (parse(expandEnv(promtailText, env)) as Promtail).scrape_configs[0];
    assert.ok(config);
    assert.deepEqual(config.docker_sd_configs?.[0]?.filters, [{ name: 'label', values: [`com.docker.compose.project=${project}`] }]);
    assert.ok(
      config.relabel_configs.some((r) => r.action === 'keep' && r.source_labels?.[0] === '__meta_docker_container_label_com_docker_compose_project'),
      'a keep rule on the compose project label',
    );

    assert.deepEqual(relabel(container(project, 'mcp-server'), config.relabel_configs), {
      project,
      service: 'mcp-server',
      container: `${project}-mcp-server-1`,
      stream: 'stderr',
    });
    assert.equal(relabel(container(project, 'claude-simulator'), config.relabel_configs)?.service, 'claude-simulator');
    assert.equal(relabel(container('someone-else', 'mcp-server'), config.relabel_configs), null, 'another project is dropped');
    assert.equal(relabel(container(`${project}-2`, 'mcp-server'), config.relabel_configs), null, 'the match is exact, not a prefix');
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createMetrics, startMetricsServer } from '../../src/metrics/index.js';
import { parseExposition, sampleValue } from './exposition.js';

function get(url: string, method = 'GET'): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serves /metrics and /healthz on an ephemeral port over a real socket', async () => {
  const metrics = createMetrics({ scenario: 'srv', target: 'local' });
  metrics.requests.inc({ method: 'ping', status: 'ok' });
  const server = await startMetricsServer(metrics.registry, 0);
  try {
    assert.ok(server.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
    const scraped = await get(`${server.url}/metrics`);
    assert.equal(scraped.status, 200);
    assert.match(scraped.contentType, /^text\/plain; version=0\.0\.4; charset=utf-8$/);
    const exposition = parseExposition(scraped.body);
    assert.equal(sampleValue(exposition, 'mcp_requests_total', { method: 'ping', status: 'ok', scenario: 'srv', target: 'local' }), 1);

    const health = await get(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(health.body, 'ok\n');
    assert.equal((await get(`${server.url}/nope`)).status, 404);
    assert.equal((await get(`${server.url}/metrics`, 'POST')).status, 405);
    const head = await get(`${server.url}/metrics`, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
  } finally {
    await server.close();
  }
  await server.close(); // idempotent
  await assert.rejects(get(`${server.url}/metrics`));
});

test('a port already in use is reported, not swallowed', async () => {
  const metrics = createMetrics({ scenario: 'srv', target: 'local' });
  const first = await startMetricsServer(metrics.registry, 0);
  try {
    await assert.rejects(startMetricsServer(metrics.registry, first.port), /EADDRINUSE/);
  } finally {
    await first.close();
  }
});

test('a registry getter lets one endpoint serve a suite of runs, each with a fresh registry', async () => {
  let current: ReturnType<typeof createMetrics> | undefined;
  const server = await startMetricsServer(() => current?.registry, 0);
  try {
    const between = await get(`${server.url}/metrics`);
    assert.equal(between.status, 200);
    assert.equal(between.body, '');
    assert.match(between.contentType, /^text\/plain; version=0\.0\.4/);
    current = createMetrics({ scenario: 'first', target: 'local' });
    current.reconnectAttempts.inc(2);
    const first = parseExposition((await get(`${server.url}/metrics`)).body);
    assert.equal(sampleValue(first, 'mcp_reconnect_attempts_total', { scenario: 'first' }), 2);
    current = createMetrics({ scenario: 'second', target: 'local' });
    const second = parseExposition((await get(`${server.url}/metrics`)).body);
    assert.equal(sampleValue(second, 'mcp_reconnect_attempts_total', { scenario: 'second' }), 0);
  } finally {
    await server.close();
  }
});

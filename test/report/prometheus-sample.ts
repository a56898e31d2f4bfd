/**
 * Scrape documents for report tests (what src/stack/scrape.ts returns; test/stack/scrape.test.ts
 * checks the real thing against a real Prometheus): one from a reachable Prometheus, one unreachable.
 */
import type { PrometheusScrape, ScrapeInstantEntry } from '../../src/report/index.js';

const sel = 'scenario="flaky | \\"server\\"",target="everything"';
const instant = (name: string, query: string, result: { labels: Record<string, string>; value: number | null; note?: string }[]): ScrapeInstantEntry => ({ name, description: name, query, ok: true, result });

export function sampleScrape(): PrometheusScrape {
  return {
    url: 'http://127.0.0.1:9090',
    scrapedAt: '2025-01-02T03:06:10.000Z',
    window: { start: '2025-01-02T03:04:05.000Z', end: '2025-01-02T03:06:05.000Z', evaluatedAt: '2025-01-02T03:06:08.000Z', stepSeconds: 1, rateWindowSeconds: 10 },
    selector: sel,
    job: 'mcp-reliability',
    reachable: true,
    instant: [
      instant('requests_by_status', `sum by (status) (last_over_time(mcp_requests_total{${sel}}[123s]))`, [
        { labels: { status: 'error' }, value: 1 },
        { labels: { status: 'ok' }, value: 10 },
        { labels: { status: 'timeout' }, value: 1 },
      ]),
      instant('availability_ratio', 'last_over_time(mcp_availability_ratio[123s])', [{ labels: { scenario: 'flaky | "server"', target: 'everything' }, value: 0.7142857 }]),
      instant('disconnections_by_reason', 'q', [
        { labels: { reason: 'transport-closed' }, value: 1 },
        { labels: { reason: 'ping-timeout' }, value: 1 },
      ]),
      instant('reconnect_attempts', 'q', [{ labels: {}, value: 3 }]),
      instant('request_p95_seconds', 'q', [
        { labels: { method: 'tools/call' }, value: 0.02425 },
        { labels: { method: 'ping' }, value: null, note: 'Prometheus answered NaN' },
      ]),
      instant('tools_available', 'q', [{ labels: {}, value: 2 }]),
      instant('session_up', 'q', [{ labels: {}, value: 0 }]),
      instant('faults_by_kind', 'q', []),
      instant('scrape_up', 'q', [{ labels: { instance: 'claude-simulator:9464', job: 'mcp-reliability' }, value: 1 }]),
      instant('scrape_up_min', 'q', [{ labels: { instance: 'claude-simulator:9464', job: 'mcp-reliability' }, value: 0 }]),
      instant('scrapes', 'q', [{ labels: { instance: 'claude-simulator:9464', job: 'mcp-reliability' }, value: 60 }]),
      instant('alerts_fired_during_run', 'q', [{ labels: { alertname: 'McpReconnectStorm' }, value: 1 }, { labels: { alertname: 'McpTargetDown' }, value: 1 }]),
      { name: 'rule_availability_worst', description: 'x', query: 'q', ok: false, error: 'HTTP 422: execution: query timed out' },
    ],
    range: [{ name: 'session_up', description: 'session up', query: 'mcp_session_up', ok: true, result: [{ labels: {}, points: [[1735787045, 1], [1735787046, 0]] }] }],
    alerts: [
      { name: 'McpTargetDown', state: 'firing', labels: { alertname: 'McpTargetDown', cause: 'session-down' }, value: 0, summary: 'no session' },
      { name: 'McpAvailabilityBelowSlo', state: 'pending', labels: { alertname: 'McpAvailabilityBelowSlo' }, value: 0.71 },
    ],
    rules: [
      { name: 'mcp:requests:rate30s', type: 'recording', group: 'g', health: 'ok' },
      { name: 'mcp:availability:ratio_rate30s', type: 'recording', group: 'g', health: 'err', lastError: 'many-to-many matching not allowed | <b>' },
      { name: 'McpTargetDown', type: 'alerting', group: 'a', health: 'unknown' },
    ],
    missing: ['query rule_availability_worst failed: HTTP 422: execution: query timed out', 'no samples for mcp:request_duration_seconds:p95_rate30s{scenario="x"} in the window'],
  };
}

export function unreachableScrape(): PrometheusScrape {
  const error = 'not queried: prometheus unreachable at http://127.0.0.1:9999: connection refused to http://127.0.0.1:9999 (GET /-/ready)';
  return {
    url: 'http://127.0.0.1:9999',
    scrapedAt: '2025-01-02T03:06:10.000Z',
    window: { start: '2025-01-02T03:04:05.000Z', end: '2025-01-02T03:06:05.000Z', evaluatedAt: '2025-01-02T03:06:05.000Z', stepSeconds: 1, rateWindowSeconds: 10 },
    selector: sel,
    job: 'mcp-reliability',
    reachable: false,
    instant: [{ name: 'requests_by_status', description: 'x', query: 'q', ok: false, error }],
    range: [{ name: 'request_rate', description: 'x', query: 'q', ok: false, error }],
    alerts: [],
    rules: [],
    missing: ['prometheus unreachable at http://127.0.0.1:9999: connection refused — no metrics, alerts or rules could be read'],
  };
}

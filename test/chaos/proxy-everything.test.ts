/** The real reference MCP server over Streamable HTTP, through the proxy: same answers. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { slicer, latency } from '../../src/chaos/proxy/index.js';
import { MCP_ACCEPT, initializeBody, jsonRpcOf, startEverything, type Everything } from '../../bench/lib/everything.js';
import { startProxy } from './proxy-harness.js';

interface Answer {
  status: number;
  contentType: string | null;
  hasSession: boolean;
  message: unknown;
}

async function initialize(url: string): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: MCP_ACCEPT }, body: initializeBody() });
  const body = await res.text();
  // Session ids, event ids and Date differ per call; the JSON-RPC message must not.
  return { status: res.status, contentType: res.headers.get('content-type'), hasSession: res.headers.has('mcp-session-id'), message: jsonRpcOf(body) };
}

describe('server-everything through the proxy', { timeout: 60_000 }, () => {
  let server: Everything;
  before(async () => (server = await startEverything()), { timeout: 60_000 });
  after(() => server?.stop());

  it('answers initialize identically direct, proxied, and proxied through latency + a 7-byte slicer', async (t) => {
    const direct = await initialize(server.url);
    assert.equal(direct.status, 200);
    assert.equal((direct.message as { id: number }).id, 1);

    const proxy = await startProxy(t, server.port);
    assert.deepEqual(await initialize(proxy.url(server.url)), direct);

    proxy.addToxic(latency({ latencyMs: 20, jitterMs: 10 }));
    proxy.addToxic(slicer({ sizeBytes: 7, variationBytes: 3 }), { direction: 'downstream' });
    assert.deepEqual(await initialize(proxy.url(server.url)), direct);
  });
});

/**
 * Helpers for the protocol-check tests: run the checks against a TestServer, assert the shape every
 * outcome list must have, pick one outcome, and a silent listener (accepts TCP connections, never
 * writes a byte) whose open connections the tests can count.
 */
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { CHECK_IDS, runProtocolChecks, type CheckId, type CheckOptions, type CheckOutcome } from '../../src/checks/index.js';
import type { ServerProcess } from '../../src/target/types.js';
import type { TestServer } from '../helpers/servers.js';

/** Every probe, in order, once; a finding exactly when failed; evidence present and bounded. */
export function assertShape(outcomes: CheckOutcome[]): void {
  assert.deepEqual(
    outcomes.map((o) => o.id),
    [...CHECK_IDS],
  );
  for (const o of outcomes) {
    assert.ok(o.title.length > 0, `${o.id}: a title`);
    assert.ok(o.evidence.length > 0 && o.evidence.length <= 300, `${o.id}: evidence of 1..300 chars, got ${o.evidence.length}`);
    assert.equal(o.status === 'failed', o.finding !== undefined, `${o.id}: a finding exactly when failed (${o.status}, ${o.finding})`);
    assert.ok(Number.isFinite(o.ms) && o.ms >= 0, `${o.id}: ms`);
  }
}

export function pick(outcomes: CheckOutcome[], id: CheckId): CheckOutcome {
  const o = outcomes.find((x) => x.id === id);
  assert.ok(o, `no outcome for ${id}`);
  return o;
}

export function describeAll(outcomes: CheckOutcome[]): string {
  return outcomes.map((o) => `${o.id}: ${o.status}${o.finding ? ` (${o.finding})` : ''} — ${o.evidence}`).join('\n');
}

/** The given probes have these statuses/findings; every other probe passed. */
export function assertOnly(outcomes: CheckOutcome[], expected: Partial<Record<CheckId, 'passed' | 'skipped' | CheckOutcome['finding']>>): void {
  assertShape(outcomes);
  for (const o of outcomes) {
    const want = expected[o.id] ?? 'passed';
    const got = o.status === 'failed' ? o.finding : o.status;
    assert.equal(got, want, `${o.id}: expected ${want}\n${describeAll(outcomes)}`);
  }
}

/** Runs the checks against a test server; every stdio process they spawn is collected in `spawned`. */
export async function checkServer(server: TestServer, opts: CheckOptions = {}, spawned: ServerProcess[] = []): Promise<CheckOutcome[]> {
  const { endpoint } = server;
  const open = endpoint.openStdio;
  return runProtocolChecks(
    {
      transport: endpoint.transport,
      ...(endpoint.url ? { url: endpoint.url } : {}),
      ...(open
        ? {
            spawn: async () => {
              const p = await open();
              spawned.push(p);
              return p;
            },
          }
        : {}),
    },
    opts,
  );
}

export interface SilentListener {
  port: number;
  /** Connections accepted so far. */
  accepted(): number;
  /** Connections still open. */
  open(): number;
  /** Resolves once no connection is open (rejects after `ms`). */
  drained(ms?: number): Promise<void>;
  close(): Promise<void>;
}

/** Accepts every TCP connection, reads what comes, never answers: an HTTP, SSE, WebSocket or tcp-pipe server that went silent. */
export async function silentListener(): Promise<SilentListener> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return {
    port: address.port,
    accepted: () => accepted,
    open: () => sockets.size,
    drained: async (ms = 5000) => {
      const until = Date.now() + ms;
      while (sockets.size > 0) {
        if (Date.now() > until) throw new Error(`${sockets.size} connection(s) still open after ${ms} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Counts of this process's active resources by type (timers, sockets, child processes' handles). */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

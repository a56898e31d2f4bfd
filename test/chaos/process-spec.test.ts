/** Process fault specs: validation in words, with and without the target's context. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PROCESS_FAULT_KINDS, STDIO_ONLY_KINDS, processFault, validateProcessFault } from '../../src/chaos/process/index.js';
import { createRng } from '../../src/chaos/rng.js';
import type { RunningTarget } from '../../src/target/launch.js';

const stdio = { transport: 'stdio', local: true } as const;
const http = { transport: 'streamable-http', local: true, target: 'everything-http' } as const;
const remote = { transport: 'streamable-http', local: false, target: 'far-away' } as const;

describe('validateProcessFault', () => {
  test('accepts every kind with valid fields', () => {
    const valid = [
      { kind: 'pause' },
      { kind: 'kill' },
      { kind: 'kill', restartAfterMs: 0 },
      { kind: 'terminate', restartAfterMs: 1500 },
      { kind: 'restart' },
      { kind: 'stdout-delay', delayMs: 200 },
      { kind: 'stdout-delay', delayMs: 200, jitterMs: 200 },
      { kind: 'stdout-stall' },
      { kind: 'partial-line' },
    ];
    for (const spec of valid) assert.deepEqual(validateProcessFault(spec), [], JSON.stringify(spec));
    assert.deepEqual([...PROCESS_FAULT_KINDS].sort(), ['kill', 'partial-line', 'pause', 'restart', 'stdout-delay', 'stdout-stall', 'terminate']);
  });

  test('names an unknown kind, wrong shapes, negative and missing durations, unknown fields', () => {
    assert.match(validateProcessFault({ kind: 'freeze' })[0]!, /unknown process fault kind "freeze" \(known: pause, kill/);
    assert.match(validateProcessFault('pause')[0]!, /must be an object/);
    assert.deepEqual(validateProcessFault({ kind: 'stdout-delay', delayMs: -5 }), ['stdout-delay: delayMs must be at least 0 ms (got -5)']);
    assert.deepEqual(validateProcessFault({ kind: 'stdout-delay' }), ['stdout-delay: delayMs is required']);
    assert.deepEqual(validateProcessFault({ kind: 'kill', restartAfterMs: -1 }), ['kill: restartAfterMs must be at least 0 ms (got -1)']);
    assert.deepEqual(validateProcessFault({ kind: 'kill', restartAfterMs: '1s' }), ['kill: restartAfterMs must be a number of ms (got "1s")']);
    assert.match(validateProcessFault({ kind: 'stdout-delay', delayMs: 100, jitterMs: 150 })[0]!, /jitterMs \(150\) must not exceed delayMs \(100\)/);
    assert.deepEqual(validateProcessFault({ kind: 'pause', durationMs: 3 }), ['pause: unknown field "durationMs" (known: kind)']);
  });

  test('with a context: pipe faults need stdio, restart needs a network server, remote targets have no process', () => {
    for (const kind of STDIO_ONLY_KINDS) {
      const spec = kind === 'stdout-delay' ? { kind, delayMs: 10 } : { kind };
      assert.deepEqual(validateProcessFault(spec, stdio), []);
      assert.match(validateProcessFault(spec, http)[0]!, /acts on a stdio server's stdout, but target "everything-http" uses streamable-http/);
      assert.match(validateProcessFault(spec, 'websocket')[0]!, /uses websocket/);
    }
    assert.match(validateProcessFault({ kind: 'restart' }, stdio)[0]!, /stdio target: each connection spawns its own server/);
    assert.match(validateProcessFault({ kind: 'kill', restartAfterMs: 100 }, 'stdio')[0]!, /restartAfterMs has no meaning for stdio/);
    assert.deepEqual(validateProcessFault({ kind: 'kill' }, 'stdio'), []);
    assert.deepEqual(validateProcessFault({ kind: 'restart' }, http), []);
    for (const kind of ['pause', 'kill', 'restart']) {
      assert.match(validateProcessFault({ kind }, remote)[0]!, /target "far-away" is remote .* no local server process to signal/);
    }
  });

  test('processFault refuses what the validator reports, before touching the target', () => {
    const target = {
      profile: { name: 'far-away', transport: 'streamable-http', url: 'http://example.invalid/mcp', roles: {} },
      endpoint: { transport: 'streamable-http', url: 'http://example.invalid/mcp', label: 'far-away' },
      currentProcess: () => undefined,
      stop: async () => undefined,
    } satisfies RunningTarget;
    assert.throws(() => processFault(target, { kind: 'pause' }, createRng(1)), /invalid process fault: pause: target "far-away" is remote/);
    assert.throws(() => processFault(target, { kind: 'stdout-stall' }, createRng(1)), /invalid process fault/);
  });
});

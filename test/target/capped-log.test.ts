import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CappedLog } from '../../src/target/capped-log.js';

const dir = () => mkdtempSync(join(tmpdir(), 'mcpr-capped-'));

test('under the cap: every byte, in order, nothing added', async () => {
  const path = join(dir(), 'server.stderr.log');
  const log = new CappedLog(path, 1000, 300);
  for (let i = 0; i < 50; i++) log.write(`line ${i}\n`);
  await log.end();
  assert.equal(readFileSync(path, 'utf8'), Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join(''));
});

test('over the cap: the first bytes, a line saying how much was left out, the last bytes; the size stays bounded', async () => {
  const path = join(dir(), 'server.stderr.log');
  const log = new CappedLog(path, 64 << 10, 16 << 10);
  let all = '';
  for (let i = 0; i < 100_000; i++) {
    const line = `request ${i} handled\n`;
    all += line;
    log.write(Buffer.from(line));
  }
  await log.end();
  const text = readFileSync(path, 'utf8');
  assert.ok(text.startsWith(all.slice(0, 64 << 10)), 'the head, byte for byte');
  assert.ok(text.endsWith('request 99999 handled\n'), 'the tail ends with the last line');
  const m = /\n\[mcp-reliability: (\d+) bytes of this log left out here/.exec(text);
  assert.ok(m, 'the gap is marked');
  const marker = text.indexOf('\n[mcp-reliability:');
  const tail = text.slice(text.indexOf(']\n', marker) + 2);
  assert.ok(tail.length >= 16 << 10, `at least the last 16 KiB (${tail.length})`);
  assert.ok(all.endsWith(tail), 'the tail is the end of what was written');
  assert.equal((64 << 10) + Number(m[1]) + tail.length, Buffer.byteLength(all), 'head + left out + tail = everything');
  assert.ok(statSync(path).size < (64 << 10) + (16 << 10) + 200, `bounded: ${statSync(path).size}`);
});

test('an unwritable path does not throw: the server runs on without its log', async () => {
  const log = new CappedLog(dir(), 10, 10); // a folder: EISDIR on open
  log.write('hello world, more than ten bytes');
  await log.end();
});

test('a tail of chunks of every size (some longer than the tail): head + left out + tail = everything, the tail starts on a line', async () => {
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let round = 0; round < 20; round++) {
    const path = join(dir(), 'server.stderr.log');
    const head = rand(300);
    const tailMax = 50 + rand(400);
    const log = new CappedLog(path, head, tailMax);
    let all = '';
    for (let i = 0, n = 1 + rand(200); i < n; i++) {
      const size = rand(10) === 0 ? rand(3 * tailMax) : rand(40);
      const chunk = Array.from({ length: size }, () => (rand(12) === 0 ? '\n' : String.fromCharCode(97 + rand(26)))).join('');
      all += chunk;
      log.write(rand(2) ? chunk : Buffer.from(chunk));
    }
    await log.end();
    const text = readFileSync(path, 'utf8');
    const m = /\n\[mcp-reliability: (\d+) bytes of this log left out here[^\n]*\]\n/.exec(text.slice(Math.min(head, all.length)));
    if (!m) {
      assert.equal(text, all, `round ${round}: nothing left out, every byte`);
      continue;
    }
    assert.ok(text.startsWith(all.slice(0, head)), `round ${round}: the head, byte for byte`);
    const tail = text.slice(head + m[0].length);
    assert.ok(all.endsWith(tail), `round ${round}: the tail is the end of what was written`);
    assert.equal(head + Number(m[1]) + tail.length, all.length, `round ${round}: head + left out + tail = everything`);
    // The last tailMax bytes, extended back to their first line's start when it is within the slack
    // (here as long as the tail itself), else exactly tailMax bytes.
    const fromLine = all.length - (all.lastIndexOf('\n', all.length - tailMax - 1) + 1);
    assert.equal(tail.length, fromLine <= 2 * tailMax ? fromLine : tailMax, `round ${round}: from the first line's start`);
  }
});

test('many short lines past the head: the tail costs its bytes, not an object per chunk (live heap after a forced GC)', async () => {
  const { liveHeapBytes } = await import('../../src/run/live-heap.js');
  const path = join(dir(), 'server.stderr.log');
  const log = new CappedLog(path, 0, 2 << 20);
  const before = liveHeapBytes();
  if (before === null) return; // no GC could be forced: nothing to measure
  // A pipe hands over one Buffer per write: server-everything writes one 26-byte line per request.
  for (let i = 0; i < 200_000; i++) log.write(Buffer.from('Received MCP POST request\n'));
  const grown = liveHeapBytes()! - before;
  await log.end();
  assert.ok(grown < 2 << 20, `live heap grew by ${(grown / 1048576).toFixed(1)} MiB for a 2 MiB tail`);
  const text = readFileSync(path, 'utf8');
  assert.ok(text.endsWith('Received MCP POST request\n'));
});

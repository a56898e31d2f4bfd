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

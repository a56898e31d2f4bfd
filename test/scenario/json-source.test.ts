/** The position-aware JSON reader: positions per pointer, duplicates, and syntax errors people can fix. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonSource, positionAt } from '../../src/scenario/json-source.js';

function problem(text: string): { message: string; hint?: string; line: number; column: number } {
  const out = parseJsonSource(text);
  assert.equal(out.ok, false, 'expected a syntax error');
  if (out.ok) throw new Error('unreachable');
  const { message, hint, line, column } = out.problem;
  return hint === undefined ? { message, line, column } : { message, hint, line, column };
}

test('positions: keys for members, values for items, escaped pointers', () => {
  const out = parseJsonSource('{\n  "a/b": [1,\n    {"~x": true}]\n}');
  assert.ok(out.ok);
  assert.deepEqual(Object.fromEntries(out.positions), {
    '': { line: 1, column: 1 },
    '/a~1b': { line: 2, column: 3 },
    '/a~1b/0': { line: 2, column: 11 },
    '/a~1b/1': { line: 3, column: 5 },
    '/a~1b/1/~0x': { line: 3, column: 6 },
  });
  assert.deepEqual(out.value, { 'a/b': [1, { '~x': true }] });
});

test('positionAt counts lines and 1-based columns', () => {
  assert.deepEqual(positionAt('ab\ncd', 0), { line: 1, column: 1 });
  assert.deepEqual(positionAt('ab\ncd', 4), { line: 2, column: 2 });
});

test('syntax errors: the common mistakes, each with its place', () => {
  assert.deepEqual(problem('{"a": 1,}'), { message: "trailing comma before '}'", hint: 'JSON allows no comma after the last property: remove it', line: 1, column: 8 });
  assert.deepEqual(problem('{\n "a": 1\n "b": 2}'), { message: `expected ',' or '}' after the value of "a", found '"'`, hint: 'a comma is probably missing between two properties', line: 3, column: 2 });
  assert.deepEqual(problem('[{"a": 1}\n{"b": 2}]'), { message: "expected ',' or ']' after item 0, found '{'", hint: 'a comma is probably missing between two items', line: 2, column: 1 });
  assert.deepEqual(problem("{'a': 1}"), { message: 'property names need double quotes, not single quotes', line: 1, column: 2 });
  assert.deepEqual(problem('{"a": \'x\'}'), { message: 'strings need double quotes, not single quotes', line: 1, column: 7 });
  assert.deepEqual(problem('{"a": True}'), {
    message: 'unexpected "True": expected a value: a "string", a number, an object, an array, true, false or null',
    hint: 'JSON literals are lowercase: true',
    line: 1,
    column: 7,
  });
  assert.deepEqual(problem('{\n  // note\n  "a": 1}'), { message: 'comments are not allowed in JSON', hint: 'remove the comment, or move the text into a "description"', line: 2, column: 3 });
  assert.deepEqual(problem('{"a": "x\ny"}'), { message: 'line break or control character inside a string', hint: 'a closing " may be missing; write \\n for a line break in text', line: 1, column: 9 });
  assert.deepEqual(problem('{"a": [1, 2'), { message: "expected ',' or ']' after item 1, found the end of the file", hint: 'a closing ] is probably missing', line: 1, column: 12 });
  assert.deepEqual(problem(''), { message: 'unexpected end of the file', hint: 'a closing } or ] is probably missing', line: 1, column: 1 });
  assert.deepEqual(problem('{} {}'), { message: 'unexpected text after the end of the JSON document', hint: 'a scenario file holds exactly one JSON object', line: 1, column: 4 });
  assert.deepEqual(problem('{"a": "\\q"}'), { message: 'invalid escape sequence "\\q" in a string', hint: 'write \\\\ for a backslash', line: 1, column: 8 });
  assert.deepEqual(problem('{"a": 01}'), { message: "expected ',' or '}' after the value of \"a\", found '1'", line: 1, column: 8 });
});

test('duplicate keys are collected with the position of the repeat', () => {
  const out = parseJsonSource('{"a": 1, "b": {"c": 1, "c": 2}, "a": 3}');
  assert.ok(out.ok);
  assert.deepEqual(out.duplicates, [
    { pointer: '/b/c', position: { line: 1, column: 24 } },
    { pointer: '/a', position: { line: 1, column: 33 } },
  ]);
});

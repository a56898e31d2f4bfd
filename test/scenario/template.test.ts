import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillTemplate, findPlaceholders } from '../../src/scenario/index.js';

test('a string that is exactly a placeholder becomes the number', () => {
  assert.deepEqual(fillTemplate({ i: '{{index}}', n: '{{iteration}}', t: '{{ timestamp }}' }, { index: 3, iteration: 7, timestamp: 1700000000000 }), {
    i: 3,
    n: 7,
    t: 1700000000000,
  });
});

test('inside longer text the number is substituted as text, every occurrence', () => {
  assert.equal(fillTemplate('agent-{{index}}-{{iteration}}-{{index}}', { index: 2, iteration: 0 }), 'agent-2-0-2');
});

test('deep: arrays and nested objects; other types untouched; keys not templated', () => {
  const input = { '{{index}}': ['{{iteration}}', { deep: 'x{{index}}' }, 5, true, null], n: 1.5 };
  assert.deepEqual(fillTemplate(input, { index: 1, iteration: 9 }), { '{{index}}': [9, { deep: 'x1' }, 5, true, null], n: 1.5 });
});

test('unknown placeholders and a missing timestamp are left alone; index and iteration default to 0', () => {
  assert.deepEqual(fillTemplate({ a: '{{foo}}', b: 'm {{marker}}', c: '{{timestamp}}', d: '{{index}}/{{iteration}}', e: '{{index}}' }, {}), {
    a: '{{foo}}',
    b: 'm {{marker}}',
    c: '{{timestamp}}',
    d: '0/0',
    e: 0,
  });
});

test('never mutates its input', () => {
  const input = { a: ['{{index}}'], b: { c: '{{iteration}}' } };
  const frozen = structuredClone(input);
  const out = fillTemplate(input, { index: 4, iteration: 5 });
  assert.deepEqual(input, frozen);
  assert.notEqual(out, input);
  assert.notEqual(out.a, input.a);
});

test('findPlaceholders: every {{...}} with the pointer of its string', () => {
  assert.deepEqual(findPlaceholders({ a: 'x {{index}} {{ foo }}', 'b/c': ['{{}}'], n: 3 }, '/params'), [
    { pointer: '/params/a', name: 'index', text: '{{index}}' },
    { pointer: '/params/a', name: 'foo', text: '{{ foo }}' },
    { pointer: '/params/b~1c/0', name: '', text: '{{}}' },
  ]);
});

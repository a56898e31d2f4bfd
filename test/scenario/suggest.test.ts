import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closest, didYouMean, editDistance } from '../../src/scenario/suggest.js';

test('editDistance: insertions, deletions, substitutions, transpositions', () => {
  assert.equal(editDistance('call-tol', 'call-tool'), 1);
  assert.equal(editDistance('acion', 'action'), 1);
  assert.equal(editDistance('ation', 'action'), 1);
  assert.equal(editDistance('cuont', 'count'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('closest: typos, case and separators, prefixes and abbreviations; nothing for unrelated words', () => {
  const actions = ['connect', 'call-tool', 'list-tools', 'reconnect', 'soak'];
  assert.equal(closest('call-tol', actions), 'call-tool');
  assert.equal(closest('Call_Tool', actions), 'call-tool');
  assert.equal(closest('list', actions), 'list-tools');
  assert.equal(closest('idx', ['index', 'iteration', 'timestamp']), 'index');
  assert.equal(closest('spawn-agent', actions), undefined);
  assert.equal(closest('', actions), undefined);
  assert.equal(didYouMean('sok', actions), 'did you mean "soak"?');
  assert.equal(didYouMean('zzz', actions), undefined);
});

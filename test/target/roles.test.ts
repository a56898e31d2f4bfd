import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inferRoles, parseRoleFlag, synthesizeArgs, type ToolInfo } from '../../src/target/roles.js';
import { TOOL_ROLES } from '../../src/scenario/types.js';
import { BadInputError } from '../../src/errors.js';

const everythingLike: ToolInfo[] = [
  { name: 'echo', inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } },
  { name: 'get-sum', inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] } },
  { name: 'get-tiny-image', inputSchema: { type: 'object', properties: {} } },
  { name: 'trigger-long-running-operation', inputSchema: { type: 'object', properties: { duration: { type: 'number' } } } },
];

test('synthesizeArgs fills required properties with typed samples and leaves optional ones out', () => {
  assert.deepEqual(
    synthesizeArgs({
      type: 'object',
      properties: { s: { type: 'string' }, n: { type: 'integer', minimum: 3 }, e: { type: 'string', enum: ['x', 'y'] } as never, d: { type: 'number', default: 7 } as never, opt: { type: 'string' } },
      required: ['s', 'n', 'e', 'd'],
    }),
    { s: 'mcp-reliability', n: 3, e: 'x', d: 7 },
  );
});

test('inferRoles picks a cheap-looking probe and a no-argument work tool, never a slow one', () => {
  const roles = inferRoles(everythingLike);
  assert.deepEqual(roles.probe, { tool: 'echo', params: { message: 'mcp-reliability' } });
  assert.deepEqual(roles.work, { tool: 'get-tiny-image', params: {} });
  assert.equal(roles['state-write'], undefined);
});

test('inferRoles on a server with no tools fills nothing', () => {
  assert.deepEqual(inferRoles([]), {});
});

test('parseRoleFlag reads role=tool and role=tool:{json}', () => {
  assert.deepEqual(parseRoleFlag('probe=echo', TOOL_ROLES), { role: 'probe', binding: { tool: 'echo' } });
  assert.deepEqual(parseRoleFlag('work=get-sum:{"a":1,"b":2}', TOOL_ROLES), { role: 'work', binding: { tool: 'get-sum', params: { a: 1, b: 2 } } });
});

test('parseRoleFlag rejects unknown roles and bad JSON as bad input', () => {
  assert.throws(() => parseRoleFlag('prob=echo', TOOL_ROLES), (e: Error) => e instanceof BadInputError && /unknown role "prob"; roles are probe, work, state-write, state-read/.test(e.message));
  assert.throws(() => parseRoleFlag('probe=echo:{nope', TOOL_ROLES), (e: Error) => e instanceof BadInputError && /not valid JSON/.test(e.message));
});

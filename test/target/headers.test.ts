/** `--header 'Name: value'`: parsing, ${VAR} from the environment, merging, and which values are secrets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadInputError } from '../../src/errors.js';
import { HeaderError, headerSecrets, headersFromFlags, parseHeaderFlag, redactSecrets } from '../../src/target/headers.js';

/** The flag is rejected as bad input; the message matches and contains none of `hidden`. */
function rejects(flag: string, env: NodeJS.ProcessEnv, pattern: RegExp, hidden: string[] = []): void {
  assert.throws(
    () => parseHeaderFlag(flag, env),
    (err: unknown) => {
      assert.ok(err instanceof HeaderError && err instanceof BadInputError, String(err));
      assert.match(err.message, pattern);
      for (const h of hidden) assert.ok(!err.message.includes(h), `the message shows "${h}": ${err.message}`);
      return true;
    },
  );
}

test('a header flag is a name and a value, whitespace around both dropped, later colons part of the value', () => {
  assert.deepEqual(parseHeaderFlag('Authorization: Bearer abc', {}), { name: 'Authorization', value: 'Bearer abc', fromEnv: false });
  assert.deepEqual(parseHeaderFlag('  X-Trace-Id :\t 42 \t', {}), { name: 'X-Trace-Id', value: '42', fromEnv: false });
  assert.deepEqual(parseHeaderFlag('X-Upstream:http://a:8080/x', {}), { name: 'X-Upstream', value: 'http://a:8080/x', fromEnv: false });
  assert.equal(parseHeaderFlag("x!#$%&'*+-.^_`|~9: v", {}).name, "x!#$%&'*+-.^_`|~9", 'every RFC 9110 tchar is allowed in a name');
});

test('${VAR} is replaced by the environment variable; fromEnv says so', () => {
  const env = { API_TOKEN: 's3cr3t-t0ken', TENANT: 'acme' };
  assert.deepEqual(parseHeaderFlag('Authorization: Bearer ${API_TOKEN}', env), { name: 'Authorization', value: 'Bearer s3cr3t-t0ken', fromEnv: true });
  assert.equal(parseHeaderFlag('X-Who: ${TENANT}/${TENANT}', env).value, 'acme/acme');
  assert.equal(parseHeaderFlag('X-Literal: $TENANT and ${not a var}', env).value, '$TENANT and ${not a var}', 'only ${NAME} is substituted');
  assert.equal(parseHeaderFlag('X-Literal: $TENANT', env).fromEnv, false);
});

test('an unset or empty variable is bad input naming the variable, not the value', () => {
  rejects('Authorization: Bearer ${MCPR_NOT_SET}', {}, /--header "Authorization": the environment variable \$\{MCPR_NOT_SET\} is not set/, ['Bearer']);
  rejects('Authorization: Bearer ${EMPTY}', { EMPTY: '' }, /\$\{EMPTY\} is not set \(or empty\)/);
  rejects('X-Pair: ${A}:${B}', { A: 'a-value' }, /variable \$\{B\} is not set/, ['a-value']);
  rejects('X-Pair: ${A}:${B}', {}, /variables \$\{A\}, \$\{B\} are not set/);
});

test('a flag without a colon, with a bad name or an empty value is bad input that does not echo the flag', () => {
  rejects('Bearer sk-live-123', {}, /expected "Name: value", found no ":"/, ['sk-live-123']);
  rejects(': value', {}, /the header name before ":" is empty/, ['value']);
  rejects('Bearer sk-live-123: x', {}, /not a header name \(a space at character 7\).*RFC 9110 token/, ['sk-live-123']);
  rejects('X(Api): v', {}, /not a header name \("\(" at character 2\)/);
  rejects('Ünicode: v', {}, /not a header name \("Ü" at character 1\)/);
  rejects('X-Api-Key:', {}, /--header "X-Api-Key": the value after ":" is empty/);
  rejects('X-Api-Key:   ', {}, /the value after ":" is empty/);
  rejects('X-Api-Key: ${BLANK}', { BLANK: '   ' }, /empty once the environment variables are filled in/);
});

test('a value with a line break (header injection) is bad input, whether typed or from the environment', () => {
  rejects('X-A: one\r\nX-Injected: two', {}, /--header "X-A": the value contains control character U\+000D/, ['X-Injected']);
  rejects('Authorization: ${MULTI}', { MULTI: 'abc\ndef' }, /\(with its environment variables filled in\) contains control character U\+000A/, ['abc', 'def']);
  assert.equal(parseHeaderFlag('X-Tabbed: a\tb', {}).value, 'a\tb', 'a tab inside a value is fine (RFC 9110 field-value)');
});

test('headers the transport sets cannot be overridden', () => {
  for (const name of ['Mcp-Session-Id', 'mcp-protocol-version', 'Host', 'Content-Length', 'Transfer-Encoding', 'Connection']) {
    rejects(`${name}: x`, {}, /is set by the transport/);
  }
});

test('headersFromFlags merges over a profile: a flag replaces its name case-insensitively, repeats are joined', () => {
  const merged = headersFromFlags(['x-tenant: b', 'Accept-Language: en', 'accept-language: fr', 'Cookie: a=1', 'cookie: b=2'], {}, { 'X-Tenant': 'a', 'X-Keep': 'k' });
  assert.deepEqual(merged, { 'X-Keep': 'k', 'x-tenant': 'b', 'Accept-Language': 'en, fr', Cookie: 'a=1; b=2' });
  assert.deepEqual(headersFromFlags([], {}, { A: '1' }), { A: '1' });
  assert.throws(() => headersFromFlags(['ok: 1', 'broken'], {}), HeaderError);
});

test('headerSecrets: credentials by name, values from the environment, and the credentials of an Authorization alone', () => {
  const headers = headersFromFlags(
    [
      'Authorization: Bearer tok-123',
      'Proxy-Authorization: Basic cHJveHk6cHc=',
      'Cookie: sid=abc',
      'X-Api-Key: key-456',
      'X-Auth-Token: at-789',
      'X-Client-Secret: cs-000',
      'X-Tenant: ${TENANT}',
      'X-Trace-Id: trace-1',
      'Accept-Language: en',
    ],
    { TENANT: 'tenant-from-env' },
  );
  const secrets = headerSecrets(headers);
  for (const s of ['Bearer tok-123', 'tok-123', 'Basic cHJveHk6cHc=', 'cHJveHk6cHc=', 'sid=abc', 'key-456', 'at-789', 'cs-000', 'tenant-from-env']) assert.ok(secrets.includes(s), `${s} is a secret: ${secrets.join(' | ')}`);
  assert.ok(!secrets.includes('trace-1') && !secrets.includes('en'), 'ordinary headers are not secrets');
  assert.deepEqual(secrets, [...secrets].sort((a, b) => b.length - a.length), 'longest first');
  assert.deepEqual(headerSecrets({ 'X-Session': 's-1', 'x-password': 'p', 'X-Plain': 'v', Authorization: '' }), ['s-1', 'p']);
  // A copy of the headers (a spread, a profile merged again) keeps its env-derived values secret.
  assert.ok(headerSecrets({ ...headers }).includes('tenant-from-env'));
});

test('redactSecrets replaces every occurrence, longer secrets first', () => {
  const secrets = headerSecrets({ Authorization: 'Bearer tok-123' });
  assert.equal(redactSecrets('sent "Bearer tok-123"; server logged tok-123 twice: tok-123', secrets), 'sent "***"; server logged *** twice: ***');
  assert.equal(redactSecrets('nothing here', []), 'nothing here');
});

/**
 * HTTP request headers given on the command line (`--header 'Name: value'`, for servers that want
 * authentication): parsing, `${VAR}` taken from the environment, merging over a profile's headers,
 * and which values are secrets no message, report or log may print. Errors name the header, never
 * its value. The environment is passed in; the only state is the set of values that came from it.
 */
import { BadInputError } from '../errors.js';

export class HeaderError extends BadInputError {
  override name = 'HeaderError';
}

export interface ParsedHeader {
  name: string;
  value: string;
  /** At least one `${VAR}` of the value was filled from the environment. */
  fromEnv: boolean;
}

/** RFC 9110 §5.1: a field name is a token (RFC 9110 §5.6.2: tchar). */
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** RFC 9110 §5.5: a field value is visible characters, spaces and tabs; no CR, LF or NUL (header injection). */
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F]/;
/** Headers the transports and HTTP itself set: overriding them would break the session this tool measures. */
const RESERVED = ['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'mcp-session-id', 'mcp-protocol-version'];
const EXAMPLE = "e.g. --header 'Authorization: Bearer ${API_TOKEN}'";

function describeChar(c: string): string {
  if (c === ' ') return 'a space';
  if (c === '\t') return 'a tab';
  const code = c.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f ? `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `"${c}"`;
}

/**
 * Parse one `--header 'Name: value'` flag. `${VAR}` in the value is replaced by the environment
 * variable VAR; an unset (or empty) variable is an error naming it. Optional whitespace around the
 * name and the value is dropped. Throws a HeaderError (bad input) that never contains the value.
 */
export function parseHeaderFlag(flag: string, env: NodeJS.ProcessEnv): ParsedHeader {
  const colon = flag.indexOf(':');
  if (colon === -1) throw new HeaderError(`--header: expected "Name: value", found no ":" between a name and a value (${EXAMPLE})`);
  const name = flag.slice(0, colon).trim();
  if (name === '') throw new HeaderError(`--header: the header name before ":" is empty (${EXAMPLE})`);
  const bad = [...name].findIndex((c) => !TOKEN_CHAR.test(c));
  if (bad !== -1) {
    // The name is not printed either: a mistyped flag may hold a credential before its first ":".
    throw new HeaderError(
      `--header: the text before the first ":" is not a header name (${describeChar(name[bad]!)} at character ${bad + 1}): a name is letters, digits and !#$%&'*+-.^_\`|~ with no spaces (RFC 9110 token), followed by ":" and the value (${EXAMPLE})`,
    );
  }
  if (RESERVED.includes(name.toLowerCase())) throw new HeaderError(`--header "${name}": this header is set by the transport (it carries the session this tool measures); it cannot be overridden`);
  const raw = flag.slice(colon + 1).trim();
  if (raw === '') throw new HeaderError(`--header "${name}": the value after ":" is empty (${EXAMPLE})`);
  const missing: string[] = [];
  let fromEnv = false;
  const value = raw
    .replace(ENV_REF, (_, variable: string) => {
      const v = env[variable];
      if (v === undefined || v === '') {
        missing.push(variable);
        return '';
      }
      fromEnv = true;
      return v;
    })
    .trim();
  if (missing.length) {
    const list = [...new Set(missing)].map((v) => `\${${v}}`).join(', ');
    throw new HeaderError(`--header "${name}": the environment variable${missing.length > 1 ? 's' : ''} ${list} ${missing.length > 1 ? 'are' : 'is'} not set (or empty); export ${missing.length > 1 ? 'them' : 'it'} before running, e.g. export ${missing[0]}=...`);
  }
  if (value === '') throw new HeaderError(`--header "${name}": the value is empty once the environment variables are filled in`);
  const control = CONTROL.exec(value);
  if (control) {
    throw new HeaderError(`--header "${name}": the value${fromEnv ? ' (with its environment variables filled in)' : ''} contains ${describeChar(control[0])}; a header value is one line of printable text`);
  }
  return { name, value, fromEnv };
}

/** Values that came from the environment, remembered so headerSecrets() knows them wherever the headers travel. */
const fromEnvironment = new Set<string>();

/**
 * Every `--header` flag parsed and merged over `base` (a profile's own headers): a flag replaces a
 * profile header of the same name (names compare case-insensitively), repeated flags of one name
 * are joined as HTTP joins repeated fields (`, `; `; ` for Cookie).
 */
export function headersFromFlags(flags: readonly string[], env: NodeJS.ProcessEnv, base: Readonly<Record<string, string>> = {}): Record<string, string> {
  const fromFlags = new Map<string, ParsedHeader>();
  for (const flag of flags) {
    const h = parseHeaderFlag(flag, env);
    if (h.fromEnv) fromEnvironment.add(h.value);
    const key = h.name.toLowerCase();
    const earlier = fromFlags.get(key);
    fromFlags.set(key, earlier ? { name: earlier.name, value: `${earlier.value}${key === 'cookie' ? '; ' : ', '}${h.value}`, fromEnv: earlier.fromEnv || h.fromEnv } : h);
  }
  const merged: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) if (!fromFlags.has(name.toLowerCase())) merged[name] = value;
  for (const h of fromFlags.values()) {
    merged[h.name] = h.value;
    if (h.fromEnv) fromEnvironment.add(h.value);
  }
  return merged;
}

const SECRET_NAMES = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
const SECRET_PARTS = ['token', 'key', 'secret', 'auth', 'password', 'passwd', 'credential', 'session', 'cookie'];

/** A header whose name says it carries a credential. */
export function isSecretHeader(name: string): boolean {
  const n = name.toLowerCase();
  return SECRET_NAMES.has(n) || SECRET_PARTS.some((p) => n.includes(p));
}

/**
 * The header values that must never be printed: every value of a header whose name says it carries
 * a credential (authorization, proxy-authorization, cookie, or a name containing token, key, secret,
 * auth, password, credential, session), every value that came from an environment variable through
 * headersFromFlags(), and of an `Authorization: <scheme> <credentials>` value also the credentials
 * alone (a server may log them without the scheme). Longest first, so replacing them in that order
 * leaves no piece of a longer one behind.
 */
export function headerSecrets(headers: Readonly<Record<string, string>>): string[] {
  const secrets = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === '' || !(isSecretHeader(name) || fromEnvironment.has(value))) continue;
    secrets.add(value);
    const scheme = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+ +(\S.*)$/.exec(value);
    if (scheme && /authorization$/i.test(name)) secrets.add(scheme[1]!);
  }
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** `text` with every secret replaced by `***` (for lines this tool prints that may carry a server's words). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s !== '') out = out.split(s).join('***');
  return out;
}

/**
 * JSON text → value, plus where each value sits in the text (line:column per JSON pointer),
 * duplicate keys, and syntax errors a human can act on.
 *
 * JSON.parse stays the authority on the value. A small scanner runs alongside because Node 20's
 * JSON.parse message carries a position only for some errors ("Unexpected token ']', "[1,]" is
 * not valid JSON" has none) and never a line, and because validation issues want line:column too.
 */

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
}

export interface JsonSyntaxProblem extends SourcePosition {
  message: string;
  hint?: string;
  offset: number;
}

export interface ParsedJson {
  value: unknown;
  /** Pointer → position of the value (for object members: of the key). `""` is the document. */
  positions: Map<string, SourcePosition>;
  /** Keys that occur twice in one object (JSON.parse silently keeps the last). */
  duplicates: { pointer: string; position: SourcePosition }[];
}

export type JsonParseOutcome = ({ ok: true } & ParsedJson) | { ok: false; problem: JsonSyntaxProblem };

export function positionAt(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** RFC 6901: `~` → `~0`, `/` → `~1`. */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function parseJsonSource(input: string): JsonParseOutcome {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: locateSyntaxError(text, err instanceof Error ? err.message : String(err)) };
  }
  const scanner = new Scanner(text);
  try {
    scanner.document();
  } catch {
    // The scanner is stricter than nothing and laxer than nothing we know of; if it ever
    // disagrees with JSON.parse, positions are merely missing.
  }
  return { ok: true, value, positions: scanner.positions, duplicates: scanner.duplicates };
}

function locateSyntaxError(text: string, nativeMessage: string): JsonSyntaxProblem {
  try {
    new Scanner(text).document();
  } catch (err) {
    if (err instanceof ScanError) return { message: err.message, hint: err.hint, offset: err.offset, ...positionAt(text, err.offset) };
  }
  const at = /at position (\d+)/.exec(nativeMessage);
  const offset = at ? Number(at[1]) : text.length;
  return { message: nativeMessage, offset, ...positionAt(text, offset) };
}

class ScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_$][\w$-]*/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const VALUE_EXPECTED = 'a value: a "string", a number, an object, an array, true, false or null';

function show(c: string | undefined): string {
  if (c === undefined) return 'the end of the file';
  if (c === '\n' || c === '\r') return 'a line break';
  return `'${c}'`;
}

class Scanner {
  private i = 0;
  readonly positions = new Map<string, SourcePosition>();
  readonly duplicates: { pointer: string; position: SourcePosition }[] = [];

  constructor(private readonly text: string) {}

  document(): void {
    this.skipSpace();
    this.positions.set('', this.here());
    this.value('');
    this.skipSpace();
    if (this.i < this.text.length) {
      throw new ScanError('unexpected text after the end of the JSON document', this.i, 'a scenario file holds exactly one JSON object');
    }
  }

  private here(offset = this.i): SourcePosition {
    return positionAt(this.text, offset);
  }

  private skipSpace(): void {
    for (;;) {
      const c = this.text[this.i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.i++;
      else if (c === '/' && (this.text[this.i + 1] === '/' || this.text[this.i + 1] === '*')) {
        throw new ScanError('comments are not allowed in JSON', this.i, 'remove the comment, or move the text into a "description"');
      } else return;
    }
  }

  private value(pointer: string): void {
    this.skipSpace();
    const c = this.text[this.i];
    if (c === '{') return this.object(pointer);
    if (c === '[') return this.array(pointer);
    if (c === '"') return void this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    if (c === undefined) throw new ScanError('unexpected end of the file', this.i, 'a closing } or ] is probably missing');
    if (c === "'") throw new ScanError('strings need double quotes, not single quotes', this.i);
    WORD.lastIndex = this.i;
    const word = WORD.exec(this.text)?.[0];
    if (word === 'true' || word === 'false' || word === 'null') {
      this.i += word.length;
      return;
    }
    if (word !== undefined) {
      const lower = word.toLowerCase();
      const hint = ['true', 'false', 'null'].includes(lower) ? `JSON literals are lowercase: ${lower}` : `if "${word}" is meant as text, put it in double quotes`;
      throw new ScanError(`unexpected ${JSON.stringify(word)}: expected ${VALUE_EXPECTED}`, this.i, hint);
    }
    throw new ScanError(`unexpected ${show(c)}: expected ${VALUE_EXPECTED}`, this.i);
  }

  private object(pointer: string): void {
    this.i++; // {
    this.skipSpace();
    if (this.text[this.i] === '}') return void this.i++;
    const seen = new Set<string>();
    let comma = -1;
    for (;;) {
      this.skipSpace();
      const c = this.text[this.i];
      if (c === '}' && comma >= 0) throw new ScanError("trailing comma before '}'", comma, 'JSON allows no comma after the last property: remove it');
      if (c === "'") throw new ScanError('property names need double quotes, not single quotes', this.i);
      if (c !== '"') throw new ScanError(`expected a property name in double quotes, found ${show(c)}`, this.i, c === undefined ? 'a closing } is probably missing' : undefined);
      const keyAt = this.i;
      const key = this.string();
      const child = `${pointer}/${escapePointerToken(key)}`;
      if (seen.has(key)) this.duplicates.push({ pointer: child, position: this.here(keyAt) });
      seen.add(key);
      this.positions.set(child, this.here(keyAt));
      this.skipSpace();
      if (this.text[this.i] !== ':') throw new ScanError(`expected ':' after the property name ${JSON.stringify(key)}, found ${show(this.text[this.i])}`, this.i);
      this.i++;
      this.value(child);
      this.skipSpace();
      const next = this.text[this.i];
      if (next === '}') return void this.i++;
      if (next !== ',') {
        const hint = next === '"' ? 'a comma is probably missing between two properties' : next === undefined ? 'a closing } is probably missing' : undefined;
        throw new ScanError(`expected ',' or '}' after the value of ${JSON.stringify(key)}, found ${show(next)}`, this.i, hint);
      }
      comma = this.i++;
    }
  }

  private array(pointer: string): void {
    this.i++; // [
    this.skipSpace();
    if (this.text[this.i] === ']') return void this.i++;
    for (let index = 0; ; index++) {
      this.skipSpace();
      const child = `${pointer}/${index}`;
      this.positions.set(child, this.here());
      this.value(child);
      this.skipSpace();
      const next = this.text[this.i];
      if (next === ']') return void this.i++;
      if (next !== ',') {
        const hint = next === '{' || next === '"' || next === '[' ? 'a comma is probably missing between two items' : next === undefined ? 'a closing ] is probably missing' : undefined;
        throw new ScanError(`expected ',' or ']' after item ${index}, found ${show(next)}`, this.i, hint);
      }
      const comma = this.i++;
      this.skipSpace();
      if (this.text[this.i] === ']') throw new ScanError("trailing comma before ']'", comma, 'JSON allows no comma after the last item: remove it');
    }
  }

  /** Scans a string literal starting at `"` and returns its value. */
  private string(): string {
    const start = this.i++;
    for (;;) {
      const c = this.text[this.i];
      if (c === undefined) throw new ScanError('unterminated string', start, 'a closing " is missing');
      if (c === '"') break;
      if (c < ' ') throw new ScanError('line break or control character inside a string', this.i, 'a closing " may be missing; write \\n for a line break in text');
      if (c === '\\') {
        const e = this.text[this.i + 1];
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.i + 2, this.i + 6))) this.i += 6;
        else if (e !== undefined && ESCAPES.has(e)) this.i += 2;
        else throw new ScanError(`invalid escape sequence "\\${e ?? ''}" in a string`, this.i, 'write \\\\ for a backslash');
      } else this.i++;
    }
    this.i++;
    return JSON.parse(this.text.slice(start, this.i)) as string;
  }

  private number(): void {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.text);
    if (!m) throw new ScanError(`invalid number`, this.i, 'JSON numbers look like 10, -2.5 or 1e3');
    this.i += m[0].length;
  }
}

/**
 * Reads a DVC `params.py` the way DVC does, without running Python.
 *
 * DVC (`dvc/utils/serialize/_py.py`: `parse_py`, `_ast_tree_to_dict`, `_ast_assign_to_dict`,
 * `_get_ast_name`) parses the file with `ast.parse` and keeps, from the direct statements of the
 * module, of every class body and of every `def __init__` met there:
 * - `NAME = v` and `NAME: T = v` (module and class bodies only),
 * - `self.NAME = v` and `self.NAME: T = v` (anywhere it looks, even at module level),
 * - classes, as a nested map under the class name (`__init__` attributes land in that map too),
 * where `v` must be accepted by `ast.literal_eval`. Every other statement is ignored, including the
 * bodies of `if`/`for`/`try`/`with` blocks and of other functions. A statement whose target or value
 * does not qualify (`a = b = 1`, `a, b = 1, 2`, `x += 1`, `x = f()`, `x = 1 + 2`, f-strings) is
 * skipped; a later assignment to a name replaces the earlier value and keeps its position.
 *
 * Values become plain JS values: int and float -> number (Python's `1` and `1.0` both become `1`;
 * DVC compares params with `==`, where `1 == 1.0`; ints beyond 2**53 lose precision),
 * str -> string, True/False -> boolean, None -> null, list/tuple/set -> array (sets keep the
 * first occurrence of each value, in source order; Python's set order is unspecified),
 * dict -> plain object whose keys are Python's `str(key)` (`1` -> "1", `(1, 'a')` -> "(1, 'a')").
 *
 * Deviations from DVC, all because JavaScript has no faithful value for them: a name whose value
 * holds a complex number, bytes, `...` or a `\N{name}` string escape is left out of the result
 * (an earlier value of that name is dropped too, since DVC replaced it). JS objects put integer-like
 * keys first, and `{1: 'a', '1': 'b'}` collapses to one key.
 *
 * Errors: anything `ast.parse` rejects at the lexical or statement level (bad indentation,
 * unclosed brackets or strings, bad numbers or escapes, misplaced statements) throws
 * `PythonParamsSyntaxError`, as DVC raises `PythonFileCorruptedError`. Expressions are only
 * checked as far as deciding whether they are literals, so some invalid expressions are skipped
 * rather than reported. An unhashable dict key or set element (`{[1]: 2}`) also throws: DVC crashes
 * with a TypeError on such a file.
 */

import { PyFloat } from './py-value';

export class PythonParamsSyntaxError extends Error {
  override readonly name = 'PythonParamsSyntaxError';

  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} (line ${line}, column ${column})`);
  }
}

export function parsePythonParams(source: string): Record<string, unknown> {
  // DVC opens the file in text mode, which turns \r\n and \r into \n.
  const tokens = new Tokenizer(source.replace(/\r\n?/g, '\n')).tokenize();
  return new StatementParser(tokens).parseModule();
}

// ---------------------------------------------------------------------------------------------
// Python values

type PyValue =
  | { kind: 'int'; value: bigint }
  | { kind: 'float'; value: number }
  /** Complex numbers and bytes never reach the result, so their values are not kept. */
  | { kind: 'complex' }
  | { kind: 'bool'; value: boolean }
  /** `value` is undefined when the literal used a `\N{name}` escape, which we cannot resolve. */
  | { kind: 'str'; value: string | undefined }
  | { kind: 'bytes' }
  | { kind: 'none' }
  | { kind: 'ellipsis' }
  | { kind: 'tuple' | 'list' | 'set'; items: PyValue[] }
  | { kind: 'dict'; entries: [PyValue, PyValue][] };

type PyNumber = Extract<PyValue, { kind: 'int' | 'float' | 'complex' }>;

const NONE: PyValue = { kind: 'none' };
const ELLIPSIS: PyValue = { kind: 'ellipsis' };

// ---------------------------------------------------------------------------------------------
// Tokenizer

type TokenKind = 'name' | 'number' | 'string' | 'op' | 'newline' | 'indent' | 'dedent' | 'end';

interface Position {
  readonly line: number;
  readonly column: number;
}

interface Token extends Position {
  readonly kind: TokenKind;
  /** Names are NFKC-normalised, as Python does. */
  readonly text: string;
  /** Numbers and strings; undefined for f-strings and t-strings, which are not literals. */
  readonly value?: PyValue | undefined;
}

interface Indentation {
  readonly columns: number;
  /** Columns counting a tab as 1: Python requires both measures to agree on the nesting. */
  readonly tabsAsOne: number;
}

const OPERATORS = [
  '**=', '//=', '>>=', '<<=', '...',
  '->', ':=', '==', '!=', '<=', '>=', '**', '//', '<<', '>>',
  '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=',
  '+', '-', '*', '/', '%', '@', '&', '|', '^', '~', '<', '>',
  '(', ')', '[', ']', '{', '}', ',', ':', ';', '.', '=',
];
const OPENING_BRACKET: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const NAME_PATTERN = /[\p{XID_Start}_]\p{XID_Continue}*/uy;
const STRING_PREFIX = /^(?:[rubft]|br|rb|fr|rf|tr|rt)$/i;
const RADIX_INTEGER = /0(?:[xX](?:_?[0-9a-fA-F])+|[oO](?:_?[0-7])+|[bB](?:_?[01])+)/y;
const DIGITS = '[0-9](?:_?[0-9])*';
const DECIMAL_NUMBER = new RegExp(
  `(?:${DIGITS})?\\.${DIGITS}(?:[eE][-+]?${DIGITS})?|${DIGITS}(?:\\.(?:${DIGITS})?)?(?:[eE][-+]?${DIGITS})?`,
  'y',
);
/** Python accepts `1if x else 2`: a keyword may follow a number without a space. */
const KEYWORDS_AFTER_NUMBER = ['and', 'else', 'for', 'if', 'in', 'is', 'not', 'or'];
const RADIX_NAMES: Record<string, string> = { x: 'hexadecimal', o: 'octal', b: 'binary' };

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isQuote(c: string | undefined): boolean {
  return c === '"' || c === "'";
}

function syntaxError(reason: string, at: Position): PythonParamsSyntaxError {
  return new PythonParamsSyntaxError(reason, at.line, at.column);
}

class Tokenizer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private atLineStart = true;
  private lineHasTokens = false;
  private readonly tokens: Token[] = [];
  private readonly indents: Indentation[] = [{ columns: 0, tabsAsOne: 0 }];
  private readonly openBrackets: Token[] = [];

  constructor(private readonly src: string) {}

  tokenize(): Token[] {
    this.rejectNullBytes();
    while (this.pos < this.src.length) {
      if (this.atLineStart) this.readIndentation();
      else this.readToken();
    }
    this.finish();
    return this.tokens;
  }

  private here(): Position {
    return { line: this.line, column: this.pos - this.lineStart + 1 };
  }

  private emit(kind: TokenKind, text: string, at: Position, value?: PyValue): void {
    const token: Token = { kind, text, line: at.line, column: at.column, value };
    this.tokens.push(token);
    if (kind !== 'indent' && kind !== 'dedent') this.lineHasTokens = kind !== 'newline';
    if (kind === 'op' && '([{'.includes(text)) this.openBrackets.push(token);
  }

  private rejectNullBytes(): void {
    const index = this.src.indexOf('\0');
    if (index < 0) return;
    const before = this.src.slice(0, index);
    const line = before.split('\n').length;
    const column = index - before.lastIndexOf('\n');
    throw new PythonParamsSyntaxError('source code string cannot contain null bytes', line, column);
  }

  private consumeNewline(): void {
    this.pos++;
    this.line++;
    this.lineStart = this.pos;
  }

  private skipComment(): void {
    while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.pos++;
  }

  private readIndentation(): void {
    let columns = 0;
    let tabsAsOne = 0;
    for (; ; this.pos++) {
      const c = this.src[this.pos];
      if (c === ' ') {
        columns++;
        tabsAsOne++;
      } else if (c === '\t') {
        columns = (Math.floor(columns / 8) + 1) * 8;
        tabsAsOne++;
      } else if (c === '\f') {
        columns = tabsAsOne = 0;
      } else break;
    }
    const c = this.src[this.pos];
    if (c === undefined || c === '\n' || c === '#') return this.skipBlankLine();
    this.atLineStart = false;
    this.applyIndentation(columns, tabsAsOne);
  }

  /** Blank and comment-only lines take no part in indentation. */
  private skipBlankLine(): void {
    this.skipComment();
    if (this.pos < this.src.length) this.consumeNewline();
  }

  private applyIndentation(columns: number, tabsAsOne: number): void {
    const at = this.here();
    const tabError = (): never => {
      throw syntaxError('inconsistent use of tabs and spaces in indentation', at);
    };
    let top = this.indents[this.indents.length - 1];
    if (columns > top.columns) {
      if (tabsAsOne <= top.tabsAsOne) tabError();
      this.indents.push({ columns, tabsAsOne });
      return this.emit('indent', '', at);
    }
    while (columns < top.columns) {
      this.indents.pop();
      this.emit('dedent', '', at);
      top = this.indents[this.indents.length - 1];
    }
    if (columns !== top.columns) throw syntaxError('unindent does not match any outer indentation level', at);
    if (tabsAsOne !== top.tabsAsOne) tabError();
  }

  private readToken(): void {
    const c = this.src[this.pos];
    if (c === ' ' || c === '\t' || c === '\f') this.pos++;
    else if (c === '#') this.skipComment();
    else if (c === '\n') this.readNewline();
    else if (c === '\\') this.readLineContinuation();
    else if (isQuote(c)) this.readString('');
    else if (isDigit(c) || (c === '.' && isDigit(this.src[this.pos + 1]))) this.readNumber();
    else this.readNameOrOperator();
  }

  private readNewline(): void {
    if (this.openBrackets.length === 0) {
      if (this.lineHasTokens) this.emit('newline', '\n', this.here());
      this.atLineStart = true;
    }
    this.consumeNewline();
  }

  private readLineContinuation(): void {
    const next = this.src[this.pos + 1];
    if (next === undefined) throw syntaxError('unexpected EOF while parsing', this.here());
    if (next !== '\n') throw syntaxError('unexpected character after line continuation character', this.here());
    this.pos++;
    this.consumeNewline();
    if (this.pos === this.src.length) throw syntaxError('unexpected EOF while parsing', this.here());
  }

  private matchName(): string | undefined {
    NAME_PATTERN.lastIndex = this.pos;
    return NAME_PATTERN.exec(this.src)?.[0];
  }

  private startsPrefixedString(name: string): boolean {
    return isQuote(this.src[this.pos + name.length]) && STRING_PREFIX.test(name);
  }

  private readNameOrOperator(): void {
    const name = this.matchName();
    if (name === undefined) return this.readOperator();
    if (this.startsPrefixedString(name)) return this.readString(name);
    const at = this.here();
    this.pos += name.length;
    this.emit('name', name.normalize('NFKC'), at);
  }

  private readOperator(): void {
    const at = this.here();
    const op = OPERATORS.find((candidate) => this.src.startsWith(candidate, this.pos));
    if (op === undefined) throw this.invalidCharacter(at);
    this.pos += op.length;
    if (op in OPENING_BRACKET) this.closeBracket(op, at);
    this.emit('op', op, at);
  }

  private invalidCharacter(at: Position): PythonParamsSyntaxError {
    const char = String.fromCodePoint(this.src.codePointAt(this.pos)!);
    const code = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    if (/[!-~]/.test(char)) return syntaxError('invalid syntax', at); // `$`, `?`, a backtick, a lone `!`
    const printable = !/[\p{C}\p{Z}]/u.test(char);
    const reason = printable ? `invalid character '${char}' (${code})` : `invalid non-printable character ${code}`;
    return syntaxError(reason, at);
  }

  private closeBracket(closer: string, at: Position): void {
    const opener = this.openBrackets.pop();
    if (opener === undefined) throw syntaxError(`unmatched '${closer}'`, at);
    if (opener.text === OPENING_BRACKET[closer]) return;
    const where = opener.line === at.line ? '' : ` on line ${opener.line}`;
    const reason = `closing parenthesis '${closer}' does not match opening parenthesis '${opener.text}'${where}`;
    throw syntaxError(reason, at);
  }

  private finish(): void {
    const unclosed = this.openBrackets[this.openBrackets.length - 1];
    if (unclosed) throw syntaxError(`'${unclosed.text}' was never closed`, unclosed);
    if (this.lineHasTokens) this.emit('newline', '', this.here());
    while (this.indents.length > 1) {
      this.indents.pop();
      this.emit('dedent', '', this.here());
    }
    this.emit('end', '', this.here());
  }

  // --- numbers

  private readNumber(): void {
    const at = this.here();
    const start = this.pos;
    const prefix = this.src[this.pos] === '0' ? (this.src[this.pos + 1] ?? '').toLowerCase() : '';
    const radix = RADIX_NAMES[prefix];
    const value = radix ? this.scanRadixInteger(radix, at) : this.scanDecimalNumber(at);
    this.rejectNumberSuffix(radix ?? 'decimal', at);
    this.emit('number', this.src.slice(start, this.pos), at, value);
  }

  private scanRadixInteger(radix: string, at: Position): PyValue {
    RADIX_INTEGER.lastIndex = this.pos;
    const text = RADIX_INTEGER.exec(this.src)?.[0];
    if (text === undefined) throw syntaxError(`invalid ${radix} literal`, at);
    this.pos += text.length;
    if (isDigit(this.src[this.pos])) throw syntaxError(`invalid digit '${this.src[this.pos]}' in ${radix} literal`, at);
    return { kind: 'int', value: BigInt(text.replace(/_/g, '')) };
  }

  private scanDecimalNumber(at: Position): PyValue {
    DECIMAL_NUMBER.lastIndex = this.pos;
    const text = DECIMAL_NUMBER.exec(this.src)![0];
    this.pos += text.length;
    const digits = text.replace(/_/g, '');
    if (/[jJ]/.test(this.src[this.pos] ?? '')) {
      this.pos++;
      return { kind: 'complex' };
    }
    if (/[.eE]/.test(text)) return { kind: 'float', value: Number(digits) };
    if (/^0/.test(text) && !/^0(?:_?0)*$/.test(text)) {
      const reason = 'leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers';
      throw syntaxError(reason, at);
    }
    return { kind: 'int', value: BigInt(digits) };
  }

  private rejectNumberSuffix(radix: string, at: Position): void {
    const glued = isDigit(this.src[this.pos]) ? this.src[this.pos] : this.matchName();
    if (glued === undefined || KEYWORDS_AFTER_NUMBER.includes(glued)) return;
    throw syntaxError(`invalid ${radix} literal`, at);
  }

  // --- strings

  private readString(prefix: string): void {
    const at = this.here();
    const start = this.pos;
    const value = this.scanString(prefix);
    const previous = this.tokens[this.tokens.length - 1];
    if (previous?.kind === 'string' && (previous.value?.kind === 'bytes') !== (value?.kind === 'bytes')) {
      throw syntaxError('cannot mix bytes and nonbytes literals', at);
    }
    this.emit('string', this.src.slice(start, this.pos), at, value);
  }

  /** Moves past one string literal; returns its value, or undefined for f-strings and t-strings. */
  private scanString(prefix: string): PyValue | undefined {
    const at = this.here();
    const flags = prefix.toLowerCase();
    this.pos += prefix.length;
    const quote = this.src[this.pos];
    const delimiter = this.src.startsWith(quote.repeat(3), this.pos) ? quote.repeat(3) : quote;
    this.pos += delimiter.length;
    const raw = flags.includes('r');
    if (/[ft]/.test(flags)) {
      this.scanFormattedBody(delimiter, raw, at);
      return undefined;
    }
    const bodyStart = this.pos;
    this.scanPlainBody(delimiter, at);
    const body = this.src.slice(bodyStart, this.pos - delimiter.length);
    return flags.includes('b') ? decodeBytes(body, raw, at) : decodeStr(body, raw, at);
  }

  private unterminated(delimiter: string, at: Position): never {
    const what = delimiter.length === 3 ? 'unterminated triple-quoted string literal' : 'unterminated string literal';
    throw syntaxError(`${what} (detected at line ${this.line})`, at);
  }

  private scanPlainBody(delimiter: string, at: Position): void {
    while (!this.src.startsWith(delimiter, this.pos)) {
      const escaped = this.src[this.pos] === '\\';
      if (escaped) this.pos++; // the escaped character never ends the string
      this.skipStringCharacter(delimiter, at, escaped);
    }
    this.pos += delimiter.length;
  }

  /** A raw newline ends a single-quoted string unless a backslash escapes it. */
  private skipStringCharacter(delimiter: string, at: Position, escaped = false): void {
    const c = this.src[this.pos];
    if (c === undefined) this.unterminated(delimiter, at);
    if (c !== '\n') {
      this.pos++;
      return;
    }
    if (delimiter.length === 1 && !escaped) this.unterminated(delimiter, at);
    this.consumeNewline();
  }

  /** f-strings as Python 3.12+ reads them (PEP 701): replacement fields may nest any string. */
  private scanFormattedBody(delimiter: string, raw: boolean, at: Position): void {
    let textStart = this.pos;
    // Python decodes the escapes of the text between replacement fields, so bad ones are errors here too.
    const checkText = (): void => {
      if (!raw) decodeEscapes(this.src.slice(textStart, this.pos), false, at);
    };
    while (!this.src.startsWith(delimiter, this.pos)) {
      const c = this.src[this.pos];
      const next = this.src[this.pos + 1];
      if (c === '\\') this.skipFormattedEscape(raw, delimiter, at);
      else if (c === '{' && next === '{') this.pos += 2;
      else if (c === '}' && next === '}') this.pos += 2;
      else if (c === '}') throw syntaxError("f-string: single '}' is not allowed", this.here());
      else if (c === '{') {
        checkText();
        this.scanReplacementField(delimiter, at);
        textStart = this.pos;
      } else this.skipStringCharacter(delimiter, at);
    }
    checkText();
    this.pos += delimiter.length;
  }

  private skipFormattedEscape(raw: boolean, delimiter: string, at: Position): void {
    const next = this.src[this.pos + 1];
    if (!raw && next === 'N' && this.src[this.pos + 2] === '{') {
      const close = this.src.indexOf('}', this.pos);
      if (close < 0) this.unterminated(delimiter, at);
      this.pos = close + 1;
      return;
    }
    this.pos++;
    if (next !== '{' && next !== '}') this.skipStringCharacter(delimiter, at, true);
  }

  private scanReplacementField(delimiter: string, at: Position): void {
    this.pos++;
    let depth = 0;
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined) this.unterminated(delimiter, at);
      if (isQuote(c)) {
        this.scanString('');
        continue;
      }
      const name = this.matchName();
      if (name !== undefined) {
        if (this.startsPrefixedString(name)) this.scanString(name);
        else this.pos += name.length;
        continue;
      }
      if (c === '\n') this.consumeNewline();
      else if (c === '#') this.skipComment();
      else this.pos++;
      if ('([{'.includes(c)) depth++;
      else if (c === ')' || c === ']') depth--;
      else if (c === '}' && depth-- === 0) return;
      else if (c === ':' && depth === 0) return this.scanFormatSpec(delimiter, at);
    }
  }

  private scanFormatSpec(delimiter: string, at: Position): void {
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined || this.src.startsWith(delimiter, this.pos)) {
        throw syntaxError("f-string: expecting '}'", at);
      }
      if (c === '}') {
        this.pos++;
        return;
      }
      if (c === '{') this.scanReplacementField(delimiter, at);
      else this.skipStringCharacter(delimiter, at);
    }
  }
}

// --- string escapes

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

function decodeStr(body: string, raw: boolean, at: Position): PyValue {
  return { kind: 'str', value: raw ? body : decodeEscapes(body, false, at) };
}

/** Bytes are only validated: no bytes value can reach the result. */
function decodeBytes(body: string, raw: boolean, at: Position): PyValue {
  if (/[^\x00-\x7f]/.test(body)) throw syntaxError('bytes can only contain ASCII literal characters', at);
  if (!raw) decodeEscapes(body, true, at);
  return { kind: 'bytes' };
}

/** Undefined when a `\N{name}` escape needs Unicode's name table, which Node does not ship. */
function decodeEscapes(body: string, bytes: boolean, at: Position): string | undefined {
  let out = '';
  let resolvable = true;
  for (let i = 0; i < body.length; ) {
    if (body[i] !== '\\') {
      out += body[i++];
      continue;
    }
    const escape = readEscape(body, i + 1, bytes, at);
    if (escape.text === undefined) resolvable = false;
    else out += escape.text;
    i = escape.end;
  }
  return resolvable ? out : undefined;
}

/** The escape after the backslash at `i - 1`; text is undefined for `\N{name}`. */
function readEscape(body: string, i: number, bytes: boolean, at: Position): { text: string | undefined; end: number } {
  const c = body[i];
  if (c === '\n') return { text: '', end: i + 1 };
  if (c in SIMPLE_ESCAPES) return { text: SIMPLE_ESCAPES[c], end: i + 1 };
  const octal = /^[0-7]{1,3}/.exec(body.slice(i, i + 3))?.[0];
  if (octal) {
    const code = parseInt(octal, 8);
    return { text: String.fromCodePoint(code), end: i + octal.length };
  }
  if (c === 'x') return { text: readHexEscape(body, i, 2, at), end: i + 3 };
  if (!bytes && c === 'u') return { text: readHexEscape(body, i, 4, at), end: i + 5 };
  if (!bytes && c === 'U') return { text: readHexEscape(body, i, 8, at), end: i + 9 };
  if (!bytes && c === 'N') return { text: undefined, end: skipNamedEscape(body, i, at) };
  return { text: `\\${c}`, end: i + 1 }; // unknown escapes stay as written (Python only warns)
}

function readHexEscape(body: string, i: number, length: number, at: Position): string {
  const hex = body.slice(i + 1, i + 1 + length);
  if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(hex)) throw syntaxError(`truncated \\${body[i]} escape`, at);
  const code = parseInt(hex, 16);
  if (code > 0x10ffff) throw syntaxError('illegal Unicode character', at);
  return String.fromCodePoint(code);
}

function skipNamedEscape(body: string, i: number, at: Position): number {
  const match = /^N\{[^}\n]+\}/.exec(body.slice(i));
  if (!match) throw syntaxError('malformed \\N character escape', at);
  return i + match[0].length;
}

// ---------------------------------------------------------------------------------------------
// Statements

/** Where assignments are collected; undefined inside blocks DVC does not read. */
interface Scope {
  readonly params: Record<string, unknown>;
  /** Inside `__init__` only `self.NAME` targets count (DVC's `only_self_params`). */
  readonly onlySelf: boolean;
}

const HARD_KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue',
  'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in',
  'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
]);
const COMPOUND_KEYWORDS = new Set([
  'if', 'elif', 'else', 'while', 'for', 'try', 'except', 'finally', 'with', 'class', 'def', 'async',
]);
/** `match` and `case` are keywords only when they open a block. */
const SOFT_COMPOUND_KEYWORDS = new Set(['match', 'case']);

function isOp(token: Token | undefined, text: string): boolean {
  return token?.kind === 'op' && token.text === text;
}

function bracketDepthChange(token: Token): number {
  if (token.kind !== 'op') return 0;
  if ('([{'.includes(token.text)) return 1;
  return token.text in OPENING_BRACKET ? -1 : 0;
}

/** Splits at separators outside brackets; keeps empty parts so callers can reject them. */
function splitTopLevel(tokens: readonly Token[], separator: string): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (depth === 0 && isOp(token, separator)) {
      parts.push([]);
      continue;
    }
    depth += bracketDepthChange(token);
    parts[parts.length - 1].push(token);
  }
  return parts;
}

function findTopLevel(tokens: readonly Token[], text: string): number {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (depth === 0 && isOp(tokens[i], text)) return i;
    depth += bracketDepthChange(tokens[i]);
  }
  return -1;
}

function matchingClose(tokens: readonly Token[], openIndex: number): number {
  let depth = 0;
  for (let i = openIndex; i < tokens.length; i++) {
    depth += bracketDepthChange(tokens[i]);
    if (depth === 0) return i;
  }
  return tokens.length; // unreachable: the tokenizer rejects unbalanced brackets
}

/** `((x))` -> `x`: parentheses around a whole target create no AST node. */
function unwrapParens(tokens: readonly Token[]): readonly Token[] {
  let inner = tokens;
  while (isOp(inner[0], '(') && matchingClose(inner, 0) === inner.length - 1) inner = inner.slice(1, -1);
  return inner;
}

function setParam(params: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty keeps an existing key's position and treats "__proto__" as an ordinary key.
  Object.defineProperty(params, key, { value, writable: true, enumerable: true, configurable: true });
}

class StatementParser {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parseModule(): Record<string, unknown> {
    const params: Record<string, unknown> = {};
    while (this.peek().kind !== 'end') this.parseStatement({ params, onlySelf: false });
    return dropUnrepresentable(params);
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private parseStatement(scope: Scope | undefined): void {
    const first = this.peek();
    if (first.kind === 'indent') throw syntaxError('unexpected indent', first);
    if (isOp(first, '@')) return this.parseDecorated(scope);
    if (first.kind === 'name' && first.text === 'class') return this.parseClass(scope);
    if (first.kind === 'name' && first.text === 'def') return this.parseFunction(scope);
    if (this.startsOtherCompound()) return this.parseOtherCompound();
    this.parseSimpleStatements(scope);
  }

  private startsOtherCompound(): boolean {
    const first = this.peek();
    if (first.kind !== 'name') return false;
    if (COMPOUND_KEYWORDS.has(first.text)) return true;
    return SOFT_COMPOUND_KEYWORDS.has(first.text) && this.lineEndsWithColon();
  }

  /** A simple statement never ends with `:`, a block header always does. */
  private lineEndsWithColon(): boolean {
    let offset = 0;
    while (!['newline', 'end'].includes(this.peek(offset).kind)) offset++;
    return offset > 0 && isOp(this.peek(offset - 1), ':');
  }

  private parseDecorated(scope: Scope | undefined): void {
    while (isOp(this.peek(), '@')) this.skipLine();
    const target = this.peek();
    if (target.kind === 'name' && target.text === 'class') return this.parseClass(scope);
    if (target.kind === 'name' && target.text === 'def') return this.parseFunction(scope);
    if (target.kind === 'name' && target.text === 'async') return this.parseOtherCompound();
    throw syntaxError('invalid syntax: a decorator must precede def or class', target);
  }

  private skipLine(): void {
    while (this.next().kind !== 'newline') if (this.peek().kind === 'end') return;
  }

  private parseClass(scope: Scope | undefined): void {
    const keyword = this.next();
    const name = this.expectName();
    if (!['(', '[', ':'].includes(this.peek().text)) throw syntaxError('invalid syntax', this.peek());
    this.parseHeader();
    const body: Scope | undefined = scope && { params: {}, onlySelf: false };
    this.parseSuite(body, keyword);
    if (scope && body) setParam(scope.params, name, dropUnrepresentable(body.params));
  }

  private parseFunction(scope: Scope | undefined): void {
    const keyword = this.next();
    const name = this.expectName();
    if (!isOp(this.peek(), '(') && !isOp(this.peek(), '[')) throw syntaxError("expected '('", this.peek());
    this.parseHeader();
    // DVC reads `self.x = ...` from an __init__ met directly in the module, a class body or another __init__.
    const body: Scope | undefined =
      scope && name === '__init__' ? { params: scope.params, onlySelf: true } : undefined;
    this.parseSuite(body, keyword);
  }

  /** if/while/for/try/with/match, async def and their continuation clauses: DVC reads nothing in them. */
  private parseOtherCompound(): void {
    const first = this.next();
    const keyword = first.text === 'async' ? this.peek() : first;
    if (first.text === 'async' && !['def', 'for', 'with'].includes(keyword.text)) {
      throw syntaxError('invalid syntax', keyword);
    }
    this.parseHeader();
    this.parseSuite(undefined, keyword);
  }

  private expectName(): string {
    const token = this.next();
    if (token.kind !== 'name' || HARD_KEYWORDS.has(token.text)) throw syntaxError('invalid syntax', token);
    return token.text;
  }

  /** Skips the rest of a block header up to its `:`; a `lambda` in the header owns the next colon. */
  private parseHeader(): void {
    let depth = 0;
    let pendingLambdas = 0;
    for (;;) {
      const token = this.next();
      if (token.kind === 'newline' || token.kind === 'end') throw syntaxError("expected ':'", token);
      depth += bracketDepthChange(token);
      if (depth !== 0) continue;
      if (token.kind === 'name' && token.text === 'lambda') pendingLambdas++;
      else if (isOp(token, ':') && pendingLambdas-- === 0) return;
    }
  }

  private parseSuite(scope: Scope | undefined, keyword: Token): void {
    if (this.peek().kind !== 'newline') return this.parseSimpleStatements(scope);
    this.next();
    if (this.peek().kind !== 'indent') {
      const reason = `expected an indented block after ${describeBlock(keyword)} on line ${keyword.line}`;
      throw syntaxError(reason, this.peek());
    }
    this.next();
    while (this.peek().kind !== 'dedent' && this.peek().kind !== 'end') this.parseStatement(scope);
    this.next();
  }

  private parseSimpleStatements(scope: Scope | undefined): void {
    for (;;) {
      const statement = this.takeSimpleStatement();
      const first = statement[0] ?? this.peek();
      if (statement.length === 0 || isOp(first, '@') || (first.kind === 'name' && COMPOUND_KEYWORDS.has(first.text))) {
        throw syntaxError('invalid syntax', first);
      }
      if (scope) readAssignment(statement, scope);
      if (this.next().kind === 'newline') return;
      if (this.peek().kind === 'newline') {
        this.next();
        return;
      }
    }
  }

  /** Tokens up to the next `;` or end of line, which stays unread. */
  private takeSimpleStatement(): Token[] {
    const tokens: Token[] = [];
    let depth = 0;
    for (;;) {
      const token = this.peek();
      if (token.kind === 'newline' || token.kind === 'end') return tokens;
      if (isOp(token, ';')) {
        if (depth === 0) return tokens;
        throw syntaxError('invalid syntax', token);
      }
      depth += bracketDepthChange(token);
      tokens.push(this.next());
    }
  }
}

/** How Python names a block in "expected an indented block after ...". */
function describeBlock(keyword: Token): string {
  if (keyword.text === 'class') return 'class definition';
  return keyword.text === 'def' ? 'function definition' : `'${keyword.text}' statement`;
}

function readAssignment(statement: readonly Token[], scope: Scope): void {
  const parts = splitTopLevel(statement, '=');
  if (parts.length < 2) return; // expressions, docstrings, bare annotations, `x += 1`, imports...
  const empty = parts.findIndex((part) => part.length === 0);
  if (empty >= 0) throw syntaxError('invalid syntax', parts[empty - 1]?.at(-1) ?? statement[0]);
  parts.slice(0, -1).forEach(rejectKeywordTarget);
  if (parts.length > 2) return; // `a = b = 1`: DVC reads single-target assignments only
  const name = targetName(parts[0], scope.onlySelf);
  if (name === undefined) return;
  const value = readLiteral(parts[1], statement[0]);
  // UNREPRESENTABLE stays as a placeholder until the scope is complete, so the key keeps DVC's position.
  if (value !== NOT_A_LITERAL) setParam(scope.params, name, value);
}

function dropUnrepresentable(params: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(params)) if (params[key] === UNREPRESENTABLE) delete params[key];
  return params;
}

function rejectKeywordTarget(target: readonly Token[]): void {
  const colon = findTopLevel(target, ':');
  const inner = unwrapParens(colon >= 0 ? target.slice(0, colon) : target);
  const only = inner.length === 1 ? inner[0] : undefined;
  if (only?.kind === 'name' && (HARD_KEYWORDS.has(only.text) || only.text === '__debug__')) {
    throw syntaxError(`cannot assign to ${only.text}`, only);
  }
}

/** DVC's `_get_ast_name`: `NAME` (not inside `__init__`) or `self.NAME`; anything else is skipped. */
function targetName(tokens: readonly Token[], onlySelf: boolean): string | undefined {
  const colon = findTopLevel(tokens, ':');
  const target = unwrapParens(colon >= 0 ? tokens.slice(0, colon) : tokens);
  const last = target[target.length - 1];
  if (target.length === 1 && last.kind === 'name') return onlySelf ? undefined : last.text;
  if (target.length < 3 || last.kind !== 'name' || !isOp(target[target.length - 2], '.')) return undefined;
  const owner = unwrapParens(target.slice(0, -2));
  return owner.length === 1 && owner[0].kind === 'name' && owner[0].text === 'self' ? last.text : undefined;
}

// ---------------------------------------------------------------------------------------------
// Literal expressions: just enough AST to replay ast.literal_eval

type LiteralNode =
  | { type: 'constant'; value: PyValue }
  | { type: 'unary'; negative: boolean; operand: LiteralNode }
  | { type: 'binary'; left: LiteralNode; right: LiteralNode }
  | { type: 'tuple' | 'list' | 'set'; elements: LiteralNode[] }
  | { type: 'dict'; entries: { key: LiteralNode; value: LiteralNode }[] }
  | { type: 'emptySetCall' }
  /** Any other expression; literal_eval rejects it. */
  | { type: 'other' };

const OTHER: LiteralNode = { type: 'other' };

interface Cursor {
  readonly tokens: readonly Token[];
  index: number;
}

/** A right-hand side or parenthesised expression: `1, 2` and `1,` are tuples. */
function parseExpressionList(tokens: readonly Token[]): LiteralNode {
  const parts = splitTopLevel(tokens, ',');
  if (parts.length === 1) return parseExpression(tokens);
  const elements = parseElements(parts);
  return elements ? { type: 'tuple', elements } : OTHER;
}

/** Comma-separated elements with an optional trailing comma; undefined for `[1,,2]`. */
function parseElements(parts: Token[][]): LiteralNode[] | undefined {
  const items = parts.length > 1 && parts[parts.length - 1].length === 0 ? parts.slice(0, -1) : parts;
  if (items.some((part) => part.length === 0)) return undefined;
  return items.map(parseExpression);
}

/** `[sign] operand ((+|-) [sign] operand)*`; anything else (calls, names, `*`, `if`...) is OTHER. */
function parseExpression(tokens: readonly Token[]): LiteralNode {
  const cursor: Cursor = { tokens, index: 0 };
  let node = parseSignedOperand(cursor);
  while (node && isPlusOrMinus(tokens[cursor.index])) {
    cursor.index++;
    const right = parseSignedOperand(cursor);
    node = right && { type: 'binary', left: node, right };
  }
  return node && cursor.index === tokens.length ? node : OTHER;
}

function isPlusOrMinus(token: Token | undefined): token is Token {
  return isOp(token, '+') || isOp(token, '-');
}

function parseSignedOperand(cursor: Cursor): LiteralNode | undefined {
  const token = cursor.tokens[cursor.index];
  if (!isPlusOrMinus(token)) return parseOperand(cursor);
  cursor.index++;
  const operand = parseSignedOperand(cursor);
  return operand && { type: 'unary', negative: token.text === '-', operand };
}

function parseOperand(cursor: Cursor): LiteralNode | undefined {
  const token = cursor.tokens[cursor.index];
  if (token?.kind === 'string') return parseStringRun(cursor);
  cursor.index++;
  if (token?.kind === 'number') return { type: 'constant', value: token.value! };
  if (token?.kind === 'name') return parseNameOperand(token, cursor);
  if (isOp(token, '...')) return { type: 'constant', value: ELLIPSIS };
  if (token && bracketDepthChange(token) === 1) return parseBracketOperand(token.text, cursor);
  return undefined;
}

function parseNameOperand(token: Token, cursor: Cursor): LiteralNode | undefined {
  if (token.text === 'True' || token.text === 'False') {
    return { type: 'constant', value: { kind: 'bool', value: token.text === 'True' } };
  }
  if (token.text === 'None') return { type: 'constant', value: NONE };
  // literal_eval accepts `set()` for the empty set.
  if (token.text === 'set' && isOp(cursor.tokens[cursor.index], '(') && isOp(cursor.tokens[cursor.index + 1], ')')) {
    cursor.index += 2;
    return { type: 'emptySetCall' };
  }
  return undefined;
}

/** Adjacent strings are one constant; with an f-string among them they form a non-literal JoinedStr. */
function parseStringRun(cursor: Cursor): LiteralNode {
  const values: (PyValue | undefined)[] = [];
  while (cursor.tokens[cursor.index]?.kind === 'string') values.push(cursor.tokens[cursor.index++].value);
  if (values.some((value) => value === undefined)) return OTHER;
  // The tokenizer already rejected runs that mix bytes with str.
  if (values[0]?.kind === 'bytes') return { type: 'constant', value: { kind: 'bytes' } };
  const texts = (values as Extract<PyValue, { kind: 'str' }>[]).map((value) => value.value);
  const joined = texts.includes(undefined) ? undefined : texts.join('');
  return { type: 'constant', value: { kind: 'str', value: joined } };
}

function parseBracketOperand(opener: string, cursor: Cursor): LiteralNode {
  const close = matchingClose(cursor.tokens, cursor.index - 1);
  const inner = cursor.tokens.slice(cursor.index, close);
  cursor.index = close + 1;
  if (inner.length === 0) return emptyContainer(opener);
  if (opener === '(') return parseExpressionList(inner);
  const parts = splitTopLevel(inner, ',');
  if (opener === '[') return withElements('list', parseElements(parts));
  const first = parts[0];
  const isDict = isOp(first[0], '**') || findTopLevel(first, ':') >= 0;
  return isDict ? parseDict(parts) : withElements('set', parseElements(parts));
}

function emptyContainer(opener: string): LiteralNode {
  if (opener === '(') return { type: 'tuple', elements: [] };
  return opener === '[' ? { type: 'list', elements: [] } : { type: 'dict', entries: [] };
}

function withElements(type: 'list' | 'set', elements: LiteralNode[] | undefined): LiteralNode {
  return elements ? { type, elements } : OTHER;
}

function parseDict(parts: Token[][]): LiteralNode {
  const items = parts.length > 1 && parts[parts.length - 1].length === 0 ? parts.slice(0, -1) : parts;
  const entries: { key: LiteralNode; value: LiteralNode }[] = [];
  for (const item of items) {
    // `**other` unpacks a mapping: the AST has a None key there, which literal_eval rejects.
    if (isOp(item[0], '**')) {
      entries.push({ key: OTHER, value: OTHER });
      continue;
    }
    const colon = findTopLevel(item, ':');
    if (colon <= 0 || colon === item.length - 1) return OTHER;
    entries.push({ key: parseExpression(item.slice(0, colon)), value: parseExpression(item.slice(colon + 1)) });
  }
  return { type: 'dict', entries };
}

// --- evaluation

/** The ValueError of ast.literal_eval: DVC skips the assignment. */
class NotALiteral extends Error {}

/** The TypeError of a list, dict or set used as a dict key or set element: DVC does not catch it. */
class UnhashableValue extends Error {
  constructor(readonly typeName: string) {
    super(`unhashable type: '${typeName}'`);
  }
}

/** The assignment is one DVC skips. */
const NOT_A_LITERAL = Symbol('not a literal');
/** DVC keeps a value JS cannot hold: complex, bytes, Ellipsis, or a string with a `\N{name}` escape. */
const UNREPRESENTABLE = Symbol('unrepresentable');

function readLiteral(tokens: readonly Token[], statementStart: Token): unknown {
  const node = parseExpressionList(tokens);
  try {
    return toJs(evaluateAssignedValue(node));
  } catch (error) {
    if (error instanceof NotALiteral) return NOT_A_LITERAL;
    if (error instanceof UnhashableValue) {
      const reason = `${error.message} in a dict key or set element (DVC fails to read this file too)`;
      throw syntaxError(reason, statementStart);
    }
    throw error;
  }
}

/**
 * DVC's `_ast_assign_to_dict`: a top-level dict evaluates each value before its key, a top-level
 * set evaluates all elements before hashing any; otherwise this is `ast.literal_eval`. The order
 * only matters for which error wins, and so whether the file is skipped or fails.
 */
function evaluateAssignedValue(node: LiteralNode): PyValue {
  if (node.type === 'dict') {
    const dict = new KeyedEntries();
    for (const entry of node.entries) {
      const value = literalEval(entry.value);
      dict.put(literalEval(entry.key), value);
    }
    return dict.asDict();
  }
  if (node.type === 'set') return buildSet(node.elements.map(literalEval));
  return literalEval(node);
}

function literalEval(node: LiteralNode): PyValue {
  switch (node.type) {
    case 'constant':
      return node.value;
    case 'tuple':
    case 'list':
      return { kind: node.type, items: node.elements.map(literalEval) };
    case 'set': {
      const set = new KeyedEntries();
      for (const element of node.elements) {
        const value = literalEval(element);
        set.put(value, value);
      }
      return set.asSet();
    }
    case 'emptySetCall':
      return { kind: 'set', items: [] };
    case 'dict': {
      const dict = new KeyedEntries();
      for (const entry of node.entries) {
        const key = literalEval(entry.key);
        dict.put(key, literalEval(entry.value));
      }
      return dict.asDict();
    }
    case 'binary':
      return complexSum(node.left, node.right);
    default:
      return signedNumber(node);
  }
}

/** literal_eval's only binary operation: a real number plus or minus an imaginary one (`1+2j`). */
function complexSum(leftNode: LiteralNode, rightNode: LiteralNode): PyValue {
  const left = signedNumber(leftNode);
  const right = plainNumber(rightNode);
  if (right.kind !== 'complex' || left.kind === 'complex') throw new NotALiteral();
  return right;
}

/** A number with at most one sign: `-1`, `+2.5`, `-(3)`; not `--1` nor `-True`. */
function signedNumber(node: LiteralNode): PyNumber {
  if (node.type !== 'unary') return plainNumber(node);
  const value = plainNumber(node.operand);
  return node.negative ? negate(value) : value;
}

function plainNumber(node: LiteralNode): PyNumber {
  if (node.type !== 'constant') throw new NotALiteral();
  const value = node.value;
  if (value.kind === 'int' || value.kind === 'float' || value.kind === 'complex') return value;
  throw new NotALiteral();
}

function negate(value: PyNumber): PyNumber {
  if (value.kind === 'int') return { kind: 'int', value: -value.value };
  if (value.kind === 'float') return { kind: 'float', value: -value.value };
  return value;
}

/**
 * A dict or set under construction with Python's key semantics: equal keys (`1 == 1.0 == True`)
 * collapse, the first key stays and the last value wins (`{1: 'a', 1.0: 'b'}` is `{1: 'b'}`).
 */
class KeyedEntries {
  readonly entries: [PyValue, PyValue][] = [];
  private readonly indexByHash = new Map<string, number>();

  put(key: PyValue, value: PyValue): void {
    assertHashable(key);
    const hash = hashKey(key);
    const index = hash === undefined ? undefined : this.indexByHash.get(hash);
    if (index !== undefined) {
      this.entries[index][1] = value;
      return;
    }
    if (hash !== undefined) this.indexByHash.set(hash, this.entries.length);
    this.entries.push([key, value]);
  }

  asSet(): PyValue {
    return { kind: 'set', items: this.entries.map(([key]) => key) };
  }

  asDict(): PyValue {
    return { kind: 'dict', entries: this.entries };
  }
}

function buildSet(values: PyValue[]): PyValue {
  const set = new KeyedEntries();
  for (const value of values) set.put(value, value);
  return set.asSet();
}

function assertHashable(value: PyValue): void {
  if (value.kind === 'list' || value.kind === 'dict' || value.kind === 'set') throw new UnhashableValue(value.kind);
  if (value.kind === 'tuple') value.items.forEach(assertHashable);
}

/**
 * Equal under Python's `==` exactly when the keys are equal: numbers compare by exact value across
 * int, float and bool (`1 == 1.0 == True`, but `2**53 + 1 != 2.0**53`). Undefined (equal to
 * nothing) for values whose equality cannot matter: a container holding them is dropped anyway.
 */
function hashKey(value: PyValue): string | undefined {
  switch (value.kind) {
    case 'int':
      return `n${value.value}`;
    case 'bool':
      return value.value ? 'n1' : 'n0';
    case 'float':
      return realKey(value.value);
    case 'str':
      return value.value === undefined ? undefined : `s${value.value}`;
    case 'complex':
    case 'bytes':
      return undefined;
    case 'tuple': {
      const keys = value.items.map(hashKey);
      return keys.includes(undefined) ? undefined : `t${JSON.stringify(keys)}`;
    }
    default:
      return value.kind; // None, Ellipsis (lists, dicts and sets were rejected as unhashable)
  }
}

function realKey(x: number): string {
  return Number.isInteger(x) ? `n${BigInt(x)}` : `n${x}`;
}

// --- conversion to JS

function toJs(value: PyValue): unknown {
  switch (value.kind) {
    case 'int':
      return Number(value.value);
    case 'float':
      return Number.isInteger(value.value) ? new PyFloat(value.value) : value.value;
    case 'bool':
      return value.value;
    case 'none':
      return null;
    case 'str':
      return value.value ?? UNREPRESENTABLE;
    case 'tuple':
    case 'list':
    case 'set':
      return arrayToJs(value.items);
    case 'dict':
      return dictToJs(value.entries);
    default:
      return UNREPRESENTABLE; // complex, bytes, Ellipsis
  }
}

function arrayToJs(items: PyValue[]): unknown {
  const array = items.map(toJs);
  return array.includes(UNREPRESENTABLE) ? UNREPRESENTABLE : array;
}

function dictToJs(entries: [PyValue, PyValue][]): unknown {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const keyText = pyStr(key);
    const jsValue = toJs(value);
    if (keyText === undefined || jsValue === UNREPRESENTABLE) return UNREPRESENTABLE;
    setParam(object, keyText, jsValue);
  }
  return object;
}

/** Python's `str(key)` for the key types JS can represent. */
function pyStr(value: PyValue): string | undefined {
  if (value.kind === 'str') return value.value;
  return pyRepr(value);
}

function pyRepr(value: PyValue): string | undefined {
  switch (value.kind) {
    case 'str':
      return value.value === undefined ? undefined : pyStrRepr(value.value);
    case 'int':
      return value.value.toString();
    case 'float':
      return pyFloatRepr(value.value);
    case 'bool':
      return value.value ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'tuple': {
      const items = value.items.map(pyRepr);
      if (items.includes(undefined)) return undefined;
      return `(${items.join(', ')}${items.length === 1 ? ',' : ''})`;
    }
    default:
      return undefined;
  }
}

/** Python's `repr(str)`: single quotes unless the text has a single quote and no double quote. */
function pyStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = '';
  for (const char of text) {
    const escaped = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' }[char];
    if (escaped) out += escaped;
    else if (char === quote) out += `\\${char}`;
    else if (char !== ' ' && /[\p{C}\p{Z}]/u.test(char)) out += unicodeEscape(char.codePointAt(0)!);
    else out += char;
  }
  return quote + out + quote;
}

function unicodeEscape(code: number): string {
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}

/** Python's `repr(float)`: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
function pyFloatRepr(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, exponentText] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    return `${sign}${digits[0]}${fraction}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const point = exponent + 1;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

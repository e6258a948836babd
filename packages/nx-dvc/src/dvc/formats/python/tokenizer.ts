import type { PyValue } from './literal-value';
import { PythonParamsSyntaxError, syntaxError } from './syntax-error';

type TokenKind = 'name' | 'number' | 'string' | 'op' | 'newline' | 'indent' | 'dedent' | 'end';

interface Position {
  readonly line: number;
  readonly column: number;
}

export interface Token extends Position {
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
export const OPENING_BRACKET: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
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


export class Tokenizer {
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

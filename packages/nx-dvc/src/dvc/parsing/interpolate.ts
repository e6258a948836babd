import { isPlainObject, isPrimitive, pyStr, pyStrRepr, pyTypeName } from '../formats/python/value';

/** `${...}` not preceded by a backslash; the shortest run inside, braces cannot nest, no line break (Python's `.`). */
const KEY_PATTERN = /(?<!\\)\$\{([^\n]*?)\}/g;

export class InterpolationSyntaxError extends Error {}
export class InterpolationValueError extends Error {}

export interface ParsingConfig {
  bool?: string;
  list?: string;
}

export interface Match {
  start: number;
  end: number;
  inner: string;
}

/** KEY_PATTERN tried at one position. */
const KEY_AT = new RegExp(KEY_PATTERN.source, `${KEY_PATTERN.flags.replace('g', '')}y`);

/**
 * KEY_PATTERN's matches. Retrying the pattern at every `${` of a line that has no `}` is quadratic
 * (a 60 000-character line took seconds), so once it fails at a `${` that no backslash escapes,
 * the rest of that line cannot match either and the search moves on to the next line.
 */
export function findMatches(template: string): Match[] {
  const matches: Match[] = [];
  let start = template.indexOf('${');
  while (start >= 0) {
    KEY_AT.lastIndex = start;
    const m = KEY_AT.exec(template);
    if (m) {
      matches.push({ start, end: start + m[0].length, inner: m[1] });
      start = template.indexOf('${', start + m[0].length);
    } else if (template[start - 1] === '\\') {
      start = template.indexOf('${', start + 1);
    } else {
      const newline = template.indexOf('\n', start);
      start = newline < 0 ? -1 : template.indexOf('${', newline + 1);
    }
  }
  return matches;
}

export function isInterpolated(value: unknown): boolean {
  return typeof value === 'string' && findMatches(value).length > 0;
}

export function isExactMatch(template: string, matches: Match[]): boolean {
  return matches.length === 1 && matches[0].start === 0 && matches[0].end === template.length;
}

/**
 * Parses `word ( '.' word | '[' word ']' )*` into the dotted form (`a[0].b` -> `a.0.b`).
 * A word is one or more characters other than `.`, `[`, `]`.
 */
export function parseExpression(inner: string): string {
  const words: string[] = [];
  let pos = 0;
  const readWord = (): string | undefined => {
    const start = pos;
    while (pos < inner.length && !'.[]'.includes(inner[pos])) pos++;
    return pos > start ? inner.slice(start, pos) : undefined;
  };
  const first = readWord();
  if (first === undefined) throw syntaxError(inner, pos, `Expected !W:(${'.[]'}), found ${describe(inner, pos)}`);
  words.push(first);
  while (pos < inner.length) {
    const mark = pos;
    if (inner[pos] === '.') {
      pos++;
      const word = readWord();
      if (word !== undefined) {
        words.push(word);
        continue;
      }
    } else if (inner[pos] === '[') {
      pos++;
      const word = readWord();
      if (word !== undefined && inner[pos] === ']') {
        pos++;
        // pyparsing skips whitespace before the next literal (`.`, `[`) or the end.
        while (pos < inner.length && ' \t\n\r'.includes(inner[pos])) pos++;
        words.push(word);
        continue;
      }
    }
    pos = mark;
    throw syntaxError(inner, pos, `Expected end of text, found ${describe(inner, pos)}`);
  }
  return words.join('.');
}

/** pyparsing's `found`: the word (up to 16 letters/digits of its Latin, Greek, Cyrillic sets) or the character at the error. */
const FOUND_WORD =
  /^[0-9A-Za-z\u00aa\u00b2\u00b3\u00b5\u00b9\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0370-\u0374\u0376\u0377\u037a-\u037d\u037f\u0386\u0388-\u038a\u038c\u038e-\u03a1\u03a3-\u03e1\u03f0-\u03f5\u03f7-\u0481\u048a-\u052f\u1c80-\u1c88\u1d26-\u1d2b\u1d5e\u1d60\u1d66-\u1d6a\u1d78\u1f00-\u1f15\u1f18-\u1f1d\u1f20-\u1f45\u1f48-\u1f4d\u1f50-\u1f57\u1f59\u1f5b\u1f5d\u1f5f-\u1f7d\u1f80-\u1fb4\u1fb6-\u1fbc\u1fbe\u1fc2-\u1fc4\u1fc6-\u1fcc\u1fd0-\u1fd3\u1fd6-\u1fdb\u1fe0-\u1fec\u1ff2-\u1ff4\u1ff6-\u1ffc\ua640-\ua66e\ua67f-\ua69d\uab65]{1,16}/;

function describe(inner: string, pos: number): string {
  // The error is located in `${inner}`, so the closing brace can be what is found.
  const rest = `${inner}}`.slice(pos);
  return pyStrRepr(FOUND_WORD.exec(rest)?.[0] ?? Array.from(rest)[0]).replace(/\\\\/g, '\\');
}

/** The same three-line frame pyparsing's `explain` gives, offset by the `${` prefix. */
function syntaxError(inner: string, pos: number, explanation: string): InterpolationSyntaxError {
  const loc = pos + 2;
  return new InterpolationSyntaxError(
    `\${${inner}}\n${' '.repeat(loc)}^\nParseException: ${explanation}  (at char ${loc}), (line:1, col:${loc + 1})`,
  );
}

/** Checks every `${}` in a string parses; used before any value is looked up. */
export function checkExpressions(template: string): void {
  for (const match of findMatches(template)) parseExpression(match.inner);
}

/** Applies `fn` to every string in a structure, map keys included (DVC's `recurse`). */
export function forEachString(data: unknown, fn: (s: string) => void): void {
  if (typeof data === 'string') fn(data);
  else if (Array.isArray(data)) data.forEach((item) => forEachString(item, fn));
  else if (isPlainObject(data)) {
    for (const [key, value] of Object.entries(data)) {
      fn(key);
      forEachString(value, fn);
    }
  }
}

/** Stage keys accept only primitives from a whole-string `${}`; `cmd` also takes a dict. */
export function validateValue(value: unknown, key: string | undefined): void {
  const notPrimitive = value !== null && value !== undefined && !isPrimitive(value);
  const notForeach = key !== undefined && !key.includes('foreach');
  if (notPrimitive && notForeach) {
    if (isPlainObject(value) && key === 'cmd') return;
    throw new InterpolationValueError(`Cannot interpolate data of type '${pyTypeName(value)}'`);
  }
}

/** DVC's `to_str`: how a value is written into a string. */
export function toStr(value: unknown, config: ParsingConfig = {}): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (isPlainObject(value)) return dictToArgs(value, config);
  return pyStr(value);
}

/** POSIX `shlex.quote`. */
export function shellQuote(s: string): string {
  if (s === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

function flatten(obj: Record<string, unknown>, prefix = '', out: [string, unknown][] = []): [string, unknown][] {
  for (const [key, value] of Object.entries(obj)) {
    const dotted = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(value)) flatten(value, dotted, out);
    else out.push([dotted, value]);
  }
  return out;
}

/** A dict in `cmd` becomes CLI arguments: `--key value`, `--flag`, `--list a b`. */
export function dictToArgs(obj: Record<string, unknown>, config: ParsingConfig): string {
  const boolMode = (config.bool ?? 'store_true').toLowerCase();
  const listMode = (config.list ?? 'nargs').toLowerCase();
  let result = '';
  for (const [key, value] of flatten(obj)) {
    if (typeof value === 'boolean') {
      if (value) result += `--${key} `;
      else if (boolMode === 'boolean_optional') result += `--no-${key} `;
    } else if (typeof value === 'string') {
      result += `--${key} ${shellQuote(value)} `;
    } else if (Array.isArray(value)) {
      value.forEach((item, n) => {
        if (Array.isArray(item) || isPlainObject(item)) {
          throw new InterpolationValueError(`Cannot interpolate nested iterable in '${key}'`);
        }
        const text = typeof item === 'string' ? shellQuote(item) : pyStr(item);
        result += listMode === 'append' || n === 0 ? `--${key} ${text} ` : `${text} `;
      });
    } else {
      result += `--${key} ${pyStr(value)} `;
    }
  }
  return result.trimEnd();
}

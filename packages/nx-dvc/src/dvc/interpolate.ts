import { isPlainObject, isPrimitive, pyStr, pyTypeName } from './py-value';

/** `${...}` not preceded by a backslash; the shortest run inside, braces cannot nest. */
const KEY_PATTERN = /(?<!\\)\$\{(.*?)\}/gs;

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

export function findMatches(template: string): Match[] {
  if (!template.includes('${')) return [];
  return [...template.matchAll(KEY_PATTERN)].map((m) => ({
    start: m.index!,
    end: m.index! + m[0].length,
    inner: m[1],
  }));
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
  if (first === undefined) throw syntaxError(inner, pos, `Expected W:(${'.[]'}), found ${describe(inner, pos)}`);
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
        words.push(word);
        continue;
      }
    }
    pos = mark;
    throw syntaxError(inner, pos, `Expected end of text, found ${describe(inner, pos)}`);
  }
  return words.join('.');
}

function describe(inner: string, pos: number): string {
  return pos < inner.length ? `'${inner[pos]}'` : 'end of text';
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

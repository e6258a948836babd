import { FAILSAFE_SCHEMA, load, Type, YAMLException } from 'js-yaml';
import { ParseError } from '../../errors';
import { PyDate, PyFloat } from '../python/value';
import { resolverPattern } from './ruamel-resolver';

const BOOL_PATTERN = resolverPattern('bool');
const FLOAT_PATTERN = resolverPattern('float');
const INT_PATTERN = resolverPattern('int');
const NULL_PATTERN = resolverPattern('null');
const TIMESTAMP_PATTERN = resolverPattern('timestamp');

/**
 * Reads YAML the way DVC does (ruamel `YAML(typ="safe")`, YAML 1.2): `yes`/`no` stay strings,
 * `1_000`, `0b101`, `0o17`, `007` are ints, integral floats keep their float-ness (`PyFloat`),
 * dates become `PyDate`, `<<` merges work, duplicate keys are errors, an empty document is `{}`.
 * js-yaml does the loading (it is several times faster than `yaml` on the graph's hot path);
 * `yaml` is only asked for line numbers once an error needs them.
 */
const boolType = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (s: string) => BOOL_PATTERN.test(s),
  construct: (s: string) => s[0] === 't' || s[0] === 'T',
});

const floatType = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (s: string) => FLOAT_PATTERN.test(s),
  construct: (s: string) => toPyFloat(s),
});

const intType = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (s: string) => INT_PATTERN.test(s) && /[0-9]/.test(s),
  construct: (s: string) => toPyInt(s),
});

const nullType = new Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (s: string) => NULL_PATTERN.test(s),
  construct: () => null,
});

const timestampType = new Type('tag:yaml.org,2002:timestamp', {
  kind: 'scalar',
  resolve: (s: string) => TIMESTAMP_PATTERN.test(s),
  construct: (s: string) => new PyDate(s),
});

const mergeType = new Type('tag:yaml.org,2002:merge', {
  kind: 'scalar',
  resolve: (s: string) => s === '<<',
});

const RUAMEL_SAFE_1_2 = FAILSAFE_SCHEMA.extend({
  implicit: [nullType, boolType, floatType, intType, timestampType, mergeType],
});

function toPyFloat(text: string): number | PyFloat {
  const s = text.replace(/_/g, '').toLowerCase();
  const value = s.endsWith('.inf') ? (s.startsWith('-') ? -Infinity : Infinity) : s === '.nan' ? NaN : Number(s);
  return Number.isInteger(value) ? new PyFloat(value) : value;
}

/** A Python int: a number while exact, a bigint beyond 2^53. */
function toPyInt(text: string): number | bigint {
  let s = text.replace(/_/g, '');
  const negative = s.startsWith('-');
  if (s[0] === '-' || s[0] === '+') s = s.slice(1);
  const prefixed = /^0[box]/.test(s) ? s : s.replace(/^0+(?=\d)/, '');
  const big = negative ? -BigInt(prefixed) : BigInt(prefixed);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

export interface LoadedYaml {
  data: unknown;
  /** 1-based line and column of the node at a key path, for error messages. */
  positionOf(path: readonly (string | number)[]): { line: number; column: number } | undefined;
}

export function decodeUtf8(bytes: Uint8Array, relpath: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ParseError(`unable to read: '${relpath}', is not valid utf-8`, relpath);
  }
}

export function loadYaml(text: string, relpath: string): LoadedYaml {
  let data: unknown;
  try {
    data = load(text, { schema: RUAMEL_SAFE_1_2, filename: relpath });
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    const mark = error.mark;
    const where = mark ? ` (line ${mark.line + 1}, column ${mark.column + 1})` : '';
    throw new ParseError(`unable to read: '${relpath}', YAML file structure is corrupted: ${error.reason}${where}`, relpath);
  }
  if (text.includes('*') && expandedSize(data, new Map()) > MAX_EXPANDED_VALUES) {
    throw new ParseError(
      `unable to read: '${relpath}', its YAML aliases expand to more than ${MAX_EXPANDED_VALUES} values (an alias bomb?)`,
      relpath,
    );
  }
  // `yaml.load(text) or {}`: every falsy Python value, `[]` and `0.0` included.
  const empty = data === null || data === undefined || data === false || data === 0 || data === '' || (Array.isArray(data) && data.length === 0) || (data instanceof PyFloat && data.value === 0);
  let positionIn: LoadedYaml['positionOf'] | undefined;
  return { data: empty ? {} : data, positionOf: (path) => (positionIn ??= positionFinder(text))(path) };
}

/**
 * An alias shares the anchored object, so a few lines of `&a [*b, *b, ...]` can stand for billions of
 * values ("billion laughs"); every walk over the data (validation, templating) would then hang.
 */
const MAX_EXPANDED_VALUES = 1_000_000;

/** Number of values `value` stands for once aliases are expanded, counted once per shared object. */
function expandedSize(value: unknown, sizes: Map<object, number>): number {
  if (typeof value !== 'object' || value === null) return 1;
  const known = sizes.get(value);
  if (known !== undefined) return known;
  let size = 1;
  for (const child of Object.values(value)) {
    size += expandedSize(child, sizes);
    if (size > MAX_EXPANDED_VALUES) break;
  }
  sizes.set(value, size);
  return size;
}

/** Parses the text once for positions: a file with many schema errors asks for many of them. */
function positionFinder(text: string): LoadedYaml['positionOf'] {
  // Loaded only here: positions are needed for error messages, not on the graph's hot path.
  const { isNode, LineCounter, parseDocument } = require('yaml') as typeof import('yaml');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, logLevel: 'silent', uniqueKeys: false });
  return (path) => {
    const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
    const range = isNode(node) ? node.range : undefined;
    if (!range) return undefined;
    const { line, col } = lineCounter.linePos(range[0]);
    return { line, column: col };
  };
}

import { Document, isNode, LineCounter, parseDocument, type ScalarTag } from 'yaml';
import { ParseError } from './errors';
import { PyDate, PyFloat } from './py-value';

/**
 * Reads YAML the way DVC does (ruamel `YAML(typ="safe")`, YAML 1.2): `yes`/`no` stay strings,
 * `1_000`, `0b101`, `0o17`, `007` are ints, integral floats keep their float-ness (`PyFloat`),
 * dates become `PyDate`, `<<` merges work, duplicate keys are errors, an empty document is `{}`.
 */
const boolTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:bool',
  default: true,
  test: /^(?:true|True|TRUE|false|False|FALSE)$/,
  resolve: (s) => s[0] === 't' || s[0] === 'T',
};

const floatTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:float',
  default: true,
  test: /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  resolve: (s) => toPyFloat(s),
};

const intTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  test: /^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$/,
  resolve: (s) => toPyInt(s),
};

const nullTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:null',
  default: true,
  test: /^(?:~|null|Null|NULL|)$/,
  resolve: () => null,
};

const timestampTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:timestamp',
  default: true,
  test: /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/,
  resolve: (s) => new PyDate(s),
};

const REPLACED_TAGS = new Set([boolTag.tag, floatTag.tag, intTag.tag, nullTag.tag, timestampTag.tag]);

function toPyFloat(text: string): number | PyFloat {
  const s = text.replace(/_/g, '').toLowerCase();
  const value = s.endsWith('.inf') ? (s.startsWith('-') ? -Infinity : Infinity) : s === '.nan' ? NaN : Number(s);
  return Number.isInteger(value) ? new PyFloat(value) : value;
}

function toPyInt(text: string): number {
  let s = text.replace(/_/g, '');
  const sign = s.startsWith('-') ? -1 : 1;
  if (s[0] === '-' || s[0] === '+') s = s.slice(1);
  if (s.startsWith('0b')) return sign * parseInt(s.slice(2), 2);
  if (s.startsWith('0x')) return sign * parseInt(s.slice(2), 16);
  if (s.startsWith('0o')) return sign * parseInt(s.slice(2), 8);
  return sign * parseInt(s, 10);
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
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    version: '1.2',
    schema: 'core',
    merge: true,
    uniqueKeys: true,
    lineCounter,
    prettyErrors: false,
    logLevel: 'error',

    customTags: (tags) => [
      ...tags.filter((t) => typeof t === 'string' || !REPLACED_TAGS.has(t.tag)),
      boolTag,
      floatTag,
      intTag,
      nullTag,
      timestampTag,
    ],
  });
  const firstError = doc.errors[0];
  if (firstError) {
    const { line, col } = lineCounter.linePos(firstError.pos[0]);
    throw new ParseError(
      `unable to read: '${relpath}', YAML file structure is corrupted: ${firstError.message.split('\n')[0]} (line ${line}, column ${col})`,
      relpath,
    );
  }
  const data = toData(doc, relpath);
  return {
    data: data === null || data === undefined || data === false || data === 0 || data === '' ? {} : data,
    positionOf: (path) => {
      const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
      const range = isNode(node) ? node.range : undefined;
      if (!range) return undefined;
      const { line, col } = lineCounter.linePos(range[0]);
      return { line, column: col };
    },
  };
}

function toData(doc: Document, relpath: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 10000 });
  } catch (error) {
    throw new ParseError(
      `unable to read: '${relpath}', YAML file structure is corrupted: ${(error as Error).message}`,
      relpath,
    );
  }
}

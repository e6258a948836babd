import { PyDate, PyFloat, pyFloatRepr } from '../python/value';

/** ruamel's representer for plain data: JS values to YAML nodes (the emitter writes them). */

export type ScalarTag = 'str' | 'int' | 'float' | 'bool' | 'null' | 'timestamp';

export interface ScalarNode {
  kind: 'scalar';
  tag: ScalarTag;
  value: string;
}
/** A collection node stands for one JS object: the same object anywhere in the data gives the same node. */
export interface SequenceNode {
  kind: 'seq';
  items: YamlNode[];
}
export interface MappingNode {
  kind: 'map';
  pairs: [YamlNode, YamlNode][];
}
export type YamlNode = ScalarNode | SequenceNode | MappingNode;

export function scalar(tag: ScalarTag, value: string): ScalarNode {
  return { kind: 'scalar', tag, value };
}

/**
 * `root`: nothing has been represented yet, so a `None` is written `null`, not left empty.
 * Like ruamel's `represented_objects` (by `id()`), an array, `Map` or object met again gives the
 * node made the first time, so the serializer can anchor it; scalars always get a node of their own.
 */
export function represent(data: unknown, root = false): YamlNode {
  return representData(data, root, new Map());
}

function representData(data: unknown, root: boolean, represented: Map<object, YamlNode>): YamlNode {
  if (typeof data === 'object' && data !== null) {
    const known = represented.get(data);
    if (known) return known;
  }
  if (data === null) return scalar('null', root ? 'null' : '');
  if (data === undefined) throw new TypeError('dumpLockYaml: cannot represent undefined');
  if (typeof data === 'string') return scalar('str', data);
  if (typeof data === 'boolean') return scalar('bool', data ? 'true' : 'false');
  if (typeof data === 'bigint') return scalar('int', data.toString());
  if (typeof data === 'number') return Number.isInteger(data) ? scalar('int', intText(data)) : floatNode(data);
  if (data instanceof PyFloat) return floatNode(data.value);
  if (data instanceof PyDate) return scalar('timestamp', data.text);
  const child = (value: unknown) => representData(value, false, represented);
  if (Array.isArray(data)) {
    // Registered before its items, as ruamel does, so an array that holds itself becomes an alias.
    const node: SequenceNode = { kind: 'seq', items: [] };
    represented.set(data, node);
    for (const item of data) node.items.push(child(item));
    return node;
  }
  if (typeof data === 'object') {
    const entries = data instanceof Map ? [...data] : plainEntries(data);
    const node: MappingNode = { kind: 'map', pairs: [] };
    represented.set(data, node);
    for (const [k, v] of entries) node.pairs.push([data instanceof Map ? child(k) : scalar('str', k), child(v)]);
    return node;
  }
  throw new TypeError(`dumpLockYaml: cannot represent a ${typeof data}`);
}

/** A plain object's entries; an `undefined` property is left out, as `JSON.stringify` does. */
function plainEntries(data: object): [string, unknown][] {
  const proto = Object.getPrototypeOf(data);
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`dumpLockYaml: cannot represent a ${proto?.constructor?.name ?? 'object'}`);
  }
  return Object.entries(data).filter(([, v]) => v !== undefined);
}

/** Python's `str(int)`. Integers beyond 2**53 already lost digits; avoid JS's exponent form at least. */
function intText(n: number): string {
  const text = String(n + 0);
  return /e/.test(text) ? BigInt(n).toString() : text;
}

/** `SafeRepresenter.represent_float`: `repr(x).lower()`, with YAML's spellings of inf and nan. */
function floatNode(x: number): ScalarNode {
  if (Number.isNaN(x)) return scalar('float', '.nan');
  if (x === Infinity) return scalar('float', '.inf');
  if (x === -Infinity) return scalar('float', '-.inf');
  return scalar('float', pyFloatRepr(x).toLowerCase());
}

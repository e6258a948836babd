import { PyDate, PyFloat, pyFloatRepr } from '../python/value';

/** ruamel's representer for plain data: JS values to YAML nodes (the emitter writes them). */

export type ScalarTag = 'str' | 'int' | 'float' | 'bool' | 'null' | 'timestamp';

export interface ScalarNode {
  kind: 'scalar';
  tag: ScalarTag;
  value: string;
}
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

/** `root`: nothing has been represented yet, so a `None` is written `null`, not left empty. */
export function represent(data: unknown, root = false): YamlNode {
  if (data === null) return scalar('null', root ? 'null' : '');
  if (data === undefined) throw new TypeError('dumpLockYaml: cannot represent undefined');
  if (typeof data === 'string') return scalar('str', data);
  if (typeof data === 'boolean') return scalar('bool', data ? 'true' : 'false');
  if (typeof data === 'bigint') return scalar('int', data.toString());
  if (typeof data === 'number') return Number.isInteger(data) ? scalar('int', intText(data)) : floatNode(data);
  if (data instanceof PyFloat) return floatNode(data.value);
  if (data instanceof PyDate) return scalar('timestamp', data.text);
  if (Array.isArray(data)) return { kind: 'seq', items: data.map((item) => represent(item)) };
  if (data instanceof Map) {
    return { kind: 'map', pairs: [...data].map(([k, v]) => [represent(k), represent(v)]) };
  }
  if (typeof data === 'object') {
    const proto = Object.getPrototypeOf(data);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`dumpLockYaml: cannot represent a ${proto?.constructor?.name ?? 'object'}`);
    }
    const pairs: [YamlNode, YamlNode][] = [];
    for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
      if (v !== undefined) pairs.push([scalar('str', k), represent(v)]);
    }
    return { kind: 'map', pairs };
  }
  throw new TypeError(`dumpLockYaml: cannot represent a ${typeof data}`);
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

/**
 * Parameter and variable values as the generated files spell them. A float keeps its own text
 * (`2.0`, `1e-05`) because JavaScript numbers would print `2` and lose what the test is about.
 */
export class Float {
  constructor(readonly text: string) {}
}

export type Scalar = string | number | boolean | null | Float;
export type Value = Scalar | Value[] | { [key: string]: Value };
export type Dict = { [key: string]: Value };

export function isDict(value: Value): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Float);
}

const PLAIN_YAML = /^[A-Za-z_][A-Za-z0-9_ .\/${}@<>&|=+'-]*$/;
const YAML_KEYWORDS = /^(true|false|yes|no|on|off|y|n|null|~)$/i;

/** A string as a YAML scalar: plain where that reads back as the same string, else double-quoted. */
export function yamlString(text: string): string {
  const plain = PLAIN_YAML.test(text) && !/: | #|:$|\s$/.test(text) && !YAML_KEYWORDS.test(text) && !/^[0-9.+-]/.test(text);
  return plain ? text : JSON.stringify(text);
}

function yamlScalar(value: Scalar): string {
  if (value instanceof Float) return value.text;
  if (typeof value === 'string') return yamlString(value);
  return value === null ? 'null' : String(value);
}

/** Block-style YAML, two spaces per level; empty collections in flow style. */
export function toYaml(value: Value, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return `${indent}[]\n`;
    return value.map((item) => yamlItem('- ', item, indent)).join('');
  }
  if (isDict(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return `${indent}{}\n`;
    return keys.map((key) => yamlItem(`${yamlString(key)}:`, value[key], indent, true)).join('');
  }
  return `${indent}${yamlScalar(value)}\n`;
}

function yamlItem(prefix: string, item: Value, indent: string, isKey = false): string {
  const gap = isKey ? ' ' : '';
  if (typeof item === 'string' && item.includes('\n')) return `${indent}${prefix}${gap}|\n${item.replace(/\n$/, '').split('\n').map((l) => `${indent}  ${l}\n`).join('')}`;
  if ((Array.isArray(item) || isDict(item)) && Object.keys(item).length > 0) {
    if (!isKey && isDict(item)) {
      const [first, ...rest] = toYaml(item, `${indent}  `).split('\n');
      return `${indent}${prefix}${first.trimStart()}\n${rest.join('\n')}`;
    }
    return `${indent}${prefix}\n${toYaml(item, `${indent}  `)}`;
  }
  return `${indent}${prefix}${gap}${toYaml(item).trimEnd()}\n`;
}

export function toJson(value: Value, indent = ''): string {
  if (value instanceof Float) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => toJson(v, indent)).join(', ')}]`;
  if (isDict(value)) {
    const inner = `${indent}  `;
    const entries = Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${toJson(v, inner)}`);
    return entries.length ? `{\n${entries.join(',\n')}\n${indent}}` : '{}';
  }
  return JSON.stringify(value);
}

/** TOML: scalars and arrays at the top, then one `[table]` per dict (nested as `[a.b]`). TOML has no null. */
export function toToml(dict: Dict, prefix = ''): string {
  const scalars = Object.entries(dict).filter(([, v]) => !isDict(v));
  const tables = Object.entries(dict).filter(([, v]) => isDict(v)) as [string, Dict][];
  let text = scalars.map(([k, v]) => `${k} = ${tomlValue(v)}\n`).join('');
  for (const [key, table] of tables) {
    const name = prefix ? `${prefix}.${key}` : key;
    text += `\n[${name}]\n${toToml(table, name).replace(/^\n/, '')}`;
  }
  return text;
}

function tomlValue(value: Value): string {
  if (value === null) throw new Error('TOML has no null');
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(', ')}]`;
  return toJson(value);
}

/** params.py: module constants, and classes whose attributes DVC reads as `Class.attr`. */
export function toPython(dict: Dict): string {
  let text = '';
  for (const [key, value] of Object.entries(dict)) {
    if (isDict(value)) {
      text += `\n\nclass ${key}:\n${Object.entries(value).map(([k, v]) => `    ${k} = ${pyValue(v)}\n`).join('')}`;
    } else text += `${key} = ${pyValue(value)}\n`;
  }
  return text;
}

function pyValue(value: Value): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value instanceof Float) return value.text;
  if (Array.isArray(value)) return `[${value.map(pyValue).join(', ')}]`;
  if (isDict(value)) return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pyValue(v)}`).join(', ')}}`;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

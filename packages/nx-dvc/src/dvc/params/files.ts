import { readFileSync, statSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { ParseError } from '../errors';
import { parseJson } from '../formats/json/load';
import { parsePythonParams } from '../formats/python/params-module';
import { PyDate, PyFloat } from '../formats/python/value';
import { decodeUtf8, loadYaml } from '../formats/yaml/load';

/**
 * Reads a params or vars file the way DVC picks a reader: by lower-cased suffix,
 * `.json`, `.toml`, `.py`, and YAML for anything else.
 */
export function parseParamsText(text: string, relpath: string): unknown {
  const suffix = relpath.slice(relpath.lastIndexOf('.')).toLowerCase();
  // DVC's message (`<format> file structure is corrupted`), then the parser's detail, as for YAML.
  const unreadable = (format: string, error: unknown): never => {
    throw new ParseError(`unable to read: '${relpath}', ${format} file structure is corrupted: ${(error as Error).message}`, relpath);
  };
  switch (suffix) {
    case '.json': {
      let data: unknown;
      try {
        data = parseJson(text);
      } catch (error) {
        return unreadable('JSON', error);
      }
      // `json.loads(text) or {}`
      const falsy = data === null || data === false || data === 0 || data === '' || (Array.isArray(data) && data.length === 0) || (data instanceof PyFloat && data.value === 0);
      return falsy ? {} : data;
    }
    case '.toml':
      try {
        return fromToml(parseToml(text, { integersAsBigInt: true }));
      } catch (error) {
        return unreadable('TOML', error);
      }
    case '.py':
      try {
        return parsePythonParams(text);
      } catch (error) {
        return unreadable('Python', error);
      }
    default:
      return loadYaml(text, relpath).data;
  }
}

export function readParamsFile(absPath: string, relpath: string): unknown {
  return parseParamsText(decodeUtf8(readFileSync(absPath), relpath), relpath);
}

export type PathKind = 'file' | 'dir' | 'missing';

export function pathKind(absPath: string): PathKind {
  const stat = statSync(absPath, { throwIfNoEntry: false });
  if (!stat) return 'missing';
  return stat.isDirectory() ? 'dir' : 'file';
}

/** tomlkit unwraps to Python ints and floats; smol-toml's bigints mark the ints. */
function fromToml(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return Number.isInteger(value) ? new PyFloat(value) : value;
  if (value instanceof Date) return new PyDate(value.toISOString());
  if (Array.isArray(value)) return value.map(fromToml);
  if (value && typeof value === 'object') {
    if (typeof (value as { toISOString?: unknown }).toISOString === 'function') {
      return new PyDate(String(value));
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromToml(v)]));
  }
  return value;
}

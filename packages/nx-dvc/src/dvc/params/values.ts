import { ParseError } from '../errors';
import { pathKind, readParamsFile } from './files';
import { isPlainObject } from '../formats/python/value';
import type { ParamsDependency } from '../stage/stage';

export type ParamsValues = Record<string, unknown>;

/** Looks up a dotted key (`train.lr`, `layers.0.units`) in parsed params. */
export function lookupParam(data: unknown, dotted: string): { found: boolean; value?: unknown } {
  let node = data;
  for (const part of dotted.split('.')) {
    // dpath matches a list index by its text: `0`, `12`; not `01` or `-1`.
    if (Array.isArray(node) && /^(?:0|[1-9]\d*)$/.test(part)) node = node[Number(part)];
    else if (isPlainObject(node) && Object.prototype.hasOwnProperty.call(node, part)) node = node[part];
    else return { found: false };
    if (node === undefined) return { found: false };
  }
  return { found: true, value: node };
}

/**
 * The values a stage tracks in one params file, as DVC stores them in dvc.lock:
 * `{ "<dotted key>": value }` for listed keys (absent keys left out), the whole top-level
 * mapping when the file is tracked whole. `undefined` when the file does not exist.
 */
export function readParamsValues(root: string, dep: ParamsDependency): ParamsValues | undefined {
  const kind = pathKind(`${root}/${dep.repoPath}`);
  if (kind === 'missing') return undefined;
  if (kind === 'dir') throw new ParseError(`'${dep.repoPath}' is a directory, expected a parameters file`, dep.repoPath);
  let data: unknown;
  try {
    data = readParamsFile(`${root}/${dep.repoPath}`, dep.repoPath);
  } catch (error) {
    if (error instanceof ParseError) throw new ParseError(`Unable to read parameters from '${dep.repoPath}'`, dep.repoPath);
    throw error;
  }
  if (dep.keys.length === 0) return isPlainObject(data) ? data : {};
  const values: ParamsValues = {};
  for (const key of dep.keys) {
    const { found, value } = lookupParam(data, key);
    if (found) values[key] = value;
  }
  return values;
}

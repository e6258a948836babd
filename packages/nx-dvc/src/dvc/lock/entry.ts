import type { ParamsValues } from '../params/values';
import { comparePythonStrings } from '../formats/python/value';
import type { Stage } from '../stage/stage';

/** What DVC records for one file or directory: `md5` ends in `.dir` for a directory. */
export interface HashInfo {
  md5: string;
  size: number;
  nfiles?: number;
  isexec?: boolean;
}

export interface LockPathEntry extends HashInfo {
  path: string;
}

/** One stage's entry in dvc.lock, keys in DVC's order: cmd, deps, params, outs. */
export interface LockEntry {
  cmd: string | string[];
  deps?: LockPathEntry[];
  params?: Record<string, ParamsValues>;
  outs?: LockPathEntry[];
}

/** `path, hash: md5, md5, size, nfiles, isexec`, exactly the keys DVC writes, in its order. */
export function lockPathEntry(path: string, info: HashInfo): Record<string, unknown> {
  const entry: Record<string, unknown> = { path, hash: 'md5', md5: info.md5, size: info.size };
  if (info.nfiles !== undefined) entry.nfiles = info.nfiles;
  if (info.isexec) entry.isexec = true;
  return entry;
}

/**
 * Builds the lock entry DVC writes after running a stage. `hashes` maps each dep/out path as
 * written in dvc.yaml to its hash; `params` maps each params file (as written) to its values.
 */
export function buildLockEntry(
  stage: Stage,
  hashes: Map<string, HashInfo>,
  params: Map<string, ParamsValues>,
): Record<string, unknown> {
  const entry: Record<string, unknown> = { cmd: stage.cmd };
  const section = (paths: string[]) =>
    [...new Set(paths)].sort(comparePythonStrings).map((path) => {
      const info = hashes.get(path);
      return info ? lockPathEntry(path, info) : { path }; // a URL dep: not hashed here
    });
  const deps = section(stage.deps.map((d) => d.path));
  if (deps.length) entry.deps = deps;
  const files = orderParamsFiles([...params.keys()]);
  if (files.length) {
    entry.params = Object.fromEntries(files.map((file) => [file, sortKeys(params.get(file)!)]));
  }
  const outs = section(stage.outs.map((o) => o.path));
  if (outs.length) entry.outs = outs;
  return entry;
}

/** Params files sorted by path, then `params.yaml` moved to the front. */
export function orderParamsFiles(files: string[]): string[] {
  const sorted = [...files].sort(comparePythonStrings);
  const index = sorted.indexOf('params.yaml');
  if (index > 0) sorted.unshift(...sorted.splice(index, 1));
  return sorted;
}

/** Top-level keys sorted; nested maps keep their file order. */
function sortKeys(values: ParamsValues): ParamsValues {
  return Object.fromEntries(Object.keys(values).sort(comparePythonStrings).map((key) => [key, values[key]]));
}

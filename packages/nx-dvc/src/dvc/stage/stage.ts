import { PathOutsideWorkspaceError, StageLoadError } from '../errors';
import { dirName, escapesRoot, isUrl, joinPath, normPath } from '../paths';
import { isPlainObject, pyTypeName } from '../formats/python/value';

export interface Dependency {
  /** As written in dvc.yaml after templating, relative to the stage's wdir. */
  path: string;
  /** Repo-relative, normalised; undefined for URLs, `ds://` datasets and paths outside the workspace. */
  repoPath?: string;
  /**
   * DVC's external dependency, a local path outside the workspace: normalised, absolute as written
   * or relative to the workspace root (`../data`). Hashed where it is, recorded as `path`.
   */
  outsidePath?: string;
}

export interface ParamsDependency {
  path: string;
  repoPath: string;
  /** Dotted keys; empty means the whole file is tracked. */
  keys: string[];
}

export interface Output {
  path: string;
  repoPath: string;
  cache: boolean;
  persist: boolean;
  metric: boolean;
  plot: boolean;
  push: boolean;
  remote?: string;
}

export interface Stage {
  /** The name inside its file: `train`, `train@small`. Absent for `.dvc` files. */
  name?: string;
  /** Repo-relative path of the dvc.yaml or .dvc file. */
  file: string;
  /** How DVC addresses the stage from the repository root. */
  addressing: string;
  /** Repo-relative working directory, '.' for the root. */
  wdir: string;
  cmd?: string | string[];
  deps: Dependency[];
  params: ParamsDependency[];
  outs: Output[];
  frozen: boolean;
  alwaysChanged: boolean;
  desc?: string;
  meta?: unknown;
  /** `dvc import` stages carry a repo dep and add no graph edges. */
  isImport?: boolean;
}

export function addressingOf(file: string, name?: string): string {
  if (name === undefined) return file;
  return file === 'dvc.yaml' ? name : `${file}:${name}`;
}

const DEFAULT_PARAMS_FILE = 'params.yaml';

/** Builds a pipeline stage from its resolved (templated) definition, as DVC's StageLoader. */
export function buildPipelineStage(file: string, name: string, data: Record<string, unknown>): Stage {
  const wdir = normPath(joinPath(dirName(file), typeof data.wdir === 'string' && data.wdir ? data.wdir : '.'));
  const where = { file, addressing: addressingOf(file, name) };
  return {
    name,
    file,
    addressing: where.addressing,
    wdir,
    cmd: data.cmd as string | string[],
    deps: ((data.deps ?? []) as unknown[]).map((p) => makeDependency(String(p), wdir, where)),
    params: mergeParams((data.params ?? []) as unknown[], where).map(([path, keys]) => ({
      path,
      repoPath: checkedRepoPath(path, wdir, 'params', where),
      keys,
    })),
    outs: (['outs', 'metrics', 'plots'] as const).flatMap((kind) =>
      Object.entries(mergeOutputs((data[kind] ?? []) as unknown[], where)).map(([path, flags]) =>
        makeOutput(path, flags, kind, wdir, where),
      ),
    ),
    frozen: data.frozen === true,
    alwaysChanged: data.always_changed === true,
    desc: typeof data.desc === 'string' ? data.desc : undefined,
    meta: data.meta,
  };
}

interface Where {
  file: string;
  addressing: string;
}

/** DVC's message names neither the file nor the stage; ours are shown without context, so they do. */
function inStage(where: Where): string {
  return `stage '${where.addressing}' in '${where.file}': `;
}

function isStageFileName(path: string): boolean {
  return path.endsWith('.dvc') || path.split('/').pop() === 'dvc.yaml';
}

export function makeDependency(path: string, wdir: string, where: Where): Dependency {
  if (isStageFileName(path)) throw new StageLoadError(`${inStage(where)}DVC file '${path}' cannot be a dependency.`, where.file);
  if (path.startsWith('ds://') || isUrl(path)) return { path };
  const resolved = normPath(joinPath(wdir, path));
  if (isOutside(path, resolved)) return { path, outsidePath: resolved };
  return { path, repoPath: resolved };
}

function isOutside(path: string, resolved: string): boolean {
  return path.startsWith('/') || resolved.startsWith('/') || escapesRoot(resolved);
}

function makeOutput(path: string, flags: Record<string, unknown>, kind: 'outs' | 'metrics' | 'plots', wdir: string, where: Where): Output {
  if (isStageFileName(path)) throw new StageLoadError(`${inStage(where)}DVC file '${path}' cannot be an output.`, where.file);
  const repoPath = normPath(joinPath(wdir, path));
  if (isUrl(path) || isOutside(path, repoPath)) throw outsideOutputError(path, flags.cache !== false, kind, where);
  if (repoPath === '.') {
    // DVC fails with "unexpected error" here; removing the output before a run would empty the workspace
    throw new PathOutsideWorkspaceError(
      `${inStage(where)}output '${path}' (${kind}) is the workspace root itself, which cannot be an output. Name a file or folder inside it.`,
      where.file,
    );
  }
  return {
    path,
    repoPath,
    cache: flags.cache !== false,
    persist: flags.persist === true,
    metric: kind === 'metrics',
    plot: kind === 'plots',
    push: flags.push !== false,
    remote: typeof flags.remote === 'string' ? flags.remote : undefined,
  };
}

/**
 * DVC 3 runs the command, then refuses to save a cached output outside the repository; nx-dvc
 * refuses before running, with DVC's text. An uncached one DVC accepts, but Nx can neither cache
 * nor restore it, and removing it before a run would delete outside the workspace.
 */
function outsideOutputError(path: string, cached: boolean, kind: string, where: Where): PathOutsideWorkspaceError {
  const message = cached
    ? `Saving cached external output ${path} is not supported since DVC 3.0. See <https://dvc.org/doc/user-guide/upgrade> for more info.`
    : `output '${path}' (${kind}) is outside the workspace. DVC 3 accepts it uncached, nx-dvc does not: Nx caches and restores ` +
      'outputs inside the workspace only. Write it under the project and copy it out in the command if needed.';
  return new PathOutsideWorkspaceError(`${inStage(where)}${message}`, where.file);
}

/** Resolves a path against the wdir and refuses one that climbs out of the workspace. */
function checkedRepoPath(path: string, wdir: string, key: string, where: Where): string {
  const repoPath = normPath(joinPath(wdir, path));
  if (escapesRoot(repoPath) || path.startsWith('/') || repoPath.startsWith('/')) {
    throw new PathOutsideWorkspaceError(
      `stage '${where.addressing}' in '${where.file}': '${path}' in '${key}' points outside the workspace ` +
        `(resolves to '${repoPath}'). Paths must stay inside the Nx workspace; use a path relative to the stage's wdir.`,
      where.file,
    );
  }
  return repoPath;
}

/** `outs: [a, {b: {cache: false}}]` -> one entry per path; repeated paths merge their flags. */
function mergeOutputs(list: unknown[], where: Where): Record<string, Record<string, unknown>> {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const entry of list) {
    if (typeof entry === 'string') {
      merged[entry] = { ...merged[entry] };
      continue;
    }
    // DVC crashes (ValueError) on an entry that `${}` turned into a scalar.
    if (!isPlainObject(entry)) throw new StageLoadError(`${inStage(where)}'${pyTypeName(entry)}' not supported.`, where.file);
    for (const [path, flags] of Object.entries(entry as Record<string, unknown>)) {
      if (!isPlainObject(flags)) {
        throw new StageLoadError(`${inStage(where)}Expected dict for '${path}', got: '${pyTypeName(flags)}'`, where.file);
      }
      merged[path] = { ...merged[path], ...flags };
    }
  }
  return merged;
}

/** DVC's `_merge_params`: bare keys go to params.yaml; a file listed with no keys is tracked whole. */
function mergeParams(list: unknown[], where: Where): [string, string[]][] {
  const whole = new Set<string>();
  for (const entry of list) {
    if (!isPlainObject(entry)) continue;
    for (const [file, keys] of Object.entries(entry)) if (!keys || (Array.isArray(keys) && keys.length === 0) || (isPlainObject(keys) && Object.keys(keys).length === 0)) whole.add(file);
  }
  const merged = new Map<string, string[]>();
  const add = (file: string, keys: string[]) => merged.set(file, [...(merged.get(file) ?? []), ...keys]);
  for (const entry of list) {
    if (typeof entry === 'string') {
      if (!whole.has(DEFAULT_PARAMS_FILE)) add(DEFAULT_PARAMS_FILE, [entry]);
      continue;
    }
    if (!isPlainObject(entry)) {
      throw new StageLoadError(`${inStage(where)}Only list of str/dict is supported. Got: '${pyTypeName(entry)}'.`, where.file);
    }
    for (const [file, keys] of Object.entries(entry)) {
      if (whole.has(file)) merged.set(file, []);
      else if (!Array.isArray(keys)) {
        throw new StageLoadError(
          `${inStage(where)}Expected list of params for custom params file '${file}', got '${pyTypeName(keys)}'.`,
          where.file,
        );
      } else add(file, keys.map(String));
    }
  }
  return [...merged];
}

import { SINGLE_STAGE_SCHEMA, validate } from './schema';
import { dirName, joinPath, normPath } from '../paths';
import { isPlainObject } from '../formats/python/value';
import { makeDependency, type Output, type Stage } from '../stage/stage';
import { loadYaml } from '../formats/yaml/load';
import { PathOutsideWorkspaceError } from '../errors';
import { escapesRoot } from '../paths';

/**
 * A `.dvc` file (written by `dvc add` or `dvc import`) is a single stage addressed by its path.
 * In the graph it is a data source: pipeline stages that read its output depend on it.
 */
export function loadSingleStageFile(file: string, text: string): Stage {
  const loaded = loadYaml(text, file);
  validate(loaded, SINGLE_STAGE_SCHEMA, file);
  const data = loaded.data as Record<string, unknown>;
  const wdir = normPath(joinPath(dirName(file), typeof data.wdir === 'string' ? data.wdir : '.'));
  const where = { file, addressing: file };
  const rawDeps = (data.deps ?? []) as Record<string, unknown>[];
  const isImport = rawDeps.some((dep) => isPlainObject(dep.repo));
  return {
    file,
    addressing: file,
    wdir,
    cmd: data.cmd as string | string[] | undefined,
    deps: isImport ? rawDeps.map((dep) => ({ path: String(dep.path) })) : rawDeps.map((dep) => makeDependency(String(dep.path), wdir, where)),
    params: [],
    outs: ((data.outs ?? []) as Record<string, unknown>[]).map((out) => singleOutput(out, wdir, file)),
    frozen: data.frozen === true || data.locked === true || isImport,
    alwaysChanged: data.always_changed === true,
    desc: typeof data.desc === 'string' ? data.desc : undefined,
    meta: data.meta,
    isImport,
  };
}

function singleOutput(out: Record<string, unknown>, wdir: string, file: string): Output {
  const path = String(out.path);
  const repoPath = normPath(joinPath(wdir, path));
  if (escapesRoot(repoPath) || path.startsWith('/')) {
    throw new PathOutsideWorkspaceError(`'${file}': output '${path}' points outside the workspace.`, file);
  }
  return {
    path,
    repoPath,
    cache: out.cache !== false,
    persist: out.persist === true,
    metric: false,
    plot: false,
    push: out.push !== false,
    remote: typeof out.remote === 'string' ? out.remote : undefined,
  };
}

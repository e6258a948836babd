import { readParamsValues } from '../params/values';
import { pathKind } from '../params/files';
import { isPlainObject, pyEquals } from '../formats/python/value';
import type { Dependency, ParamsDependency, Stage } from './stage';
import { hashDependency, isHashedDependency } from './dependency-hash';
import { resolve } from 'node:path';
import type { WorkspaceHasher } from '../hashing/workspace-hasher';

/** A params file is deleted or new as a whole, or lists its changed keys. */
export type ParamsStatus = 'deleted' | 'new' | Record<string, 'deleted' | 'new' | 'modified'>;

/** Why DVC calls a stage changed, in the words `dvc status` uses. */
export type StageChange =
  | { kind: 'command' }
  | { kind: 'always changed' }
  /** `repoPath` as `dvc status` shows it: repo-relative, or absolute for a dep outside the workspace. */
  | { kind: 'dep'; path: string; repoPath: string; status: 'deleted' | 'modified' }
  | { kind: 'params'; path: string; repoPath: string; status: ParamsStatus }
  | { kind: 'out'; path: string; repoPath: string; status: 'deleted' | 'modified' | 'not in cache' };

export interface StatusOptions {
  /** Stop at the first change, as `dvc repro` does; `dvc status` lists them all. */
  firstOnly?: boolean;
  /** Whether DVC's cache holds an object (`md5` or `md5.dir`); omitted, cache state is not checked. */
  inCache?: (md5: string) => boolean;
  /**
   * `dvc repro --allow-missing`: a dep or an output missing from the workspace (or an output missing
   * from DVC's cache) is no change, unless an upstream stage's output at that dep holds other data.
   */
  allowMissing?: boolean;
  /** With `allowMissing`: the md5 of each upstream output (repo path), as the upstream stage records it now. */
  upstreamOuts?: ReadonlyMap<string, string>;
}

type Recorded = Record<string, unknown> | undefined;

/**
 * DVC's `Stage.changed` against the stage's dvc.lock entry: the command first, then deps and
 * params (not for frozen stages), then outputs. No entry at all means changed.
 */
export async function stageChanges(stage: Stage, recorded: Recorded, hasher: WorkspaceHasher, options: StatusOptions = {}): Promise<StageChange[]> {
  const changes: StageChange[] = [];
  const done = () => options.firstOnly === true && changes.length > 0;
  if (recorded && !commandEquals(recorded.cmd, stage.cmd)) changes.push({ kind: 'command' });
  if (done()) return changes;
  if (!stage.frozen) {
    if (isCallback(stage) || stage.alwaysChanged) changes.push({ kind: 'always changed' });
    else {
      for (const change of await depChanges(stage, recorded, hasher, options)) {
        changes.push(change);
        if (done()) return changes;
      }
    }
  }
  if (done()) return changes;
  for (const change of await outChanges(stage, recorded, hasher, options)) {
    changes.push(change);
    if (done()) return changes;
  }
  return changes;
}

/** A stage with a command and neither deps nor outs runs every time. */
export function isCallback(stage: Stage): boolean {
  return stage.cmd !== undefined && stage.deps.length === 0 && stage.outs.length === 0 && stage.params.length === 0;
}

/** Exact, as DVC compares them: a string never equals a list. */
function commandEquals(recorded: unknown, cmd: Stage['cmd']): boolean {
  if (Array.isArray(cmd)) return Array.isArray(recorded) && recorded.length === cmd.length && cmd.every((c, i) => recorded[i] === c);
  return recorded === cmd;
}

function recordedPaths(recorded: Recorded, section: 'deps' | 'outs'): Map<string, Record<string, unknown>> {
  const list = recorded?.[section];
  const entries = Array.isArray(list) ? list.filter(isPlainObject) : [];
  return new Map(entries.map((e) => [String(e.path), e]));
}

async function depChanges(stage: Stage, recorded: Recorded, hasher: WorkspaceHasher, options: StatusOptions): Promise<StageChange[]> {
  const { firstOnly } = options;
  const changes: StageChange[] = [];
  const known = recordedPaths(recorded, 'deps');
  for (const dep of stage.deps) {
    if (!isHashedDependency(dep)) continue; // URLs and datasets: not hashed here
    const hash = await hashDependency(hasher, dep);
    const { path } = dep;
    const repoPath = dep.repoPath ?? shownOutsidePath(hasher.root, dep);
    if (!hash) {
      if (!options.allowMissing) changes.push({ kind: 'dep', path, repoPath, status: 'deleted' });
      else if (upstreamChanged(dep, known.get(path), options.upstreamOuts)) changes.push({ kind: 'dep', path, repoPath, status: 'modified' });
    } else if (!sameHash(known.get(path), hash.md5)) changes.push({ kind: 'dep', path, repoPath, status: 'modified' });
    if (firstOnly && changes.length) return changes;
  }
  const recordedParams = isPlainObject(recorded?.params) ? (recorded!.params as Record<string, unknown>) : {};
  for (const params of stage.params) {
    const status = paramsStatus(hasher.root, params, recordedParams[params.path]);
    if (status) changes.push({ kind: 'params', path: params.path, repoPath: params.repoPath, status });
    if (firstOnly && changes.length) return changes;
  }
  return changes;
}

async function outChanges(stage: Stage, recorded: Recorded, hasher: WorkspaceHasher, options: StatusOptions): Promise<StageChange[]> {
  const changes: StageChange[] = [];
  const known = recordedPaths(recorded, 'outs');
  for (const out of stage.outs) {
    const entry = known.get(out.path);
    const md5 = typeof entry?.md5 === 'string' ? entry.md5 : undefined;
    const { path, repoPath } = out;
    if (md5 && out.cache && options.inCache && !options.inCache(md5)) {
      if (!options.allowMissing) changes.push({ kind: 'out', path, repoPath, status: 'not in cache' });
    } else {
      const hash = await hasher.hash(out.repoPath);
      if (!hash) {
        if (!options.allowMissing) changes.push({ kind: 'out', path, repoPath, status: 'deleted' });
      } else if (!sameHash(entry, hash.md5)) changes.push({ kind: 'out', path, repoPath, status: 'modified' });
    }
    if (options.firstOnly && changes.length) return changes;
  }
  return changes;
}

/**
 * DVC's `_changed_deps` with `allow_missing`: a missing dep still counts, as modified, when an
 * upstream stage's output at the same path holds other data than this stage recorded reading.
 */
function upstreamChanged(dep: Dependency, entry: Record<string, unknown> | undefined, upstreamOuts?: ReadonlyMap<string, string>): boolean {
  const upstream = dep.repoPath === undefined ? undefined : upstreamOuts?.get(dep.repoPath);
  return upstream !== undefined && entry?.md5 !== upstream;
}

/** How `dvc status` names an outside dep: absolute as written, else resolved (DVC's `fs_path`). */
function shownOutsidePath(root: string, dep: Dependency): string {
  return dep.path.startsWith('/') ? dep.path : resolve(root, dep.outsidePath!);
}

/**
 * An entry written by DVC 3 (`hash: md5`) matches on its md5. Entries of DVC 2 (no `hash` key)
 * hold a dos2unix md5, which is not computed here: such a path reads as modified, so the stage
 * runs once and its entry is rewritten in DVC 3 form, as `dvc commit` would.
 */
function sameHash(entry: Record<string, unknown> | undefined, md5: string): boolean {
  return entry !== undefined && entry.hash === 'md5' && entry.md5 === md5;
}

/** DVC's `ParamsDependency.workspace_status`: values compared with Python's `==`. */
function paramsStatus(root: string, params: ParamsDependency, recorded: unknown): ParamsStatus | undefined {
  if (pathKind(`${root}/${params.repoPath}`) !== 'file') return 'deleted';
  if (!isPlainObject(recorded)) return 'new';
  const current = readParamsValues(root, params) ?? {};
  const keys = params.keys.length ? params.keys : [...new Set([...Object.keys(current), ...Object.keys(recorded)])];
  const changed: Record<string, 'deleted' | 'new' | 'modified'> = {};
  for (const key of keys) {
    if (!Object.hasOwn(current, key)) changed[key] = 'deleted';
    else if (!Object.hasOwn(recorded, key)) changed[key] = 'new';
    else if (!pyEquals(current[key], recorded[key])) changed[key] = 'modified';
  }
  return Object.keys(changed).length ? changed : undefined;
}

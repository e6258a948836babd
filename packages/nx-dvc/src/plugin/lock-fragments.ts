import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { writeFileAtomic } from '../dvc/atomic-write';
import { dumpLockYaml } from '../dvc/lock-yaml';
import { isPlainObject } from '../dvc/py-value';
import { loadYaml } from '../dvc/yaml-load';

/**
 * What a stage task leaves for dvc.lock. Each task writes its entry to a small file declared as
 * one of its Nx outputs, so a cache hit restores it like any output; the `postTasksExecution`
 * hook then merges the entries of every task that ran or was restored into dvc.lock.
 * Written as YAML with the dvc.lock emitter, so params keep their Python types (`2.0` stays float).
 */
export interface LockFragment {
  dvcFile: string;
  stage: string;
  entry: Record<string, unknown>;
  /** Outputs with `cache: true`: they get `.gitignore` entries and go into DVC's cache. */
  cached: CachedOutput[];
}

export interface CachedOutput {
  /** Repo-relative. */
  path: string;
  md5: string;
  isexec?: boolean;
  /** A directory's files as `[relpath, md5]`, enough to rebuild its `.dir` object. */
  files?: [string, string][];
}

const FRAGMENTS_DIR = 'nx-dvc/lock-entries';

export function fragmentsDirectory(dataDirectory: string): string {
  return join(dataDirectory, FRAGMENTS_DIR);
}

export function fragmentPath(dvcFile: string, stage: string, dataDirectory: string): string {
  const id = createHash('sha256').update(`${dvcFile}\0${stage}`).digest('hex').slice(0, 16);
  return join(fragmentsDirectory(dataDirectory), `${stage.replace(/[^\w.@-]/g, '_')}-${id}.yaml`);
}

/** The `{workspaceRoot}/…` output of a stage's fragment; undefined if Nx keeps its data outside the workspace. */
export function fragmentOutput(root: string, dvcFile: string, stage: string, dataDirectory: string): string | undefined {
  const rel = relative(root, fragmentPath(dvcFile, stage, dataDirectory));
  if (rel.startsWith('..') || rel.startsWith(sep)) return undefined;
  return `{workspaceRoot}/${rel.split(sep).join('/')}`;
}

export function writeFragment(path: string, fragment: LockFragment): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, dumpLockYaml({ ...fragment }));
}

export function removeFragment(path: string): void {
  rmSync(path, { force: true });
}

export function readFragment(path: string): LockFragment | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const data = loadYaml(text, path).data;
  if (!isPlainObject(data) || typeof data.dvcFile !== 'string' || typeof data.stage !== 'string' || !isPlainObject(data.entry)) return undefined;
  return {
    dvcFile: data.dvcFile,
    stage: data.stage,
    entry: data.entry,
    cached: Array.isArray(data.cached) ? (data.cached.filter(isPlainObject) as unknown as CachedOutput[]) : [],
  };
}

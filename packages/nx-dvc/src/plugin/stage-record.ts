import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { writeFileAtomic } from '../dvc/atomic-write';
import { DvcCache } from '../dvc/cache/dvc-cache';
import { DvcError } from '../dvc/errors';
import { ignoreOutputs } from '../dvc/repo/gitignore';
import { buildGraph } from '../dvc/repo/graph';
import { dirManifest } from '../dvc/hashing/manifest';
import { lockFileOf, updateLockFile } from '../dvc/lock/lockfile';
import { dumpLockYaml } from '../dvc/formats/yaml/ruamel-emitter';
import { loadPipelineFromDisk } from '../dvc/parsing/pipeline-file';
import { walkOrder } from '../dvc/repo/pipeline-index';
import type { CachedOutput } from '../dvc/stage/reproduce';
import { executionOrder } from '../dvc/repo/plan';
import { isPlainObject } from '../dvc/formats/python/value';
import { loadYaml } from '../dvc/formats/yaml/load';
import { workspaceDataDirectoryOf } from './workspace-data';

/**
 * What a stage task leaves for dvc.lock. Each task writes its entry to a small file declared as
 * one of its Nx outputs, so a cache hit restores it like any output; the `postTasksExecution`
 * hook then merges the entries of every task that ran or was restored into dvc.lock.
 * Written as YAML with the dvc.lock emitter, so params keep their Python types (`2.0` stays float).
 */
export type { CachedOutput };

export interface LockFragment {
  dvcFile: string;
  stage: string;
  entry: Record<string, unknown>;
  /** Outputs with `cache: true`: they get `.gitignore` entries and go into DVC's cache. */
  cached: CachedOutput[];
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

/** By dvc.yaml in DVC's collection order, then by the order `dvc repro` runs the file's stages. */
/** A stage task that ran, or whose fragment Nx restored from a cache. */
export interface FinishedStage {
  fragment: LockFragment;
  fromCache: boolean;
}

/**
 * Records what a command's stage tasks left: entries into each dvc.lock in the order `dvc repro`
 * would have run the stages, whatever order Nx finished them in; outputs Nx restored go into
 * DVC's cache too.
 */
export async function recordFinishedStages(
  root: string,
  finished: FinishedStage[],
  { ignoreOutputs: ignore, dvcCache }: { ignoreOutputs: boolean; dvcCache?: boolean },
): Promise<void> {
  const ordered = inRunOrder(root, finished);
  await recordStages(root, ordered.map((f) => f.fragment), { ignoreOutputs: ignore });
  refillDvcCache(root, ordered, dvcCache);
}

function inRunOrder(root: string, completed: FinishedStage[]): FinishedStage[] {
  const ranks = new Map<string, Map<string, number>>();
  for (const file of new Set(completed.map((c) => c.fragment.dvcFile))) ranks.set(file, stageRanks(root, file));
  return [...completed].sort((a, b) => {
    const byFile = a.fragment.dvcFile === b.fragment.dvcFile ? 0 : walkOrder(a.fragment.dvcFile, b.fragment.dvcFile);
    if (byFile) return byFile;
    const rank = ranks.get(a.fragment.dvcFile)!;
    return (rank.get(a.fragment.stage) ?? Infinity) - (rank.get(b.fragment.stage) ?? Infinity) || (a.fragment.stage < b.fragment.stage ? -1 : 1);
  });
}

function stageRanks(root: string, file: string): Map<string, number> {
  try {
    const stages = loadPipelineFromDisk(root, file).stages;
    return new Map(executionOrder(buildGraph(stages), stages).map((stage, i) => [stage.name!, i]));
  } catch (error) {
    if (error instanceof DvcError) return new Map();
    throw error;
  }
}

/** Merges the entries into each dvc.lock, in the order given, then adds the outputs' `.gitignore` lines. */
export async function recordStages(
  root: string,
  fragments: LockFragment[],
  { ignoreOutputs: ignore, dataDirectory = workspaceDataDirectoryOf(root) }: { ignoreOutputs: boolean; dataDirectory?: string },
): Promise<void> {
  const byLock = new Map<string, [string, Record<string, unknown>][]>();
  for (const fragment of fragments) {
    const lock = lockFileOf(fragment.dvcFile);
    byLock.set(lock, [...(byLock.get(lock) ?? []), [fragment.stage, fragment.entry]]);
  }
  for (const [lock, entries] of byLock) {
    const lockDir = join(dataDirectory, 'nx-dvc', 'locks', `${lock.replace(/\//g, '__')}.lock`);
    await updateLockFile(join(root, lock), lock, entries, lockDir);
  }
  if (ignore) ignoreOutputs(root, fragments.flatMap((f) => f.cached.map((o) => o.path)));
}

/** Outputs Nx restored from its cache go into DVC's cache too, as if the stage had just run. */
function refillDvcCache(root: string, completed: FinishedStage[], enabled: boolean | undefined): void {
  const cache = DvcCache.forWorkspace(root, enabled);
  if (!cache) return;
  for (const { fragment } of completed.filter((c) => c.fromCache)) {
    for (const out of fragment.cached) {
      if (cache.has(out.md5)) continue;
      const abs = join(root, out.path);
      if (out.files) {
        const { manifest, sorted } = dirManifest(out.files.map(([relpath, md5]) => ({ relpath, md5, size: 0, isexec: false })));
        cache.save(abs, { md5: out.md5, size: 0, nfiles: sorted.length, manifest, entries: sorted });
      } else {
        cache.save(abs, { md5: out.md5, size: 0, isexec: out.isexec === true });
      }
    }
  }
}

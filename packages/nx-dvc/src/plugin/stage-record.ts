import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { writeFileAtomic } from '../dvc/atomic-write';
import { ignoreOutputs } from '../dvc/repo/gitignore';
import { lockFileOf, updateLockFile } from '../dvc/lock/lockfile';
import { dumpLockYaml } from '../dvc/formats/yaml/ruamel-emitter';
import { buildIndex, tryLoadPipeline, walkOrder } from '../dvc/repo/pipeline-index';
import { diskHost } from '../dvc/parsing/resolver';
import { inferredPipeline } from './inferred-pipelines';
import type { CachedOutput } from '../dvc/stage/reproduce';
import type { LockFragment } from './lock-fragment';
import { addressingOf } from '../dvc/stage/stage';
import { executionOrder } from '../dvc/repo/plan';
import { isPlainObject } from '../dvc/formats/python/value';
import { loadYaml } from '../dvc/formats/yaml/load';
import { workspaceDataDirectoryOf } from './workspace-data';
import { checkoutRestoredStages, type MissingData } from './restore-hits';

export type { CachedOutput, LockFragment };

const FRAGMENTS_DIR = 'nx-dvc/lock-entries';

export function fragmentsDirectory(dataDirectory: string): string {
  return join(dataDirectory, FRAGMENTS_DIR);
}

export function fragmentPath(dvcFile: string, stage: string, dataDirectory: string): string {
  return join(fragmentsDirectory(dataDirectory), `${recordName(dvcFile, stage)}.yaml`);
}

/** The `{workspaceRoot}/…` output of a stage's fragment; undefined if Nx keeps its data outside the workspace. */
export function fragmentOutput(root: string, dvcFile: string, stage: string, dataDirectory: string): string | undefined {
  return workspaceOutput(root, fragmentPath(dvcFile, stage, dataDirectory));
}

const OUTS_RECORDS_DIR = 'nx-dvc/out-records';

/**
 * Where a stage leaves its outs record: the path and md5 of each DVC-cached output, nothing else.
 * Downstream stages hash this small file instead of the data, so Nx can hash them before the data
 * is checked out, and a re-run that writes the same bytes leaves them cached (early cut-off).
 */
export function outsRecordPath(dvcFile: string, stage: string, dataDirectory: string): string {
  return join(dataDirectory, OUTS_RECORDS_DIR, `${recordName(dvcFile, stage)}.json`);
}

/** The `{workspaceRoot}/…` output of a stage's outs record; undefined if Nx keeps its data outside the workspace. */
export function outsRecordOutput(root: string, dvcFile: string, stage: string, dataDirectory: string): string | undefined {
  return workspaceOutput(root, outsRecordPath(dvcFile, stage, dataDirectory));
}

function recordName(dvcFile: string, stage: string): string {
  const id = createHash('sha256').update(`${dvcFile}\0${stage}`).digest('hex').slice(0, 16);
  return `${stage.replace(/[^\w.@-]/g, '_')}-${id}`;
}

function workspaceOutput(root: string, path: string): string | undefined {
  const rel = relative(root, path);
  if (rel.startsWith('..') || rel.startsWith(sep)) return undefined;
  return `{workspaceRoot}/${rel.split(sep).join('/')}`;
}

export function writeOutsRecord(path: string, cached: CachedOutput[]): void {
  const outs = cached.map((o) => ({ path: o.path, md5: o.md5, ...(o.isexec ? { isexec: true } : {}) })).sort((a, b) => (a.path < b.path ? -1 : 1));
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, `${JSON.stringify({ outs }, null, 1)}\n`);
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
  return parseFragment(text, path);
}

/** A fragment file's text as a fragment; undefined when it is not one. */
export function parseFragment(text: string, path: string): LockFragment | undefined {
  const data = loadYaml(text, path).data;
  if (!isPlainObject(data) || typeof data.dvcFile !== 'string' || typeof data.stage !== 'string' || !isPlainObject(data.entry)) return undefined;
  return {
    dvcFile: data.dvcFile,
    stage: data.stage,
    entry: data.entry,
    cached: Array.isArray(data.cached) ? (data.cached.filter(isPlainObject) as unknown as CachedOutput[]) : [],
  };
}

/** A stage task that ran, or whose fragment Nx restored from a cache. */
export interface FinishedStage {
  fragment: LockFragment;
  fromCache: boolean;
  /** Run with `--allow-missing`: a hit's outputs missing from the workspace stay missing, as DVC skips such a stage. */
  allowMissing?: boolean;
}

/**
 * Records what a command's stage tasks left: entries into each dvc.lock in the order `dvc repro`
 * would have run the stages, whatever order Nx finished them in. Stages Nx restored from its cache
 * get their DVC-cached outputs checked out first; one whose data cannot be found is not recorded
 * (no dvc.lock entry, no `.gitignore` line) and is returned. Also returns the `.gitignore` files changed.
 */
export async function recordFinishedStages(
  root: string,
  finished: FinishedStage[],
  { ignoreOutputs: ignore, dvcCache }: { ignoreOutputs: boolean; dvcCache?: boolean },
): Promise<RecordedStages & { missing: MissingData[]; remote?: string }> {
  const ordered = inRunOrder(root, finished);
  const hits = ordered.filter((f) => f.fromCache);
  const checked = hits.map((f) => ({ ...f.fragment, cached: outputsToCheckOut(root, f.fragment.cached, f.allowMissing) }));
  const { missing, remote } = await checkoutRestoredStages(root, checked, dvcCache);
  const incomplete = new Set(missing.map((m) => hits[checked.indexOf(m.fragment)]!.fragment));
  const complete = ordered.map((f) => f.fragment).filter((f) => !incomplete.has(f));
  return { ...(await recordStages(root, complete, { ignoreOutputs: ignore })), missing, remote };
}

/** A hit's outputs to check out: under `--allow-missing`, not those the workspace lacks (DVC skips such a stage). */
export function outputsToCheckOut(root: string, cached: CachedOutput[], allowMissing: boolean | undefined): CachedOutput[] {
  return allowMissing ? cached.filter((o) => existsSync(join(root, o.path))) : cached;
}

/**
 * In the order `dvc repro -P` runs them: a post-order walk of the graph of every dvc.yaml involved,
 * stages in DVC's collection order. A file's stages interleave with those of the files they read
 * from or feed, and so do their dvc.lock entries and `.gitignore` lines.
 */
export function inRunOrder(root: string, completed: FinishedStage[]): FinishedStage[] {
  const rank = stageRanks(root, [...new Set(completed.map((c) => c.fragment.dvcFile))]);
  const rankOf = (c: FinishedStage) => rank.get(addressingOf(c.fragment.dvcFile, c.fragment.stage)) ?? Infinity;
  return [...completed].sort((a, b) => {
    const byRank = rankOf(a) - rankOf(b);
    if (byRank) return byRank;
    const byFile = a.fragment.dvcFile === b.fragment.dvcFile ? 0 : walkOrder(a.fragment.dvcFile, b.fragment.dvcFile);
    return byFile || (a.fragment.stage < b.fragment.stage ? -1 : 1);
  });
}

function stageRanks(root: string, files: string[]): Map<string, number> {
  const { graph } = buildIndex(root, files, [], (file) => inferredPipeline(root, file) ?? tryLoadPipeline(diskHost(root), root, file));
  if (!graph) return new Map();
  return new Map(executionOrder(graph, graph.stages).map((stage, i) => [stage.addressing, i]));
}

/** One dvc.lock the fragments were merged into: its text before (undefined: no file) and after. */
export interface RecordedLock {
  lock: string;
  before?: string;
  after: string;
  fragments: LockFragment[];
}

export interface RecordedStages {
  /** The `.gitignore` files changed. */
  gitignores: string[];
  locks: RecordedLock[];
}

/** Merges the entries into each dvc.lock, in the order given, then adds the outputs' `.gitignore` lines. */
export async function recordStages(
  root: string,
  fragments: LockFragment[],
  { ignoreOutputs: ignore, dataDirectory = workspaceDataDirectoryOf(root) }: { ignoreOutputs: boolean; dataDirectory?: string },
): Promise<RecordedStages> {
  const byLock = new Map<string, LockFragment[]>();
  for (const fragment of fragments) {
    const lock = lockFileOf(fragment.dvcFile);
    byLock.set(lock, [...(byLock.get(lock) ?? []), fragment]);
  }
  const locks: RecordedLock[] = [];
  for (const [lock, lockFragments] of byLock) {
    const lockDir = join(dataDirectory, 'nx-dvc', 'locks', `${lock.replace(/\//g, '__')}.lock`);
    const entries = lockFragments.map((f): [string, Record<string, unknown>] => [f.stage, f.entry]);
    const { before, after } = await updateLockFile(join(root, lock), lock, entries, lockDir);
    locks.push({ lock, before, after, fragments: lockFragments });
  }
  const gitignores = ignore ? ignoreOutputs(root, fragments.flatMap((f) => f.cached.map((o) => o.path))) : [];
  return { gitignores, locks };
}

import { join, relative, sep } from 'node:path';
import type { TaskResults } from '@nx/devkit';
import { DvcCache } from '../dvc/dvc-cache';
import { ignoreOutputs } from '../dvc/gitignore';
import { dirManifest } from '../dvc/hashing';
import { lockFileOf, updateLockFile } from '../dvc/lockfile';
import { buildIndex, walkOrder } from '../dvc/pipeline-index';
import { executionOrder } from '../dvc/plan';
import { addressingOf } from '../dvc/stage';
import { fragmentsDirectory, readFragment, type LockFragment } from './lock-fragments';
import type { NxDvcPluginOptions } from './options';
import { workspaceDataDirectoryOf } from './workspace-data';

export interface TasksExecutionContext {
  readonly workspaceRoot: string;
  readonly taskResults: TaskResults;
}

const CACHE_HITS = new Set(['local-cache', 'local-cache-kept-existing', 'remote-cache']);
const COMPLETED = new Set(['success', ...CACHE_HITS]);

interface Completed {
  fragment: LockFragment;
  fromCache: boolean;
}

/**
 * Runs once after every `nx run`/`run-many`/`affected`, and is the only writer of dvc.lock: it
 * merges the entries of every stage task that ran or was restored from a cache. New entries go in
 * the order `dvc repro` would have run the stages, whatever order Nx finished them in.
 * As DVC, a run with a failed task adds no `.gitignore` entries.
 */
export async function postDvcTasksExecution(options: NxDvcPluginOptions | undefined, context: TasksExecutionContext): Promise<void> {
  const root = context.workspaceRoot;
  const completed = completedStages(root, context.taskResults);
  if (completed.length === 0) return;
  try {
    const ordered = inRunOrder(root, completed);
    const failed = Object.values(context.taskResults).some((r) => r.status === 'failure');
    await recordStages(root, ordered.map((c) => c.fragment), { ignoreOutputs: !failed });
    refillDvcCache(root, ordered, options?.dvcCache);
  } catch (error) {
    // Nx prints this message (no stack unless --verbose) and exits non-zero
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`nx-dvc: could not record the finished stages in dvc.lock: ${message}`);
  }
}

function completedStages(root: string, results: TaskResults): Completed[] {
  const fragmentsDir = relative(root, fragmentsDirectory(workspaceDataDirectoryOf(root))).split(sep).join('/');
  const completed: Completed[] = [];
  for (const result of Object.values(results)) {
    if (!COMPLETED.has(result.status)) continue;
    const output = (result.task.outputs ?? []).find((o) => o.startsWith(`${fragmentsDir}/`));
    const fragment = output && readFragment(join(root, output));
    if (fragment) completed.push({ fragment, fromCache: CACHE_HITS.has(result.status) });
  }
  return completed;
}

/**
 * In the order `dvc repro -P` runs them: a post-order walk of the graph of every dvc.yaml involved,
 * stages in DVC's collection order. A file's stages interleave with those of the files they read
 * from or feed, and so do their dvc.lock entries and `.gitignore` lines.
 */
function inRunOrder(root: string, completed: Completed[]): Completed[] {
  const rank = stageRanks(root, [...new Set(completed.map((c) => c.fragment.dvcFile))]);
  const rankOf = (c: Completed) => rank.get(addressingOf(c.fragment.dvcFile, c.fragment.stage)) ?? Infinity;
  return [...completed].sort((a, b) => {
    const byRank = rankOf(a) - rankOf(b);
    if (byRank) return byRank;
    const byFile = a.fragment.dvcFile === b.fragment.dvcFile ? 0 : walkOrder(a.fragment.dvcFile, b.fragment.dvcFile);
    return byFile || (a.fragment.stage < b.fragment.stage ? -1 : 1);
  });
}

function stageRanks(root: string, files: string[]): Map<string, number> {
  const { graph } = buildIndex(root, files, []);
  if (!graph) return new Map();
  return new Map(executionOrder(graph, graph.stages).map((stage, i) => [stage.addressing, i]));
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
function refillDvcCache(root: string, completed: Completed[], enabled: boolean | undefined): void {
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

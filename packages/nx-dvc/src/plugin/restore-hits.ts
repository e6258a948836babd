import { DvcCache } from '../dvc/cache/dvc-cache';
import { measured } from '../dvc/perf';
import { HashState } from '../dvc/hashing/state';
import { shutdownHashWorkers } from '../dvc/hashing/worker-pool';
import { WorkspaceHasher } from '../dvc/hashing/workspace-hasher';
import { checkoutRecorded, type CheckoutCollaborators } from '../dvc/stage/checkout-recorded';
import type { CachedOutput } from '../dvc/stage/reproduce';
import { addressingOf } from '../dvc/stage/stage';
import { missingDataPlace, missingObjectsFetcher } from '../dvc/remote/missing-objects';
import type { LockFragment } from './lock-fragment';
import { hashStatePath, workspaceDataDirectoryOf } from './workspace-data';

/** A stage restored from Nx's cache whose data could be found neither in DVC's cache nor on the remote. */
export interface MissingData {
  fragment: LockFragment;
  missing: CachedOutput[];
  /** Why the checkout failed, when it was not simply missing data (a remote that failed, an unsafe path). */
  error?: string;
}

/**
 * Nx restored only the records of these stages: their DVC-cached outputs are checked out from DVC's
 * cache (pulled from the DVC remote first when the cache lacks them), leaving the workspace as
 * `dvc repro` + `dvc checkout` would. Returns the stages whose data is nowhere to be found.
 */
export async function checkoutRestoredStages(root: string, hits: LockFragment[], dvcCache: boolean | undefined): Promise<{ missing: MissingData[]; remote?: string }> {
  const cache = DvcCache.forWorkspace(root, dvcCache);
  if (!cache || hits.every((h) => h.cached.length === 0)) return { missing: [] };
  const state = HashState.load(hashStatePath(workspaceDataDirectoryOf(root)));
  const fetcher = missingObjectsFetcher(root, cache);
  try {
    const hasher = new WorkspaceHasher(root, state);
    const missing = await measured('nx-dvc:checkout-hits', () => checkoutEach(root, hits, { cache, hasher, fetch: fetcher.fetch }));
    return { missing, remote: fetcher.remote };
  } finally {
    state.save();
    await shutdownHashWorkers();
  }
}

async function checkoutEach(root: string, hits: LockFragment[], collaborators: Omit<CheckoutCollaborators, 'owner'>): Promise<MissingData[]> {
  const missing: MissingData[] = [];
  for (const fragment of hits) {
    const owner = addressingOf(fragment.dvcFile, fragment.stage);
    try {
      const report = await checkoutRecorded(root, fragment.cached, { ...collaborators, owner });
      if (report.missing.length) missing.push({ fragment, missing: report.missing });
    } catch (error) {
      // one stage's failed checkout leaves it unrecorded; the other stages are still recorded
      missing.push({ fragment, missing: fragment.cached, error: (error as Error).message });
    }
  }
  return missing;
}

/** One message for every stage whose data is missing: which stage, which outputs, and the fix. */
export function missingDataMessage(missing: MissingData[], remote: string | undefined): string {
  const where = missingDataPlace(remote);
  // one cause shared by every stage (a remote nx-dvc cannot read, a refused request) is said once
  const errors = new Set(missing.map((m) => m.error));
  const shared = errors.size === 1 ? [...errors][0] : undefined;
  const lines = missing.map(({ fragment, missing: outs, error }) => {
    const paths = outs.map((o) => `'${o.path}'`).join(', ');
    return `  stage '${addressingOf(fragment.dvcFile, fragment.stage)}': ${paths}${error && !shared ? ` (${error})` : ''}`;
  });
  return [
    `nx-dvc: these stages came from the Nx cache, but the data of their outputs is ${where}:`,
    ...lines,
    ...(shared ? [shared] : []),
    'Their outputs were not checked out and dvc.lock does not record them. Fetch the data with `dvc pull` and run again, ' +
      'or reproduce the stages with `--skip-nx-cache`.',
  ].join('\n');
}

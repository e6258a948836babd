import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DvcCache } from '../../dvc/cache/dvc-cache';
import { DvcError } from '../../dvc/errors';
import type { WorkspaceHasher } from '../../dvc/hashing/workspace-hasher';
import { missingDataPlace, missingObjectsFetcher } from '../../dvc/remote/missing-objects';
import { checkoutRecorded } from '../../dvc/stage/checkout-recorded';
import type { CachedOutput } from '../../dvc/stage/reproduce';
import { addressingOf, type Stage } from '../../dvc/stage/stage';
import { fragmentPath, readFragment } from '../../plugin/stage-record';

/**
 * Before a stage runs, the DVC-cached outputs of its upstream stages that it reads are checked out
 * from DVC's cache (pulled from the DVC remote if need be): an upstream restored from Nx's cache in
 * this very run has only its record in the workspace until the run ends. Their records (lock
 * fragments) say which bytes the stage must see; only outputs missing from the workspace are
 * checked out, never over data it holds. Data found nowhere fails the stage with the fix.
 */
export async function checkoutUpstreamData(
  root: string,
  stage: Stage,
  upstream: { dvcFile: string; stage: string }[],
  { cache, hasher, dataDirectory }: { cache: DvcCache; hasher: WorkspaceHasher; dataDirectory: string },
): Promise<void> {
  const deps = stage.deps.flatMap((d) => (d.repoPath === undefined ? [] : [d.repoPath]));
  const fetcher = missingObjectsFetcher(root, cache);
  for (const producer of upstream) {
    const fragment = readFragment(fragmentPath(producer.dvcFile, producer.stage, dataDirectory));
    // only data the workspace lacks: a record may be stale (left by a run on another branch, say),
    // and bytes the workspace holds are never replaced on its word
    const read = (fragment?.cached ?? []).filter((out) => deps.some((dep) => overlaps(dep, out.path)) && !existsSync(join(root, out.path)));
    if (read.length === 0) continue;
    const owner = addressingOf(producer.dvcFile, producer.stage);
    const { missing } = await checkoutRecorded(root, read, { cache, hasher, owner, fetch: fetcher.fetch });
    if (missing.length) throw new DvcError(missingUpstreamMessage(owner, missing, fetcher.remote), stage.file);
  }
}

function overlaps(a: string, b: string): boolean {
  return a === b || a === '.' || b.startsWith(`${a}/`) || a.startsWith(`${b}/`);
}

function missingUpstreamMessage(owner: string, missing: CachedOutput[], remote: string | undefined): string {
  const where = missingDataPlace(remote);
  const paths = missing.map((o) => `'${o.path}'`).join(', ');
  return (
    `the data of ${paths}, output of stage '${owner}' (restored from the Nx cache), is ${where}. ` +
    'Fetch it with `dvc pull` and run again, or reproduce the stages with `--skip-nx-cache`.'
  );
}

import type { CachedOutput } from '../dvc/stage/reproduce';

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

import type { ExecutorContext } from '@nx/devkit';
import { DvcCache } from '../../dvc/cache/dvc-cache';
import { hashProgress } from '../../dvc/hashing/progress';
import { HashState } from '../../dvc/hashing/state';
import { shutdownHashWorkers } from '../../dvc/hashing/worker-pool';
import { formatStatus, formatStatusJson, stagesWithDataSources, statusOf } from '../../dvc/stage/status-report';
import { WorkspaceHasher } from '../../dvc/hashing/workspace-hasher';
import { hashStatePath, workspaceDataDirectoryOf } from '../../plugin/workspace-data';
import { reportDvcError, workspaceIndex } from '../workspace-pipelines';

export interface StatusExecutorOptions {
  dvcFile: string;
  /** `dvc status --json`. */
  json?: boolean;
  dvcCache?: boolean;
}

/**
 * `dvc status` for one dvc.yaml: which of its stages, and of the `.dvc` data sources they read,
 * changed and why, in DVC's words, from dvc.lock, the `.dvc` files and the files (hashes reused
 * from nx-dvc's state when size and mtime match). Runs nothing.
 */
export default async function statusExecutor(options: StatusExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const state = HashState.load(hashStatePath(workspaceDataDirectoryOf(context.root)));
  try {
    const { index, pipeline } = await workspaceIndex(context, options.dvcFile);
    const stages = stagesWithDataSources(index.graph!, pipeline.pipeline.stages);
    const cache = DvcCache.forWorkspace(context.root, options.dvcCache);
    const report = await statusOf(stages, new WorkspaceHasher(context.root, state, hashProgress((line) => console.error(line))), { inCache: cache && ((md5) => cache.has(md5)) });
    console.log(options.json ? formatStatusJson(report) : formatStatus(report));
    return { success: true };
  } catch (error) {
    return reportDvcError(error);
  } finally {
    state.save();
    await shutdownHashWorkers();
  }
}

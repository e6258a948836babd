import type { ExecutorContext } from '@nx/devkit';
import { DvcCache } from '../../dvc/cache/dvc-cache';
import { hashProgress } from '../../dvc/hashing/progress';
import { HashState } from '../../dvc/hashing/state';
import { shutdownHashWorkers } from '../../dvc/hashing/worker-pool';
import { loadPipelineFromDisk } from '../../dvc/parsing/pipeline-file';
import { formatStatus, statusOf } from '../../dvc/stage/status-report';
import { WorkspaceHasher } from '../../dvc/hashing/workspace-hasher';
import { hashStatePath, workspaceDataDirectoryOf } from '../../plugin/workspace-data';
import { reportDvcError } from '../workspace-pipelines';

export interface StatusExecutorOptions {
  dvcFile: string;
  /** `dvc status --json`. */
  json?: boolean;
  dvcCache?: boolean;
}

/**
 * `dvc status` for one dvc.yaml: which stages changed and why, in DVC's words, from dvc.lock and
 * the files (hashes reused from nx-dvc's state when size and mtime match). Runs nothing.
 */
export default async function statusExecutor(options: StatusExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const state = HashState.load(hashStatePath(workspaceDataDirectoryOf(context.root)));
  try {
    const { stages } = loadPipelineFromDisk(context.root, options.dvcFile);
    const cache = DvcCache.forWorkspace(context.root, options.dvcCache);
    const report = await statusOf(stages, new WorkspaceHasher(context.root, state, hashProgress((line) => console.error(line))), { inCache: cache && ((md5) => cache.has(md5)) });
    console.log(options.json ? JSON.stringify(report) : formatStatus(report));
    return { success: true };
  } catch (error) {
    return reportDvcError(error);
  } finally {
    state.save();
    await shutdownHashWorkers();
  }
}

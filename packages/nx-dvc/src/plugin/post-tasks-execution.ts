import { join, relative, sep } from 'node:path';
import type { TaskResults } from '@nx/devkit';
import { gitignoresNxHashes, hashedGitignoreWarning } from './nx-hashed-gitignores';
import type { NxDvcPluginOptions } from './options';
import { fragmentsDirectory, readFragment, recordFinishedStages, type FinishedStage } from './stage-record';
import { forgetRun } from './lock-generation';
import { missingDataMessage } from './restore-hits';
import { workspaceDataDirectoryOf } from './workspace-data';

export interface TasksExecutionContext {
  /** The command's id, the one the pre-tasks hook saw. */
  readonly id?: string;
  readonly workspaceRoot: string;
  readonly taskResults: TaskResults;
}

const CACHE_HITS = new Set(['local-cache', 'local-cache-kept-existing', 'remote-cache']);
const COMPLETED = new Set(['success', ...CACHE_HITS]);

/**
 * Runs once after every `nx run`/`run-many`/`affected`: hands the fragments of every stage task
 * that ran or was restored from a cache to the stage record, which merges them into dvc.lock.
 * As DVC, a run with a failed task adds no `.gitignore` entries.
 */
export async function postDvcTasksExecution(options: NxDvcPluginOptions | undefined, context: TasksExecutionContext): Promise<void> {
  const root = context.workspaceRoot;
  forgetRun(workspaceDataDirectoryOf(root), context.id);
  const completed = completedStages(root, context.taskResults);
  if (completed.length === 0) return;
  let recorded: Awaited<ReturnType<typeof recordFinishedStages>>;
  try {
    const failed = Object.values(context.taskResults).some((r) => r.status === 'failure');
    recorded = await recordFinishedStages(root, completed, { ignoreOutputs: !failed, dvcCache: options?.dvcCache });
  } catch (error) {
    // Nx prints this message (no stack unless --verbose) and exits non-zero
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`nx-dvc: could not record the finished stages in dvc.lock: ${message}`);
  }
  const warning = hashedGitignoreWarning(gitignoresNxHashes(root, recorded.gitignores));
  if (warning) console.warn(warning);
  if (recorded.missing.length) throw new Error(missingDataMessage(recorded.missing, recorded.remote));
}

function completedStages(root: string, results: TaskResults): FinishedStage[] {
  const fragmentsDir = relative(root, fragmentsDirectory(workspaceDataDirectoryOf(root))).split(sep).join('/');
  const completed: FinishedStage[] = [];
  for (const result of Object.values(results)) {
    if (!COMPLETED.has(result.status)) continue;
    const output = (result.task.outputs ?? []).find((o) => o.startsWith(`${fragmentsDir}/`));
    const fragment = output && readFragment(join(root, output));
    if (fragment) completed.push({ fragment, fromCache: CACHE_HITS.has(result.status), allowMissing: allowsMissing(result.task.overrides) });
  }
  return completed;
}


/** `--allow-missing` (or `--allowMissing`) as the task got it from the command line. */
function allowsMissing(overrides: Record<string, unknown> | undefined): boolean {
  const flag = overrides?.allowMissing ?? overrides?.['allow-missing'];
  return flag === true || flag === 'true';
}

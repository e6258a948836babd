import { spawnSync } from 'node:child_process';
import type { ExecutorContext } from '@nx/devkit';
import { HashState } from '../../dvc/hashing/state';
import { shutdownHashWorkers } from '../../dvc/hashing/worker-pool';
import { lockFileOf, recordedEntries } from '../../dvc/lock/lockfile';
import { reproPlan, stagesNamed } from '../../dvc/repo/plan';
import type { Stage } from '../../dvc/stage/stage';
import { consoleLog, reproduceStage } from '../../dvc/stage/reproduce';
import { WorkspaceHasher } from '../../dvc/hashing/workspace-hasher';
import { hashStatePath, workspaceDataDirectoryOf } from '../../plugin/workspace-data';
import { reportDvcError, stageKey, stageTasks, workspaceIndex, type StageTask } from '../workspace-pipelines';

export interface ReproExecutorOptions {
  dvcFile: string;
  /** Stage or foreach/matrix group names of this dvc.yaml, comma-separated; default every stage. */
  stages?: string | string[];
  /** `dvc repro --downstream`: the stages and everything that depends on them, not their upstream. */
  downstream?: boolean;
  /** `dvc repro -p`: every stage of the pipelines (connected stages) the targets belong to. */
  pipeline?: boolean;
  /** `dvc repro --dry`: print what would run, in order, and run nothing. */
  dry?: boolean;
  /** `dvc repro -f`: run the planned stages even when nothing changed. */
  force?: boolean;
}

/**
 * The `dvc repro` options Nx has no flag for. The plan is DVC's (targets, upstream or downstream,
 * DVC's order); the run is Nx's: a `run-many` of the planned stage tasks, cached as usual.
 */
export default async function reproExecutor(options: ReproExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const tasks = stageTasks(context);
    const { index, pipeline } = workspaceIndex(context, options.dvcFile, tasks);
    const plan = reproPlan(index.graph!, stagesNamed(pipeline.pipeline, namesOf(options.stages)), options);
    if (options.dry) return { success: await printDryRun(context.root, plan, options.force === true) };
    return { success: runStages(context, plan.map((stage) => tasks.get(stageKey(stage))!), options) };
  } catch (error) {
    return reportDvcError(error);
  }
}

function namesOf(stages: ReproExecutorOptions['stages']): string[] {
  const list = Array.isArray(stages) ? stages : String(stages ?? '').split(',');
  return list.map((s) => s.trim()).filter(Boolean);
}

/** DVC's `--dry`: the same reproduce, told to change nothing, so its lines are DVC's. */
async function printDryRun(root: string, plan: Stage[], force: boolean): Promise<boolean> {
  const state = HashState.load(hashStatePath(workspaceDataDirectoryOf(root)));
  const hasher = new WorkspaceHasher(root, state);
  const recordedEntry = recordedEntries(root);
  try {
    for (const stage of plan) {
      const context = { root, hasher, log: consoleLog, recorded: recordedEntry(stage), lockFile: lockFileOf(stage.file), createsLockFile: () => false };
      await reproduceStage(stage, context, { force, dry: true });
    }
    return true;
  } finally {
    state.save();
    await shutdownHashWorkers();
  }
}

/** Runs exactly the planned stage tasks through Nx, in Nx's order (the same edges). */
function runStages(context: ExecutorContext, tasks: StageTask[], options: ReproExecutorOptions): boolean {
  if (tasks.length === 0) return true;
  const targets = [...new Set(tasks.map((t) => t.target))];
  const args = [
    require.resolve('nx/bin/nx', { paths: [context.root] }),
    'run-many',
    `--targets=${targets.join(',')}`,
    `--projects=${tasks.map((t) => t.project).join(',')}`,
    ...(options.downstream && !options.pipeline ? ['--excludeTaskDependencies'] : []),
    ...(options.force ? ['--force', '--skip-nx-cache'] : []),
    ...(context.isVerbose ? ['--verbose'] : []),
  ];
  const result = spawnSync(process.execPath, args, { cwd: context.root, stdio: 'inherit', env: process.env });
  return result.status === 0;
}

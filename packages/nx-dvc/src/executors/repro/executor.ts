import type { ExecutorContext } from '@nx/devkit';
import { reproPlan, stagesNamed } from '../../dvc/repo/plan';
import { consoleLog } from '../../dvc/stage/reproduce';
import { reportDvcError, stageKey, stageTasks, workspaceIndex } from '../workspace-pipelines';
import { dryReproduce } from './dry-reproducer';
import { reproduceInteractively } from './interactive';
import type { PlanRun, ReproFlags } from './plan-run';
import { runPlan } from './run-plan';

export interface ReproExecutorOptions extends ReproFlags {
  dvcFile: string;
  /** Stage or foreach/matrix group names of this dvc.yaml, comma-separated; default every stage. */
  stages?: string | string[];
}

/**
 * The `dvc repro` options Nx has no flag for. The plan is DVC's (targets, upstream or downstream,
 * DVC's order); the run is Nx's: a `run-many` of the planned stage tasks, cached as usual.
 */
export default async function reproExecutor(options: ReproExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const run = await planRun(options, context);
    if (options.dry) {
      await dryReproduce(run, consoleLog);
      return { success: true };
    }
    if (options.interactive) return { success: await reproduceInteractively(run) };
    return { success: await runPlan(run) };
  } catch (error) {
    return reportDvcError(error);
  }
}

async function planRun(options: ReproExecutorOptions, context: ExecutorContext): Promise<PlanRun> {
  const tasks = stageTasks(context);
  const { index, pipeline } = await workspaceIndex(context, options.dvcFile, tasks);
  const graph = index.graph!;
  const plan = reproPlan(graph, stagesNamed(pipeline.pipeline, namesOf(options.stages)), options);
  return { root: context.root, graph, plan, taskOf: (stage) => tasks.get(stageKey(stage)), flags: options, verbose: context.isVerbose };
}

function namesOf(stages: ReproExecutorOptions['stages']): string[] {
  const list = Array.isArray(stages) ? stages : String(stages ?? '').split(',');
  return list.map((s) => s.trim()).filter(Boolean);
}

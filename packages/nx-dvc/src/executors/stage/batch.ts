import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { HashState } from '../../dvc/hashing/state';
import { shutdownHashWorkers } from '../../dvc/hashing/worker-pool';
import type { PipelineFile } from '../../dvc/parsing/pipeline-file';
import { PARALLEL_ENV } from '../../plugin/parallel-count';
import { hashStatePath, workspaceDataDirectoryOf } from '../../plugin/workspace-data';
import { runStageTask, type StageExecutorOptions, type StageTaskEnvironment } from './executor';
import { runConcurrently } from './run-concurrently';
import { TaskOutput } from './task-output';

interface StageResult {
  success: boolean;
  status: 'success' | 'failure' | 'skipped';
  terminalOutput: string;
  startTime?: number;
  endTime?: number;
}

/**
 * The stage tasks of a run, in one process (`preferBatch` in executors.json makes this Nx's
 * default; `--batch=false` goes back to one process per stage). Every stage whose upstream is done
 * starts at once, up to the run's parallel count, sharing the parsed dvc.yaml files and the hash
 * state; each stage's output streams live and its result goes to Nx the moment it ends. A failed
 * stage stops only the stages that depend on it.
 */
export default async function* stageBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, StageExecutorOptions>,
  _overrides: unknown,
  context: ExecutorContext,
): AsyncGenerator<{ task: string; result: StageResult }> {
  const state = HashState.load(hashStatePath(workspaceDataDirectoryOf(context.root)));
  const shared = { root: context.root, state, verbose: context.isVerbose, pipelines: new Map<string, PipelineFile>() };
  const order = Object.keys(taskGraph.tasks);
  try {
    const finished = runConcurrently<StageResult>({
      order,
      dependencies: Object.fromEntries(order.map((id) => [id, (taskGraph.dependencies[id] ?? []).map((edge) => edge.id)])),
      limit: Number(process.env[PARALLEL_ENV]) || 3,
      run: (id) => runStage(inputs[id]!, shared),
      succeeded: (result) => result.success,
      skipped: () => ({ success: false, status: 'skipped', terminalOutput: '' }),
    });
    for await (const { id, result } of finished) {
      const reported = { ...result, terminalOutput: nxPrintsBatchOutputLive() ? '' : result.terminalOutput };
      yield { task: id, result: reported };
      // Nx has sent the result above on (and printed it); the batch's final results, which Nx
      // caches as the task's terminal output for later cache hits, keep the whole output
      reported.terminalOutput = result.terminalOutput;
    }
  } finally {
    state.save();
    await shutdownHashWorkers();
  }
}

async function runStage(options: StageExecutorOptions, shared: StageTaskEnvironment): Promise<StageResult> {
  const output = new TaskOutput();
  const startTime = Date.now();
  let success = false;
  try {
    success = await runStageTask(options, { ...shared, log: output, commandOutput: output });
  } catch (error) {
    // a bug, not a user's mistake: this task fails with the stack, the batch's other stages carry on
    output.warn(`ERROR: unexpected error in '${options.dvcFile}:${options.stage}': ${(error as Error)?.stack ?? String(error)}`);
  }
  return { success, status: success ? 'success' : 'failure', terminalOutput: output.end(), startTime, endTime: Date.now() };
}

/**
 * Outside its terminal UI, Nx writes a batch process's stdout and stderr to the terminal as they
 * come, then prints each task's terminal output when the task ends: the live copy is the one
 * shown, so the result Nx prints on the spot carries none. The TUI shows a task's own pane from
 * its terminal output only.
 */
function nxPrintsBatchOutputLive(): boolean {
  return process.env.NX_TUI !== 'true';
}

import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { HashState } from '../../dvc/hashing/state';
import { shutdownHashWorkers } from '../../dvc/hashing/worker-pool';
import type { PipelineFile } from '../../dvc/parsing/pipeline-file';
import { hashStatePath, workspaceDataDirectoryOf } from '../../plugin/workspace-data';
import { runStageTask, type StageExecutorOptions } from './executor';

interface TaskResult {
  task: string;
  result: { success: boolean; terminalOutput: string };
}

/**
 * Nx's batch mode (`nx run-many -t repro --batch`): the stage tasks Nx hands over run in this one
 * process, one after the other in dependency order, sharing the parsed dvc.yaml files and the hash
 * state, instead of one Node process per stage. Worth it for many short stages; a pipeline of a
 * few long ones is better off without it, as its independent stages then run in parallel.
 */
export default async function* stageBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, StageExecutorOptions>,
  _overrides: unknown,
  context: ExecutorContext,
): AsyncGenerator<TaskResult> {
  const state = HashState.load(hashStatePath(workspaceDataDirectoryOf(context.root)));
  const pipelines = new Map<string, PipelineFile>();
  const failed = new Set<string>();
  try {
    for (const task of dependencyOrder(taskGraph)) {
      if (taskGraph.dependencies[task]?.some((dep) => failed.has(dep.id))) {
        failed.add(task);
        yield { task, result: { success: false, terminalOutput: '' } };
        continue;
      }
      const env = { root: context.root, state, verbose: context.isVerbose, pipelines, stdio: 'pipe' as const };
      const { value: success, output } = await capturingOutput(() => runStageTask(inputs[task], env));
      if (!success) failed.add(task);
      yield { task, result: { success, terminalOutput: output } };
    }
  } finally {
    state.save();
    await shutdownHashWorkers();
  }
}

/** Depth-first post-order over the batch's own tasks: every task after the tasks it depends on. */
function dependencyOrder(taskGraph: TaskGraph): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (task: string) => {
    if (seen.has(task) || !taskGraph.tasks[task]) return;
    seen.add(task);
    for (const dep of taskGraph.dependencies[task] ?? []) visit(dep.id);
    order.push(task);
  };
  for (const task of Object.keys(taskGraph.tasks)) visit(task);
  return order;
}

/**
 * What a task writes to stdout and stderr, kept as its terminal output, which Nx prints under the
 * task when it ends (written through as well, Nx would print it twice).
 */
async function capturingOutput<T>(fn: () => Promise<T>): Promise<{ value: T; output: string }> {
  const chunks: string[] = [];
  const restore = [process.stdout, process.stderr].map((stream) => {
    const write = stream.write;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
    return () => (stream.write = write);
  });
  try {
    return { value: await fn(), output: chunks.join('') };
  } finally {
    for (const undo of restore) undo();
  }
}

import type { ExecutorContext } from '@nx/devkit';
import { DvcCache } from '../../dvc/cache/dvc-cache';
import { DvcError } from '../../dvc/errors';
import { hashProgress } from '../../dvc/hashing/progress';
import { HashState } from '../../dvc/hashing/state';
import { shutdownHashWorkers } from '../../dvc/hashing/worker-pool';
import { WorkspaceHasher } from '../../dvc/hashing/workspace-hasher';
import { lockFileOf, type LockData } from '../../dvc/lock/lockfile';
import { loadPipelineFromDisk, type PipelineFile } from '../../dvc/parsing/pipeline-file';
import { consoleLog, reproduceStage, type CachedOutput, type ReproduceContext, type ReproduceLog } from '../../dvc/stage/reproduce';
import { measured } from '../../dvc/perf';
import { pushOutputs, pushSummary } from '../../dvc/remote/push-outputs';
import { CommandFailedError, type CommandOutput } from '../../dvc/stage/runner';
import type { Stage } from '../../dvc/stage/stage';
import { ignoredFailuresDirectory, recordIgnoredFailure } from '../ignored-failures';
import { isOn, prepareStageData } from './missing-data';
import { claimLockGeneration } from '../../plugin/lock-generation';
import { fragmentOutput, fragmentPath, outsRecordPath, recordStages, removeFragment, writeFragment, writeOutsRecord } from '../../plugin/stage-record';
import { hashStatePath, workspaceDataDirectoryOf } from '../../plugin/workspace-data';

export interface StageExecutorOptions {
  dvcFile: string;
  stage: string;
  fingerprint?: string;
  /** `dvc repro -f`: run even when dvc.lock says nothing changed. */
  force?: boolean;
  /** Store outputs in DVC's cache; default: when the workspace has `.dvc/`. */
  dvcCache?: boolean;
  /** `dvc push` of the outputs after the stage ran: `true` for the default remote, or a remote's name. */
  dvcPush?: boolean | string;
  /** Upstream stages whose DVC-cached outputs this stage reads, checked out from their records before it runs. */
  dataFrom?: { dvcFile: string; stage: string }[];
  /** `.dvc` files whose data this stage reads (pulled with `--pull`). */
  dataSources?: string[];
  /** `dvc repro --pull`: data missing from the workspace and DVC's cache comes from the DVC remote. */
  pull?: boolean | string;
  /** `dvc repro --allow-missing`: skip the stage when its only change is missing data. */
  allowMissing?: boolean | string;
}

/**
 * Runs one stage as `dvc repro <stage>` does: skipped when dvc.lock already matches, restored
 * from DVC's cache when only its outputs are missing, otherwise run; then hashed, committed to
 * DVC's cache, and its dvc.lock entry left for the `postTasksExecution` hook to merge.
 */
export default async function stageExecutor(options: StageExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const state = HashState.load(hashStatePath(workspaceDataDirectoryOf(context.root)));
  try {
    return { success: await runStageTask(options, { root: context.root, state, verbose: context.isVerbose }) };
  } finally {
    state.save();
    await shutdownHashWorkers();
  }
}

export interface StageTaskEnvironment {
  root: string;
  state: HashState;
  verbose: boolean;
  /** Parsed dvc.yaml files, shared by the stages of one batch (the file does not change during a run). */
  pipelines?: Map<string, PipelineFile>;
  /** Where the task's own lines go (DVC's messages, hashing progress, its error); default: the console. */
  log?: ReproduceLog;
  /** Where its commands' output goes; default: straight to this process's stdout and stderr. */
  commandOutput?: CommandOutput;
}

/** One stage task: reproduce, then leave its dvc.lock entry for the hook. False when it failed. */
export async function runStageTask(options: StageExecutorOptions, env: StageTaskEnvironment): Promise<boolean> {
  const { root } = env;
  const dataDirectory = workspaceDataDirectoryOf(root);
  const fragment = fragmentPath(options.dvcFile, options.stage, dataDirectory);
  const outsRecord = outsRecordPath(options.dvcFile, options.stage, dataDirectory);
  try {
    removeFragment(fragment);
    removeFragment(outsRecord);
    const pipeline = loadPipeline(root, options.dvcFile, env.pipelines);
    const stage = stageOf(pipeline, options);
    const context = reproduceContext(root, stage, pipeline.lock, env, options);
    if (context.cache) await prepareStageData(root, stage, options, context, context.cache, dataDirectory);
    const reproduced = await reproduceStage(stage, context, { force: options.force, pull: isOn(options.pull), allowMissing: isOn(options.allowMissing) });
    const result = reproduced.entry && { entry: reproduced.entry, cached: reproduced.cached };
    if (result && fragmentOutput(root, stage.file, stage.name!, dataDirectory)) {
      writeFragment(fragment, { dvcFile: stage.file, stage: stage.name!, ...result });
      writeOutsRecord(outsRecord, result.cached);
    } else if (result) {
      // Nx keeps its data outside the workspace, so the entry cannot travel as an output: record it now
      await recordStages(root, [{ dvcFile: stage.file, stage: stage.name!, ...result }], { ignoreOutputs: true, dataDirectory });
    }
    const push = options.dvcPush === 'false' ? undefined : options.dvcPush;
    if (result && push && context.cache && reproduced.outcome === 'ran') await pushStageOutputs(root, stage, context.cache, result.cached, push, context.log);
    return true;
  } catch (error) {
    const message = error instanceof DvcError || error instanceof CommandFailedError || !env.verbose ? errorText(error) : (error as Error).stack;
    const ignoring = ignoredFailuresDirectory();
    if (ignoring) {
      (env.log ?? consoleLog).warn(`WARNING: ${message} (ignored)`);
      recordIgnoredFailure(ignoring, options);
    } else {
      (env.log ?? consoleLog).warn(`ERROR: failed to reproduce '${addressOf(options)}': ${message}`);
    }
    return false;
  }
}

function reproduceContext(root: string, stage: Stage, lock: LockData | undefined, env: StageTaskEnvironment, options: StageExecutorOptions): ReproduceContext {
  const log = env.log ?? consoleLog;
  return {
    root,
    hasher: new WorkspaceHasher(root, env.state, hashProgress((line) => log.info(line))),
    cache: DvcCache.forWorkspace(root, options.dvcCache),
    log,
    recorded: lock?.stages[stage.name!],
    lockFile: lockFileOf(stage.file),
    createsLockFile: () => lock === undefined && claimLockGeneration(workspaceDataDirectoryOf(root), lockFileOf(stage.file)),
    commandOutput: env.commandOutput,
  };
}

/** `dvc push` of what the stage committed, so that a teammate's Nx cache hit finds the data on the DVC remote. */
async function pushStageOutputs(root: string, stage: Stage, cache: DvcCache, cached: CachedOutput[], push: true | string, log: ReproduceLog): Promise<void> {
  if (cached.length === 0) return;
  const pushFailed = (reason: string) =>
    new DvcError(`stage '${stage.addressing}' ran and its outputs are in DVC's cache, but pushing them failed: ${reason}. Push them with \`dvc push\``, stage.file);
  let result: Awaited<ReturnType<typeof pushOutputs>>;
  try {
    result = await measured('nx-dvc:push', () => pushOutputs(root, cache, cached, push === true || push === 'true' ? undefined : push));
  } catch (error) {
    throw pushFailed((error as Error).message);
  }
  if (result.missing.length) throw pushFailed(`${result.missing.length} object(s) are not in DVC's cache`);
  log.info(pushSummary(stage.addressing, result.remote, result));
}

/** A batch parses each dvc.yaml (and its dvc.lock) once: the files do not change during a run. */
function loadPipeline(root: string, dvcFile: string, pipelines?: Map<string, PipelineFile>): PipelineFile {
  let pipeline = pipelines?.get(dvcFile);
  if (!pipeline) {
    pipeline = loadPipelineFromDisk(root, dvcFile);
    pipelines?.set(dvcFile, pipeline);
  }
  return pipeline;
}

function stageOf(pipeline: PipelineFile, options: StageExecutorOptions): Stage {
  const stage = pipeline.stages.find((s) => s.name === options.stage);
  if (!stage) {
    throw new DvcError(`stage '${options.stage}' is not in '${options.dvcFile}' any more; run the command again so that Nx re-reads the file`, options.dvcFile);
  }
  return stage;
}

function addressOf(options: StageExecutorOptions): string {
  return options.dvcFile === 'dvc.yaml' ? options.stage : `${options.dvcFile}:${options.stage}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { DvcCache } from '../../dvc/cache/dvc-cache';
import { DvcError } from '../../dvc/errors';
import { hashProgress } from '../../dvc/hashing/progress';
import { HashState } from '../../dvc/hashing/state';
import { shutdownHashWorkers } from '../../dvc/hashing/worker-pool';
import { dumpLockYaml } from '../../dvc/formats/yaml/ruamel-emitter';
import { lockFileOf, readLock } from '../../dvc/lock/lockfile';
import { loadPipelineFromDisk, type PipelineFile } from '../../dvc/parsing/pipeline-file';
import type { Stage } from '../../dvc/stage/stage';
import { CommandFailedError, removeOutputs, runCommands } from '../../dvc/stage/runner';
import { readStageParams, saveStage, type SavedStage } from '../../dvc/stage/save';
import { isCallback, stageChanges, type StageChange } from '../../dvc/stage/status';
import { isDirHash, WorkspaceHasher, type PathHash } from '../../dvc/hashing/workspace-hasher';
import { fragmentOutput, fragmentPath, recordStages, removeFragment, writeFragment, type CachedOutput } from '../../plugin/stage-record';
import { hashStatePath, workspaceDataDirectoryOf } from '../../plugin/workspace-data';

export interface StageExecutorOptions {
  dvcFile: string;
  stage: string;
  fingerprint?: string;
  /** `dvc repro -f`: run even when dvc.lock says nothing changed. */
  force?: boolean;
  /** Store outputs in DVC's cache; default: when the workspace has `.dvc/`. */
  dvcCache?: boolean;
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
  /** `pipe` sends the commands' output through this process's streams (a batch captures them per task). */
  stdio?: 'inherit' | 'pipe';
}

/** One stage task: reproduce, then leave its dvc.lock entry for the hook. False when it failed. */
export async function runStageTask(options: StageExecutorOptions, env: StageTaskEnvironment): Promise<boolean> {
  const { root } = env;
  const dataDirectory = workspaceDataDirectoryOf(root);
  const fragment = fragmentPath(options.dvcFile, options.stage, dataDirectory);
  removeFragment(fragment);
  try {
    const stage = loadStage(root, options, env.pipelines);
    const run = new StageRun(root, stage, env.state, options, env.stdio);
    const result = await run.reproduce();
    if (result && fragmentOutput(root, stage.file, stage.name!, dataDirectory)) {
      writeFragment(fragment, { dvcFile: stage.file, stage: stage.name!, ...result });
    } else if (result) {
      // Nx keeps its data outside the workspace, so the entry cannot travel as an output: record it now
      await recordStages(root, [{ dvcFile: stage.file, stage: stage.name!, ...result }], { ignoreOutputs: true, dataDirectory });
    }
    return true;
  } catch (error) {
    const message = error instanceof DvcError || error instanceof CommandFailedError || !env.verbose ? errorText(error) : (error as Error).stack;
    console.error(`ERROR: failed to reproduce '${addressOf(options)}': ${message}`);
    return false;
  }
}

function loadStage(root: string, options: StageExecutorOptions, pipelines?: Map<string, PipelineFile>): Stage {
  let pipeline = pipelines?.get(options.dvcFile);
  if (!pipeline) {
    pipeline = loadPipelineFromDisk(root, options.dvcFile);
    pipelines?.set(options.dvcFile, pipeline);
  }
  const stage = pipeline.stages.find((s) => s.name === options.stage);
  if (!stage) {
    throw new DvcError(`stage '${options.stage}' is not in '${options.dvcFile}' any more; run the command again so that Nx re-reads the file`, options.dvcFile);
  }
  return stage;
}

class StageRun {
  private readonly hasher: WorkspaceHasher;
  private readonly cache: DvcCache | undefined;
  private readonly lockFile: string;
  private readonly recorded: Record<string, unknown> | undefined;
  private readonly lockExists: boolean;

  constructor(
    private readonly root: string,
    private readonly stage: Stage,
    state: HashState,
    private readonly options: StageExecutorOptions,
    private readonly stdio: 'inherit' | 'pipe' = 'inherit',
  ) {
    this.hasher = new WorkspaceHasher(root, state, hashProgress((line) => console.log(line)));
    this.cache = DvcCache.forWorkspace(root, options.dvcCache);
    this.lockFile = lockFileOf(stage.file);
    const lock = readLock(join(root, this.lockFile), this.lockFile);
    this.lockExists = lock !== undefined;
    this.recorded = lock?.stages[stage.name!];
  }

  /** The lock entry to record, or undefined for a stage that has none and needs none. */
  async reproduce(): Promise<{ entry: Record<string, unknown>; cached: CachedOutput[] } | undefined> {
    const { stage } = this;
    if (stage.frozen) console.warn(`WARNING: stage: '${stage.addressing}' is frozen. Its dependencies are not going to be reproduced.`);
    let changes: StageChange[] = [];
    if (!this.options.force) {
      changes = await stageChanges(stage, this.recorded, this.hasher, { firstOnly: true });
      if (changes.length === 0) return this.skip();
    }
    if (stage.cmd !== undefined && !stage.frozen) removeOutputs(this.root, stage);
    readStageParams(this.root, stage);
    if (!this.options.force && this.restoreFromDvcCache(changes)) {
      console.log(`Stage '${stage.addressing}' is cached - skipping run, checking out outputs`);
    } else if (stage.frozen) {
      console.log(`Verifying outputs in frozen stage: '${stage.addressing}'`);
      this.checkOutputsExist();
    } else {
      console.log(`Running stage '${stage.addressing}':`);
      await runCommands(this.root, stage, (line) => console.log(line), this.stdio);
    }
    this.hasher.forget();
    const saved = await saveStage(stage, this.hasher, (message) => console.warn(`WARNING: ${message}`));
    this.commit(saved);
    this.reportLockChange(saved.entry);
    return { entry: saved.entry, cached: this.cachedOutputs(saved) };
  }

  private async skip() {
    console.log(`Stage '${this.stage.addressing}' didn't change, skipping`);
    if (!this.recorded) return undefined; // a frozen stage that never ran and has no outputs
    const outs = new Map<string, PathHash>();
    for (const out of this.stage.outs) {
      const hash = await this.hasher.hash(out.repoPath);
      if (hash) outs.set(out.repoPath, hash);
    }
    const saved: SavedStage = { entry: this.recorded, outs };
    this.commit(saved);
    return { entry: this.recorded, cached: this.cachedOutputs(saved) };
  }

  /**
   * DVC's restore from the lock entry: command, deps and params unchanged, only outputs missing
   * or modified, and every output recorded and present in DVC's cache.
   */
  private restoreFromDvcCache(changes: StageChange[]): boolean {
    const { stage, cache } = this;
    if (!cache || !this.recorded || changes.length === 0 || changes[0].kind !== 'out') return false;
    if (isCallback(stage) || stage.alwaysChanged || stage.frozen || stage.cmd === undefined || stage.deps.length === 0) return false;
    if (stage.outs.some((o) => o.persist || !o.cache)) return false;
    const recordedOuts = new Map(((this.recorded.outs ?? []) as Record<string, unknown>[]).map((o) => [o.path, o]));
    const sources = stage.outs.map((out) => ({ out, entry: recordedOuts.get(out.path) }));
    if (sources.some(({ entry }) => typeof entry?.md5 !== 'string' || !cache.has(entry.md5 as string))) return false;
    for (const { out, entry } of sources) cache.checkout(join(this.root, out.repoPath), entry!.md5 as string, entry!.isexec === true);
    return true;
  }

  private checkOutputsExist(): void {
    const missing = this.stage.outs.filter((o) => !existsSync(join(this.root, o.repoPath))).map((o) => o.path);
    if (missing.length) throw new DvcError(`missing data '${missing.length > 1 ? 'sources' : 'source'}': ${missing.join(', ')}`, this.stage.file);
  }

  private commit(saved: SavedStage): void {
    if (!this.cache) return;
    for (const out of this.stage.outs) {
      const hash = saved.outs.get(out.repoPath);
      if (out.cache && hash) this.cache.save(join(this.root, out.repoPath), hash);
    }
  }

  private cachedOutputs(saved: SavedStage): CachedOutput[] {
    return this.stage.outs.flatMap((out) => {
      const hash = saved.outs.get(out.repoPath);
      if (!out.cache || !hash) return [];
      return [isDirHash(hash) ? { path: out.repoPath, md5: hash.md5, files: hash.entries.map((e) => [e.relpath, e.md5] as [string, string]) } : { path: out.repoPath, md5: hash.md5, ...(hash.isexec ? { isexec: true } : {}) }];
    });
  }

  /** DVC's console lines; the file itself is written once all tasks are done. */
  private reportLockChange(entry: Record<string, unknown>): void {
    if (!this.lockExists) console.log(`Generating lock file '${this.lockFile}'`);
    if (!this.recorded || dumpLockYaml(this.recorded) !== dumpLockYaml(entry)) console.log(`Updating lock file '${this.lockFile}'`);
  }
}

function addressOf(options: StageExecutorOptions): string {
  return options.dvcFile === 'dvc.yaml' ? options.stage : `${options.dvcFile}:${options.stage}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

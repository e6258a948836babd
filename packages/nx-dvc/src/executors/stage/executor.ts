import type { ExecutorContext } from '@nx/devkit';
import { DvcError } from '../../dvc/errors';
import { loadPipelineFile, readPipelineSource } from '../../dvc/pipeline-file';
import { readParsingConfig } from '../../dvc/dvc-config';
import { diskHost } from '../../dvc/resolver';
import { CommandFailedError, removeOutputs, runCommands } from '../../dvc/stage-runner';

export interface StageExecutorOptions {
  dvcFile: string;
  stage: string;
  fingerprint?: string;
}

/** Runs one stage: removes its outputs (unless persisted), then its commands in its wdir. */
export default async function stageExecutor(options: StageExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const root = context.root;
  try {
    const pipeline = loadPipelineFile(diskHost(root), options.dvcFile, readPipelineSource(root, options.dvcFile), readParsingConfig(root));
    const stage = pipeline.stages.find((s) => s.name === options.stage);
    if (!stage) throw new DvcError(`stage '${options.stage}' not found in '${options.dvcFile}'`);
    console.log(`Running stage '${stage.addressing}':`);
    removeOutputs(root, stage);
    await runCommands(root, stage, (line) => console.log(line));
    return { success: true };
  } catch (error) {
    if (error instanceof DvcError || error instanceof CommandFailedError) {
      console.error(`ERROR: failed to reproduce '${options.stage}': ${error.message}`);
      return { success: false };
    }
    throw error;
  }
}

import type { ExecutorContext, ProjectConfiguration } from '@nx/devkit';
import { DvcError } from '../dvc/errors';
import { buildIndex, type FileResult, type PipelineIndex } from '../dvc/repo/pipeline-index';
import type { Stage } from '../dvc/stage/stage';
import { workspacePointerFiles } from '../plugin/pointer-files';

export interface StageTask {
  project: string;
  target: string;
}

export const stageKey = (stage: Pick<Stage, 'file' | 'name'>) => `${stage.file}\0${stage.name}`;

/** The Nx task of every stage in the workspace, found through the stage targets' options. */
export function stageTasks(context: ExecutorContext): Map<string, StageTask> {
  const tasks = new Map<string, StageTask>();
  const projects: Record<string, ProjectConfiguration> = context.projectsConfigurations?.projects ?? {};
  for (const [project, config] of Object.entries(projects)) {
    for (const [target, definition] of Object.entries(config.targets ?? {})) {
      if (definition.executor !== 'nx-dvc:stage') continue;
      const { dvcFile, stage } = definition.options as { dvcFile: string; stage: string };
      tasks.set(stageKey({ file: dvcFile, name: stage }), { project, target });
    }
  }
  return tasks;
}

/**
 * DVC's index of every pipeline Nx knows and of the `.dvc` data sources, as inference sees them,
 * its graph checked; `dvcFile` must be one of the pipelines.
 */
export async function workspaceIndex(
  context: ExecutorContext,
  dvcFile: string,
  tasks = stageTasks(context),
): Promise<{ index: PipelineIndex; pipeline: FileResult & Required<Pick<FileResult, 'pipeline'>> }> {
  const files = new Set([...tasks.keys()].map((key) => key.split('\0')[0])).add(dvcFile);
  const index = buildIndex(context.root, [...files], await workspacePointerFiles(context.root));
  if (index.graphError) throw index.graphError;
  const pipeline = index.pipelines.find((r) => r.file === dvcFile);
  if (!pipeline?.pipeline) throw pipeline?.error ?? new DvcError(`'${dvcFile}' is not a pipeline Nx knows`, dvcFile);
  return { index, pipeline: pipeline as FileResult & Required<Pick<FileResult, 'pipeline'>> };
}

/** A user mistake becomes DVC's `ERROR:` line and a failed task; anything else is a bug and throws. */
export function reportDvcError(error: unknown): { success: false } {
  if (!(error instanceof DvcError)) throw error;
  console.error(`ERROR: ${error.message}`);
  return { success: false };
}

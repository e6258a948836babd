/** Options of the `nx-dvc` entry in nx.json `plugins`. */
export interface NxDvcPluginOptions {
  /** Name of the target that runs one stage, on each stage's project. Default `repro`. */
  stageTargetName?: string;
  /** Name of the target that runs every stage of a dvc.yaml, on the pipeline's project. Default `repro`. */
  pipelineTargetName?: string;
  /** Separator between a pipeline's project name and a stage name in stage project names. Default `--`. */
  stageProjectSeparator?: string;
  /** Project name for a dvc.yaml at the workspace root without project.json/package.json. Default `dvc`. */
  rootProjectName?: string;
  /**
   * Store cached outputs in DVC's cache (`.dvc/cache`) as `dvc commit` does, so that `dvc status`
   * and `dvc push` work for teammates without Nx. Default: on when the workspace has `.dvc/`.
   */
  dvcCache?: boolean;
  /**
   * After a stage ran, push its DVC-cached outputs to the DVC remote as `dvc push` does (`true`: the
   * default remote; a string: that remote), so a teammate's Nx cache hit finds the data. Default off.
   */
  dvcPush?: boolean | string;
}

export type NormalizedOptions = Required<Omit<NxDvcPluginOptions, 'dvcCache' | 'dvcPush'>> & Pick<NxDvcPluginOptions, 'dvcCache' | 'dvcPush'>;

export function normalizeOptions(options: NxDvcPluginOptions | undefined): NormalizedOptions {
  return {
    stageTargetName: options?.stageTargetName ?? 'repro',
    pipelineTargetName: options?.pipelineTargetName ?? 'repro',
    stageProjectSeparator: options?.stageProjectSeparator ?? '--',
    rootProjectName: options?.rootProjectName ?? 'dvc',
    dvcCache: options?.dvcCache,
    dvcPush: options?.dvcPush,
  };
}

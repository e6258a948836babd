import { relative } from 'node:path';
import { createProjectGraphAsync, glob, logger, type GeneratorCallback, type Tree } from '@nx/devkit';
import { DvcError } from '../../dvc/errors';
import { ignoreOutputs } from '../../dvc/repo/gitignore';
import { dirName, joinPath, normPath } from '../../dvc/paths';
import { addStage } from '../../dvc/stage/add';
import { STAGE_TAG } from '../../plugin/create-dependencies';
import type { StageAddRequest } from '../../dvc/stage/definition';

export interface StageGeneratorOptions extends Omit<StageAddRequest, 'cmd'> {
  command: string;
  project?: string;
  directory?: string;
  force?: boolean;
}

/**
 * `dvc stage add` as an Nx generator: the stage goes into the dvc.yaml of `--project`,
 * `--directory` or the current folder, as DVC would write it; nothing is written when DVC
 * would refuse. Cached outputs get their `.gitignore` lines, as `dvc stage add` adds them.
 */
export default async function stageGenerator(tree: Tree, options: StageGeneratorOptions): Promise<GeneratorCallback | void> {
  const dvcFile = normPath(joinPath(await pipelineFolder(tree, options), 'dvc.yaml'));
  const { command, project: _project, directory: _directory, force, ...rest } = options;
  const request: StageAddRequest = { ...rest, cmd: command };
  if (request.wdir !== undefined && !tree.exists(joinPath(dirName(dvcFile), request.wdir))) {
    throw new DvcError(`stage working dir '${request.wdir}' does not exist`);
  }
  const repo = { root: tree.root, pipelineFiles: glob(tree, ['**/dvc.yaml']), dataSourceFiles: glob(tree, ['**/*.dvc']) };
  const current = tree.exists(dvcFile) ? tree.read(dvcFile, 'utf-8')! : undefined;
  const { text, stage, replaced } = addStage(repo, dvcFile, current, request, force === true);
  tree.write(dvcFile, text);
  return () => {
    ignoreOutputs(tree.root, stage.outs.filter((out) => out.cache).map((out) => out.repoPath));
    logger.info(`${replaced ? 'Modified' : 'Added'} stage '${stage.addressing}' in '${dvcFile}'`);
  };
}

/** Projects of a dvc.yaml are inferred, so their root comes from the project graph, not project.json. */
async function pipelineFolder(tree: Tree, options: StageGeneratorOptions): Promise<string> {
  if (options.project) {
    const project = (await createProjectGraphAsync({ exitOnError: false })).nodes[options.project];
    if (!project) throw new DvcError(`there is no project '${options.project}' in this workspace`);
    if (project.data.tags?.includes(STAGE_TAG)) {
      throw new DvcError(`'${options.project}' is the project of one stage; give the project of its dvc.yaml`);
    }
    return project.data.root;
  }
  if (options.directory !== undefined) return options.directory;
  return relative(tree.root, process.cwd()).split('\\').join('/');
}

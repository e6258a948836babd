import { existsSync, readFileSync } from 'node:fs';
import { readParsingConfig } from '../repo/dvc-config';
import { DvcError, OutputDuplicationError } from '../errors';
import { buildGraph } from '../repo/graph';
import { lockFileOf } from '../lock/lockfile';
import { buildIndex, tryLoadPipeline, type FileResult } from '../repo/pipeline-index';
import { withStage } from './pipeline-edit';
import { loadPipelineFile } from '../parsing/pipeline-file';
import { diskHost } from '../parsing/resolver';
import { addressingOf, type Stage } from './stage';
import { checkRequest, stageDefinition, type StageAddRequest } from './definition';
import { decodeUtf8 } from '../formats/yaml/load';

export interface StageAddition {
  /** The new dvc.yaml text. */
  text: string;
  stage: Stage;
  /** Whether a stage of that name was replaced (`--force`). */
  replaced: boolean;
}

export interface Repository {
  root: string;
  /** Every dvc.yaml and `.dvc` file of the repository, repo-relative. */
  pipelineFiles: string[];
  dataSourceFiles: string[];
}

/**
 * `dvc stage add`: the stage written into `dvcFile` (whose current text is `current`, undefined
 * when the file does not exist yet), refused with DVC's message when the name is taken (unless
 * `force`), when the file or the new stage does not load, or when the repository's graph would
 * break: a duplicate or overlapping output, a cycle.
 */
export function addStage(repo: Repository, dvcFile: string, current: string | undefined, request: StageAddRequest, force = false): StageAddition {
  checkRequest(request);
  const before = current === undefined ? undefined : loadWithText(repo.root, dvcFile, current);
  if (before?.error) throw before.error;
  const existing = before?.pipeline ? definedNames(before.pipeline.stages, before.pipeline.groups) : new Map<string, boolean>();
  const addressing = addressingOf(dvcFile, request.name);
  if (existing.has(request.name) && !force) {
    throw new DvcError(`Stage '${request.name}' already exists in '${dvcFile}'. Use '--force' to overwrite.`, dvcFile);
  }
  if (existing.get(request.name)) throw new DvcError(`cannot dump a parametrized stage: '${addressing}'`, dvcFile);
  const text = withStage(current ?? '', dvcFile, request.name, stageDefinition(request));
  const after = loadWithText(repo.root, dvcFile, text);
  if (after.error) throw after.error;
  const stage = after.pipeline!.stages.find((s) => s.name === request.name)!;
  checkGraphWith(repo, dvcFile, after, stage);
  return { text, stage, replaced: existing.has(request.name) };
}

/** Stage names of a file, true for foreach/matrix groups (which DVC cannot rewrite). */
function definedNames(stages: Stage[], groups: Record<string, string>): Map<string, boolean> {
  const names = new Map<string, boolean>(stages.map((s) => [s.name!, false]));
  for (const group of Object.values(groups)) names.set(group, true);
  return names;
}

function loadWithText(root: string, dvcFile: string, text: string): FileResult {
  try {
    const lockText = lockTextOf(root, dvcFile);
    return { file: dvcFile, pipeline: loadPipelineFile(diskHost(root), dvcFile, { text, lockText }, readParsingConfig(root)) };
  } catch (error) {
    if (error instanceof DvcError) return { file: dvcFile, error };
    throw error;
  }
}

function lockTextOf(root: string, dvcFile: string): string | undefined {
  const lockFile = lockFileOf(dvcFile);
  return existsSync(`${root}/${lockFile}`) ? decodeUtf8(readFileSync(`${root}/${lockFile}`), lockFile) : undefined;
}

/**
 * DVC's `check_graph(stages={new})`: the new stage checked last, so a duplicate output names the
 * stage that already has it. Files that do not load are left out, as they are from Nx's graph.
 */
function checkGraphWith(repo: Repository, dvcFile: string, after: FileResult, stage: Stage): void {
  const files = [...new Set([...repo.pipelineFiles, dvcFile])];
  const index = buildIndex(repo.root, files, repo.dataSourceFiles, (file) =>
    file === dvcFile ? after : tryLoadPipeline(diskHost(repo.root), repo.root, file),
  );
  const others = [...index.pipelines, ...index.dataSources]
    .flatMap((result) => result.pipeline?.stages ?? (result.stage ? [result.stage] : []))
    .filter((s) => s !== stage);
  for (const out of stage.outs) {
    const owner = others.find((other) => other.outs.some((o) => o.repoPath === out.repoPath));
    if (owner) {
      throw new OutputDuplicationError(
        `output '${out.repoPath}' is already specified in stage: '${owner.addressing}'.\n` +
          `Use \`dvc remove ${owner.addressing}\` to stop tracking the overlapping output.`,
        [dvcFile, owner.file],
      );
    }
  }
  buildGraph([...others, stage]);
}

import { readFileSync } from 'node:fs';
import { readParsingConfig } from './dvc-config';
import { IgnoreCheck } from './check-ignore';
import { refuseIgnoredOutputs } from './ignored-outputs';
import { DvcError, ParseError } from '../errors';
import { buildGraph, type StageGraph } from './graph';
import { dirName, pathParts } from '../paths';
import { loadPipelineFromDisk, type PipelineFile } from '../parsing/pipeline-file';
import { diskHost, type ResolverHost } from '../parsing/resolver';
import { loadSingleStageFile } from '../parsing/single-stage-file';
import type { Stage } from '../stage/stage';
import { decodeUtf8 } from '../formats/yaml/load';

export interface FileResult {
  file: string;
  pipeline?: PipelineFile;
  /** For a `.dvc` file: its single stage. */
  stage?: Stage;
  error?: DvcError;
}

/** Everything DVC knows about a repository's pipelines: DVC's `Index`. */
export interface PipelineIndex {
  pipelines: FileResult[];
  dataSources: FileResult[];
  /** dvc.yaml files DVC never reaches because an ancestor pipeline's output contains them. */
  skipped: string[];
  graph?: StageGraph;
  graphError?: DvcError;
}

/** Loads one dvc.yaml, turning a user mistake into a DvcError and letting real bugs through. */
export function tryLoadPipeline(host: ResolverHost, root: string, file: string, config = readParsingConfig(root)): FileResult {
  try {
    return { file, pipeline: loadPipelineFromDisk(root, file, host, config) };
  } catch (error) {
    if (error instanceof DvcError) return { file, error };
    throw error;
  }
}

function tryLoadDataSource(root: string, file: string): FileResult {
  try {
    const stage = loadSingleStageFile(file, decodeUtf8(readFileSync(`${root}/${file}`), file));
    return { file, stage };
  } catch (error) {
    if (error instanceof DvcError) return { file, error };
    if ((error as NodeJS.ErrnoException).code) return { file, error: new ParseError(String((error as Error).message), file) };
    throw error;
  }
}

/** Top-down walk order: a directory's files before its subdirectories, names sorted. */
export function walkOrder(a: string, b: string): number {
  const da = pathParts(dirName(a) || '.');
  const db = pathParts(dirName(b) || '.');
  for (let i = 0; ; i++) {
    if (i === da.length && i === db.length) return a.localeCompare(b);
    if (i === da.length) return -1;
    if (i === db.length) return 1;
    if (da[i] !== db[i]) return da[i] < db[i] ? -1 : 1;
  }
}

/** Builds the index from known file lists (Nx hands us the files; DVC walks the disk). */
export function buildIndex(
  root: string,
  pipelineFiles: string[],
  dvcFiles: string[],
  load: (file: string) => FileResult = (file) => tryLoadPipeline(diskHost(root), root, file),
): PipelineIndex {
  const pipelines: FileResult[] = [];
  const skipped: string[] = [];
  const outsByDir = new Map<string, string[]>();
  const check = new IgnoreCheck(root);
  for (const file of [...pipelineFiles].sort(walkOrder)) {
    if (isInsideAncestorOutput(file, outsByDir)) {
      skipped.push(file);
      continue;
    }
    const result = withIgnoredOutputsRefused(root, load(file), check);
    pipelines.push(result);
    const outs = (result.pipeline?.stages ?? []).flatMap((stage) => stage.outs.map((out) => out.repoPath));
    outsByDir.set(dirName(file), outs);
  }
  const dataSources = [...dvcFiles].sort(walkOrder).map((file) => tryLoadDataSource(root, file));
  const stages = [
    ...pipelines.flatMap((r) => r.pipeline?.stages ?? []),
    ...dataSources.flatMap((r) => (r.stage ? [r.stage] : [])),
  ];
  const index: PipelineIndex = { pipelines, dataSources, skipped };
  try {
    index.graph = buildGraph(stages);
  } catch (error) {
    if (!(error instanceof DvcError)) throw error;
    index.graphError = error;
  }
  return index;
}

/** `load` may come from a cache; the ignore rules and the disk may have changed since. */
function withIgnoredOutputsRefused(root: string, result: FileResult, check: IgnoreCheck): FileResult {
  if (!result.pipeline) return result;
  try {
    refuseIgnoredOutputs(root, result.pipeline.stages, check);
    return result;
  } catch (error) {
    if (error instanceof DvcError) return { file: result.file, error };
    throw error;
  }
}

/** DVC walks top-down and does not descend into the outputs of pipelines it already loaded. */
function isInsideAncestorOutput(file: string, outsByDir: Map<string, string[]>): boolean {
  const parts = pathParts(dirName(file) || '.');
  for (let depth = 0; depth < parts.length; depth++) {
    const outs = outsByDir.get(parts.slice(0, depth).join('/'));
    if (outs?.some((out) => file.startsWith(`${out}/`))) return true;
  }
  return false;
}

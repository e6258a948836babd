import { readFileSync } from 'node:fs';
import { readParsingConfig } from './dvc-config';
import { DvcError, ParseError } from './errors';
import { buildGraph, type StageGraph } from './graph';
import { dirName, pathParts } from './paths';
import { loadPipelineFile, readPipelineSource, type PipelineFile } from './pipeline-file';
import { diskHost, type ResolverHost } from './resolver';
import { loadSingleStageFile } from './single-stage-file';
import type { Stage } from './stage';
import { decodeUtf8 } from './yaml-load';

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
    return { file, pipeline: loadPipelineFile(host, file, readPipelineSource(root, file), config) };
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
  for (const file of [...pipelineFiles].sort(walkOrder)) {
    if (isInsideAncestorOutput(file, pipelines)) skipped.push(file);
    else pipelines.push(load(file));
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

function isInsideAncestorOutput(file: string, loaded: FileResult[]): boolean {
  return loaded.some(({ file: other, pipeline }) => {
    const dir = dirName(other);
    if (dir && !file.startsWith(`${dir}/`)) return false;
    return (pipeline?.stages ?? []).some((stage) => stage.outs.some((out) => file.startsWith(`${out.repoPath}/`)));
  });
}

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
  /** dvc.yaml and `.dvc` files DVC never reaches because an output of a file above them contains them. */
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

/**
 * Builds the index from known file lists (Nx hands us the files; DVC walks the disk). Pipelines and
 * `.dvc` files are collected together in DVC's walk order, which is the graph's node order.
 */
export function buildIndex(
  root: string,
  pipelineFiles: string[],
  dvcFiles: string[],
  load: (file: string) => FileResult = (file) => tryLoadPipeline(diskHost(root), root, file),
): PipelineIndex {
  const index: PipelineIndex = { pipelines: [], dataSources: [], skipped: [] };
  const stages: Stage[] = [];
  const outsByDir = new Map<string, string[]>();
  const isDataSource = new Set(dvcFiles);
  const check = new IgnoreCheck(root);
  for (const file of [...new Set([...pipelineFiles, ...dvcFiles])].sort(walkOrder)) {
    if (isInsideAncestorOutput(file, outsByDir)) {
      index.skipped.push(file);
      continue;
    }
    const result = isDataSource.has(file) ? tryLoadDataSource(root, file) : withIgnoredOutputsRefused(root, load(file), check);
    (isDataSource.has(file) ? index.dataSources : index.pipelines).push(result);
    const fileStages = stagesOf(result);
    stages.push(...fileStages);
    const dir = dirName(file);
    outsByDir.set(dir, [...(outsByDir.get(dir) ?? []), ...fileStages.flatMap((stage) => stage.outs.map((out) => out.repoPath))]);
  }
  try {
    index.graph = buildGraph(stages);
  } catch (error) {
    if (!(error instanceof DvcError)) throw error;
    index.graphError = error;
  }
  return index;
}

/** The stages a loaded file holds: a dvc.yaml's, or a `.dvc` file's single stage. */
export function stagesOf(result: FileResult): Stage[] {
  return result.pipeline?.stages ?? (result.stage ? [result.stage] : []);
}

/** The loaded files in DVC's walk order (the order of the graph's nodes). */
export function filesInWalkOrder(index: PipelineIndex): FileResult[] {
  return [...index.pipelines, ...index.dataSources].sort((a, b) => walkOrder(a.file, b.file));
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

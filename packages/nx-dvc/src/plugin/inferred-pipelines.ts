import type { FileResult } from '../dvc/repo/pipeline-index';

/**
 * The dvc.yaml files as this process's latest createNodes loaded them. The task hooks run in the
 * same plugin worker after Nx built its graph from them, so the stages a command ran can be put in
 * DVC's run order without parsing the pipeline again (a pipeline of many stages costs a good part of
 * a no-op command to parse). The graph is the one the command ran, or a newer one.
 */
const latest = new Map<string, FileResult>();

export function rememberInferred(root: string, results: Iterable<readonly [string, FileResult]>): void {
  latest.clear();
  for (const [file, result] of results) latest.set(key(root, file), result);
}

export function inferredPipeline(root: string, file: string): FileResult | undefined {
  return latest.get(key(root, file));
}

function key(root: string, file: string): string {
  return `${root}\0${file}`;
}

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DvcCache } from '../cache/dvc-cache';
import { isPlainObject } from '../formats/python/value';
import { decodeUtf8, loadYaml } from '../formats/yaml/load';
import type { WorkspaceHasher } from '../hashing/workspace-hasher';
import { loadSingleStageFile } from '../parsing/single-stage-file';
import { checkoutRecorded, type FetchObjects } from './checkout-recorded';
import { recordedOutputs, type CachedOutput } from './cached-output';
import type { ReproduceLog } from './reproduce';
import type { Stage } from './stage';

/** The DVC-cached outputs a `.dvc` file records (`dvc add`): repo path, md5. */
export function dataSourceOutputs(root: string, pointerFile: string): CachedOutput[] {
  const text = decodeUtf8(readFileSync(join(root, pointerFile)), pointerFile);
  const data = loadYaml(text, pointerFile).data;
  return recordedOutputs(loadSingleStageFile(pointerFile, text), isPlainObject(data) ? data : {});
}

/** Outputs (repo paths) some dep of the stage is, lies inside, or holds. */
export function readByStage(stage: Stage, outputs: CachedOutput[]): CachedOutput[] {
  const deps = stage.deps.flatMap((d) => (d.repoPath === undefined ? [] : [d.repoPath]));
  return outputs.filter((out) => deps.some((dep) => overlaps(dep, out.path)));
}

function overlaps(a: string, b: string): boolean {
  return a === b || a === '.' || b.startsWith(`${a}/`) || a.startsWith(`${b}/`);
}

export interface PullCollaborators {
  cache: DvcCache;
  hasher: WorkspaceHasher;
  fetch?: FetchObjects;
  log: ReproduceLog;
}

/**
 * `dvc repro --pull` for the `.dvc` data sources a stage reads: what is missing from the workspace
 * is pulled from the DVC remote and checked out, with DVC's lines. Data found nowhere is left
 * missing (`Unable to pull data for …`); the stage then reports its missing dep as DVC does.
 */
export async function pullDataSources(root: string, stage: Stage, pointerFiles: string[], { cache, hasher, fetch, log }: PullCollaborators): Promise<void> {
  for (const pointer of pointerFiles) {
    if (!existsSync(join(root, pointer))) continue;
    const missing = readByStage(stage, dataSourceOutputs(root, pointer)).filter((out) => !existsSync(join(root, out.path)));
    if (missing.length === 0) continue;
    log.info(`Pulling data for stage: '${pointer}'`);
    const report = await checkoutRecorded(root, missing, { cache, hasher, owner: pointer, fetch });
    if (report.missing.length) log.info(`Unable to pull data for stage: '${pointer}'`);
  }
}

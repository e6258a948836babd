import { readFileSync } from 'node:fs';
import { ParseError } from '../errors';
import type { ParsingConfig } from './interpolate';
import { lockDataOf, lockFileOf, type LockData } from '../lock/lockfile';
import { dirName } from '../paths';
import { isPlainObject } from '../formats/python/value';
import { readParsingConfig } from '../repo/dvc-config';
import { refuseIgnoredOutputs } from '../repo/ignored-outputs';
import { DataResolver, diskHost, type ResolverHost } from './resolver';
import { LOCK_FILE_SCHEMA, PIPELINE_FILE_SCHEMA, validate } from './schema';
import { buildPipelineStage, type Stage } from '../stage/stage';
import { decodeUtf8, loadYaml, type LoadedYaml } from '../formats/yaml/load';

export interface PipelineFile {
  /** Repo-relative path of the dvc.yaml. */
  file: string;
  stages: Stage[];
  /** For generated stages, the foreach/matrix group they came from. */
  groups: Record<string, string>;
  /** The raw top-level sections other than stages (for `dvc params/metrics/plots`). */
  raw: Record<string, unknown>;
  /** The dvc.lock beside it, validated while loading; undefined when there is none (or it is empty). */
  lock?: LockData;
}

export interface PipelineSource {
  text: string;
  lockText?: string;
}

export function readPipelineSource(root: string, file: string): PipelineSource {
  const lockFile = lockFileOf(file);
  let lockText: string | undefined;
  try {
    lockText = decodeUtf8(readFileSync(`${root}/${lockFile}`), lockFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(`${root}/${file}`);
  } catch (error) {
    throw new ParseError(`unable to read: '${file}', ${(error as Error).message}`, file);
  }
  return { text: decodeUtf8(bytes, file), lockText };
}

export function parsePipelineYaml(text: string, file: string): LoadedYaml {
  const loaded = loadYaml(text, file);
  validate(loaded, PIPELINE_FILE_SCHEMA, file);
  return loaded;
}

/**
 * A dvc.yaml of the workspace on disk, templated with the `[parsing]` settings of `.dvc/config`;
 * outputs DVC ignores are refused, as DVC refuses them when it loads the stages.
 */
export function loadPipelineFromDisk(root: string, file: string, host: ResolverHost = diskHost(root), config = readParsingConfig(root)): PipelineFile {
  const pipeline = loadPipelineFile(host, file, readPipelineSource(root, file), config);
  refuseIgnoredOutputs(root, pipeline.stages);
  return pipeline;
}

/**
 * Loads a dvc.yaml the way `dvc stage list <file>` does: YAML, schema, the dvc.lock beside it,
 * the templating context, then every stage in order. The first error stops the file.
 */
export function loadPipelineFile(
  host: ResolverHost,
  file: string,
  source: PipelineSource,
  config: ParsingConfig = {},
): PipelineFile {
  const data = parsePipelineYaml(source.text, file).data as Record<string, unknown>;
  const lock = source.lockText === undefined ? undefined : lockDataOf(checkLockFile(source.lockText, lockFileOf(file)));
  const resolver = new DataResolver(host, dirName(file), data, config);
  const stages: Stage[] = [];
  const groups: Record<string, string> = {};
  for (const name of resolver.stageNames()) {
    stages.push(buildPipelineStage(file, name, resolver.resolveOne(name)));
    const group = resolver.groupOf(name);
    if (group) groups[name] = group;
  }
  const { stages: _stages, ...raw } = data;
  return { file, stages, groups, raw, lock };
}

export function checkLockFile(text: string, lockFile: string): Record<string, unknown> {
  const loaded = loadYaml(text, lockFile);
  validate(loaded, LOCK_FILE_SCHEMA, lockFile);
  return isPlainObject(loaded.data) ? loaded.data : {};
}

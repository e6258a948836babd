import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../dvc/atomic-write';
import { dirname, join } from 'node:path';
import type { FileResult } from '../dvc/repo/pipeline-index';
import type { ParamsValues } from '../dvc/params/values';
import { DvcError } from '../dvc/errors';
import { dirName } from '../dvc/paths';

/** What one dvc.yaml yielded, in JSON form so it survives between Nx processes. */
export interface CachedPipeline {
  hash: string;
  result: FileResult;
  /** Every vars and params file read while loading: what the stage definitions depend on besides the dvc.yaml. */
  definitionReads: string[];
  paramsValues: Record<string, ParamsValues | undefined>;
}

interface CacheFile {
  pipelines: Record<string, CachedPipeline>;
}

/**
 * Inference results keyed by the hash Nx computes for each pipeline's project root (the same
 * scheme as Nx's own plugins), stored in Nx's workspace data directory.
 */
export class InferenceCache {
  private data: CacheFile = { pipelines: {} };
  private dirty = false;

  constructor(private readonly path: string, enabled = process.env.NX_CACHE_PROJECT_GRAPH !== 'false') {
    if (enabled && existsSync(path)) {
      try {
        this.data = JSON.parse(readFileSync(path, 'utf8'), reviveErrors);
      } catch {
        this.data = { pipelines: {} };
      }
    }
  }

  get(file: string, hash: string): CachedPipeline | undefined {
    const entry = this.data.pipelines[file];
    return entry?.hash === hash ? entry : undefined;
  }

  /** Files read while loading that live outside the project root, which Nx's project hash misses. */
  externalReadsOf(file: string): string[] {
    const projectRoot = dirName(file);
    const reads = this.data.pipelines[file]?.definitionReads ?? [];
    return projectRoot ? reads.filter((p) => !p.startsWith(`${projectRoot}/`)) : [];
  }

  set(file: string, entry: CachedPipeline): void {
    this.data.pipelines[file] = entry;
    this.dirty = true;
  }

  /** Drops entries of dvc.yaml files that no longer exist. */
  retain(files: Set<string>): void {
    for (const file of Object.keys(this.data.pipelines)) {
      if (!files.has(file)) {
        delete this.data.pipelines[file];
        this.dirty = true;
      }
    }
  }

  save(): void {
    if (!this.dirty) return;
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileAtomic(this.path, JSON.stringify(this.data, serializeErrors));
    this.dirty = false;
  }
}

export function inferenceCachePath(workspaceDataDirectory: string, optionsHash: string): string {
  return join(workspaceDataDirectory, `nx-dvc-${optionsHash}.json`);
}

function serializeErrors(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return { __bigint: String(value) };
  if (value instanceof DvcError) return { __dvcError: value.name, message: value.message, file: value.file };
  return value;
}

function reviveErrors(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && '__bigint' in value) return BigInt((value as { __bigint: string }).__bigint);
  if (value && typeof value === 'object' && '__dvcError' in value) {
    const { __dvcError, message, file } = value as { __dvcError: string; message: string; file?: string };
    const error = new DvcError(message, file);
    error.name = __dvcError;
    return error;
  }
  return value;
}

import { DependencyDoesNotExistError, MissingParamsError, OutputAlreadyTrackedError, OutputDoesNotExistError } from '../errors';
import { trackedByGit } from '../repo/git-tracked';
import { buildLockEntry, type HashInfo } from '../lock/entry';
import { readParamsValues, type ParamsValues } from '../params/values';
import type { Output, Stage } from './stage';
import { hashDependency, isHashedDependency } from './dependency-hash';
import { isDirHash, type PathHash, type WorkspaceHasher } from '../hashing/workspace-hasher';

export interface SavedStage {
  /** The dvc.lock entry, as DVC writes it after the stage ran. */
  entry: Record<string, unknown>;
  /** Hashes of the outputs, by repo path (for the DVC cache). */
  outs: Map<string, PathHash>;
}

/**
 * Reads the tracked params first, as DVC does before it runs a command, so that a missing key
 * stops the stage before anything is run or deleted.
 */
export function readStageParams(root: string, stage: Stage): Map<string, ParamsValues> {
  const values = new Map<string, ParamsValues>();
  for (const params of stage.params) {
    const found = readParamsValues(root, params);
    if (found === undefined) throw new DependencyDoesNotExistError(`dependency '${params.path}' does not exist`, stage.file);
    const missing = params.keys.filter((key) => !Object.hasOwn(found, key));
    if (missing.length) throw new MissingParamsError(`Parameters '${missing.join(', ')}' are missing from '${params.path}'.`, stage.file);
    values.set(params.path, found);
  }
  return values;
}

/**
 * DVC's `Stage.save`: hashes every dep and out; a missing one, or a cached output git already
 * tracks, fails the stage with DVC's message. `justWritten`: outputs the command has just written
 * and that stay as it wrote them (their hash waits for them to stop being racy when large).
 */
export async function saveStage(stage: Stage, hasher: WorkspaceHasher, warn: (message: string) => void, justWritten: (out: Output) => boolean = () => false): Promise<SavedStage> {
  const params = readStageParams(hasher.root, stage);
  const hashes = new Map<string, HashInfo>();
  for (const dep of stage.deps) {
    if (!isHashedDependency(dep)) continue;
    const hash = await hashDependency(hasher, dep);
    if (!hash) throw new DependencyDoesNotExistError(`dependency '${dep.path}' does not exist`, stage.file);
    hashes.set(dep.path, hashInfo(hash));
  }
  const outs = new Map<string, PathHash>();
  const tracked = trackedByGit(hasher.root, stage.outs.filter((out) => out.cache).map((out) => out.repoPath));
  for (const out of stage.outs) {
    const hash = await hasher.hash(out.repoPath, { waitForRacy: justWritten(out) });
    if (!hash) throw new OutputDoesNotExistError(`output '${out.path}' does not exist`, stage.file);
    if ((isDirHash(hash) ? hash.nfiles : hash.size) === 0) warn(`'${out.path}' is empty.`);
    // DVC's `Output.ignore`: a cached output gets a .gitignore line, which a tracked file cannot have
    if (tracked.has(out.repoPath)) throw new OutputAlreadyTrackedError(out.repoPath, stage.file);
    hashes.set(out.path, hashInfo(hash));
    outs.set(out.repoPath, hash);
  }
  return { entry: buildLockEntry(stage, hashes, params), outs };
}

function hashInfo(hash: PathHash): HashInfo {
  return isDirHash(hash) ? { md5: hash.md5, size: hash.size, nfiles: hash.nfiles } : { md5: hash.md5, size: hash.size, isexec: hash.isexec };
}

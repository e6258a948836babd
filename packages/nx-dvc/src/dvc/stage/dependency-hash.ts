import type { PathHash, WorkspaceHasher } from '../hashing/workspace-hasher';
import type { Dependency } from './stage';

/** What DVC hashes for a dep: a workspace path, or an outside one where it is; URLs and datasets are not hashed here. */
export function isHashedDependency(dep: Dependency): boolean {
  return dep.repoPath !== undefined || dep.outsidePath !== undefined;
}

/** The dep's hash, or undefined when it does not exist (or is not hashed here). */
export function hashDependency(hasher: WorkspaceHasher, dep: Dependency): Promise<PathHash | undefined> {
  if (dep.repoPath !== undefined) return hasher.hash(dep.repoPath);
  if (dep.outsidePath !== undefined) return hasher.hashOutside(dep.outsidePath);
  return Promise.resolve(undefined);
}

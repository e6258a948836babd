import { isAbsolute, join } from 'node:path';

/**
 * Nx's workspace data directory (`.nx/workspace-data`, or NX_WORKSPACE_DATA_DIRECTORY), where
 * nx-dvc keeps its hash state and lock entries. Read from the one small Nx module that computes
 * it: `@nx/devkit/internal` would cost every stage process a quarter of a second to load.
 */
export function workspaceDataDirectoryOf(root: string): string {
  try {
    return nxCacheDirectoryModule().workspaceDataDirectoryForWorkspace(root);
  } catch {
    const configured = process.env.NX_WORKSPACE_DATA_DIRECTORY ?? process.env.NX_PROJECT_GRAPH_CACHE_DIRECTORY;
    if (configured === undefined) return join(root, '.nx', 'workspace-data');
    return isAbsolute(configured) ? configured : join(root, configured);
  }
}

type CacheDirectoryModule = { workspaceDataDirectoryForWorkspace: (root: string) => string };
let cacheDirectoryModule: CacheDirectoryModule | undefined;

/** Required once: resolving the module name again costs a batch of many stages a visible share of its time. */
function nxCacheDirectoryModule(): CacheDirectoryModule {
  return (cacheDirectoryModule ??= require('nx/src/utils/cache-directory') as CacheDirectoryModule);
}

/** Where nx-dvc keeps its hash state (inode, mtime, size → md5), shared by every stage process. */
export function hashStatePath(dataDirectory: string): string {
  return join(dataDirectory, 'nx-dvc', 'hash-state.json');
}

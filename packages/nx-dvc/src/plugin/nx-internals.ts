import { join } from 'node:path/posix';
import type { CreateNodesContext } from '@nx/devkit';

/**
 * The few Nx internals the plugin worker needs, taken from the small Nx modules that define them.
 * `@nx/devkit/internal` re-exports them, but loading it loads most of Nx (about 100 ms of the
 * plugin worker's start on every Nx command, before any project graph can be built). If a later
 * Nx moves one of them, the devkit's barrel is the fallback.
 */
interface NxInternals {
  hashArray(parts: string[]): string;
  hashObject(value: unknown): string;
  hashMultiGlobWithWorkspaceContext(root: string, globGroups: string[][]): Promise<string[]>;
  globWithWorkspaceContext(root: string, globs: string[]): Promise<string[]>;
  workspaceDataDirectory: string;
}

let loaded: NxInternals | undefined;

function nxInternals(): NxInternals {
  return (loaded ??= fromNxModules() ?? fromDevkit());
}

function fromNxModules(): NxInternals | undefined {
  try {
    const { hashArray, hashObject } = require('nx/src/hasher/file-hasher');
    const { hashMultiGlobWithWorkspaceContext, globWithWorkspaceContext } = require('nx/src/utils/workspace-context');
    const { workspaceDataDirectory } = require('nx/src/utils/cache-directory');
    const internals = { hashArray, hashObject, hashMultiGlobWithWorkspaceContext, globWithWorkspaceContext, workspaceDataDirectory };
    return Object.values(internals).every((v) => v !== undefined) ? internals : undefined;
  } catch {
    return undefined;
  }
}

function fromDevkit(): NxInternals {
  const { hashArray } = require('@nx/devkit');
  return { ...require('@nx/devkit/internal'), hashArray };
}

export function hashObject(value: unknown): string {
  return nxInternals().hashObject(value);
}

export function globWithWorkspaceContext(root: string, globs: string[]): Promise<string[]> {
  return nxInternals().globWithWorkspaceContext(root, globs);
}

/** Nx's workspace data directory for the workspace this process runs in. */
export function nxWorkspaceDataDirectory(): string {
  return nxInternals().workspaceDataDirectory;
}

/** `calculateHashesForCreateNodes` of `@nx/devkit/internal`, as Nx 24 computes it. */
export async function calculateHashesForCreateNodes(
  projectRoots: string[],
  options: object,
  context: CreateNodesContext,
  additionalGlobs: string[][] = [],
): Promise<string[]> {
  if (projectRoots.length === 0) return [];
  const nx = nxInternals();
  const globGroups = projectRoots.map((projectRoot, i) => [join(projectRoot, '**/*'), ...(additionalGlobs[i] ?? [])]);
  const hashes = await nx.hashMultiGlobWithWorkspaceContext(context.workspaceRoot, globGroups);
  const optionsHash = nx.hashObject(options);
  return hashes.map((hash) => nx.hashArray([hash, optionsHash]));
}

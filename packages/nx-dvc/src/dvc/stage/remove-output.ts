import { lstatSync, readlinkSync, realpathSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DvcError } from '../errors';
import { isPlainInsidePath, pathParts } from '../paths';
import { readDvcConfigValue } from '../repo/dvc-config';

/** An output nx-dvc will not remove, whatever the dvc.yaml says; nothing has been removed. */
export class UnsafeRemovalError extends DvcError {
  override name = 'UnsafeRemovalError';
}

interface Protected {
  /** What the user is told the path is. */
  what: string;
  abs: string;
  /** A tree: nothing inside it either (not only it and its ancestors). */
  tree: boolean;
}

/** DVC's cache when `cache.dir` moves it, and Nx's folders when its environment moves them. */
function movedElsewhere(root: string): Protected[] {
  const dvcCache = readDvcConfigValue(root, 'cache', 'dir');
  const nxFolders = ['NX_CACHE_DIRECTORY', 'NX_WORKSPACE_DATA_DIRECTORY'].flatMap((name) => (process.env[name] ? [resolve(root, process.env[name]!)] : []));
  return [
    ...(dvcCache ? [{ what: "DVC's cache (cache.dir)", abs: resolve(root, '.dvc', dvcCache), tree: true }] : []),
    ...nxFolders.map((abs) => ({ what: "Nx's cache and workspace data", abs, tree: true })),
  ];
}

/**
 * What an output removal may never reach, found by file identity (device and inode), so that a
 * case variant on a case-insensitive disk (`.GIT`) or a second path to the same folder is caught
 * as well as the plain name: the workspace root, its `.git`, `.dvc` and `.nx` folders, and the
 * installed Nx and nx-dvc packages this very run is executing from.
 */
export class RemovalGuard {
  private readonly protectedPaths: Protected[];

  constructor(readonly root: string) {
    this.protectedPaths = [
      { what: 'the workspace root', abs: root, tree: false },
      { what: "the workspace's git repository", abs: join(root, '.git'), tree: true },
      { what: "DVC's own folder", abs: join(root, '.dvc'), tree: true },
      { what: "Nx's cache and workspace data", abs: join(root, '.nx'), tree: true },
      ...movedElsewhere(root),
      ...installedPackage(root, 'nx', "the installed Nx that runs this task"),
      { what: 'the installed nx-dvc that runs this task', abs: resolve(__dirname, '../../..'), tree: false },
    ];
  }

  /**
   * Throws unless `repoPath` is safe to remove: inside the workspace, reached without following a
   * symbolic link, neither one of the protected paths, nor an ancestor of one, nor inside a
   * protected tree. Returns the absolute path, or undefined when there is nothing to remove.
   */
  check(repoPath: string, owner: string): string | undefined {
    const refuse = (why: string) => {
      throw new UnsafeRemovalError(`refusing to remove output '${repoPath}' of stage '${owner}' before running it: ${why}. Nothing was removed.`);
    };
    if (!isPlainInsidePath(repoPath)) refuse('it is not a path inside the workspace');
    const parts = pathParts(repoPath);
    let abs = this.root;
    const ancestors: string[] = [];
    for (const part of parts.slice(0, -1)) {
      abs = join(abs, part);
      const stats = lstatSync(abs, { throwIfNoEntry: false });
      if (!stats || !stats.isDirectory()) {
        if (stats?.isSymbolicLink()) refuse(`its folder '${abs.slice(this.root.length + 1)}' is a symbolic link to '${readlinkSync(abs)}', and nx-dvc never removes through a link`);
        return undefined;
      }
      ancestors.push(abs);
    }
    abs = join(abs, parts[parts.length - 1]!);
    if (!lstatSync(abs, { throwIfNoEntry: false })) return undefined;
    // a link output loses only the link, but not a link the workspace runs through (node_modules)
    const targets = [identity(abs, false)!, identity(abs, true)].filter((id): id is string => id !== undefined);
    for (const guarded of this.protectedPaths) {
      const guardedId = identity(guarded.abs, true);
      if (!guardedId) continue;
      if (targets[0] === guardedId) refuse(`it is ${guarded.what}`);
      if (targets[1] === guardedId) refuse(`it is a link to ${guarded.what}`);
      if (realAncestors(guarded.abs).some((id) => targets.includes(id))) refuse(`it contains ${guarded.what} ('${guarded.abs}')`);
      if (guarded.tree && ancestors.some((a) => identity(a, false) === guardedId)) refuse(`it is inside ${guarded.what} ('${guarded.abs}')`);
    }
    return abs;
  }
}

/**
 * Removes a stage's outputs (repo-relative paths) as DVC does before it runs the stage, after
 * checking every one of them: one unsafe output and nothing is removed. A symbolic link output
 * loses the link only, never what it points to.
 */
export function removeOutputPaths(repoPaths: string[], owner: string, guard: RemovalGuard): void {
  const targets = repoPaths.map((path) => guard.check(path, owner));
  for (const abs of targets) if (abs) removePath(abs);
}

function removePath(abs: string): void {
  if (lstatSync(abs).isSymbolicLink()) unlinkSync(abs);
  else rmSync(abs, { recursive: true, force: true });
}

/** `dev:ino` of a path (following a final link when asked), undefined when it does not exist. */
function identity(abs: string, follow: boolean): string | undefined {
  const stats = (follow ? statSync : lstatSync)(abs, { bigint: true, throwIfNoEntry: false });
  return stats ? `${stats.dev}:${stats.ino}` : undefined;
}

/** Identities of every real folder above a path, up to the file system root. */
function realAncestors(abs: string): string[] {
  const ids: string[] = [];
  let dir: string;
  try {
    dir = dirname(realpathSync(abs));
  } catch {
    return ids;
  }
  for (;;) {
    const id = identity(dir, false);
    if (id) ids.push(id);
    const parent = dirname(dir);
    if (parent === dir) return ids;
    dir = parent;
  }
}

function installedPackage(root: string, name: string, what: string): Protected[] {
  const key = `${root}\0${name}`;
  if (!installedPackages.has(key)) installedPackages.set(key, resolvedPackageDir(root, name));
  const abs = installedPackages.get(key);
  return abs === undefined ? [] : [{ what, abs, tree: false }];
}

/** Resolved once per process: a package does not move while it runs, and resolving costs each stage of a batch. */
const installedPackages = new Map<string, string | undefined>();

function resolvedPackageDir(root: string, name: string): string | undefined {
  try {
    return dirname(require.resolve(`${name}/package.json`, { paths: [root] }));
  } catch {
    return undefined;
  }
}

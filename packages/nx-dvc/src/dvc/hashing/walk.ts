import { readdirSync, statSync, type BigIntStats } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { DvcError } from '../errors';

/** Which files of a directory DVC hashes, and their stats (shared by hashing and the outside-deps signature). */

export interface WalkOptions {
  /**
   * Tells whether a path is excluded by `.dvcignore` rules. `path` is POSIX, relative to `root`;
   * directories are asked with `isDir` true (see `ignorePredicate`).
   */
  isIgnored?: (path: string, isDir: boolean) => boolean;
  /** Absolute path that `isIgnored` paths are relative to (the repository root); default `absDir`. */
  root?: string;
  /**
   * A folder outside the repository (an external dependency): DVC skips nothing in it, not even
   * `.git`, `.hg`, `.dvc` or sub-repositories, which it leaves out inside the repository.
   */
  outsideRepository?: boolean;
  /** Told of every folder the walk descends into (relative to `absDir`): those DVC's index lists. */
  onDirectory?: (relpath: string) => void;
}

export interface Collected {
  relpath: string;
  abs: string;
  stat: BigIntStats;
}

/** DVC's `IgnoreInCollectedDirError`. */
export class DvcIgnoreInCollectedDirError extends DvcError {
  override name = 'IgnoreInCollectedDirError';
  constructor(readonly ignoreFile: string) {
    super(`.dvcignore file should not be in collected dir path: '${ignoreFile}'`);
  }
}

/**
 * Walks `absDir` top-down like DVC's `DvcIgnoreFilter.walk` over `os.walk`: symlinked directories
 * are neither descended into nor listed, symlinks to files count as files, ignored paths and
 * built-in ignores (`.git`, `.hg/`, `.dvc/`, sub-repositories) are left out inside the repository.
 */
export function collectFiles(absDir: string, options: WalkOptions): Collected[] {
  const { isIgnored } = options;
  let prefix: string | undefined = '';
  if (isIgnored && options.root !== undefined) {
    const rel = relative(options.root, absDir).split(sep).join('/');
    // DVC applies no .dvcignore rules to paths outside the repository
    prefix = rel === '..' || rel.startsWith('../') || rel.startsWith('/') ? undefined : rel;
  }
  const ignored = (relpath: string, isDir: boolean): boolean => {
    if (!isIgnored || prefix === undefined) return false;
    return isIgnored(prefix ? `${prefix}/${relpath}` : relpath, isDir);
  };

  const files: Collected[] = [];
  const stack: [abs: string, rel: string][] = [[absDir, '']];
  while (stack.length) {
    const [dirAbs, dirRel] = stack.pop()!;
    const subdirs: [string, string][] = [];
    for (const dirent of readdirSync(dirAbs, { withFileTypes: true })) {
      const name = dirent.name;
      if (name === '.git' && !options.outsideRepository) continue;
      const abs = join(dirAbs, name);
      const rel = dirRel ? `${dirRel}/${name}` : name;
      if (dirent.isDirectory()) {
        if (!options.outsideRepository && (name === '.hg' || name === '.dvc' || ignored(rel, true) || isSubRepo(abs))) continue;
        subdirs.push([abs, rel]);
        options.onDirectory?.(rel);
        continue;
      }
      let st: BigIntStats;
      if (dirent.isSymbolicLink()) {
        const target = statSync(abs, { bigint: true, throwIfNoEntry: false });
        if (!target) throw new DvcError(`broken symlink '${abs}': its target does not exist`);
        if (target.isDirectory()) continue;
        if (ignored(rel, false)) continue;
        st = target;
      } else {
        if (ignored(rel, false)) continue;
        st = statSync(abs, { bigint: true });
      }
      if (name === '.dvcignore') throw new DvcIgnoreInCollectedDirError(abs);
      if (!st.isFile()) throw new DvcError(`'${abs}' is not a regular file: DVC cannot hash it`);
      files.push({ relpath: rel, abs, stat: st });
    }
    // reverse, so that the stack pops them in listing order (top-down, like os.walk)
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
  return files;
}

function isSubRepo(absDir: string): boolean {
  return statSync(join(absDir, '.dvc'), { throwIfNoEntry: false })?.isDirectory() ?? false;
}

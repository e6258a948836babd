import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, linkSync, openSync, realpathSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { copyNewFile } from '../copy-new-file';
import { DvcError } from '../errors';
import type { LinkType } from './link-types';

/** Errors after which DVC tries the next link type (`dvc_objects.fs.generic._try_links`). */
const UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOTTY', 'ENOSYS', 'EINVAL', 'EAGAIN']);

/** The mode DVC gives a file it creates in the workspace: `0o666 & ~umask`. */
export function workspaceFileMode(): number {
  return 0o666 & ~process.umask();
}

/**
 * Puts a cache object at a path with the first link type that works, as DVC's `transfer` does:
 * a type that fails as unsupported is dropped for every later file of the same transfer.
 */
export class Linker {
  private readonly types: LinkType[];

  constructor(types: readonly LinkType[]) {
    this.types = [...types];
  }

  /** Creates `target` (which must not exist) from `source`; returns the type used. */
  link(source: string, target: string): LinkType {
    while (this.types.length) {
      const type = this.types[0]!;
      try {
        LINK[type](source, target);
        return type;
      } catch (error) {
        if (type === 'copy' || !UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      }
      this.types.shift();
    }
    throw new DvcError(
      `No possible cache link types for '${target}'. See <https://dvc.org/doc/user-guide/troubleshooting#cache-types> for more information.`,
    );
  }

  /**
   * Puts `source` at `target` whether or not `target` exists: linked under a temporary name beside
   * it, then renamed over it, so that a reader sees the old file or the new one, never half of one,
   * and two processes writing the same bytes there at once both succeed. `beforeRename` sees the
   * file under its temporary name.
   */
  replace(source: string, target: string, beforeRename?: (temporary: string) => void): LinkType {
    const temporary = temporaryBeside(target);
    try {
      const type = this.link(source, temporary);
      beforeRename?.(temporary);
      renameSync(temporary, target);
      return type;
    } finally {
      // a rename onto a hard link of the same file does nothing and leaves the temporary name
      rmSync(temporary, { force: true });
    }
  }
}

/** A fresh name in the same folder (so that a rename is atomic), hidden and marked temporary. */
export function temporaryBeside(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(8).toString('hex')}.tmp`);
}

const LINK: Record<LinkType, (source: string, target: string) => void> = {
  reflink(source, target) {
    copyNewFile(source, target, 'reflink-only');
    chmodSync(target, workspaceFileMode());
  },
  hardlink(source, target) {
    // DVC creates empty files instead of linking them: they would all share one inode and reach
    // the file system's link limit.
    if (statSync(source).size === 0) closeSync(openSync(target, 'wx'));
    else linkSync(realpathSync(source), target);
  },
  symlink(source, target) {
    symlinkSync(source, target);
  },
  copy: copyAtomically,
};

/** A full copy through a temporary name, so that nobody sees half a file (a reflink when the FS can). */
export function copyAtomically(source: string, target: string): void {
  const temporary = temporaryBeside(target);
  try {
    copyNewFile(source, temporary);
    chmodSync(temporary, workspaceFileMode());
    renameSync(temporary, target);
  } finally {
    rmSync(temporary, { force: true });
  }
}

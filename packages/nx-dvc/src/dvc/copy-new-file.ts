import { constants, copyFileSync } from 'node:fs';

/**
 * Copies a file to a path that must not exist yet (a reflink where the file system can). Asking for
 * a new file matters for speed: without `COPYFILE_EXCL`, libuv truncates the destination first, and
 * ext4 answers a truncation to zero by flushing the file when it is closed (`auto_da_alloc`), which
 * made a 1 GiB copy about 0.4 s slower than `cp` of it.
 */
export function copyNewFile(source: string, target: string, mode: 'reflink-or-copy' | 'reflink-only' = 'reflink-or-copy'): void {
  const clone = mode === 'reflink-only' ? constants.COPYFILE_FICLONE_FORCE : constants.COPYFILE_FICLONE;
  copyFileSync(source, target, clone | constants.COPYFILE_EXCL);
}

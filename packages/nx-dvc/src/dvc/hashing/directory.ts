import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { hashFile, isExecutable, md5OfFile, type FileHash, type HashOptions } from './file';
import { collectFiles, type Collected, type WalkOptions } from './walk';
import { dirManifest } from './manifest';
import { waitOutLargeRacyFiles } from './racy-wait';
import { hashInWorkers } from './worker-pool';

/**
 * A directory's DVC 3 hash (spec §5.3, `dvc_data/hashfile/build.py`, `tree.py`): the md5 of its
 * `.dir` manifest followed by `.dir`. Its files are hashed by a small pool of worker threads when
 * there are many (md5 in node:crypto runs on the calling thread, so threads use several cores).
 */

export interface DirEntry {
  md5: string;
  /** POSIX path relative to the hashed directory. */
  relpath: string;
  size: number;
  isexec: boolean;
}

export interface DirHash {
  /** `<md5 of manifest>.dir` */
  md5: string;
  size: number;
  nfiles: number;
  /** The exact bytes DVC stores as the `.dir` object (and hashes). */
  manifest: Buffer;
  /** Sorted like the manifest. */
  entries: DirEntry[];
}

export interface DirHashOptions extends HashOptions, WalkOptions {
  /** Worker threads for hashing many files; 0 or 1 hashes on the calling thread. Default: cores, at most 8. */
  workers?: number;
}

export const EMPTY_DIR_MD5 = 'd751713988987e9331980363e24189ce.dir';

/** Adapts a gitignore-style matcher (`DvcIgnore`, the `ignore` package) to `isIgnored`. */
export function ignorePredicate(matcher: { ignores(path: string): boolean }): (path: string, isDir: boolean) => boolean {
  return (path, isDir) => {
    try {
      return matcher.ignores(isDir ? `${path}/` : path);
    } catch {
      // `ignore` refuses an empty path: a rule file's own directory asked about itself
      return false;
    }
  };
}

/** Hashes a file or a directory, whichever `absPath` is (following a symlink at `absPath`). */
export async function hashPath(absPath: string, options: DirHashOptions = {}): Promise<FileHash | DirHash> {
  const st = await stat(absPath);
  return st.isDirectory() ? hashDirectory(absPath, options) : hashFile(absPath, options);
}

/** Hashes a directory like DVC's `_build_tree` (spec §5.3). */
export async function hashDirectory(absDir: string, options: DirHashOptions = {}): Promise<DirHash> {
  let startedAt = Date.now();
  let files = collectFiles(absDir, options);
  const { state } = options;
  if (state && options.waitForRacy && (await waitOutLargeRacyFiles(files.filter((f) => state.get(f.abs, f.stat) === undefined).map((f) => f.stat), state))) {
    startedAt = Date.now();
    files = collectFiles(absDir, options);
  }

  const md5s = new Map<Collected, string>();
  const misses: Collected[] = [];
  let total = 0;
  let done = 0;
  for (const file of files) {
    const size = Number(file.stat.size);
    total += size;
    const cached = options.state?.get(file.abs, file.stat);
    if (cached === undefined) {
      misses.push(file);
    } else {
      md5s.set(file, cached);
      done += size;
    }
  }

  const progress = options.onProgress;
  if (progress && total > 0) progress(done, total);
  const onBytes = progress ? (n: number) => progress((done += n), total) : undefined;

  const missBytes = misses.reduce((sum, f) => sum + Number(f.stat.size), 0);
  const workers = Math.max(0, Math.floor(options.workers ?? Math.min(availableParallelism(), 8)));
  if (workers >= 2 && misses.length >= 2 && (missBytes >= 16 << 20 || misses.length >= 500)) {
    const hashed = await hashInWorkers(misses.map((f) => ({ path: f.abs, size: Number(f.stat.size) })), workers, onBytes);
    misses.forEach((file, i) => md5s.set(file, hashed[i]!));
  } else {
    for (const file of misses) {
      const size = Number(file.stat.size);
      md5s.set(file, await md5OfFile(file.abs, size, onBytes));
    }
  }
  if (options.state) for (const file of misses) options.state.set(file.abs, file.stat, md5s.get(file)!, startedAt);

  const entries: DirEntry[] = files.map((file) => ({
    md5: md5s.get(file)!,
    relpath: file.relpath,
    size: Number(file.stat.size),
    isexec: isExecutable(file.stat),
  }));
  const { md5, manifest, sorted } = dirManifest(entries);
  return { md5, size: total, nfiles: sorted.length, manifest, entries: sorted };
}

import { createHash } from 'node:crypto';
import { closeSync, openSync, read, readSync, type BigIntStats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { DvcError } from '../errors';
import { waitOutLargeRacyFiles } from './racy-wait';
import type { HashState } from './state';

/**
 * DVC 3 hashing (`hash: md5`), spec §5.1 and §5.3 (`dvc_data/hashfile/hash.py`, `build.py`,
 * `tree.py`):
 * - a file: the plain md5 of its raw bytes, `size` = `st_size` after following symlinks, `isexec`
 *   when any of the u/g/o execute bits is set;
 * - a directory: the md5 of the `.dir` manifest (Python `json.dumps(entries, sort_keys=True)` of
 *   `[{"md5", "relpath"}]` sorted by relpath in code-point order) followed by `.dir`.
 *
 * Files are read in large chunks (double-buffered, so that reading and md5 overlap). A
 * {@link HashState} lets unchanged files be skipped entirely. Directories: `directory.ts`.
 */

export interface FileHash {
  md5: string;
  size: number;
  isexec: boolean;
}

/** `(doneBytes, totalBytes)`; called as chunks and files complete. */
export type HashProgress = (doneBytes: number, totalBytes: number) => void;

export interface HashOptions {
  /** Reuses (and records) the md5 of files whose inode, mtime and size did not change. */
  state?: HashState;
  /**
   * Files just written (a command's outputs): large racy ones are waited for first, so that their
   * md5 is recorded (`waitOutLargeRacyFiles`).
   */
  waitForRacy?: boolean;
  onProgress?: HashProgress;
}

const CHUNK = 4 << 20;
/** Below this size a file is read synchronously in one loop: cheaper than the double buffer. */
export const SMALL_FILE = 2 * CHUNK;
const smallBuffer = Buffer.allocUnsafe(1 << 20);

export function md5Hex(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex');
}

/** Hashes one file (following symlinks). */
export async function hashFile(absPath: string, options: HashOptions = {}): Promise<FileHash> {
  let startedAt = Date.now();
  let st = await stat(absPath, { bigint: true });
  if (st.isDirectory()) throw new DvcError(`'${absPath}' is a directory, not a file`);
  const { state } = options;
  const cached = state?.get(absPath, st);
  if (cached === undefined && state && options.waitForRacy && (await waitOutLargeRacyFiles([st], state))) {
    startedAt = Date.now();
    st = await stat(absPath, { bigint: true });
  }
  const size = Number(st.size);
  const isexec = isExecutable(st);
  if (cached !== undefined) {
    options.onProgress?.(size, size);
    return { md5: cached, size, isexec };
  }
  let done = 0;
  const onBytes = options.onProgress ? (n: number) => options.onProgress!((done += n), size) : undefined;
  const md5 = size < SMALL_FILE ? md5FileSync(absPath, onBytes) : await md5FileAsync(absPath, onBytes);
  options.state?.set(absPath, st, md5, startedAt);
  return { md5, size, isexec };
}

export function isExecutable(st: BigIntStats): boolean {
  return (st.mode & 0o111n) !== 0n;
}

export function md5FileSync(absPath: string, onBytes?: (n: number) => void): string {
  const hash = createHash('md5');
  const fd = openSync(absPath, 'r');
  try {
    let n: number;
    while ((n = readSync(fd, smallBuffer, 0, smallBuffer.length, null)) > 0) {
      hash.update(smallBuffer.subarray(0, n));
      onBytes?.(n);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function readChunk(fd: number, buffer: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buffer, 0, buffer.length, position, (err, n) => (err ? reject(err) : resolve(n))));
}

/** Double-buffered: the next chunk is read (libuv thread pool) while this one is hashed. */
export async function md5FileAsync(absPath: string, onBytes?: (n: number) => void): Promise<string> {
  const hash = createHash('md5');
  const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
  const fd = openSync(absPath, 'r');
  try {
    let position = 0;
    let current = 0;
    let pending = readChunk(fd, buffers[0]!, 0);
    for (;;) {
      const n = await pending;
      if (n === 0) break;
      position += n;
      const chunk = buffers[current]!;
      current ^= 1;
      pending = readChunk(fd, buffers[current]!, position);
      hash.update(n === chunk.length ? chunk : chunk.subarray(0, n));
      onBytes?.(n);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** The md5 of a file's bytes, reading it the cheaper way for its size. */
export async function md5OfFile(absPath: string, size: number, onBytes?: (n: number) => void): Promise<string> {
  return size < SMALL_FILE ? md5FileSync(absPath, onBytes) : md5FileAsync(absPath, onBytes);
}

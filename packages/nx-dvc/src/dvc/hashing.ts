import { createHash } from 'node:crypto';
import { closeSync, openSync, read, readSync, readdirSync, statSync, type BigIntStats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import { comparePythonStrings } from './py-value';
import { DvcError } from './errors';
import type { HashState } from './hash-state';

/**
 * DVC 3 hashing (`hash: md5`), spec §5.1 and §5.3 (`dvc_data/hashfile/hash.py`, `build.py`,
 * `tree.py`):
 * - a file: the plain md5 of its raw bytes, `size` = `st_size` after following symlinks, `isexec`
 *   when any of the u/g/o execute bits is set;
 * - a directory: the md5 of the `.dir` manifest (Python `json.dumps(entries, sort_keys=True)` of
 *   `[{"md5", "relpath"}]` sorted by relpath in code-point order) followed by `.dir`.
 *
 * Files are read in large chunks (double-buffered, so that reading and md5 overlap); the files of
 * a directory are hashed by a small pool of worker threads (md5 in node:crypto runs on the
 * calling thread, so threads are what uses several cores). A {@link HashState} lets unchanged
 * files be skipped entirely.
 */

export interface FileHash {
  md5: string;
  size: number;
  isexec: boolean;
}

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

/** `(doneBytes, totalBytes)`; called as chunks and files complete. */
export type HashProgress = (doneBytes: number, totalBytes: number) => void;

export interface HashOptions {
  /** Reuses (and records) the md5 of files whose inode, mtime and size did not change. */
  state?: HashState;
  onProgress?: HashProgress;
}

export interface DirHashOptions extends HashOptions {
  /**
   * Tells whether a path is excluded by `.dvcignore` rules. `path` is POSIX, relative to `root`;
   * directories are asked with `isDir` true (see {@link ignorePredicate}).
   */
  isIgnored?: (path: string, isDir: boolean) => boolean;
  /** Absolute path that `isIgnored` paths are relative to (the repository root); default `absDir`. */
  root?: string;
  /** Worker threads for hashing many files; 0 or 1 hashes on the calling thread. Default: cores, at most 8. */
  workers?: number;
}

/** DVC's `IgnoreInCollectedDirError`. */
export class DvcIgnoreInCollectedDirError extends DvcError {
  override name = 'IgnoreInCollectedDirError';
  constructor(readonly ignoreFile: string) {
    super(`.dvcignore file should not be in collected dir path: '${ignoreFile}'`);
  }
}

export const EMPTY_DIR_MD5 = 'd751713988987e9331980363e24189ce.dir';

const CHUNK = 4 << 20;
const SMALL_FILE = 2 * CHUNK;
const smallBuffer = Buffer.allocUnsafe(1 << 20);

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

export function md5Hex(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Files

/** Hashes one file (following symlinks). */
export async function hashFile(absPath: string, options: HashOptions = {}): Promise<FileHash> {
  const startedAt = Date.now();
  const st = await stat(absPath, { bigint: true });
  if (st.isDirectory()) throw new DvcError(`'${absPath}' is a directory, not a file`);
  const size = Number(st.size);
  const isexec = isExecutable(st);
  const cached = options.state?.get(absPath, st);
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

/** Hashes a file or a directory, whichever `absPath` is (following a symlink at `absPath`). */
export async function hashPath(absPath: string, options: DirHashOptions = {}): Promise<FileHash | DirHash> {
  const st = await stat(absPath);
  return st.isDirectory() ? hashDirectory(absPath, options) : hashFile(absPath, options);
}

function isExecutable(st: BigIntStats): boolean {
  return (st.mode & 0o111n) !== 0n;
}

function md5FileSync(absPath: string, onBytes?: (n: number) => void): string {
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
async function md5FileAsync(absPath: string, onBytes?: (n: number) => void): Promise<string> {
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

// ---------------------------------------------------------------------------------------------
// Directories

interface Collected {
  relpath: string;
  abs: string;
  stat: BigIntStats;
}

/** Hashes a directory like DVC's `_build_tree` (spec §5.3). */
export async function hashDirectory(absDir: string, options: DirHashOptions = {}): Promise<DirHash> {
  const startedAt = Date.now();
  const files = collectFiles(absDir, options);

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
    const hashed = await hashInWorkers(misses, workers, onBytes);
    misses.forEach((file, i) => md5s.set(file, hashed[i]!));
  } else {
    for (const file of misses) {
      const size = Number(file.stat.size);
      md5s.set(file, size < SMALL_FILE ? md5FileSync(file.abs, onBytes) : await md5FileAsync(file.abs, onBytes));
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

/**
 * Walks `absDir` top-down like DVC's `DvcIgnoreFilter.walk` over `os.walk`: symlinked directories
 * are neither descended into nor listed, symlinks to files count as files, ignored paths and
 * built-in ignores (`.git`, `.hg/`, `.dvc/`, sub-repositories) are left out.
 */
function collectFiles(absDir: string, options: DirHashOptions): Collected[] {
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
      if (name === '.git') continue;
      const abs = join(dirAbs, name);
      const rel = dirRel ? `${dirRel}/${name}` : name;
      if (dirent.isDirectory()) {
        if (name === '.hg' || name === '.dvc' || ignored(rel, true) || isSubRepo(abs)) continue;
        subdirs.push([abs, rel]);
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

// ---------------------------------------------------------------------------------------------
// The .dir manifest

/** Sorts entries by relpath (code points) and serialises them like DVC; the md5 ends in `.dir`. */
export function dirManifest<E extends { md5: string; relpath: string }>(entries: readonly E[]): { md5: string; manifest: Buffer; sorted: E[] } {
  const sorted = [...entries].sort((a, b) => comparePythonStrings(a.relpath, b.relpath));
  const parts = sorted.map((e) => `{"md5": ${pythonJsonString(e.md5)}, "relpath": ${pythonJsonString(e.relpath)}}`);
  const manifest = Buffer.from(`[${parts.join(', ')}]`, 'utf8');
  return { md5: `${md5Hex(manifest)}.dir`, manifest, sorted };
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** Python `json.dumps(s)` with `ensure_ascii=True`: everything outside space..~ is escaped. */
export function pythonJsonString(value: string): string {
  return `"${value.replace(/[^ !#-[\]-~]/g, (ch) => SHORT_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

// ---------------------------------------------------------------------------------------------
// Worker pool

const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const CHUNK = ${CHUNK};
const small = Buffer.allocUnsafe(1 << 20);
const big = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
const PROGRESS_STEP = 8 << 20;
let pending = 0;
function report(id, n) {
  pending += n;
  if (pending >= PROGRESS_STEP) { parentPort.postMessage({ id, progress: pending }); pending = 0; }
}
function readChunk(fd, buffer, position) {
  return new Promise((resolve, reject) => fs.read(fd, buffer, 0, buffer.length, position, (e, n) => (e ? reject(e) : resolve(n))));
}
async function hashOne(id, path, size) {
  const hash = crypto.createHash('md5');
  const fd = fs.openSync(path, 'r');
  try {
    if (size < 2 * CHUNK) {
      let n;
      while ((n = fs.readSync(fd, small, 0, small.length, null)) > 0) { hash.update(small.subarray(0, n)); report(id, n); }
    } else {
      let position = 0, current = 0, next = readChunk(fd, big[0], 0);
      for (;;) {
        const n = await next;
        if (n === 0) break;
        position += n;
        const chunk = big[current];
        current ^= 1;
        next = readChunk(fd, big[current], position);
        hash.update(n === chunk.length ? chunk : chunk.subarray(0, n));
        report(id, n);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}
parentPort.on('message', async ({ id, paths, sizes }) => {
  try {
    const md5s = [];
    for (let i = 0; i < paths.length; i++) md5s.push(await hashOne(id, paths[i], sizes[i]));
    parentPort.postMessage({ id, md5s, progress: pending });
  } catch (e) {
    parentPort.postMessage({ id, progress: pending, error: { message: String(e && e.message), code: e && e.code, path: e && e.path } });
  }
  pending = 0;
});
`;

interface Task {
  id: number;
  paths: string[];
  sizes: number[];
  onBytes?: (n: number) => void;
  resolve(md5s: string[]): void;
  reject(error: Error): void;
}

interface PoolWorker {
  worker: Worker;
  task?: Task;
}

interface WorkerReply {
  id: number;
  progress?: number;
  md5s?: string[];
  error?: { message: string; code?: string; path?: string };
}

class HashWorkerPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Task[] = [];
  private nextId = 0;
  limit = 0;

  run(paths: string[], sizes: number[], onBytes?: (n: number) => void): Promise<string[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, paths, sizes, onBytes, resolve, reject });
      this.pump();
    });
  }

  async terminate(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length) {
      let idle = this.workers.find((w) => !w.task);
      if (!idle) {
        if (this.workers.length >= this.limit) return;
        idle = this.spawn();
      }
      const task = this.queue.shift()!;
      idle.task = task;
      idle.worker.ref();
      idle.worker.postMessage({ id: task.id, paths: task.paths, sizes: task.sizes });
    }
  }

  private spawn(): PoolWorker {
    // eval: plain CommonJS source, so the pool works from tsx and from the compiled plugin alike
    const entry: PoolWorker = { worker: new Worker(WORKER_SOURCE, { eval: true, execArgv: [] }) };
    const { worker } = entry;
    worker.on('message', (reply: WorkerReply) => {
      const task = entry.task;
      if (!task || reply.id !== task.id) return;
      if (reply.progress) task.onBytes?.(reply.progress);
      if (!reply.md5s && !reply.error) return;
      entry.task = undefined;
      worker.unref();
      if (reply.md5s) task.resolve(reply.md5s);
      else {
        const error = Object.assign(new Error(reply.error!.message), { code: reply.error!.code, path: reply.error!.path });
        task.reject(error);
      }
      this.pump();
    });
    const fail = (error: Error) => {
      const index = this.workers.indexOf(entry);
      if (index >= 0) this.workers.splice(index, 1);
      const task = entry.task;
      entry.task = undefined;
      task?.reject(error);
      this.pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`md5 worker exited with code ${code}`)));
    worker.unref();
    this.workers.push(entry);
    return entry;
  }
}

let pool: HashWorkerPool | undefined;

/** Stops the hashing threads (they are unref'd while idle, so this is only needed for tidiness). */
export async function shutdownHashWorkers(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.terminate();
}

const BATCH_FILES = 64;
const BATCH_BYTES = 8 << 20;

/** md5s of `files` (in order), hashed by up to `threads` workers; largest files first for balance. */
async function hashInWorkers(files: Collected[], threads: number, onBytes?: (n: number) => void): Promise<string[]> {
  pool ??= new HashWorkerPool();
  pool.limit = Math.max(pool.limit, threads);
  const order = files.map((_, i) => i).sort((a, b) => Number(files[b]!.stat.size - files[a]!.stat.size));
  const batches: number[][] = [];
  let batch: number[] = [];
  let bytes = 0;
  for (const i of order) {
    const size = Number(files[i]!.stat.size);
    if (batch.length && (batch.length >= BATCH_FILES || bytes + size > BATCH_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(i);
    bytes += size;
  }
  if (batch.length) batches.push(batch);

  const md5s: string[] = new Array(files.length);
  const current = pool;
  await Promise.all(
    batches.map(async (indexes) => {
      const result = await current.run(
        indexes.map((i) => files[i]!.abs),
        indexes.map((i) => Number(files[i]!.stat.size)),
        onBytes,
      );
      indexes.forEach((i, k) => (md5s[i] = result[k]!));
    }),
  );
  return md5s;
}

import { chmodSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import type { DvcCache } from '../cache/dvc-cache';
import { mapLimit } from './map-limit';
import { remoteObjectKey } from './object-layout';
import { MissingObjectError, type RemoteStorage } from './storage';

export interface TransferResult {
  /** Objects copied (md5s, `.dir` ones included). */
  transferred: string[];
  /** Objects that were in neither place: on the remote for a pull, in DVC's cache for a push. */
  missing: string[];
}

export interface TransferOptions {
  /** Objects in flight at once; DVC's default for remotes is four per CPU. */
  jobs?: number;
}

/**
 * `dvc pull` for a set of lock-entry outputs (their md5s): every object not in DVC's cache is
 * fetched from the remote, a directory's `.dir` object first and then the files it lists.
 */
export async function pull(cache: DvcCache, storage: RemoteStorage, md5s: readonly string[], options: TransferOptions = {}): Promise<TransferResult> {
  const result: TransferResult = { transferred: [], missing: [] };
  const fetch = async (md5: string) => {
    if (existsSync(cache.objectPath(md5))) return true;
    try {
      await downloadObject(cache, storage, md5);
      result.transferred.push(md5);
      return true;
    } catch (error) {
      if (!(error instanceof MissingObjectError)) throw error;
      result.missing.push(md5);
      return false;
    }
  };
  const dirs = unique(md5s.filter(isDir));
  const present = await mapLimit(dirs, jobsOf(options), fetch);
  const files = unique([...md5s.filter((m) => !isDir(m)), ...dirs.filter((_, i) => present[i]).flatMap((dir) => listedFiles(cache, dir))]);
  await mapLimit(files, jobsOf(options), fetch);
  return result;
}

/**
 * `dvc push` for a set of lock-entry outputs: every object the remote lacks is uploaded, a
 * directory's files before its `.dir` object, so a `.dir` on the remote means a complete directory.
 */
export async function push(cache: DvcCache, storage: RemoteStorage, md5s: readonly string[], options: TransferOptions = {}): Promise<TransferResult> {
  const result: TransferResult = { transferred: [], missing: [] };
  const send = async (md5: string) => {
    if (!existsSync(cache.objectPath(md5))) {
      result.missing.push(md5);
      return;
    }
    if (await storage.has(remoteObjectKey(md5))) return;
    await storage.upload(cache.objectPath(md5), remoteObjectKey(md5));
    result.transferred.push(md5);
  };
  const dirs = unique(md5s.filter(isDir));
  const files = unique([...md5s.filter((m) => !isDir(m)), ...dirs.flatMap((dir) => listedFiles(cache, dir))]);
  await mapLimit(files, jobsOf(options), send);
  await mapLimit(dirs, jobsOf(options), send);
  return result;
}

async function downloadObject(cache: DvcCache, storage: RemoteStorage, md5: string): Promise<void> {
  const target = cache.objectPath(md5);
  mkdirSync(dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await storage.download(remoteObjectKey(md5), temporary);
    chmodSync(temporary, 0o444);
    renameSync(temporary, target);
  } finally {
    rmSync(temporary, { force: true });
  }
}

function listedFiles(cache: DvcCache, dir: string): string[] {
  return (cache.readManifest(dir) ?? []).map((entry) => entry.md5);
}

function isDir(md5: string): boolean {
  return md5.endsWith('.dir');
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function jobsOf(options: TransferOptions): number {
  return Math.max(1, options.jobs ?? 4 * cpus().length);
}

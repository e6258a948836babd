import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../atomic-write';
import { isPlainObject } from '../formats/python/value';
import { dumpLockYaml } from '../formats/yaml/ruamel-emitter';
import { dirName, joinPath } from '../paths';
import { loadYaml } from '../formats/yaml/load';

export interface LockData {
  schema: string;
  stages: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** The dvc.lock beside a dvc.yaml (workspace-relative). */
export function lockFileOf(dvcFile: string): string {
  return joinPath(dirName(dvcFile), 'dvc.lock');
}

/** Reads a dvc.lock; a missing or empty file is an empty lock. */
export function readLock(absPath: string, relpath: string): LockData | undefined {
  const text = readLockText(absPath);
  return text === undefined ? undefined : lockDataOf(loadYaml(text, relpath).data);
}

function readLockText(absPath: string): string | undefined {
  return existsSync(absPath) ? readFileSync(absPath, 'utf8') : undefined;
}

/** A loaded dvc.lock document as `LockData`; an empty document is no lock. */
export function lockDataOf(data: unknown): LockData | undefined {
  if (!isPlainObject(data) || Object.keys(data).length === 0) return undefined;
  return { ...data, stages: isPlainObject(data.stages) ? (data.stages as LockData['stages']) : {} } as LockData;
}

/**
 * Each stage's recorded entry, every file read once (for views over many stages): a dvc.yaml
 * stage's entry in its dvc.lock; a `.dvc` file (no stage name) records itself.
 */
export function recordedEntries(root: string): (stage: { file: string; name?: string }) => Record<string, unknown> | undefined {
  const locks = new Map<string, LockData['stages'] | undefined>();
  return (stage) => {
    if (stage.name === undefined) return readPointer(root, stage.file);
    const lockFile = lockFileOf(stage.file);
    if (!locks.has(lockFile)) locks.set(lockFile, readLock(`${root}/${lockFile}`, lockFile)?.stages);
    return locks.get(lockFile)?.[stage.name] as Record<string, unknown> | undefined;
  };
}

function readPointer(root: string, file: string): Record<string, unknown> | undefined {
  if (!existsSync(`${root}/${file}`)) return undefined;
  const data = loadYaml(readFileSync(`${root}/${file}`, 'utf8'), file).data;
  return isPlainObject(data) ? (data as Record<string, unknown>) : undefined;
}

/**
 * DVC's read-modify-write: an existing stage keeps its position, a new one is appended, stale
 * entries (stages removed from dvc.yaml) are kept. Returns whether anything changed.
 */
export function upsertLockEntries(lock: LockData | undefined, entries: [string, Record<string, unknown>][]): { lock: LockData; changed: boolean } {
  const next: LockData = lock ? { ...lock, stages: { ...lock.stages } } : { schema: '2.0', stages: {} };
  let changed = !lock;
  for (const [name, entry] of entries) {
    // once the file is to be rewritten, comparing the other entries (two dumps each) is wasted
    if (!changed && dumpLockYaml(next.stages[name] ?? null) !== dumpLockYaml(entry)) changed = true;
    next.stages[name] = entry;
  }
  return { lock: next, changed };
}

export function writeLock(absPath: string, lock: LockData): string {
  const { schema, stages, ...rest } = lock;
  const text = dumpLockYaml({ schema, stages, ...rest });
  writeFileAtomic(absPath, text);
  return text;
}

/**
 * Merges entries into a dvc.lock under an exclusive file lock (other Nx or DVC processes may be
 * writing it too): lock, re-read, merge, write to a temporary file and rename. The file is only
 * rewritten when an entry changed. `lockPath` is where the lock directory goes. Also returns the
 * file's text as it was read (undefined: no file) and as it was left, both under the lock.
 */
export async function updateLockFile(
  absPath: string,
  relpath: string,
  entries: [string, Record<string, unknown>][],
  lockPath = `${absPath}.nx-dvc-lock`,
): Promise<{ created: boolean; changed: boolean; before?: string; after: string }> {
  mkdirSync(dirname(lockPath), { recursive: true });
  // loaded here: stage tasks only read dvc.lock, and this module costs each of them 15 ms to load
  const { lock: lockFile } = await import('proper-lockfile');
  const release = await lockFile(absPath, {
    realpath: false,
    lockfilePath: lockPath,
    stale: 30_000,
    retries: { retries: 200, minTimeout: 10, maxTimeout: 250 },
  });
  try {
    const before = readLockText(absPath);
    const old = before === undefined ? undefined : lockDataOf(loadYaml(before, relpath).data);
    const { lock, changed } = upsertLockEntries(old, entries);
    const after = changed ? writeLock(absPath, lock) : before!;
    return { created: !old, changed, before, after };
  } finally {
    await release();
  }
}

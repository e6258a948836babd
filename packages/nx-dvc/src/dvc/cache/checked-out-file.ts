import { statSync, utimesSync, type BigIntStats } from 'node:fs';

/**
 * A file a checkout wrote from a cache object, with the stat that proves it still holds the
 * object's bytes: the hash state can record its md5 without reading it, as DVC's checkout does
 * (`state.save_many` in `dvc_data/index/checkout.py`).
 */
export interface CheckedOutFile {
  path: string;
  md5: string;
  stat: BigIntStats;
}

/** Told of each file a checkout wrote and proved. */
export type CheckedOutSink = (file: CheckedOutFile) => void;

/**
 * How far back a fresh copy's mtime is set, in whole seconds: beyond the hash state's racy window
 * (1 s, 2 s for whole-second mtimes) plus a margin. Whole seconds are exact on every file system.
 */
const BACKDATE_SECONDS = 3;

/**
 * Readies a file just linked from `object` under a temporary name for its proof, before it is
 * renamed into place. A copy (or reflink) is a new inode that nobody else knows yet: its mtime is
 * set a few seconds back, so that the hash state does not take it for racy (any later write
 * gives it a newer mtime). Only seconds, not the object's own mtime: an object just fetched from a
 * remote is racy too, and one committed months ago would make the new file look stale to tools
 * that compare mtimes (make, `rsync -u`). A link to the object (hard or symbolic) shares the
 * read-only object's inode and is never touched. Returns the stat the final path must still have.
 */
export function settleLinked(temporary: string, object: string): BigIntStats {
  const linked = statSync(temporary, { bigint: true });
  const source = statSync(object, { bigint: true });
  if (linked.dev === source.dev && linked.ino === source.ino) return linked;
  const backdated = Math.floor(Date.now() / 1000) - BACKDATE_SECONDS;
  utimesSync(temporary, linked.atime, backdated);
  return statSync(temporary, { bigint: true });
}

/**
 * The proof, once renamed: the path (links followed, as hashing does) still has the inode, mtime
 * and size settled, so nobody wrote it since. Undefined otherwise: the file will be read.
 */
export function provenCheckout(path: string, md5: string, settled: BigIntStats): CheckedOutFile | undefined {
  const stat = statSync(path, { bigint: true, throwIfNoEntry: false });
  if (!stat || stat.dev !== settled.dev || stat.ino !== settled.ino || stat.mtimeNs !== settled.mtimeNs || stat.size !== settled.size) return undefined;
  return { path, md5, stat };
}

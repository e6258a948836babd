import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckedOutFile } from '../cache/checked-out-file';
import type { DvcCache } from '../cache/dvc-cache';
import { DvcError } from '../errors';
import { isDirHash, type WorkspaceHasher } from '../hashing/workspace-hasher';
import { RemovalGuard, removeOutputPaths } from './remove-output';
import type { CachedOutput } from './cached-output';

/** Fetches objects (md5s) DVC's cache lacks, from a remote; what it cannot find stays missing. */
export type FetchObjects = (md5s: string[]) => Promise<void>;

export interface CheckoutCollaborators {
  cache: DvcCache;
  hasher: WorkspaceHasher;
  /** The stage whose outputs these are, for the removal guard's messages. */
  owner: string;
  fetch?: FetchObjects;
}

export interface CheckoutReport {
  checkedOut: string[];
  /** Outputs whose data is neither in DVC's cache nor found by `fetch`: left as they were. */
  missing: CachedOutput[];
}

type Outcome = 'kept' | 'checked-out' | 'missing';

/**
 * The checkout under way for each output path in this process: every stage (of a batch, say) that
 * needs the same output at the same time waits for the one checkout instead of writing it again.
 */
const inFlight = new Map<string, { md5: string; done: Promise<Outcome> }>();

/**
 * Makes the workspace hold the recorded outputs, as `dvc checkout` would: an output whose bytes
 * are already there is left alone (and goes into DVC's cache if it is not there yet); any other is
 * checked out from DVC's cache with `cache.type`, after fetching what the cache lacks, a directory
 * file by file (see `DvcCache.updateDirectory`), and the md5 of each file written goes into the
 * hasher's state, so that the next command does not read it again. Bytes about to be replaced or deleted are saved
 * in DVC's cache first when they are not there, so a modified output is never lost.
 */
export async function checkoutRecorded(root: string, outputs: CachedOutput[], collaborators: CheckoutCollaborators): Promise<CheckoutReport> {
  const guard = new RemovalGuard(root);
  // every output proved safe before any is touched: saving relinks the workspace files too
  for (const out of outputs) guard.check(out.path, collaborators.owner);
  const outcomes = await Promise.all(outputs.map((out) => once(join(root, out.path), out.md5, () => checkoutOne(root, out, collaborators, guard))));
  const report: CheckoutReport = { checkedOut: [], missing: [] };
  outputs.forEach((out, i) => {
    if (outcomes[i] === 'checked-out') report.checkedOut.push(out.path);
    if (outcomes[i] === 'missing') report.missing.push(out);
  });
  if (report.checkedOut.length) collaborators.hasher.forget();
  return report;
}

/** Joins the checkout of the same bytes at the same path already under way, or starts it (after one of other bytes). */
function once(absPath: string, md5: string, work: () => Promise<Outcome>): Promise<Outcome> {
  const running = inFlight.get(absPath);
  if (running?.md5 === md5) return running.done;
  const done: Promise<Outcome> = (running?.done ?? Promise.resolve())
    .catch(() => undefined)
    .then(work)
    .finally(() => {
      if (inFlight.get(absPath)?.done === done) inFlight.delete(absPath);
    });
  inFlight.set(absPath, { md5, done });
  return done;
}

async function checkoutOne(root: string, out: CachedOutput, { cache, hasher, owner, fetch }: CheckoutCollaborators, guard: RemovalGuard): Promise<Outcome> {
  const abs = join(root, out.path);
  const current = await hasher.hash(out.path);
  if (current && !cache.has(current.md5)) cache.save(abs, current);
  if (current?.md5 === out.md5) return 'kept';
  if (!cache.has(out.md5) && fetch) await fetch([out.md5]);
  if (!cache.has(out.md5)) return 'missing';
  const remember = (file: CheckedOutFile) => hasher.remember(file);
  const isDir = out.md5.endsWith('.dir');
  const existing = lstatSync(abs, { throwIfNoEntry: false });
  if (isDir && existing?.isDirectory() && current && isDirHash(current)) {
    cache.updateDirectory(abs, out.md5, current.entries, hasher.directoriesIn(out.path), remember);
    return 'checked-out';
  }
  // a folder where a file goes or the other way round (a file is replaced whole, atomically)
  if (existing && (isDir || existing.isDirectory())) removeOutputPaths([out.path], owner, guard);
  if (cache.checkoutNew(abs, out.md5, out.isexec === true, remember) === 'taken') await checkTaken(out, hasher);
  return 'checked-out';
}

/** Another process checked the folder out first: it must hold the recorded bytes. */
async function checkTaken(out: CachedOutput, hasher: WorkspaceHasher): Promise<void> {
  hasher.forget();
  const found = await hasher.hash(out.path);
  if (found?.md5 !== out.md5) {
    throw new DvcError(`'${out.path}' was checked out by another process at the same time with other data (${found?.md5 ?? 'none'}, not ${out.md5}): run again once it is done`);
  }
}

import { join } from 'node:path';
import type { DvcCache } from '../cache/dvc-cache';
import type { WorkspaceHasher } from '../hashing/workspace-hasher';
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

/**
 * Makes the workspace hold the recorded outputs, as `dvc checkout` would: an output whose bytes
 * are already there is left alone (and goes into DVC's cache if it is not there yet); any other is
 * replaced by a checkout from DVC's cache with `cache.type`, after fetching what the cache lacks.
 * Bytes about to be replaced are saved in DVC's cache first when they are not there, so a
 * modified output is never lost.
 */
export async function checkoutRecorded(root: string, outputs: CachedOutput[], { cache, hasher, owner, fetch }: CheckoutCollaborators): Promise<CheckoutReport> {
  const guard = new RemovalGuard(root);
  // every output proved safe before any is touched: saving relinks the workspace files too
  for (const out of outputs) guard.check(out.path, owner);
  const stale: CachedOutput[] = [];
  for (const out of outputs) {
    const current = await hasher.hash(out.path);
    if (current && !cache.has(current.md5)) cache.save(join(root, out.path), current);
    if (current?.md5 !== out.md5) stale.push(out);
  }
  const absent = stale.filter((out) => !cache.has(out.md5));
  if (absent.length && fetch) await fetch(absent.map((out) => out.md5));
  const report: CheckoutReport = { checkedOut: [], missing: [] };
  for (const out of stale) {
    if (!cache.has(out.md5)) {
      report.missing.push(out);
      continue;
    }
    removeOutputPaths([out.path], owner, guard);
    cache.checkout(join(root, out.path), out.md5, out.isexec === true);
    report.checkedOut.push(out.path);
  }
  if (report.checkedOut.length) hasher.forget();
  return report;
}

import type { DvcCache } from '../cache/dvc-cache';
import { readDvcConfigValue } from '../repo/dvc-config';
import type { FetchObjects } from '../stage/checkout-recorded';
import { measured } from '../perf';
import { openRemote } from './open-remote';
import { resolveRemote } from './remote-config';
import { pull } from './transfer';

export interface ObjectsFetcher {
  /** Undefined when the repository has no default remote (`core.remote`): nothing to fetch from. */
  fetch?: FetchObjects;
  /** The remote, as messages name it: `'storage' (/mnt/dvc)`. */
  remote?: string;
}

/**
 * Fetches objects DVC's cache lacks from the remote `dvc pull` would use (`core.remote` of
 * `.dvc/config`, `.dvc/config.local` overriding). A misconfigured or unsupported remote is
 * reported, in DVC's words, only when something must actually be fetched.
 */
export function missingObjectsFetcher(root: string, cache: DvcCache): ObjectsFetcher {
  const name = readDvcConfigValue(root, 'core', 'remote');
  if (!name) return {};
  let remote = `'${name}'`;
  try {
    remote = `'${name}' (${resolveRemote(root, name, 'pull').url})`;
  } catch {
    // reported by fetch, if it is ever needed
  }
  const fetch: FetchObjects = async (md5s) => {
    await measured('nx-dvc:fetch', () => pull(cache, openRemote(resolveRemote(root, name, 'pull')), md5s));
  };
  return { fetch, remote };
}

/** Where data that could not be checked out was looked for, as the messages say it. */
export function missingDataPlace(remote: string | undefined): string {
  return remote ? `neither in DVC's cache nor on the DVC remote ${remote}` : "not in DVC's cache, and no DVC remote is configured";
}

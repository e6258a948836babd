import type { DvcCache } from '../cache/dvc-cache';
import type { CachedOutput } from '../stage/reproduce';
import { openRemote } from './open-remote';
import { resolveRemote } from './remote-config';
import { push, type TransferResult } from './transfer';

/**
 * `dvc push` of one stage's DVC-cached outputs, just committed: to the remote named, else
 * `core.remote`, as DVC chooses it (errors in DVC's words when there is none).
 */
export async function pushOutputs(
  root: string,
  cache: DvcCache,
  outputs: readonly CachedOutput[],
  remoteName?: string,
): Promise<TransferResult & { remote: string }> {
  const remote = resolveRemote(root, remoteName, 'push');
  return { ...(await push(cache, openRemote(remote), outputs.map((out) => out.md5))), remote: remote.name };
}

/** What a stage's push did, in one line. */
export function pushSummary(stage: string, remote: string, result: TransferResult): string {
  const n = result.transferred.length;
  return n === 0 ? `Outputs of '${stage}' are already on remote '${remote}'` : `Pushed ${n} object${n === 1 ? '' : 's'} of '${stage}' to remote '${remote}'`;
}

import type { PreTasksExecutionContext } from '@nx/devkit';
import { shareRunId } from './lock-generation';
import { PARALLEL_ENV, parallelCount } from './parallel-count';

/**
 * Runs once before every `nx run`/`run-many`/`affected`, and Nx applies the environment it leaves
 * to the run (the batch process of stage tasks included):
 * - the command's id, through which its stage tasks agree on which one prints `Generating lock file`;
 * - the run's parallel count, which Nx does not give a batch, so that the stage batch runs as many
 *   stages at once as Nx would run tasks;
 * - Nx 24 aborts the whole run when its self-hosted remote cache refuses the access token; a data
 *   pipeline should rather run, locally, with a clear warning. So the server is asked once
 *   (`GET /v1/cache/0`) and, if it refuses the token or cannot be reached, the remote cache is
 *   switched off for this run.
 */
export async function preDvcTasksExecution(_options: unknown, context: Partial<Pick<PreTasksExecutionContext, 'id' | 'argv' | 'nxJsonConfiguration'>>): Promise<void> {
  shareRunId(context.id);
  process.env[PARALLEL_ENV] = String(parallelCount(context.argv ?? [], context.nxJsonConfiguration?.parallel));
  await switchOffRefusedRemoteCache();
}

async function switchOffRefusedRemoteCache(): Promise<void> {
  const server = process.env.NX_SELF_HOSTED_REMOTE_CACHE_SERVER;
  if (!server) return;
  const problem = await remoteCacheProblem(server, process.env.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN);
  if (!problem) return;
  console.warn(
    `nx-dvc: the remote cache at ${server} ${problem}. This run uses the local cache only; ` +
      'check NX_SELF_HOSTED_REMOTE_CACHE_SERVER and NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN.',
  );
  // Nx applies env changes made here to the run; an empty value turns its HTTP cache off
  process.env.NX_SELF_HOSTED_REMOTE_CACHE_SERVER = '';
}

export async function remoteCacheProblem(server: string, token: string | undefined, timeoutMs = 5000): Promise<string | undefined> {
  try {
    const response = await fetch(`${server.replace(/\/+$/, '')}/v1/cache/0`, {
      headers: { Accept: 'application/octet-stream', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    if (response.status === 401 || response.status === 403) return `refused the access token (${response.status} ${response.statusText})`;
    return undefined;
  } catch (error) {
    return `cannot be reached (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message})`;
  }
}

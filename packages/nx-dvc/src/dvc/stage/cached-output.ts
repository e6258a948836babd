import type { Stage } from './stage';

/** A cached output as the lock record needs it: enough to put it in DVC's cache again. */
export interface CachedOutput {
  /** Repo-relative. */
  path: string;
  md5: string;
  isexec?: boolean;
  /** A directory's files as `[relpath, md5]`, enough to rebuild its `.dir` object. */
  files?: [string, string][];
}

/** The stage's DVC-cached outputs as an entry records them (a dvc.lock entry, or a `.dvc` file's data). */
export function recordedOutputs(stage: Pick<Stage, 'outs'>, recorded: Record<string, unknown>): CachedOutput[] {
  const entries = new Map(((Array.isArray(recorded.outs) ? recorded.outs : []) as Record<string, unknown>[]).map((o) => [o?.path, o]));
  return stage.outs.flatMap((out): CachedOutput[] => {
    const entry = entries.get(out.path);
    if (!out.cache || typeof entry?.md5 !== 'string') return [];
    return [{ path: out.repoPath, md5: entry.md5, ...(entry.isexec === true ? { isexec: true } : {}) }];
  });
}

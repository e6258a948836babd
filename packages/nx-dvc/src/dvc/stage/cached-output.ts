/** A cached output as the lock record needs it: enough to put it in DVC's cache again. */
export interface CachedOutput {
  /** Repo-relative. */
  path: string;
  md5: string;
  isexec?: boolean;
  /** A directory's files as `[relpath, md5]`, enough to rebuild its `.dir` object. */
  files?: [string, string][];
}

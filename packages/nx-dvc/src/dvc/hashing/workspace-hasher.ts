import { readFileSync, statSync } from 'node:fs';
import { DvcIgnore } from '../repo/dvcignore';
import { hashPath, ignorePredicate, type DirHash } from './directory';
import { collectFiles } from './walk';
import type { FileHash, HashProgress } from './file';
import type { HashState, StateStat } from './state';
import { resolve } from 'node:path';
import { dirName } from '../paths';

export type PathHash = FileHash | DirHash;

export function isDirHash(hash: PathHash): hash is DirHash {
  return 'nfiles' in hash;
}

/**
 * Hashes workspace paths (repo-relative) as DVC does, each at most once per instance, with the
 * `.dvcignore` rules of the path's ancestors and an optional persistent state.
 */
export class WorkspaceHasher {
  private readonly memo = new Map<string, Promise<PathHash | undefined>>();

  constructor(
    readonly root: string,
    private readonly state?: HashState,
    /** Progress of one path's hash; see `hashProgress`. */
    private readonly progress?: (repoPath: string) => HashProgress,
  ) {}

  /**
   * The hash of a file or directory, or undefined when the path does not exist. `waitForRacy`:
   * the path was just written (see `HashOptions`).
   */
  hash(repoPath: string, options: { waitForRacy?: boolean } = {}): Promise<PathHash | undefined> {
    let pending = this.memo.get(repoPath);
    if (!pending) {
      pending = this.compute(repoPath, options.waitForRacy);
      this.memo.set(repoPath, pending);
    }
    return pending;
  }

  /**
   * The hash of a path outside the workspace (DVC's external dependency): absolute, or relative
   * to the workspace root (`../data`). DVC applies no `.dvcignore` rules and no built-in ignores there.
   */
  hashOutside(path: string): Promise<PathHash | undefined> {
    const abs = resolve(this.root, path);
    const key = `outside:${abs}`;
    let pending = this.memo.get(key);
    if (!pending) {
      pending = statSync(abs, { throwIfNoEntry: false }) ? hashPath(abs, { state: this.state, outsideRepository: true, onProgress: this.progress?.(path) }) : Promise.resolve(undefined);
      this.memo.set(key, pending);
    }
    return pending;
  }

  /**
   * Records in the hash state the md5 of a file whose bytes are known without reading them (a
   * file just checked out from DVC's cache, with the stat that proves it), unless it is racy.
   */
  remember(file: { path: string; md5: string; stat: StateStat }): void {
    this.state?.set(file.path, file.stat, file.md5);
  }

  /** Forgets what was hashed, for paths a command has just rewritten. */
  forget(): void {
    this.memo.clear();
  }

  /** The folders inside a directory that `.dvcignore` leaves in (relative to it), as DVC's workspace index lists them. */
  directoriesIn(repoPath: string): string[] {
    const folders: string[] = [];
    collectFiles(`${this.root}/${repoPath}`, { root: this.root, isIgnored: this.ignoredIn(repoPath), onDirectory: (rel) => folders.push(rel) });
    return folders;
  }

  private ignoredIn(repoPath: string): (path: string, isDir: boolean) => boolean {
    return ignorePredicate(new DvcIgnore(ancestorIgnoreFiles(this.root, repoPath)));
  }

  private async compute(repoPath: string, waitForRacy?: boolean): Promise<PathHash | undefined> {
    const abs = `${this.root}/${repoPath}`;
    if (!statSync(abs, { throwIfNoEntry: false })) return undefined;
    return hashPath(abs, { state: this.state, waitForRacy, root: this.root, isIgnored: this.ignoredIn(repoPath), onProgress: this.progress?.(repoPath) });
  }
}

/** The `.dvcignore` files that apply to a path: those of its ancestor directories. */
function ancestorIgnoreFiles(root: string, repoPath: string): { path: string; text: string }[] {
  const files: { path: string; text: string }[] = [];
  for (let dir = dirName(repoPath); ; dir = dirName(dir)) {
    const path = dir ? `${dir}/.dvcignore` : '.dvcignore';
    // most levels have none: asking first spares the cost of a thrown error for each
    if (statSync(`${root}/${path}`, { throwIfNoEntry: false })) {
      try {
        files.push({ path, text: readFileSync(`${root}/${path}`, 'utf8') });
      } catch {
        // unreadable (a folder): no rules at this level
      }
    }
    if (!dir) return files.reverse();
  }
}

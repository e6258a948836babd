import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../atomic-write';
import { readDvcConfigValue } from '../repo/dvc-config';
import { isDirHash, type PathHash } from '../hashing/workspace-hasher';

const READ_ONLY = 0o444;

/**
 * DVC's local cache (`.dvc/cache/files/md5/<2>/<30>`, directories as `<md5>.dir` JSON objects),
 * filled as `dvc commit` fills it with the `copy` link type, so that `dvc status` and `dvc push`
 * see outputs produced through Nx as their own.
 */
export class DvcCache {
  constructor(readonly dir: string) {}

  /** The cache of a workspace: on when asked, or by default when the workspace has `.dvc/`. */
  static forWorkspace(root: string, enabled?: boolean): DvcCache | undefined {
    if (enabled === false) return undefined;
    const dvcDir = join(root, '.dvc');
    if (enabled === undefined && !statSync(dvcDir, { throwIfNoEntry: false })?.isDirectory()) return undefined;
    return new DvcCache(resolve(dvcDir, readDvcConfigValue(root, 'cache', 'dir') ?? 'cache'));
  }

  objectPath(md5: string): string {
    return join(this.dir, 'files', 'md5', md5.slice(0, 2), md5.slice(2));
  }

  /** True when the object, and for a directory every file it lists, is in the cache. */
  has(md5: string): boolean {
    if (!existsSync(this.objectPath(md5))) return false;
    if (!md5.endsWith('.dir')) return true;
    const entries = this.readManifest(md5);
    return entries !== undefined && entries.every((entry) => existsSync(this.objectPath(entry.md5)));
  }

  /**
   * Stores a saved output. DVC then checks the output out again from the cache; with copies the
   * only visible effect is that symlinks inside the output become regular files.
   */
  save(absPath: string, hash: PathHash): void {
    if (!isDirHash(hash)) {
      this.store(absPath, hash.md5);
      replaceSymlink(absPath, this.objectPath(hash.md5), hash.isexec);
      return;
    }
    for (const entry of hash.entries) this.store(join(absPath, entry.relpath), entry.md5);
    const manifest = this.objectPath(hash.md5);
    if (!existsSync(manifest)) {
      mkdirSync(dirname(manifest), { recursive: true });
      writeFileAtomic(manifest, hash.manifest);
      chmodSync(manifest, READ_ONLY);
    }
    for (const entry of hash.entries) replaceSymlink(join(absPath, entry.relpath), this.objectPath(entry.md5), entry.isexec);
  }

  /**
   * Writes an output back from the cache (`dvc checkout`); false when an object is missing. The
   * caller clears the path first (`removeOutputPaths`, which proves it safe): this never deletes.
   */
  checkout(absPath: string, md5: string, isexec = false): boolean {
    if (!this.has(md5)) return false;
    if (lstatSync(absPath, { throwIfNoEntry: false })) throw new Error(`checkout into '${absPath}', which was not cleared first`);
    if (!md5.endsWith('.dir')) {
      copyOut(this.objectPath(md5), absPath, isexec);
      return true;
    }
    mkdirSync(absPath, { recursive: true });
    for (const entry of this.readManifest(md5)!) copyOut(this.objectPath(entry.md5), join(absPath, entry.relpath), false);
    return true;
  }

  private store(source: string, md5: string): void {
    const target = this.objectPath(md5);
    if (existsSync(target)) return;
    mkdirSync(dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    try {
      copyFileSync(source, temporary);
      chmodSync(temporary, READ_ONLY);
      renameSync(temporary, target);
    } finally {
      rmSync(temporary, { force: true });
    }
  }

  private readManifest(md5: string): { md5: string; relpath: string }[] | undefined {
    try {
      const entries = JSON.parse(readFileSync(this.objectPath(md5), 'utf8'));
      return Array.isArray(entries) ? entries : undefined;
    } catch {
      return undefined;
    }
  }
}

function copyOut(object: string, target: string, isexec: boolean): void {
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(object, target);
  chmodSync(target, isexec ? 0o755 : 0o644);
}

function replaceSymlink(path: string, object: string, isexec: boolean): void {
  if (!lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink()) return;
  rmSync(path);
  copyOut(object, path, isexec);
}

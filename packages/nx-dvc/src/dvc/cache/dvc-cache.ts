import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmdirSync, rmSync, statSync, type BigIntStats, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../atomic-write';
import { DvcError } from '../errors';
import { isPlainInsidePath } from '../paths';
import { readDvcConfigValue } from '../repo/dvc-config';
import { isDirHash, type PathHash } from '../hashing/workspace-hasher';
import { provenCheckout, settleLinked, type CheckedOutFile, type CheckedOutSink } from './checked-out-file';
import { DEFAULT_LINK_TYPES, parseLinkTypes, type LinkType } from './link-types';
import { copyAtomically, Linker, temporaryBeside, workspaceFileMode } from './linker';

/** DVC protects every cache object (`LocalHashFileDB.CACHE_MODE`); linked workspace files share it. */
const READ_ONLY = 0o444;
const USER_EXEC = 0o100;

/**
 * DVC's local cache (`.dvc/cache/files/md5/<2>/<30>`, directories as `<md5>.dir` JSON objects),
 * filled as `dvc commit` fills it and checked out as `dvc checkout` does, with the link types of
 * `cache.type`, so that `dvc status` and `dvc push` see outputs produced through Nx as their own.
 */
export class DvcCache {
  constructor(
    readonly dir: string,
    readonly linkTypes: readonly LinkType[] = DEFAULT_LINK_TYPES,
  ) {}

  /** The cache of a workspace: on when asked, or by default when the workspace has `.dvc/`. */
  static forWorkspace(root: string, enabled?: boolean): DvcCache | undefined {
    if (enabled === false) return undefined;
    const dvcDir = join(root, '.dvc');
    if (enabled === undefined && !statSync(dvcDir, { throwIfNoEntry: false })?.isDirectory()) return undefined;
    const dir = resolve(dvcDir, readDvcConfigValue(root, 'cache', 'dir') ?? 'cache');
    return new DvcCache(dir, parseLinkTypes(readDvcConfigValue(root, 'cache', 'type')));
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

  /** The files a `.dir` object lists, or undefined when it is missing or unreadable. */
  readManifest(md5: string): { md5: string; relpath: string }[] | undefined {
    try {
      const entries = JSON.parse(readFileSync(this.objectPath(md5), 'utf8'));
      return Array.isArray(entries) ? entries : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Stores a saved output and links the workspace to it again, as `dvc commit` does (`relink`):
   * with `hardlink` first the objects are hard links of the workspace files; files DVC would
   * relink are linked with the first type that works; a file output is always relinked.
   * `onWritten` hears of each file relinked (see {@link CheckedOutFile}).
   */
  save(absPath: string, hash: PathHash, onWritten?: CheckedOutSink): void {
    const linker = new Linker(this.linkTypes);
    if (!isDirHash(hash)) {
      const before = lstatSync(absPath);
      this.storeMissing(absPath, hash);
      this.relinkFile(linker, absPath, hash.md5, before, onWritten);
      if (hash.isexec) setExec(absPath);
      return;
    }
    const entries = hash.entries.map((entry) => ({ ...entry, path: join(absPath, entry.relpath) }));
    // taken before storing: with `hardlink` first, storing links the workspace files into the cache
    const before = entries.map((entry) => lstatSync(entry.path));
    this.storeMissing(absPath, hash);
    entries.forEach((entry, i) => {
      if (this.needsRelink(entry.path, entry.md5, before[i]!)) this.put(linker, entry.md5, entry.path, onWritten);
    });
  }

  /**
   * Stores what the cache lacks of an output, leaving the workspace as it is: for a stage `dvc repro`
   * skips, where DVC touches nothing (a relink would copy a large file output again on every skip),
   * yet a later Nx hit on its record must find the objects.
   */
  storeMissing(absPath: string, hash: PathHash): void {
    if (!isDirHash(hash)) return this.store(absPath, hash.md5);
    // DVC's staging maps each hash to the last file that has it: that file becomes the object.
    for (const entry of [...hash.entries].reverse()) this.store(join(absPath, entry.relpath), entry.md5);
    this.storeManifest(hash.md5, hash.manifest);
  }

  /**
   * True when `save` replaces this file output by a new copy of its object (a reflink or a copy:
   * `cache.type` is `reflink,copy`, DVC's default, or `reflink`), which it records as a checkout:
   * the file the command wrote does not stay.
   */
  relinksAsNewCopy(absPath: string): boolean {
    const newCopy = this.linkTypes[0] === 'reflink' && this.linkTypes.every((type) => type === 'reflink' || type === 'copy');
    return newCopy && lstatSync(absPath, { throwIfNoEntry: false })?.isFile() === true;
  }

  /**
   * Writes an output back from the cache (`dvc checkout`); false when an object is missing. The
   * caller clears the path first (`removeOutputPaths`, which proves it safe): this never deletes.
   */
  checkout(absPath: string, md5: string, isexec = false, onWritten?: CheckedOutSink): boolean {
    if (lstatSync(absPath, { throwIfNoEntry: false }) && this.has(md5)) throw new Error(`checkout into '${absPath}', which was not cleared first`);
    return this.checkoutNew(absPath, md5, isexec, onWritten) !== 'missing';
  }

  /**
   * Writes an output the workspace does not hold, built under a temporary name beside it and
   * renamed into place, so that no reader (in this process or another) sees half of it. A folder
   * another checkout put there first is left as it is, and ours dropped: `'taken'`. A file is
   * renamed over whatever is there (the same recorded bytes, when two checkouts race).
   * `onWritten` hears of each file written (see {@link CheckedOutFile}).
   */
  checkoutNew(absPath: string, md5: string, isexec = false, onWritten?: CheckedOutSink): 'written' | 'taken' | 'missing' {
    if (!this.has(md5)) return 'missing';
    const linker = new Linker(this.linkTypes);
    if (!md5.endsWith('.dir')) {
      this.put(linker, md5, absPath, onWritten);
      if (isexec) setExec(absPath);
      return 'written';
    }
    const entries = this.checkedManifest(md5);
    mkdirSync(dirname(absPath), { recursive: true });
    const temporary = temporaryBeside(absPath);
    mkdirSync(temporary);
    try {
      const settled: { relpath: string; md5: string; stat: BigIntStats }[] = [];
      for (const entry of entries) {
        const target = join(temporary, entry.relpath);
        this.link(linker, entry.md5, target);
        if (onWritten) settled.push({ ...entry, stat: settleLinked(target, this.objectPath(entry.md5)) });
      }
      if (!renameUnlessTaken(temporary, absPath)) return 'taken';
      for (const file of settled) report(provenCheckout(join(absPath, file.relpath), file.md5, file.stat), onWritten);
      return 'written';
    } finally {
      rmSync(temporary, { recursive: true, force: true });
    }
  }

  /**
   * Brings a directory output the workspace holds to a `.dir` object as `dvc checkout` does
   * (`dvc_data.index.checkout`): files with the recorded bytes stay as they are, files with other
   * bytes are replaced (atomically), files the record lacks are deleted, then folders the record
   * lacks when nothing is left in them. What `.dvcignore` excludes is not in `present` and stays.
   * The caller has the bytes it deletes saved in the cache first (where DVC asks for `--force`).
   * `onWritten` hears of each file written (see {@link CheckedOutFile}).
   */
  updateDirectory(absDir: string, md5: string, present: { relpath: string; md5: string }[], presentFolders: string[], onWritten?: CheckedOutSink): void {
    const entries = this.checkedManifest(md5);
    const current = new Map(present.map((entry) => [entry.relpath, entry.md5]));
    const blocked = entries.find((entry) => !current.has(entry.relpath) && lstatSync(join(absDir, entry.relpath), { throwIfNoEntry: false })?.isFile());
    if (blocked) {
      throw new DvcError(
        `'${join(absDir, blocked.relpath)}' is excluded by .dvcignore, but the recorded output lists it: move it away, or check the output out with \`dvc checkout\``,
      );
    }
    const wanted = new Map(entries.map((entry) => [entry.relpath, entry.md5]));
    for (const relpath of current.keys()) if (!wanted.has(relpath)) rmSync(join(absDir, relpath), { force: true });
    const keptFolders = new Set(entries.flatMap((entry) => parentFolders(entry.relpath)));
    for (const folder of [...presentFolders].sort().reverse()) if (!keptFolders.has(folder)) removeIfEmpty(join(absDir, folder));
    const linker = new Linker(this.linkTypes);
    for (const entry of entries) {
      if (current.get(entry.relpath) !== entry.md5) this.put(linker, entry.md5, join(absDir, entry.relpath), onWritten);
    }
  }

  /** A `.dir` object's entries; one may come from a remote: none of its paths may leave the output. */
  private checkedManifest(md5: string): { md5: string; relpath: string }[] {
    const entries = this.readManifest(md5);
    if (!entries) throw new DvcError(`'${this.objectPath(md5)}' is not a readable .dir object`);
    const escaping = entries.find((entry) => typeof entry.relpath !== 'string' || !isPlainInsidePath(entry.relpath));
    if (escaping) throw new DvcError(`'${this.objectPath(md5)}' lists '${escaping.relpath}', a path outside its directory: refusing to check it out`);
    return entries;
  }

  /**
   * Makes an output's files private copies again, writable (DVC's `unprotect`, done to `persist`
   * outputs before their stage runs), so that a command writing into them cannot alter the cache.
   */
  unprotect(absPath: string): void {
    const st = lstatSync(absPath, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      for (const name of readdirSync(absPath)) this.unprotect(join(absPath, name));
      return;
    }
    if (st.isSymbolicLink() || st.nlink > 1) copyAtomically(absPath, absPath);
    chmodSync(absPath, workspaceFileMode());
  }

  private link(linker: Linker, md5: string, target: string): void {
    mkdirSync(dirname(target), { recursive: true });
    linker.link(this.objectPath(md5), target);
  }

  /**
   * Puts an object at `target` whatever is there, atomically (`Linker.replace`); `onWritten`
   * hears of it once proven.
   */
  private put(linker: Linker, md5: string, target: string, onWritten: CheckedOutSink | undefined): void {
    const object = this.objectPath(md5);
    mkdirSync(dirname(target), { recursive: true });
    let settled: BigIntStats | undefined;
    linker.replace(object, target, onWritten && ((temporary) => (settled = settleLinked(temporary, object))));
    if (settled) report(provenCheckout(target, md5, settled), onWritten);
  }

  /** DVC unprotects a plain copy in place when `copy` comes first; otherwise it links it again. */
  private relinkFile(linker: Linker, absPath: string, md5: string, before: Stats, onWritten: CheckedOutSink | undefined): void {
    if (this.linkTypes[0] === 'copy' && isPlainCopy(before)) {
      chmodSync(absPath, workspaceFileMode());
      return;
    }
    this.put(linker, md5, absPath, onWritten);
  }

  /** DVC's `_needs_relink`: the first link type the file already satisfies decides. */
  private needsRelink(absPath: string, md5: string, before: Stats): boolean {
    for (const type of this.linkTypes) {
      if ((type === 'copy' || type === 'reflink') && isPlainCopy(before)) return false;
      if (type === 'hardlink' && !before.isSymbolicLink() && before.nlink > 1) return before.ino !== statSync(this.objectPath(md5)).ino;
      if (type === 'symlink' && before.isSymbolicLink()) return readlinkSync(absPath) !== this.objectPath(md5);
    }
    return true;
  }

  /** Objects enter the cache whole, under a temporary name; `dvc commit` hard-links them when `hardlink` comes first. */
  private store(source: string, md5: string): void {
    const target = this.objectPath(md5);
    if (existsSync(target)) return;
    mkdirSync(dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    try {
      rmSync(temporary, { force: true });
      new Linker(this.linkTypes[0] === 'hardlink' ? ['reflink', 'hardlink', 'copy'] : ['reflink', 'copy']).link(source, temporary);
      chmodSync(temporary, READ_ONLY);
      renameSync(temporary, target);
    } finally {
      rmSync(temporary, { force: true });
    }
  }

  private storeManifest(md5: string, manifest: Buffer): void {
    const target = this.objectPath(md5);
    if (existsSync(target)) return;
    mkdirSync(dirname(target), { recursive: true });
    writeFileAtomic(target, manifest);
    chmodSync(target, READ_ONLY);
  }
}

function report(file: CheckedOutFile | undefined, onWritten: CheckedOutSink | undefined): void {
  if (file) onWritten?.(file);
}

/** Renames a folder into place; false when another one got there first (a non-empty folder). */
function renameUnlessTaken(from: string, to: string): boolean {
  try {
    renameSync(from, to);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw error;
  }
}

/** `a/b/c.txt` → `a`, `a/b`. */
function parentFolders(relpath: string): string[] {
  const parts = relpath.split('/').slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** DVC's `_delete_dirs`: `rmdir`, which fails, and is let fail, when something is left inside. */
function removeIfEmpty(absDir: string): void {
  try {
    rmdirSync(absDir);
  } catch {
    // ignored files, or files of the record, are left in it
  }
}

function isPlainCopy(st: Stats): boolean {
  return !st.isSymbolicLink() && st.nlink === 1;
}

/** DVC's `set_exec`: adds the owner's execute bit, through any link (so to the object too, as DVC does). */
function setExec(absPath: string): void {
  chmodSync(absPath, statSync(absPath).mode | USER_EXEC);
}

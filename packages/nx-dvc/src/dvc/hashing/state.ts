import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-write';
import { dirname } from 'node:path';

/**
 * A persistent md5 cache, like DVC's state db (`dvc_data/hashfile/state.py`): the md5 of a file is
 * remembered under its absolute path together with the file's inode, mtime (nanoseconds) and size,
 * and is only trusted while all three still match, so an unchanged file is never read twice.
 *
 * Racy files (git's "racy git" problem): a file modified within the same mtime tick as it was
 * hashed could change again without its mtime changing. `set` therefore refuses files whose mtime
 * is not clearly older than the moment hashing started (`startedAtMs`, taken before the file was
 * stat-ed and read): one second on filesystems with sub-second timestamps, two seconds when the
 * mtime is a whole second (1 s / 2 s granularity filesystems such as HFS+ or FAT). A file that was
 * modified after `startedAtMs` then necessarily has a different mtime than the one recorded.
 *
 * The file format is JSON: `{"version": 1, "entries": [[path, ino, mtimeNs, size, md5], ...]}` with
 * the numbers as decimal strings. `save` writes atomically (temporary file + rename) and merges the
 * entries another process may have saved in the meantime (Nx runs tasks in parallel processes).
 */

/** The stat fields the state validates; `fs.BigIntStats` (`stat(path, { bigint: true })`) fits. */
export interface StateStat {
  ino: bigint;
  mtimeNs: bigint;
  size: bigint;
}

export interface HashStateOptions {
  /** Age (ms) a file's mtime must have at hashing start to be cached; default by granularity. */
  racyWindowMs?: number;
  /** Oldest entries are dropped beyond this many; default 500 000. */
  maxEntries?: number;
}

interface Entry {
  ino: string;
  mtimeNs: string;
  size: string;
  md5: string;
}

type SerialisedEntry = [path: string, ino: string, mtimeNs: string, size: string, md5: string];

const FORMAT_VERSION = 1;
const FINE_RACY_WINDOW_MS = 1000;
const COARSE_RACY_WINDOW_MS = 2000;
const NS_PER_SECOND = 1_000_000_000n;
const NS_PER_MS = 1_000_000n;

export class HashState {
  private readonly entries = new Map<string, Entry>();
  /** Paths set or deleted since load: they win over what another process saved meanwhile. */
  private readonly touched = new Set<string>();
  private dirty = false;
  private loadedSignature: string | undefined;
  private readonly maxEntries: number;

  private constructor(
    /** Where the state is stored; undefined for an in-memory state (tests, one-off runs). */
    readonly file: string | undefined,
    private readonly options: HashStateOptions,
  ) {
    this.maxEntries = options.maxEntries ?? 500_000;
  }

  /** Loads the state stored at `file`; a missing, unreadable or foreign file gives an empty state. */
  static load(file: string, options: HashStateOptions = {}): HashState {
    const state = new HashState(file, options);
    const disk = readStateFile(file);
    if (disk) {
      for (const [path, entry] of disk.entries) state.entries.set(path, entry);
      state.loadedSignature = disk.signature;
    }
    return state;
  }

  static inMemory(options: HashStateOptions = {}): HashState {
    return new HashState(undefined, options);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached md5 of `absPath` if its inode, mtime and size still match `stat`. */
  get(absPath: string, stat: StateStat): string | undefined {
    const entry = this.entries.get(absPath);
    if (!entry) return undefined;
    if (entry.ino !== String(stat.ino) || entry.mtimeNs !== String(stat.mtimeNs) || entry.size !== String(stat.size)) {
      return undefined;
    }
    return entry.md5;
  }

  /**
   * Records the md5 of `absPath`, hashed from the content `stat` describes. `startedAtMs` is the
   * wall-clock time (`Date.now()`) taken before the file was stat-ed and read. Returns false (and
   * forgets any older entry) when the file is racy and must not be trusted later.
   */
  set(absPath: string, stat: StateStat, md5: string, startedAtMs: number = Date.now()): boolean {
    if (this.isRacy(stat, startedAtMs)) {
      this.delete(absPath);
      return false;
    }
    const entry: Entry = { ino: String(stat.ino), mtimeNs: String(stat.mtimeNs), size: String(stat.size), md5 };
    const old = this.entries.get(absPath);
    if (old && old.ino === entry.ino && old.mtimeNs === entry.mtimeNs && old.size === entry.size && old.md5 === md5) return true;
    this.entries.delete(absPath); // re-insert at the end: the Map order is the eviction order
    this.entries.set(absPath, entry);
    this.touched.add(absPath);
    this.dirty = true;
    this.evict();
    return true;
  }

  delete(absPath: string): void {
    if (this.entries.delete(absPath)) this.dirty = true;
    this.touched.add(absPath);
  }

  /** True when a file with this mtime could still change within the same mtime tick. */
  isRacy(stat: StateStat, startedAtMs: number): boolean {
    return this.racyForMs(stat, startedAtMs) > 0;
  }

  /** How long (ms) a file with this mtime stays racy after `nowMs`; 0 when it is not racy. */
  racyForMs(stat: StateStat, nowMs: number): number {
    const windowMs = this.options.racyWindowMs ?? (stat.mtimeNs % NS_PER_SECOND === 0n ? COARSE_RACY_WINDOW_MS : FINE_RACY_WINDOW_MS);
    const racyUntilNs = stat.mtimeNs + BigInt(Math.ceil(windowMs)) * NS_PER_MS;
    const nowNs = BigInt(Math.floor(nowMs)) * NS_PER_MS;
    return racyUntilNs > nowNs ? Number((racyUntilNs - nowNs + NS_PER_MS - 1n) / NS_PER_MS) : 0;
  }

  /**
   * Writes the state to its file if anything changed. Entries another process saved since this
   * state was loaded are kept unless this state set or deleted the same path.
   */
  save(): void {
    if (!this.file || !this.dirty) return;
    const disk = readStateFile(this.file);
    if (disk && disk.signature !== this.loadedSignature) {
      for (const [path, entry] of disk.entries) {
        if (!this.touched.has(path) && !this.entries.has(path)) this.entries.set(path, entry);
      }
      this.evict();
    }
    const rows: SerialisedEntry[] = [];
    for (const [path, e] of this.entries) rows.push([path, e.ino, e.mtimeNs, e.size, e.md5]);
    const text = `{"version": ${FORMAT_VERSION}, "entries": [\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileAtomic(this.file, text);
    this.loadedSignature = fileSignature(this.file);
    this.touched.clear();
    this.dirty = false;
  }

  private evict(): void {
    if (this.entries.size <= this.maxEntries) return;
    let excess = this.entries.size - this.maxEntries;
    for (const path of this.entries.keys()) {
      if (excess-- <= 0) break;
      this.entries.delete(path);
    }
  }
}

function fileSignature(file: string): string | undefined {
  try {
    const st = statSync(file, { bigint: true });
    return `${st.ino}:${st.mtimeNs}:${st.size}`;
  } catch {
    return undefined;
  }
}

function readStateFile(file: string): { signature: string | undefined; entries: [string, Entry][] } | undefined {
  const signature = fileSignature(file);
  if (signature === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (!data || typeof data !== 'object' || (data as { version?: unknown }).version !== FORMAT_VERSION) return undefined;
  const rows = (data as { entries?: unknown }).entries;
  if (!Array.isArray(rows)) return undefined;
  const entries: [string, Entry][] = [];
  for (const row of rows) {
    if (!Array.isArray(row) || row.length !== 5 || !row.every((v) => typeof v === 'string')) continue;
    const [path, ino, mtimeNs, size, md5] = row as SerialisedEntry;
    entries.push([path, { ino, mtimeNs, size, md5 }]);
  }
  return { signature, entries };
}

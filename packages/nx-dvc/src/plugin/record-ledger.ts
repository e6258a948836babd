import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../dvc/atomic-write';
import type { CachedOutput } from '../dvc/stage/reproduce';
import { PLUGIN_VERSION } from './plugin-version';

/** What the ledger keeps of a fragment: enough to check out its outputs and ignore them, no entry. */
export interface LedgerFragment {
  dvcFile: string;
  stage: string;
  lock: string;
  cached: CachedOutput[];
}

interface LedgerLock {
  /** md5 of the dvc.lock text the hook left. */
  md5: string;
  /** Which fragment (by id) each stage's entry in that text came from. */
  stages: Record<string, string>;
}

interface LedgerFile {
  version: string;
  locks: Record<string, LedgerLock>;
  fragments: Record<string, LedgerFragment>;
}

/** A fragment file's identity: the hash of its text (which names its dvc.yaml and stage). */
export function fragmentId(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

export function ledgerPath(dataDirectory: string): string {
  return join(dataDirectory, 'nx-dvc', 'recorded-locks.json');
}

/**
 * What the post-tasks hook last left in each dvc.lock: the file's hash and, for each stage, the
 * fragment its entry came from. When every fragment of a command is already the entry of its stage
 * in a dvc.lock whose text is still the one the hook left, merging them again would change nothing,
 * and the hook need not parse a fragment nor a dvc.yaml (a no-op run of many cached stages).
 * Every claim is about file contents, so a dvc.lock written by anyone else (DVC, an editor, another
 * command) no longer matches and is merged again; a lost or stale ledger only costs that.
 */
export class RecordLedger {
  private data: LedgerFile = { version: PLUGIN_VERSION, locks: {}, fragments: {} };

  constructor(private readonly path: string) {
    if (!existsSync(path)) return;
    try {
      const data = JSON.parse(readFileSync(path, 'utf8')) as LedgerFile;
      if (data.version === PLUGIN_VERSION && data.locks && data.fragments) this.data = data;
    } catch {
      // unreadable: start over
    }
  }

  /** The fragments, if each is already the entry of its stage in its dvc.lock as it is on disk now. */
  recorded(root: string, ids: string[]): LedgerFragment[] | undefined {
    const lockMd5s = new Map<string, string | undefined>();
    const fragments: LedgerFragment[] = [];
    for (const id of ids) {
      const fragment = this.data.fragments[id];
      const lock = fragment && this.data.locks[fragment.lock];
      if (!lock || lock.stages[fragment.stage] !== id) return undefined;
      if (!lockMd5s.has(fragment.lock)) lockMd5s.set(fragment.lock, md5OfFile(join(root, fragment.lock)));
      if (lockMd5s.get(fragment.lock) !== lock.md5) return undefined;
      fragments.push(fragment);
    }
    return fragments;
  }

  /**
   * A dvc.lock went from `before` to `after` by merging these fragments. What the ledger knew of
   * the other stages holds only if `before` is the text it knew.
   */
  merged(lock: string, before: string | undefined, after: string, fragments: Array<{ id: string; fragment: Omit<LedgerFragment, 'lock'> }>): void {
    const known = this.data.locks[lock];
    const stages = known && before !== undefined && known.md5 === md5(before) ? { ...known.stages } : {};
    for (const { id, fragment } of fragments) {
      stages[fragment.stage] = id;
      this.data.fragments[id] = { dvcFile: fragment.dvcFile, stage: fragment.stage, lock, cached: fragment.cached };
    }
    this.data.locks[lock] = { md5: md5(after), stages };
  }

  /** Written whole (fragments no dvc.lock holds any more dropped), never half. */
  save(): void {
    const current = new Set(Object.values(this.data.locks).flatMap((l) => Object.values(l.stages)));
    for (const id of Object.keys(this.data.fragments)) if (!current.has(id)) delete this.data.fragments[id];
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileAtomic(this.path, JSON.stringify(this.data));
  }
}

/** Of the UTF-8 bytes, as written. */
function md5(text: string | Buffer): string {
  return createHash('md5').update(text).digest('hex');
}

/** Of the bytes on disk: a file that is not valid UTF-8 never matches the text the hook left. */
function md5OfFile(path: string): string | undefined {
  try {
    return md5(readFileSync(path));
  } catch {
    return undefined;
  }
}

import { rmSync, writeFileSync, renameSync } from 'node:fs';

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
export function writeFileAtomic(absPath: string, text: string | Buffer): void {
  writeThroughTemporary(absPath, (temporary) => writeFileSync(temporary, text));
}

/**
 * Has `write` create a new file under a temporary name beside `absPath`, then renames it there
 * (replacing what was there): a reader sees the old file or the whole new one, and a failed write
 * leaves nothing behind.
 */
export function writeThroughTemporary(absPath: string, write: (temporary: string) => void): void {
  const temporary = `${absPath}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    write(temporary);
    renameSync(temporary, absPath);
  } finally {
    rmSync(temporary, { force: true });
  }
}

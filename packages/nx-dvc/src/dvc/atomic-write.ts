import { rmSync, writeFileSync, renameSync } from 'node:fs';

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
export function writeFileAtomic(absPath: string, text: string | Buffer): void {
  const temporary = `${absPath}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, absPath);
  } finally {
    rmSync(temporary, { force: true });
  }
}

import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { copyNewFile } from '../copy-new-file';
import { MissingObjectError, type RemoteStorage } from './storage';

/** A remote that is a directory (a path or `file://` url), written as `dvc push` writes it: whole files, renamed into place. */
export class LocalStorage implements RemoteStorage {
  constructor(private readonly dir: string, readonly description: string) {}

  async has(key: string): Promise<boolean> {
    return existsSync(join(this.dir, key));
  }

  async download(key: string, toFile: string): Promise<void> {
    const source = join(this.dir, key);
    if (!existsSync(source)) throw new MissingObjectError(key);
    copyThroughTemporary(source, toFile);
  }

  async upload(fromFile: string, key: string): Promise<void> {
    const target = join(this.dir, key);
    mkdirSync(dirname(target), { recursive: true });
    copyThroughTemporary(fromFile, target);
  }
}

/** A whole copy renamed into place: a reader never sees half of it, and what was there is replaced. */
function copyThroughTemporary(source: string, target: string): void {
  const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    copyNewFile(source, temporary);
    renameSync(temporary, target);
  } finally {
    rmSync(temporary, { force: true });
  }
}

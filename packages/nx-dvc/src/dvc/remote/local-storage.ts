import { constants, copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
    copyFileSync(source, toFile, constants.COPYFILE_FICLONE);
  }

  async upload(fromFile: string, key: string): Promise<void> {
    const target = join(this.dir, key);
    mkdirSync(dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      copyFileSync(fromFile, temporary, constants.COPYFILE_FICLONE);
      renameSync(temporary, target);
    } finally {
      rmSync(temporary, { force: true });
    }
  }
}

import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeThroughTemporary } from '../atomic-write';
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
    writeThroughTemporary(toFile, (temporary) => copyNewFile(source, temporary));
  }

  async upload(fromFile: string, key: string): Promise<void> {
    const target = join(this.dir, key);
    mkdirSync(dirname(target), { recursive: true });
    writeThroughTemporary(target, (temporary) => copyNewFile(fromFile, temporary));
  }
}

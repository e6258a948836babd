/**
 * One remote's object store, by key below the remote's url. Every transfer streams between a
 * file and the remote, never holding an object in memory.
 */
export interface RemoteStorage {
  /** Shown in messages: the remote's name and url. */
  readonly description: string;
  has(key: string): Promise<boolean>;
  /** Writes the object to `toFile` (created or replaced); rejects with `MissingObjectError` when absent. */
  download(key: string, toFile: string): Promise<void>;
  upload(fromFile: string, key: string): Promise<void>;
}

export class MissingObjectError extends Error {
  constructor(readonly key: string) {
    super(`'${key}' is not on the remote`);
  }
}

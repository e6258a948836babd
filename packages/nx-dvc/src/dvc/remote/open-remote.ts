import { DvcError } from '../errors';
import { HttpStorage } from './http-storage';
import { LocalStorage } from './local-storage';
import type { RemoteConfig } from './remote-config';
import { S3Storage } from './s3-storage';
import type { RemoteStorage } from './storage';
import { fileURLToPath } from 'node:url';

/** The storage behind a remote: a local path, HTTP(S) or S3 (and S3-compatible); others are DVC's job. */
export function openRemote(remote: RemoteConfig): RemoteStorage {
  const description = `'${remote.name}' (${remote.url})`;
  const scheme = /^(\w+):\/\//.exec(remote.url)?.[1]?.toLowerCase();
  if (scheme === undefined) return new LocalStorage(remote.url, description);
  if (scheme === 'file') return new LocalStorage(fileURLToPath(remote.url), description);
  if (scheme === 'http' || scheme === 'https') return new HttpStorage(new URL(remote.url), remote.options, description);
  if (scheme === 's3') return new S3Storage(new URL(remote.url), remote.options, description);
  throw new DvcError(
    `remote ${description}: nx-dvc transfers data only with local, http(s) and s3 remotes; use DVC itself for '${scheme}' remotes: \`dvc pull\` (and \`dvc push\`)`,
    '.dvc/config',
  );
}

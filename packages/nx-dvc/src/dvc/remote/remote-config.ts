import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { DvcError } from '../errors';
import { readDvcConfigSection, readDvcConfigValue } from '../repo/dvc-config';

/** A DVC remote as `.dvc/config` and `.dvc/config.local` describe it (`remote "<name>"` sections). */
export interface RemoteConfig {
  name: string;
  /** The url, a local path made absolute against `.dvc/` as DVC resolves config paths. */
  url: string;
  /** Every other key of the section: credentials, `endpointurl`, `region`, `method`, `jobs`... */
  options: Record<string, string>;
}

/**
 * The remote DVC would use: the one named (`-r`), else `core.remote`; errors in DVC's words.
 * (DVC's global and system config levels are not read.)
 */
export function resolveRemote(root: string, name: string | undefined, command: 'pull' | 'push'): RemoteConfig {
  const chosen = name || readDvcConfigValue(root, 'core', 'remote');
  if (!chosen) throw new DvcError(noRemoteMessage(root, command), '.dvc/config');
  const { url, ...options } = readDvcConfigSection(root, `remote "${chosen.toLowerCase()}"`);
  if (url === undefined) throw new DvcError(`config file error: remote '${chosen}' doesn't exist (.dvc/config has no [remote "${chosen}"] with a url)`, '.dvc/config');
  return { name: chosen, url: resolveConfigPath(root, url), options };
}

function noRemoteMessage(root: string, command: string): string {
  const hasRemotes = /^\s*\[\s*'?remote\s+"/im.test(configText(root));
  return hasRemotes
    ? `no remote specified in ${root}. Setup default remote with\n    dvc remote default <remote name>\nor use:\n    dvc ${command} -r <remote name>`
    : `no remote specified in ${root}. Create a default remote with\n    dvc remote add -d <remote name> <remote url>`;
}

function configText(root: string): string {
  return ['.dvc/config', '.dvc/config.local'].map((file) => readIfPresent(join(root, file))).join('\n');
}

function readIfPresent(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** DVC's `Config._resolve`: urls with a scheme and absolute paths stay, others are relative to `.dvc/`. */
function resolveConfigPath(root: string, url: string): string {
  if (/^\w+:\/\//.test(url) || isAbsolute(url)) return url;
  return resolve(root, '.dvc', url);
}

import { DvcError } from '../errors';

export type LinkType = 'reflink' | 'hardlink' | 'symlink' | 'copy';

const LINK_TYPES: readonly LinkType[] = ['reflink', 'hardlink', 'symlink', 'copy'];

/** DVC's default `cache.type` for a local cache (`LocalHashFileDB.DEFAULT_CACHE_TYPES`). */
export const DEFAULT_LINK_TYPES: readonly LinkType[] = ['reflink', 'copy'];

/**
 * `cache.type` as DVC's config schema reads it (`supported_cache_type`): a comma-separated list,
 * quoted or not, in the order DVC tries the types.
 */
export function parseLinkTypes(value: string | undefined): LinkType[] {
  if (value === undefined || value.trim() === '') return [...DEFAULT_LINK_TYPES];
  const types = value.split(',').map((t) => t.trim());
  const unsupported = [...new Set(types.filter((t) => !LINK_TYPES.includes(t as LinkType)))];
  if (unsupported.length) {
    throw new DvcError(
      `configuration error - config file error: Unsupported cache type(s): ${unsupported.join(', ')} for dictionary value @ data['cache']['type'] (in .dvc/config: cache.type takes reflink, hardlink, symlink, copy)`,
      '.dvc/config',
    );
  }
  return types as LinkType[];
}

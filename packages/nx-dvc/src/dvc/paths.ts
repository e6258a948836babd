import { posix } from 'node:path';

/** Repository paths are POSIX, relative to the workspace root, '' or '.' for the root. */
export function joinPath(base: string, path: string): string {
  if (path.startsWith('/')) return path;
  return base && base !== '.' ? `${base}/${path}` : path;
}

/** `posixpath.normpath`: collapses `.` and `..`, keeps leading `..`, '' becomes '.'. */
export function normPath(path: string): string {
  if (path && !/(^|\/)\.{1,2}(\/|$)|\/\/|\/$/.test(path)) return path;
  return posix.normalize(path === '' ? '.' : path).replace(/(.)\/$/, '$1');
}

export function dirName(path: string): string {
  const dir = posix.dirname(path);
  return dir === '.' ? '' : dir;
}

/** Path of `path` (repo-relative) as seen from `from` (repo-relative), like `os.path.relpath`. */
export function relPath(path: string, from: string): string {
  return posix.relative(from || '.', path || '.') || '.';
}

/** True when a normalised repo-relative path climbs above the workspace root. */
export function escapesRoot(normalised: string): boolean {
  return normalised === '..' || normalised.startsWith('../');
}

/** A relative path already in normal form that names something strictly inside its base folder. */
export function isPlainInsidePath(path: string): boolean {
  const normalised = normPath(path);
  return normalised === path && normalised !== '.' && !normalised.startsWith('/') && !escapesRoot(normalised);
}

/** Component-wise split, for trie matching (`data2` is not inside `data`). */
export function pathParts(normalised: string): string[] {
  return normalised === '.' ? [] : normalised.split('/');
}

export function isUrl(path: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(path) || path.startsWith('remote://');
}

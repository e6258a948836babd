import { statSync, type BigIntStats } from 'node:fs';
import { collectFiles } from './walk';

/**
 * A cheap signature of a file or directory outside the repository: what DVC's state checks before
 * it trusts a recorded md5 (inode, mtime, size), plus the mode (`isexec`), for the file or every
 * file DVC would hash in the directory (walked as DVC walks it there). It changes whenever the path's DVC hash can have changed, without reading a byte.
 * Never throws: a missing path or one DVC cannot hash gets a line saying so, and the hashing that
 * follows reports the error in DVC's words.
 */
export function statSignature(absPath: string): string {
  try {
    const st = statSync(absPath, { bigint: true, throwIfNoEntry: false });
    if (!st) return 'missing';
    if (!st.isDirectory()) return `file ${fields(st)}`;
    const files = collectFiles(absPath, { outsideRepository: true }).map((file) => `${JSON.stringify(file.relpath)} ${fields(file.stat)}`);
    return ['dir', ...files.sort()].join('\n');
  } catch (error) {
    return `unreadable ${error instanceof Error ? error.message : String(error)}`;
  }
}

function fields(st: BigIntStats): string {
  return `${st.ino} ${st.mtimeNs} ${st.size} ${(st.mode & 0o7777n).toString(8)}`;
}

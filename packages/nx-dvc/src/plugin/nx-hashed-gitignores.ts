import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import ignore from 'ignore';

/**
 * The `.gitignore` files (repo paths) Nx still hashes: those no `.nxignore` keeps out of its file
 * map. Nx reads `.nxignore` in every folder, as git reads `.gitignore`: the deepest rule wins.
 */
export function gitignoresNxHashes(root: string, gitignores: string[]): string[] {
  return gitignores.filter((path) => !nxIgnores(root, path));
}

function nxIgnores(root: string, repoPath: string): boolean {
  let ignored = false;
  for (const folder of foldersAbove(repoPath)) {
    const rules = readNxignore(join(root, folder));
    if (rules === undefined) continue;
    const verdict = ignore().add(rules).test(folder ? posix.relative(folder, repoPath) : repoPath);
    if (verdict.ignored) ignored = true;
    else if (verdict.unignored) ignored = false;
  }
  return ignored;
}

/** '' (the root), then each folder down to the file's own. */
function foldersAbove(repoPath: string): string[] {
  const parts = repoPath.split('/').slice(0, -1);
  return ['', ...parts.map((_, i) => parts.slice(0, i + 1).join('/'))];
}

function readNxignore(folder: string): string | undefined {
  try {
    return readFileSync(join(folder, '.nxignore'), 'utf8');
  } catch {
    return undefined;
  }
}

/** Says which `.gitignore` files a run changed that Nx hashes, what that costs, and the fix. */
export function hashedGitignoreWarning(hashed: string[]): string | undefined {
  if (hashed.length === 0) return undefined;
  const who = hashed.includes('.gitignore') ? 'every task of the workspace' : 'the tasks of the projects that own them';
  return (
    `nx-dvc: new outputs were added to ${hashed.join(', ')}, which Nx hashes into ${who}: ` +
    'those tasks miss the cache on the next run, and on every clone until the change is committed. ' +
    'Run `nx g nx-dvc:init` (or add the line `.gitignore` to .nxignore) so that Nx stops hashing .gitignore files; git and Nx still apply them.'
  );
}

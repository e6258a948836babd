import { spawnSync } from 'node:child_process';

/**
 * Which of `repoPaths` git tracks (a folder counts when any file under it is tracked), as
 * scmrepo's `is_tracked` (`git ls-files <path>`). Empty outside a git repository.
 */
export function trackedByGit(root: string, repoPaths: string[]): Set<string> {
  if (repoPaths.length === 0) return new Set();
  const result = spawnSync('git', ['ls-files', '-z', '--', ...repoPaths.map((p) => `:(literal)${p}`)], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) return new Set();
  const files = result.stdout.split('\0').filter(Boolean);
  return new Set(repoPaths.filter((path) => files.some((file) => file === path || file.startsWith(`${path}/`))));
}

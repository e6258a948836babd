import { spawnSync } from 'node:child_process';

/**
 * Which of `repoPaths` git tracks (a folder counts when any file under it is tracked), as
 * scmrepo's `is_tracked` (`git ls-files <path>`). Empty outside a git repository.
 */
export function trackedByGit(root: string, repoPaths: string[]): Set<string> {
  if (repoPaths.length === 0) return new Set();
  const files = trackedFiles(root);
  return new Set(repoPaths.filter((path) => isTrackedOrHoldsTracked(files, path)));
}

/**
 * Every file git tracks, listed once per process: a stage run never stages files, and one `git`
 * process per stage cost about 10 ms of blocked event loop each in a batch of stages (a fork of
 * this process), as much as the stage's own command.
 */
const listings = new Map<string, string[]>();

function trackedFiles(root: string): string[] {
  let files = listings.get(root);
  if (!files) {
    const result = spawnSync('git', ['-c', 'core.quotePath=false', 'ls-files', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 });
    files = result.status === 0 ? result.stdout.split('\0').filter(Boolean).sort(byCodeUnit) : [];
    listings.set(root, files);
  }
  return files;
}

/** `path` itself, or a file below it, in the sorted listing. */
function isTrackedOrHoldsTracked(sorted: string[], path: string): boolean {
  const at = lowerBound(sorted, path);
  if (sorted[at] === path) return true;
  const prefix = `${path}/`;
  const below = lowerBound(sorted, prefix);
  return below < sorted.length && sorted[below]!.startsWith(prefix);
}

function lowerBound(sorted: string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

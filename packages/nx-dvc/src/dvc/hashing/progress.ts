import type { HashProgress } from './file';

export interface ProgressTiming {
  /** Nothing is printed for a hash that finishes sooner. */
  quietMs: number;
  /** Time between two progress lines. */
  everyMs: number;
  now?: () => number;
}

export const DEFAULT_TIMING: ProgressTiming = { quietMs: 1000, everyMs: 2000 };

/**
 * Progress lines for a hash that takes more than a moment, one line at a time (task output is
 * often a log, not a terminal): `Computing md5 of 'data/big.bin': 512 MiB of 1.0 GiB (50%)`, then
 * a final line with the time it took. Fast hashes print nothing.
 */
export function hashProgress(write: (line: string) => void, timing: ProgressTiming = DEFAULT_TIMING): (repoPath: string) => HashProgress {
  const now = timing.now ?? Date.now;
  return (repoPath) => {
    const started = now();
    let lastLine: number | undefined;
    return (done, total) => {
      const t = now();
      const finished = done >= total;
      if (lastLine === undefined && t - started < timing.quietMs) return;
      if (finished && lastLine !== undefined) {
        write(`Computing md5 of '${repoPath}': ${formatBytes(total)} in ${((t - started) / 1000).toFixed(1)} s`);
        lastLine = Infinity;
      } else if (!finished && (lastLine === undefined || t - lastLine >= timing.everyMs)) {
        write(`Computing md5 of '${repoPath}': ${formatBytes(done)} of ${formatBytes(total)} (${Math.floor((100 * done) / total)}%)`);
        lastLine = t;
      }
    };
  };
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) (value /= 1024), unit++;
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

import type { HashState, StateStat } from './state';

/**
 * Racy bytes worth waiting for: md5 runs at about 0.5 GB/s on one core, so reading this much
 * again in the next command costs about what waiting out the racy window (1 s) costs now.
 */
export const RACY_BYTES_WORTH_WAITING = 256 << 20;
/** Never wait longer than the coarse racy window (and a margin): a later mtime is clock skew. */
const MAX_WAIT_MS = 2100;

/**
 * Waits until none of these files is racy for the hash state, when the racy ones are large, so
 * that hashing them from now on records their md5 and the next command does not read them again
 * (a stage's output, hashed the moment its command ends, is racy: it was written just before).
 * Nothing is dated back: time passes. True when it waited: stat the files again and hash from now.
 */
export async function waitOutLargeRacyFiles(stats: readonly StateStat[], state: HashState): Promise<boolean> {
  const now = Date.now();
  let racyBytes = 0n;
  let waitMs = 0;
  for (const stat of stats) {
    const ms = state.racyForMs(stat, now);
    if (ms === 0) continue;
    racyBytes += stat.size;
    waitMs = Math.max(waitMs, ms);
  }
  if (racyBytes < BigInt(RACY_BYTES_WORTH_WAITING) || waitMs > MAX_WAIT_MS) return false;
  await new Promise((resolve) => setTimeout(resolve, waitMs + 1)); // timers may fire a fraction of a ms early
  return true;
}

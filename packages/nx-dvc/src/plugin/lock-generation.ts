import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';

/**
 * DVC prints `Generating lock file '<file>'` once, when the first stage of a run creates the file.
 * Here every stage task runs in its own process and sees no dvc.lock until the hook writes it at
 * the end, so the tasks of one `nx` command agree through a marker per dvc.lock: the first task
 * to create it (an exclusive create, atomic across processes) is the one that prints the line.
 * The command is told apart by the id Nx gives its task hooks, passed to the tasks in this variable.
 */
export const RUN_ID_VARIABLE = 'NX_DVC_RUN_ID';

/** Markers this process has created or found (a batch process runs many stages of one command). */
const triedMarkers = new Set<string>();

/** The pre-tasks hook's part: every task of this command sees the command's id. */
export function shareRunId(runId: string | undefined): void {
  if (runId) process.env[RUN_ID_VARIABLE] = runId;
}

/**
 * Whether this task is the first of its command to create `lockFile` (repo-relative). Outside an
 * `nx` command (no id), every task is.
 */
export function claimLockGeneration(dataDirectory: string, lockFile: string, runId = process.env[RUN_ID_VARIABLE]): boolean {
  if (!runId) return true;
  const directory = runDirectory(dataDirectory, runId);
  const marker = join(directory, createHash('sha1').update(lockFile).digest('hex'));
  // the marker stays until the command ends: once this process has tried, every later try loses
  if (triedMarkers.has(marker)) return false;
  mkdirSync(directory, { recursive: true });
  try {
    writeFileSync(marker, lockFile, { flag: 'wx' });
    triedMarkers.add(marker);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    triedMarkers.add(marker);
    return false;
  }
}

/** The post-tasks hook's part: the command is over, its markers go. */
export function forgetRun(dataDirectory: string, runId: string | undefined): void {
  if (!runId) return;
  const directory = runDirectory(dataDirectory, runId);
  rmSync(directory, { recursive: true, force: true });
  for (const marker of triedMarkers) if (marker.startsWith(`${directory}${sep}`)) triedMarkers.delete(marker);
}

function runDirectory(dataDirectory: string, runId: string): string {
  return join(dataDirectory, 'nx-dvc', 'runs', runId.replace(/[^A-Za-z0-9_-]/g, '_'));
}

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `dvc repro --ignore-errors` across processes: the `dvc-repro` target runs the stage tasks through
 * a nested `nx run-many` with this variable set to a folder; a stage task that fails then prints
 * DVC's `WARNING: <error> (ignored)` instead of its `ERROR:` line and leaves its name in the folder,
 * so that the `dvc-repro` target knows which stages failed and can run their dependents.
 */
export const IGNORE_ERRORS_VARIABLE = 'NX_DVC_IGNORE_ERRORS';

export interface StageName {
  dvcFile: string;
  stage: string;
}

/** The folder a run's ignored failures go to, when this task is part of one. */
export function ignoredFailuresDirectory(): string | undefined {
  return process.env[IGNORE_ERRORS_VARIABLE] || undefined;
}

export function recordIgnoredFailure(directory: string, failed: StageName): void {
  mkdirSync(directory, { recursive: true });
  const name = createHash('sha1').update(`${failed.dvcFile}\0${failed.stage}`).digest('hex');
  writeFileSync(join(directory, `${name}.json`), JSON.stringify({ dvcFile: failed.dvcFile, stage: failed.stage }));
}

export function ignoredFailures(directory: string): StageName[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((file) => file.endsWith('.json'))
    .map((file) => JSON.parse(readFileSync(join(directory, file), 'utf8')) as StageName);
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dependentsWithin } from '../../dvc/repo/plan';
import type { Stage } from '../../dvc/stage/stage';
import { ignoredFailures } from '../ignored-failures';
import { stageKey } from '../workspace-pipelines';
import { dryReproduce, silentLog } from './dry-reproducer';
import { runStageTasks, type NxRunOptions } from './nx-run';
import { tasksOf, type PlanRun } from './plan-run';

/**
 * Runs DVC's plan through Nx, cached as usual. `--force-downstream` splits it in two: first every
 * stage that no changed stage is above (as Nx would), then, forced and in order, the stages below
 * a changed one. Which those are is decided first, from dvc.lock, as DVC's loop would.
 */
export async function runPlan(run: PlanRun): Promise<boolean> {
  const { flags, plan } = run;
  const first: NxRunOptions = { force: flags.force, excludeTaskDependencies: flags.downstream && !flags.pipeline };
  if (!flags.forceDownstream || flags.force) return runWave(run, plan, first);
  const forced = await dryReproduce(run, silentLog);
  return (
    runWave(run, plan.filter((stage) => !forced.has(stage)), first) &&
    runWave(run, plan.filter((stage) => forced.has(stage)), { force: true, excludeTaskDependencies: true })
  );
}

function runWave(run: PlanRun, stages: Stage[], wave: NxRunOptions): boolean {
  const options = { ...wave, ...missingDataFlags(run) };
  if (!run.flags.ignoreErrors) return runStageTasks(run.root, tasksOf(run, stages), options, run.verbose);
  return runIgnoringErrors(run, stages, options);
}

/** `--pull` and `--allow-missing` go to every stage task of the run. */
export function missingDataFlags(run: PlanRun): Pick<NxRunOptions, 'pull' | 'allowMissing'> {
  return { pull: run.flags.pull === true, allowMissing: run.flags.allowMissing === true };
}

/**
 * `--ignore-errors`: Nx never runs a task whose dependency failed, so after a run with failed
 * stages the stages it skipped (their dependents) run in a run of their own, until none is left.
 * The failures are DVC's warnings (printed by the stage tasks) and the command succeeds, as DVC's.
 */
function runIgnoringErrors(run: PlanRun, stages: Stage[], options: NxRunOptions): boolean {
  const directory = mkdtempSync(join(tmpdir(), 'nx-dvc-ignored-'));
  try {
    let pending = stages;
    let current = options;
    while (pending.length > 0) {
      if (runStageTasks(run.root, tasksOf(run, pending), { ...current, ignoredFailures: directory }, run.verbose)) return true;
      const failedKeys = new Set(ignoredFailures(directory).map((f) => stageKey({ file: f.dvcFile, name: f.stage })));
      const failed = pending.filter((stage) => failedKeys.has(stageKey(stage)));
      if (failed.length === 0) return false; // Nx itself failed, not a stage
      pending = dependentsWithin(run.graph, pending, failed);
      current = { ...options, excludeTaskDependencies: true };
    }
    return true;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DownstreamForce } from '../../dvc/repo/plan';
import type { Stage } from '../../dvc/stage/stage';
import { confirm } from './confirm';
import { DryReproducer, silentLog } from './dry-reproducer';
import { runStageTasks } from './nx-run';
import { missingDataFlags } from './run-plan';
import { tasksOf, type PlanRun } from './plan-run';

/**
 * `dvc repro -i`: the plan one stage at a time, in DVC's order. A stage that would run is run
 * (through Nx, cached as usual) only if the user says yes; the next stage is judged after it ran.
 */
export async function reproduceInteractively(run: PlanRun): Promise<boolean> {
  const reproducer = new DryReproducer(run.root);
  const downstream = new DownstreamForce(run.graph, run.flags.forceDownstream === true);
  const ignoredFailures = run.flags.ignoreErrors ? mkdtempSync(join(tmpdir(), 'nx-dvc-ignored-')) : undefined;
  try {
    for (const stage of run.plan) {
      const force = run.flags.force === true || downstream.isForced(stage);
      if (!(await reproducer.wouldRun(stage, force, silentLog, run.flags.allowMissing === true))) {
        console.log(`Stage '${stage.addressing}' didn't change, skipping`);
        continue;
      }
      const ran = (await confirmStage(stage, run)) && runStageTasks(run.root, tasksOf(run, [stage]), { force, excludeTaskDependencies: true, ignoredFailures, plainOutput: true, ...missingDataFlags(run) }, run.verbose);
      reproducer.refresh();
      if (ran) downstream.ran(stage);
      else if (!run.flags.ignoreErrors) return false;
    }
    return true;
  } finally {
    await reproducer.close();
    if (ignoredFailures) rmSync(ignoredFailures, { recursive: true, force: true });
  }
}

/** DVC's question; a no (or no terminal to ask on) fails the stage with DVC's words. */
async function confirmStage(stage: Stage, run: PlanRun): Promise<boolean> {
  if (await confirm(`Going to reproduce stage: '${stage.addressing}'. Are you sure you want to continue?`)) return true;
  if (run.flags.ignoreErrors) console.warn('WARNING: reproduction aborted by the user (ignored)');
  else console.error(`ERROR: failed to reproduce '${stage.addressing}': reproduction aborted by the user`);
  return false;
}

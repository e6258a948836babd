import { HashState } from '../../dvc/hashing/state';
import { shutdownHashWorkers } from '../../dvc/hashing/worker-pool';
import { WorkspaceHasher } from '../../dvc/hashing/workspace-hasher';
import { lockFileOf, recordedEntries } from '../../dvc/lock/lockfile';
import { DownstreamForce } from '../../dvc/repo/plan';
import { reproduceStage, type ReproduceLog } from '../../dvc/stage/reproduce';
import type { Stage } from '../../dvc/stage/stage';
import { hashStatePath, workspaceDataDirectoryOf } from '../../plugin/workspace-data';
import type { PlanRun } from './plan-run';

export const silentLog: ReproduceLog = { info: () => undefined, warn: () => undefined };

/**
 * DVC's reproduce told to change nothing (`--dry`): whether a stage would run, judged from the
 * files and dvc.lock as they are now, with DVC's lines sent to `log`.
 */
export class DryReproducer {
  private readonly state: HashState;
  private readonly hasher: WorkspaceHasher;
  private recorded: ReturnType<typeof recordedEntries>;

  constructor(private readonly root: string) {
    this.state = HashState.load(hashStatePath(workspaceDataDirectoryOf(root)));
    this.hasher = new WorkspaceHasher(root, this.state);
    this.recorded = recordedEntries(root);
  }

  async wouldRun(stage: Stage, force: boolean, log: ReproduceLog, allowMissing = false): Promise<boolean> {
    const context = { root: this.root, hasher: this.hasher, log, recorded: this.recorded(stage), lockFile: lockFileOf(stage.file), createsLockFile: () => false };
    return (await reproduceStage(stage, context, { force, dry: true, allowMissing })).outcome === 'would-run';
  }

  /** Stages ran since: read dvc.lock and the files again. */
  refresh(): void {
    this.recorded = recordedEntries(this.root);
    this.hasher.forget();
  }

  async close(): Promise<void> {
    this.state.save();
    await shutdownHashWorkers();
  }
}

/**
 * DVC's `_reproduce` loop with `dry`: each planned stage in order, forced by `-f` or by a stage
 * above it that would run (`--force-downstream`), with the lines `dvc repro` adds between stages
 * and at the end. Returns the stages forced that way.
 */
export async function dryReproduce(run: PlanRun, log: ReproduceLog): Promise<Set<Stage>> {
  const reproducer = new DryReproducer(run.root);
  const downstream = new DownstreamForce(run.graph, run.flags.forceDownstream === true);
  const forced = new Set<Stage>();
  let reproduced = 0;
  let previousReproduced = false;
  try {
    for (const stage of run.plan) {
      if (previousReproduced) log.info(''); // the blank line `dvc repro` prints after a stage it reproduced
      if (downstream.isForced(stage)) forced.add(stage);
      previousReproduced = await reproducer.wouldRun(stage, run.flags.force === true || downstream.isForced(stage), log, run.flags.allowMissing === true);
      if (!previousReproduced) continue;
      downstream.ran(stage);
      reproduced++;
    }
    log.info(reproduced ? 'Use `dvc push` to send your updates to remote storage.' : 'Data and pipelines are up to date.');
    return forced;
  } finally {
    await reproducer.close();
  }
}

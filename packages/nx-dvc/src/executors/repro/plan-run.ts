import type { StageGraph } from '../../dvc/repo/graph';
import type { Stage } from '../../dvc/stage/stage';
import type { StageTask } from '../workspace-pipelines';

/** The `dvc repro` flags the `dvc-repro` target takes. */
export interface ReproFlags {
  /** `dvc repro --downstream`: the stages and everything that depends on them, not their upstream. */
  downstream?: boolean;
  /** `dvc repro -p`: every stage of the pipelines (connected stages) the targets belong to. */
  pipeline?: boolean;
  /** `dvc repro --dry`: print what would run, in order, and run nothing. */
  dry?: boolean;
  /** `dvc repro -f`: run the planned stages even when nothing changed. */
  force?: boolean;
  /** `dvc repro --force-downstream`: every stage below a stage that runs runs too. */
  forceDownstream?: boolean;
  /** `dvc repro --ignore-errors`: a failed stage's dependents still run, and the run succeeds. */
  ignoreErrors?: boolean;
  /** `dvc repro -i`: ask before each stage that would run. */
  interactive?: boolean;
  /** `dvc repro --pull`: missing data comes from the DVC remote (forwarded to every stage task). */
  pull?: boolean;
  /** `dvc repro --allow-missing`: stages whose only change is missing data are skipped (forwarded to every stage task). */
  allowMissing?: boolean;
}

/** DVC's plan for one `dvc-repro` command, and how to reach each stage's Nx task. */
export interface PlanRun {
  root: string;
  graph: StageGraph;
  /** The stages in DVC's order. */
  plan: Stage[];
  /** Undefined for a `.dvc` data source: Nx hashes its data into the stages reading it. */
  taskOf: (stage: Stage) => StageTask | undefined;
  flags: ReproFlags;
  verbose: boolean;
}

/** The Nx tasks of planned stages; `.dvc` data sources have none (Nx hashes their data into their readers). */
export function tasksOf(run: PlanRun, stages: Stage[]): StageTask[] {
  return stages.flatMap((stage) => run.taskOf(stage) ?? []);
}

import { spawnSync } from 'node:child_process';
import { IGNORE_ERRORS_VARIABLE } from '../ignored-failures';
import type { StageTask } from '../workspace-pipelines';

export interface NxRunOptions {
  force?: boolean;
  /** Run only these tasks, not the upstream tasks Nx would add (edges between them are kept). */
  excludeTaskDependencies?: boolean;
  /** `--ignore-errors`: where failed stage tasks leave their names (see ignored-failures.ts). */
  ignoredFailures?: string;
  /** A conversation with the user (`-i`) needs Nx's plain output, not its terminal UI. */
  plainOutput?: boolean;
  /** `--pull` and `--allow-missing`, forwarded to the stage tasks. */
  pull?: boolean;
  allowMissing?: boolean;
}

/** One `nx run-many` of exactly these stage tasks, with the workspace's own nx and this terminal. */
export function runStageTasks(root: string, tasks: StageTask[], options: NxRunOptions, verbose: boolean): boolean {
  if (tasks.length === 0) return true;
  const targets = [...new Set(tasks.map((t) => t.target))];
  const args = [
    require.resolve('nx/bin/nx', { paths: [root] }),
    'run-many',
    `--targets=${targets.join(',')}`,
    `--projects=${tasks.map((t) => t.project).join(',')}`,
    ...(options.excludeTaskDependencies ? ['--excludeTaskDependencies'] : []),
    ...(options.force ? ['--force', '--skip-nx-cache'] : []),
    ...(options.plainOutput ? ['--tui=false'] : []),
    ...(options.pull ? ['--pull'] : []),
    ...(options.allowMissing ? ['--allowMissing'] : []),
    ...(verbose ? ['--verbose'] : []),
  ];
  const env = options.ignoredFailures ? { ...process.env, [IGNORE_ERRORS_VARIABLE]: options.ignoredFailures } : process.env;
  return spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env }).status === 0;
}

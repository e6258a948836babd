import { recordedEntries } from '../lock/lockfile';
import type { Stage } from './stage';
import { stageChanges, type StageChange, type StatusOptions } from './status';
import type { WorkspaceHasher } from '../hashing/workspace-hasher';

/** One stage's entry of `dvc status --json`: changed deps and outs by path, then flags. */
export type StageStatus = Array<string | Record<string, Record<string, unknown>>>;

/** `dvc status`: every stage that is not up to date, with why, keyed by its addressing. */
export async function statusOf(stages: Stage[], hasher: WorkspaceHasher, options: Pick<StatusOptions, 'inCache'> = {}): Promise<Record<string, StageStatus>> {
  const recorded = recordedEntries(hasher.root);
  const report: Record<string, StageStatus> = {};
  for (const stage of stages) {
    const status = stageStatus(await stageChanges(stage, recorded(stage), hasher, options));
    if (status.length) report[stage.addressing] = status;
  }
  return report;
}

/** DVC's `Stage.status` order: changed deps (params last), changed outs, always changed, changed command. */
function stageStatus(changes: StageChange[]): StageStatus {
  const deps: Record<string, unknown> = {};
  const outs: Record<string, unknown> = {};
  const flags: string[] = [];
  for (const change of changes) {
    // paths as DVC prints them from the repository root
    if (change.kind === 'dep' || change.kind === 'params') deps[change.repoPath] = change.status;
    else if (change.kind === 'out') outs[change.repoPath] = change.status;
  }
  if (changes.some((c) => c.kind === 'always changed')) flags.push('always changed');
  if (changes.some((c) => c.kind === 'command')) flags.push('changed command');
  return [
    ...(Object.keys(deps).length ? [{ 'changed deps': deps }] : []),
    ...(Object.keys(outs).length ? [{ 'changed outs': outs }] : []),
    ...flags,
  ];
}

const UP_TO_DATE = 'Data and pipelines are up to date.';

/** The text `dvc status` prints: tab-indented, each status padded to 20 columns before its path. */
export function formatStatus(report: Record<string, StageStatus>): string {
  const lines: string[] = [];
  const show = (value: unknown, depth: number) => {
    const indent = '\t'.repeat(depth);
    if (typeof value === 'string') lines.push(`${indent}${value}`);
    else if (Array.isArray(value)) for (const entry of value) show(entry, depth);
    else {
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
        if (typeof inner === 'string') lines.push(`${indent}${`${inner}:`.padEnd(20)}${key}`);
        else if (inner && (!Array.isArray(inner) || inner.length)) {
          lines.push(`${indent}${key}:`);
          show(inner, depth + 1);
        }
      }
    }
  };
  show(report, 0);
  return lines.length ? lines.join('\n') : UP_TO_DATE;
}

import { pythonJsonString } from '../hashing/manifest';
import { recordedEntries } from '../lock/lockfile';
import type { StageGraph } from '../repo/graph';
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

/**
 * What the status of one dvc.yaml lists: its stages, and the `.dvc` data sources they read,
 * directly or through upstream stages (a pointer has no project whose status would show it), in
 * the graph's order, which is the order `dvc status` prints them in.
 */
export function stagesWithDataSources(graph: StageGraph, stages: Stage[]): Stage[] {
  const own = new Set(stages);
  const upstream = new Set<Stage>();
  const pending = [...stages];
  while (pending.length) {
    for (const producer of graph.upstream.get(pending.pop()!) ?? []) {
      if (!upstream.has(producer)) (upstream.add(producer), pending.push(producer));
    }
  }
  return graph.stages.filter((stage) => own.has(stage) || (upstream.has(stage) && stage.name === undefined));
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

/** `dvc status --json` away from a terminal: Python's `json.dumps` (`, ` and `: `, ASCII only). */
export function formatStatusJson(report: Record<string, StageStatus>): string {
  const dump = (value: unknown): string => {
    if (typeof value === 'string') return pythonJsonString(value);
    if (Array.isArray(value)) return `[${value.map(dump).join(', ')}]`;
    return `{${Object.entries(value as Record<string, unknown>).map(([key, inner]) => `${pythonJsonString(key)}: ${dump(inner)}`).join(', ')}}`;
  };
  return dump(report);
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

import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { TaskResults } from '@nx/devkit';
import { outputsToIgnore } from '../dvc/repo/gitignore';
import { gitignoresNxHashes, hashedGitignoreWarning } from './nx-hashed-gitignores';
import type { NxDvcPluginOptions } from './options';
import { fragmentsDirectory, inRunOrder, outputsToCheckOut, parseFragment, recordFinishedStages, type FinishedStage, type LockFragment } from './stage-record';
import { forgetRun } from './lock-generation';
import { checkoutRestoredStages, missingDataMessage, type MissingData } from './restore-hits';
import { fragmentId, ledgerPath, RecordLedger, type LedgerFragment } from './record-ledger';
import { workspaceDataDirectoryOf } from './workspace-data';

export interface TasksExecutionContext {
  /** The command's id, the one the pre-tasks hook saw. */
  readonly id?: string;
  readonly workspaceRoot: string;
  readonly taskResults: TaskResults;
}

const CACHE_HITS = new Set(['local-cache', 'local-cache-kept-existing', 'remote-cache']);
const COMPLETED = new Set(['success', ...CACHE_HITS]);

/** A fragment file left by a stage task that ran or was restored, as read from disk. */
interface CompletedFragment {
  path: string;
  text: string;
  id: string;
  fromCache: boolean;
  allowMissing: boolean;
}

interface Recorded {
  gitignores: string[];
  missing: MissingData[];
  remote?: string;
}

/**
 * Runs once after every `nx run`/`run-many`/`affected`: hands the fragments of every stage task
 * that ran or was restored from a cache to the stage record, which merges them into dvc.lock.
 * As DVC, a run with a failed task adds no `.gitignore` entries.
 */
export async function postDvcTasksExecution(options: NxDvcPluginOptions | undefined, context: TasksExecutionContext): Promise<void> {
  const root = context.workspaceRoot;
  const dataDirectory = workspaceDataDirectoryOf(root);
  forgetRun(dataDirectory, context.id);
  const completed = completedFragments(root, dataDirectory, context.taskResults);
  if (completed.length === 0) return;
  const ignoreOutputs = !Object.values(context.taskResults).some((r) => r.status === 'failure');
  const ledger = new RecordLedger(ledgerPath(dataDirectory));
  const known = alreadyRecorded(root, ledger, completed, ignoreOutputs);
  const finished = known ? undefined : parsed(completed);
  let recorded: Recorded;
  try {
    recorded = known ? await checkoutHits(root, known, options?.dvcCache) : await record(root, finished!, ledger, { ignoreOutputs, dvcCache: options?.dvcCache });
  } catch (error) {
    // Nx prints this message (no stack unless --verbose) and exits non-zero
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`nx-dvc: could not record the finished stages in dvc.lock: ${message}`);
  }
  const warning = hashedGitignoreWarning(gitignoresNxHashes(root, recorded.gitignores));
  if (warning) console.warn(warning);
  if (recorded.missing.length) throw new Error(missingDataMessage(recorded.missing, recorded.remote));
}

function completedFragments(root: string, dataDirectory: string, results: TaskResults): CompletedFragment[] {
  const fragmentsDir = relative(root, fragmentsDirectory(dataDirectory)).split(sep).join('/');
  const completed: CompletedFragment[] = [];
  for (const result of Object.values(results)) {
    if (!COMPLETED.has(result.status)) continue;
    const output = (result.task.outputs ?? []).find((o) => o.startsWith(`${fragmentsDir}/`));
    if (!output) continue;
    const path = join(root, output);
    const text = readText(path);
    if (text !== undefined) completed.push({ path, text, id: fragmentId(text), fromCache: CACHE_HITS.has(result.status), allowMissing: allowsMissing(result.task.overrides) });
  }
  return completed;
}

/** `--allow-missing` (or `--allowMissing`) as the task got it from the command line. */
function allowsMissing(overrides: Record<string, unknown> | undefined): boolean {
  const flag = overrides?.allowMissing ?? overrides?.['allow-missing'];
  return flag === true || flag === 'true';
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The fragments as the ledger knows them, when merging them again would change no dvc.lock and
 * no `.gitignore` (every output already ignored by git); undefined when they must be merged.
 */
function alreadyRecorded(
  root: string,
  ledger: RecordLedger,
  completed: CompletedFragment[],
  ignoreOutputs: boolean,
): Array<LedgerFragment & { fromCache: boolean; allowMissing: boolean }> | undefined {
  const known = ledger.recorded(root, completed.map((c) => c.id));
  if (!known || (ignoreOutputs && outputsToIgnore(root, known.flatMap((f) => f.cached.map((o) => o.path))).length > 0)) return undefined;
  return known.map((fragment, i) => ({ ...fragment, fromCache: completed[i].fromCache, allowMissing: completed[i].allowMissing }));
}

function parsed(completed: CompletedFragment[]): Array<FinishedStage & { id: string }> {
  return completed.flatMap((c) => {
    const fragment = parseFragment(c.text, c.path);
    return fragment ? [{ fragment, fromCache: c.fromCache, allowMissing: c.allowMissing, id: c.id }] : [];
  });
}

/** Merges the fragments into dvc.lock (see recordFinishedStages) and notes in the ledger what each dvc.lock holds now. */
async function record(
  root: string,
  finished: Array<FinishedStage & { id: string }>,
  ledger: RecordLedger,
  options: { ignoreOutputs: boolean; dvcCache?: boolean },
): Promise<Recorded> {
  const recorded = await recordFinishedStages(root, finished, options);
  const idOf = new Map(finished.map((f) => [f.fragment, f.id]));
  for (const { lock, before, after, fragments } of recorded.locks) {
    ledger.merged(lock, before, after, fragments.map((fragment) => ({ id: idOf.get(fragment)!, fragment })));
  }
  try {
    ledger.save();
  } catch {
    // the ledger only spares the next no-op some work: without it, that run merges again
  }
  return recorded;
}

/**
 * Every entry is already in dvc.lock; stages restored from Nx's cache still get their DVC-cached
 * outputs checked out, as recordFinishedStages does, the stages without data reported in run order.
 */
async function checkoutHits(root: string, known: Array<LedgerFragment & { fromCache: boolean; allowMissing: boolean }>, dvcCache: boolean | undefined): Promise<Recorded> {
  const hits: LockFragment[] = known.filter((f) => f.fromCache).map((f) => ({ dvcFile: f.dvcFile, stage: f.stage, entry: {}, cached: outputsToCheckOut(root, f.cached, f.allowMissing) }));
  const { missing, remote } = await checkoutRestoredStages(root, hits, dvcCache);
  if (missing.length < 2) return { gitignores: [], missing, remote };
  const byFragment = new Map(missing.map((m) => [m.fragment, m]));
  const ordered = inRunOrder(root, missing.map((m) => ({ fragment: m.fragment, fromCache: true })));
  return { gitignores: [], missing: ordered.map((f) => byFragment.get(f.fragment)!), remote };
}

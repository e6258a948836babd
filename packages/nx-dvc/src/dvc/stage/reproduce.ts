import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckedOutSink } from '../cache/checked-out-file';
import type { DvcCache } from '../cache/dvc-cache';
import { DvcError } from '../errors';
import { dumpLockYaml } from '../formats/yaml/ruamel-emitter';
import { isDirHash, type PathHash, type WorkspaceHasher } from '../hashing/workspace-hasher';
import { recordedOutputs, type CachedOutput } from './cached-output';
import { checkoutRecorded, type FetchObjects } from './checkout-recorded';
import { RemovalGuard, removeOutputPaths } from './remove-output';
import { assertCommandLines, commandLines, removeOutputs, runCommands, type CommandOutput } from './runner';
import { readStageParams, saveStage, type SavedStage } from './save';
import type { Output, Stage } from './stage';
import { isCallback, stageChanges, type StageChange } from './status';

/** Where DVC's console lines go: `info` to stdout, `warn` to stderr. */
export interface ReproduceLog {
  info(line: string): void;
  warn(line: string): void;
}

/** DVC's own streams: the process's stdout and stderr. */
export const consoleLog: ReproduceLog = { info: (line) => console.log(line), warn: (line) => console.warn(line) };

export interface ReproduceContext {
  root: string;
  hasher: WorkspaceHasher;
  /** DVC's cache; undefined outside a DVC repository (or with the `dvcCache` option off). */
  cache?: DvcCache;
  log: ReproduceLog;
  /** The stage's entry in its dvc.lock, if it has one. */
  recorded?: Record<string, unknown>;
  lockFile: string;
  /**
   * Asked once the stage has an entry to record: whether it is the first of the run to write into a
   * dvc.lock that does not exist yet (DVC then prints "Generating lock file", once, before "Updating").
   */
  createsLockFile: () => boolean;
  /** Where the commands' output goes; default: straight to this process's stdout and stderr. */
  commandOutput?: CommandOutput;
  /** Objects DVC's cache lacks, fetched from the DVC remote (`--pull`). */
  fetch?: FetchObjects;
  /** The md5 of each output of the upstream stages (repo path), for `--allow-missing` (see `StatusOptions`). */
  upstreamOuts?: ReadonlyMap<string, string>;
  /** Called once it is known that the stage will run (or be restored), before its outputs are removed: its deps are made present. */
  beforeRun?: () => Promise<void>;
}

export interface ReproduceOptions {
  /** `dvc repro -f`: run even when dvc.lock says nothing changed. */
  force?: boolean;
  /** `dvc repro --dry`: say what would run, change nothing. */
  dry?: boolean;
  /** `dvc repro --allow-missing`: skip the stage when its only change is data missing from the workspace. */
  allowMissing?: boolean;
  /**
   * `dvc repro --pull`: a stage whose only change is missing data gets its outputs pulled from the
   * DVC remote instead of running; a stage restored from the lock entry fetches what DVC's cache lacks.
   */
  pull?: boolean;
}

export type { CachedOutput } from './cached-output';

export type ReproduceOutcome = 'skipped' | 'pulled' | 'checked-out' | 'verified' | 'ran' | 'would-run';

export interface Reproduction {
  outcome: ReproduceOutcome;
  /** The dvc.lock entry to record; undefined for a dry run or a stage that has none and needs none. */
  entry?: Record<string, unknown>;
  cached: CachedOutput[];
}

/**
 * DVC's `Stage.reproduce` for one stage (`dvc/stage/__init__.py`): skipped when dvc.lock already
 * matches, checked out from DVC's cache when only its outputs are missing, verified when frozen,
 * otherwise outputs removed and commands run; then hashed, committed to DVC's cache and its new
 * lock entry returned. Prints DVC's console lines through `context.log`.
 */
export async function reproduceStage(stage: Stage, context: ReproduceContext, options: ReproduceOptions = {}): Promise<Reproduction> {
  const { log } = context;
  if (stage.frozen && !stage.isImport) log.warn(`WARNING: stage: '${stage.addressing}' is frozen. Its dependencies are not going to be reproduced.`);
  let changes: StageChange[] = [];
  if (!options.force) {
    const { upstreamOuts } = context;
    changes = await stageChanges(stage, context.recorded, context.hasher, { firstOnly: true, allowMissing: options.allowMissing, upstreamOuts });
    if (changes.length === 0) return skip(stage, context, options);
    if (options.pull && !options.dry && !options.allowMissing && (await onlyDataMissing(stage, context))) {
      const pulled = await pullOutputs(stage, context);
      if (pulled) return pulled;
    }
  }
  if (options.dry) return wouldRun(stage, log);
  assertCommandLines(stage);
  await context.beforeRun?.();
  if (stage.cmd !== undefined && !stage.frozen) removeOutputs(context.root, stage, context.cache);
  readStageParams(context.root, stage);
  let outcome: ReproduceOutcome;
  if (!options.force && (await restoreFromDvcCache(stage, context, changes, options.pull === true))) {
    log.info(`Stage '${stage.addressing}' is cached - skipping run, checking out outputs`);
    outcome = 'checked-out';
  } else if (stage.frozen) {
    log.info(`Verifying outputs in frozen stage: '${stage.addressing}'`);
    checkOutputsExist(stage, context.root);
    outcome = 'verified';
  } else {
    log.info(`Running stage '${stage.addressing}':`);
    await runCommands(context.root, stage, (line) => log.info(line), context.commandOutput);
    outcome = 'ran';
  }
  context.hasher.forget();
  const justWritten = (out: Output) => outcome === 'ran' && !(out.cache && context.cache?.relinksAsNewCopy(join(context.root, out.repoPath)));
  const saved = await saveStage(stage, context.hasher, (message) => log.warn(`WARNING: ${message}`), justWritten);
  commit(stage, context, saved);
  reportLockChange(context, saved.entry);
  return { outcome, entry: saved.entry, cached: cachedOutputs(stage, saved) };
}

async function skip(stage: Stage, context: ReproduceContext, options: ReproduceOptions): Promise<Reproduction> {
  context.log.info(isDataSource(stage) ? `'${stage.addressing}' didn't change, skipping` : `Stage '${stage.addressing}' didn't change, skipping`);
  if (!context.recorded || options.dry) return { outcome: 'skipped', cached: [] }; // a frozen stage that never ran and has no outputs
  const outs = new Map<string, PathHash>();
  for (const out of stage.outs) {
    const hash = await context.hasher.hash(out.repoPath);
    if (hash) outs.set(out.repoPath, hash);
  }
  const saved: SavedStage = { entry: context.recorded, outs };
  storeMissingObjects(stage, context, saved);
  return { outcome: 'skipped', entry: context.recorded, cached: withRecordedOutputs(stage, context.recorded, cachedOutputs(stage, saved)) };
}

/**
 * A stage skipped with outputs missing (`--allow-missing`) still records what they are, from its
 * dvc.lock entry: an Nx cache hit on that record checks them out, or names the missing data.
 */
function withRecordedOutputs(stage: Stage, recorded: Record<string, unknown>, present: CachedOutput[]): CachedOutput[] {
  const have = new Set(present.map((o) => o.path));
  const missing = recordedOutputs(stage, recorded).filter((o) => !have.has(o.path));
  if (missing.length === 0) return present;
  const order = stage.outs.map((o) => o.repoPath);
  return [...present, ...missing].sort((a, b) => order.indexOf(a.path) - order.indexOf(b.path));
}

/** DVC's `not stage.changed(allow_missing=True)`: nothing but missing data sets the stage apart from its entry. */
async function onlyDataMissing(stage: Stage, context: ReproduceContext): Promise<boolean> {
  if (!context.cache || !context.recorded) return false;
  const options = { firstOnly: true, allowMissing: true, upstreamOuts: context.upstreamOuts };
  return (await stageChanges(stage, context.recorded, context.hasher, options)).length === 0;
}

/**
 * DVC's `--pull` for a stage whose only change is missing data: its outputs are pulled from the
 * DVC remote and checked out, and the stage is not run. Undefined when the data cannot be found
 * (DVC's `Unable to pull data for …`): the stage then runs.
 */
async function pullOutputs(stage: Stage, context: ReproduceContext): Promise<Reproduction | undefined> {
  const { cache, recorded, log } = context;
  log.info(`Pulling data for stage: '${stage.addressing}'`);
  const outputs = recordedOutputs(stage, recorded!);
  const report = await checkoutRecorded(context.root, outputs, { cache: cache!, hasher: context.hasher, owner: stage.addressing, fetch: context.fetch });
  if (report.missing.length) {
    log.info(`Unable to pull data for stage: '${stage.addressing}'`);
    return undefined;
  }
  return { outcome: 'pulled', entry: recorded, cached: outputs };
}

/** A `.dvc` file written by `dvc add`: no command, its data checked against the file itself. */
function isDataSource(stage: Stage): boolean {
  return stage.name === undefined && stage.cmd === undefined;
}

/** A changed data source or frozen stage would only be verified, which a dry run does not say. */
function wouldRun(stage: Stage, log: ReproduceLog): Reproduction {
  if (stage.cmd === undefined || stage.frozen) return { outcome: 'would-run', cached: [] };
  log.info(`Running stage '${stage.addressing}':`);
  for (const line of commandLines(stage.cmd)) log.info(`> ${line}`);
  return { outcome: 'would-run', cached: [] };
}

/**
 * DVC's restore from the lock entry: command, deps and params unchanged, only outputs missing
 * or modified, and every output recorded and present in DVC's cache.
 */
async function restoreFromDvcCache(stage: Stage, context: ReproduceContext, changes: StageChange[], pull: boolean): Promise<boolean> {
  const { cache, recorded } = context;
  if (!cache || !recorded || changes.length === 0 || changes[0]!.kind !== 'out') return false;
  if (isCallback(stage) || stage.alwaysChanged || stage.frozen || stage.cmd === undefined || stage.deps.length === 0) return false;
  if (stage.outs.some((o) => o.persist || !o.cache)) return false;
  const recordedOuts = new Map(((recorded.outs ?? []) as Record<string, unknown>[]).map((o) => [o.path, o]));
  const sources = stage.outs.map((out) => ({ out, entry: recordedOuts.get(out.path) }));
  if (pull && context.fetch) {
    const absent = sources.flatMap(({ entry }) => (typeof entry?.md5 === 'string' && !cache.has(entry.md5) ? [entry.md5] : []));
    if (absent.length) await context.fetch(absent);
  }
  if (sources.some(({ entry }) => typeof entry?.md5 !== 'string' || !cache.has(entry.md5 as string))) return false;
  removeOutputPaths(stage.outs.map((out) => out.repoPath), stage.addressing, new RemovalGuard(context.root));
  for (const { out, entry } of sources) cache.checkout(join(context.root, out.repoPath), entry!.md5 as string, entry!.isexec === true, remembered(context));
  return true;
}

function checkOutputsExist(stage: Stage, root: string): void {
  const missing = stage.outs.filter((o) => !existsSync(join(root, o.repoPath))).map((o) => o.path);
  if (missing.length) throw new DvcError(`missing data '${missing.length > 1 ? 'sources' : 'source'}': ${missing.join(', ')}`, stage.file);
}

/** Cached outputs go into DVC's cache, as `dvc commit` does after a run. */
function commit(stage: Stage, context: ReproduceContext, saved: SavedStage): void {
  for (const [absPath, hash] of dvcCachedOutputs(stage, context, saved)) context.cache!.save(absPath, hash, remembered(context));
}

/** DVC leaves a skipped stage's outputs as they are; nx-dvc only puts in its cache what a hit on the record would need. */
function storeMissingObjects(stage: Stage, context: ReproduceContext, saved: SavedStage): void {
  for (const [absPath, hash] of dvcCachedOutputs(stage, context, saved)) context.cache!.storeMissing(absPath, hash);
}

/** The outputs DVC's cache keeps (none without one), with the hash the stage saved for each. */
function dvcCachedOutputs(stage: Stage, context: ReproduceContext, saved: SavedStage): [string, PathHash][] {
  if (!context.cache) return [];
  return stage.outs.flatMap((out): [string, PathHash][] => {
    const hash = saved.outs.get(out.repoPath);
    return out.cache && hash ? [[join(context.root, out.repoPath), hash]] : [];
  });
}

/** Files written from DVC's cache go into the hash state: the next hash of them reads nothing. */
function remembered(context: ReproduceContext): CheckedOutSink {
  return (file) => context.hasher.remember(file);
}

function cachedOutputs(stage: Stage, saved: SavedStage): CachedOutput[] {
  return stage.outs.flatMap((out): CachedOutput[] => {
    const hash = saved.outs.get(out.repoPath);
    if (!out.cache || !hash) return [];
    if (isDirHash(hash)) return [{ path: out.repoPath, md5: hash.md5, files: hash.entries.map((e) => [e.relpath, e.md5] as [string, string]) }];
    return [{ path: out.repoPath, md5: hash.md5, ...(hash.isexec ? { isexec: true } : {}) }];
  });
}

/** DVC's console lines; the file itself is written once all tasks are done. */
function reportLockChange(context: ReproduceContext, entry: Record<string, unknown>): void {
  if (context.createsLockFile()) context.log.info(`Generating lock file '${context.lockFile}'`);
  if (!context.recorded || dumpLockYaml(context.recorded) !== dumpLockYaml(entry)) context.log.info(`Updating lock file '${context.lockFile}'`);
}

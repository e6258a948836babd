import { createHash } from 'node:crypto';
import type { TargetConfiguration } from '@nx/devkit';
import type { ParamsValues } from '../dvc/params/values';
import type { Stage } from '../dvc/stage/stage';
import { PLUGIN_VERSION } from './plugin-version';
import { outsideDepsInput } from './outside-deps-input';
import type { RecordedDeps } from './recorded-deps';

export interface StageTargetContext {
  /** Names of the stage projects this stage depends on (graph edges to pipeline stages). */
  upstreamProjects: string[];
  /** `.dvc` pointer files whose outputs this stage reads. */
  pointerFiles: string[];
  /** Params files produced by an upstream stage: hashed from disk, not from inference-time values. */
  generatedParamsFiles: Set<string>;
  /** Deps at or inside an output of some stage (or a `.dvc` pointer): never git-tracked data. */
  generatedDeps?: Set<string>;
  /** Values of the params this stage tracks, per params file (undefined: file missing). */
  paramsValues: Record<string, ParamsValues | undefined>;
  stageTargetName: string;
  /** Where the stage leaves its dvc.lock entry (`{workspaceRoot}/.nx/workspace-data/…`), cached with its outputs. */
  lockFragmentOutput?: string;
  /** The plugin's `dvcCache` option, passed on only when set. */
  dvcCache?: boolean;
  /** The plugin's `dvcPush` option, passed on only when set. */
  dvcPush?: boolean | string;
  /** The signature program for deps outside the workspace, relative to the workspace root. */
  outsideDepsScript?: string;
  /**
   * Set when DVC-cached outputs live in DVC's cache only (a DVC repository): the stage's outs record,
   * which Nx caches in their place, with the fragment and the `cache: false` outputs.
   */
  outsRecordOutput?: string;
  /** With `outsRecordOutput`: how the stage reads its upstream stages' DVC-cached outputs. */
  recordedDeps?: RecordedDeps;
  /** The `{workspaceRoot}/…` outs record of an upstream stage. */
  outsRecordOf?: (stage: Stage) => string | undefined;
}

export interface StageTargetOptions {
  dvcFile: string;
  stage: string;
  fingerprint: string;
  dvcCache?: boolean;
  dvcPush?: boolean | string;
  /** Upstream stages whose DVC-cached outputs the stage reads: checked out from their records before it runs. */
  dataFrom?: { dvcFile: string; stage: string }[];
  /** `.dvc` files whose data the stage reads: pulled with `--pull` when missing. */
  dataSources?: string[];
}

/**
 * The Nx target that runs one stage. Nx hashes every target of a project into each of its tasks
 * (name, executor, options, outputs), so each stage lives alone in its own project: editing,
 * adding or removing a sibling stage then leaves this task's hash untouched. Everything that
 * should invalidate the stage is either a file input or folded into `options.fingerprint`.
 */
export function createStageTarget(stage: Stage, ctx: StageTargetContext): TargetConfiguration<StageTargetOptions> {
  const neverCached = stage.alwaysChanged || (stage.deps.length === 0 && stage.outs.length === 0);
  return {
    executor: 'nx-dvc:stage',
    options: {
      dvcFile: stage.file,
      stage: stage.name!,
      fingerprint: fingerprintOf(stage, ctx),
      ...(ctx.dvcCache === undefined ? {} : { dvcCache: ctx.dvcCache }),
      ...(ctx.dvcPush ? { dvcPush: ctx.dvcPush } : {}),
      ...(dataFrom(stage, ctx) ?? {}),
      ...(ctx.outsRecordOutput && !stage.frozen && ctx.pointerFiles.length ? { dataSources: ctx.pointerFiles } : {}),
    },
    cache: !neverCached,
    inputs: stageInputs(stage, ctx),
    outputs: stageOutputs(stage, ctx),
    // `params: 'forward'`: `--force` on a stage forces its upstream stages too, as `dvc repro -f` does
    dependsOn: stage.frozen ? [] : ctx.upstreamProjects.map((project) => ({ projects: project, target: ctx.stageTargetName, params: 'forward' as const })),
    metadata: {
      description: stage.desc ?? commandText(stage),
      technologies: ['dvc'],
      help: { command: commandText(stage), example: {} },
    },
  };
}

/**
 * What Nx caches for the stage. In a DVC repository only its record: the DVC-cached outputs live
 * once, in DVC's cache, and are checked out from it on a hit; `cache: false` outputs travel with Nx.
 */
function stageOutputs(stage: Stage, ctx: StageTargetContext): string[] {
  const record = [ctx.lockFragmentOutput, ctx.outsRecordOutput].filter((o): o is string => o !== undefined);
  const carried = ctx.outsRecordOutput ? stage.outs.filter((out) => !out.cache) : stage.outs;
  return [...carried.map((out) => `{workspaceRoot}/${out.repoPath}`), ...record];
}

function dataFrom(stage: Stage, ctx: StageTargetContext): Pick<StageTargetOptions, 'dataFrom'> | undefined {
  const producers = ctx.outsRecordOutput && !stage.frozen ? ctx.recordedDeps?.producers ?? [] : [];
  if (producers.length === 0) return undefined;
  return { dataFrom: producers.map((p) => ({ dvcFile: p.file, stage: p.name! })) };
}

export function commandText(stage: Stage): string {
  return Array.isArray(stage.cmd) ? stage.cmd.join(' && ') : String(stage.cmd ?? '');
}

/**
 * File inputs for every dep. Plain filesets see git-tracked files (and drive `nx affected`);
 * `includeIgnored` filesets hash gitignored data from disk, after any upstream stage wrote it.
 * Deps produced by another stage get only the latter: whether git ignores them yet (DVC adds the
 * `.gitignore` lines only when a run succeeds) must not change the hash. Deps outside the
 * workspace, which Nx cannot read as files, get one `runtime` input printing their stat signature.
 * A frozen stage ignores its deps, as DVC does.
 */
function stageInputs(stage: Stage, ctx: StageTargetContext) {
  const inputs: TargetConfiguration['inputs'] = [];
  if (!stage.frozen) {
    const recorded = ctx.outsRecordOutput ? ctx.recordedDeps : undefined;
    for (const dep of stage.deps) {
      if (dep.repoPath === undefined || recorded?.recorded.has(dep.repoPath)) continue;
      const path = dep.repoPath === '.' ? '' : `${dep.repoPath}/`;
      if (!ctx.generatedDeps?.has(dep.repoPath)) inputs.push(`{workspaceRoot}/${dep.repoPath}`, `{workspaceRoot}/${path}**/*`);
      inputs.push({ fileset: `{workspaceRoot}/${dep.repoPath}`, includeIgnored: true });
      inputs.push({ fileset: `{workspaceRoot}/${path}**`, includeIgnored: true });
      for (const out of recorded?.excluded.get(dep.repoPath) ?? []) {
        inputs.push(`!{workspaceRoot}/${out}`, `!{workspaceRoot}/${out}/**`);
        inputs.push({ fileset: `!{workspaceRoot}/${out}`, includeIgnored: true }, { fileset: `!{workspaceRoot}/${out}/**`, includeIgnored: true });
      }
    }
    const outside = stage.deps.flatMap((dep) => (dep.outsidePath === undefined ? [] : [dep.outsidePath]));
    if (outside.length && ctx.outsideDepsScript) inputs.push(outsideDepsInput(outside, ctx.outsideDepsScript));
    for (const file of ctx.pointerFiles) inputs.push(`{workspaceRoot}/${file}`);
    for (const params of stage.params) {
      if (ctx.generatedParamsFiles.has(params.repoPath) && !recorded?.recorded.has(params.repoPath)) {
        inputs.push({ fileset: `{workspaceRoot}/${params.repoPath}`, includeIgnored: true });
      }
    }
    const records = (recorded?.producers ?? []).map((p) => ctx.outsRecordOf?.(p)).filter((r): r is string => r !== undefined);
    for (const record of new Set(records)) inputs.push({ fileset: record, includeIgnored: true });
  }
  inputs.push({ externalDependencies: [] });
  return inputs;
}

/** What DVC compares besides files: the resolved definition and the tracked params values. */
function fingerprintOf(stage: Stage, ctx: StageTargetContext): string {
  const definition = {
    plugin: PLUGIN_VERSION,
    cmd: stage.cmd,
    wdir: stage.wdir,
    deps: stage.deps.map((d) => d.path),
    outs: stage.outs,
    params: stage.params,
    frozen: stage.frozen,
    alwaysChanged: stage.alwaysChanged,
    values: stage.frozen ? undefined : stage.params.map((p) => (ctx.generatedParamsFiles.has(p.repoPath) ? null : ctx.paramsValues[p.repoPath] ?? 'missing')),
  };
  const json = JSON.stringify(definition, (_key, value) => (typeof value === 'bigint' ? `${value}n` : value));
  return createHash('sha256').update(json).digest('hex').slice(0, 32);
}

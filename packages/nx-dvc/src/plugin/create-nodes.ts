import { readFileSync } from 'node:fs';
import { basename, relative, sep } from 'node:path';
import type { CreateNodesContext, CreateNodesResult, ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import { calculateHashesForCreateNodes, hashObject, nxWorkspaceDataDirectory } from './nx-internals';
import { readParsingConfig } from '../dvc/repo/dvc-config';
import { DvcError, GraphError } from '../dvc/errors';
import { dirName } from '../dvc/paths';
import { buildIndex, filesInWalkOrder, stagesOf, tryLoadPipeline, type FileResult, type PipelineIndex } from '../dvc/repo/pipeline-index';
import { lookupParam, readParamsValues, type ParamsValues } from '../dvc/params/values';
import { diskHost, type ResolverHost } from '../dvc/parsing/resolver';
import type { Stage } from '../dvc/stage/stage';
import { buildGraph } from '../dvc/repo/graph';
import { isPlainObject } from '../dvc/formats/python/value';
import { loadYaml } from '../dvc/formats/yaml/load';
import { STAGE_TAG } from './create-dependencies';
import { InferenceCache, inferenceCachePath, type CachedPipeline } from './inference-cache';
import { rememberInferred } from './inferred-pipelines';
import { normalizeOptions, type NormalizedOptions, type NxDvcPluginOptions } from './options';
import { identifyPipelineProject } from './project-names';
import { fragmentOutput, outsRecordOutput } from './stage-record';
import { recordedDepsOf } from './recorded-deps';
import { DvcCache } from '../dvc/cache/dvc-cache';
import type { OutputTrie } from '../dvc/repo/graph';
import { dvcIgnoreOf, pointerFilesIn } from './pointer-files';
import { commandText, createStageTarget, type StageTargetContext } from './stage-target';
import { PLUGIN_VERSION } from './plugin-version';
import { OUTSIDE_DEPS_SIGNATURE_SCRIPT } from './outside-deps-input';

/**
 * `.dvc` pointer files are found through Nx's file index rather than this glob: Nx treats a change
 * to any file its plugins' globs match as a change of the owning project's configuration, so a new
 * pointer would select every task of that project in `nx affected` instead of the stages reading it.
 */
export const PIPELINE_GLOB = '**/{dvc.yaml,.dvcignore}';

type Results = Array<readonly [string, CreateNodesResult]>;

export async function createDvcNodes(
  configFiles: readonly string[],
  rawOptions: NxDvcPluginOptions | undefined,
  context: CreateNodesContext,
): Promise<Results> {
  const options = normalizeOptions(rawOptions);
  const root = context.workspaceRoot;
  const dvcignore = dvcIgnoreOf(root, configFiles.filter((f) => basename(f) === '.dvcignore'));
  const pipelineFiles = configFiles.filter((f) => basename(f) === 'dvc.yaml' && !dvcignore.ignores(f));
  const pointerFiles = await pointerFilesIn(root, dvcignore);
  const cache = new InferenceCache(inferenceCachePath(nxWorkspaceDataDirectory(), hashObject({ ...options, PLUGIN_VERSION })));
  try {
    const loaded = await loadPipelines(pipelineFiles, cache, options, context);
    rememberInferred(root, [...loaded].map(([file, entry]) => [file, entry.result] as const));
    const index = buildIndex(root, pipelineFiles, pointerFiles, (file) => loaded.get(file)!.result);
    const graph = graphWithoutBrokenFiles(index);
    warnAboutErrors(index, graph.broken);
    return projectsFor(index, graph, loaded, options, root);
  } finally {
    cache.retain(new Set(pipelineFiles));
    cache.save();
  }
}

/** Loads every dvc.yaml, reusing cached results whose project files have not changed. */
async function loadPipelines(
  files: string[],
  cache: InferenceCache,
  options: NormalizedOptions,
  context: CreateNodesContext,
): Promise<Map<string, CachedPipeline>> {
  const root = context.workspaceRoot;
  const roots = files.map((f) => dirName(f) || '.');
  const extraGlobs = files.map((f) => [...cache.externalReadsOf(f), '.dvc/config']);
  const hashes = await calculateHashesForCreateNodes(roots, options, context, extraGlobs);
  const config = readParsingConfig(root);
  const loaded = new Map<string, CachedPipeline>();
  files.forEach((file, i) => {
    const hash = hashes[i];
    let entry = cache.get(file, hash);
    if (!entry) {
      entry = loadFresh(root, file, hash, config);
      cache.set(file, entry);
    }
    loaded.set(file, entry);
  });
  return loaded;
}

function loadFresh(root: string, file: string, hash: string, config: ReturnType<typeof readParsingConfig>): CachedPipeline {
  const reads = new Set<string>();
  const disk = diskHost(root);
  const host: ResolverHost = {
    kind: (path) => (reads.add(path), disk.kind(path)),
    readParams: (path) => (reads.add(path), disk.readParams(path)),
  };
  const result = tryLoadPipeline(host, root, file, config);
  const paramsValues: Record<string, ParamsValues | undefined> = {};
  for (const stage of result.pipeline?.stages ?? []) {
    for (const params of stage.params) {
      if (params.repoPath in paramsValues) continue;
      reads.add(params.repoPath);
      try {
        paramsValues[params.repoPath] = readParamsValues(root, { ...params, keys: [] });
      } catch (error) {
        if (!(error instanceof DvcError)) throw error;
        paramsValues[params.repoPath] = { __unreadable: error.message };
      }
    }
  }
  const definitionReads = [...reads].filter((p) => p !== file).sort();
  return { hash, result, definitionReads, paramsValues };
}

/**
 * DVC refuses the whole repository when its stage graph is invalid (a cycle, a duplicated output).
 * We keep every other pipeline usable: the files the error names are set aside, and their
 * targets report the error when run.
 */
function graphWithoutBrokenFiles(index: PipelineIndex) {
  const broken = new Map<string, DvcError>();
  let error = index.graphError;
  let graph = index.graph;
  while (error) {
    for (const file of filesOf(error)) broken.set(file, error);
    const stages = filesInWalkOrder(index)
      .filter((r) => !broken.has(r.file))
      .flatMap(stagesOf);
    try {
      graph = buildGraph(stages);
      error = undefined;
    } catch (next) {
      if (!(next instanceof DvcError) || filesOf(next).every((file) => broken.has(file))) throw next;
      error = next;
    }
  }
  return { graph: graph!, broken };
}

/** A graph error sets aside every file it involves: the producer of an output as well as its consumer. */
function filesOf(error: DvcError): string[] {
  return error instanceof GraphError ? error.files : [error.file ?? ''];
}

function projectsFor(
  index: PipelineIndex,
  { graph, broken }: ReturnType<typeof graphWithoutBrokenFiles>,
  loaded: Map<string, CachedPipeline>,
  options: NormalizedOptions,
  root: string,
): Results {
  const identities = new Map(
    index.pipelines.map((r) => [r.file, identifyPipelineProject(root, dirName(r.file) || '.', options.rootProjectName)]),
  );
  const stageProject = (stage: Stage) =>
    `${identities.get(stage.file)!.name}${options.stageProjectSeparator}${stage.name}`;
  const isGenerated = (path: string) => graph.trie.prefixes(path.split('/')).length > 0;
  const outsideDepsScript = relative(root, OUTSIDE_DEPS_SIGNATURE_SCRIPT).split(sep).join('/');
  const dataInDvcCache = DvcCache.forWorkspace(root, options.dvcCache) !== undefined;
  const results: Results = [];
  for (const result of index.pipelines) {
    const identity = identities.get(result.file)!;
    const projectRoot = dirName(result.file) || '.';
    const error = result.error ?? broken.get(result.file);
    const projects: Record<string, Omit<ProjectConfiguration, 'root'> & { root?: string }> = {};
    const pipelineProject: Omit<ProjectConfiguration, 'root'> = {
      ...(identity.existing ? {} : { name: identity.name }),
      tags: ['dvc:pipeline'],
      targets: error ? errorTargets(result, error, options, root) : aliasTargets(result, loaded.get(result.file)!, stageProject, options),
    };
    projects[projectRoot] = pipelineProject;
    if (error) Object.assign(projects, brokenStageProjects(result, error, identity.name, projectRoot, options, root));
    else {
      const values = loaded.get(result.file)!.paramsValues;
      for (const stage of result.pipeline!.stages) {
        const upstream = graph.upstream.get(stage) ?? [];
        const target = createStageTarget(stage, {
          upstreamProjects: upstream.filter((s) => s.name !== undefined && identities.has(s.file)).map(stageProject),
          pointerFiles: upstream.filter((s) => s.name === undefined).map((s) => s.file),
          generatedParamsFiles: new Set(stage.params.map((p) => p.repoPath).filter(isGenerated)),
          generatedDeps: new Set(stage.deps.map((d) => d.repoPath).filter((p): p is string => p !== undefined && isGenerated(p))),
          paramsValues: Object.fromEntries(stage.params.map((p) => [p.repoPath, selectValues(values[p.repoPath], p.keys)])),
          stageTargetName: options.stageTargetName,
          lockFragmentOutput: fragmentOutput(root, stage.file, stage.name!, nxWorkspaceDataDirectory()),
          dvcCache: options.dvcCache,
          dvcPush: options.dvcPush,
          outsideDepsScript,
          ...(dataInDvcCache ? recordOnly(stage, graph.trie, root) : {}),
        });
        projects[stageProjectRoot(projectRoot, stage.name!)] = {
          name: stageProject(stage),
          tags: [STAGE_TAG],
          targets: { [options.stageTargetName]: target },
          metadata: { description: `DVC stage '${stage.addressing}'`, technologies: ['dvc'] },
        };
      }
    }
    results.push([result.file, { projects: projects as CreateNodesResult['projects'] }]);
  }
  return results;
}

/**
 * In a DVC repository a stage's DVC-cached outputs live in DVC's cache only: Nx caches its outs
 * record instead, and its downstream stages hash that record (see docs/architecture.md).
 */
function recordOnly(stage: Stage, trie: OutputTrie, root: string): Partial<StageTargetContext> {
  const outsRecordOf = (s: Stage) => outsRecordOutput(root, s.file, s.name!, nxWorkspaceDataDirectory());
  const own = outsRecordOf(stage);
  if (!own || !fragmentOutput(root, stage.file, stage.name!, nxWorkspaceDataDirectory())) return {};
  const paths = [...stage.deps.flatMap((d) => (d.repoPath === undefined ? [] : [d.repoPath])), ...stage.params.map((p) => p.repoPath)];
  return { outsRecordOutput: own, recordedDeps: recordedDepsOf(stage, paths, trie), outsRecordOf };
}

/** A stage project's root exists only in the graph; `.nx-dvc` keeps it clear of real folders. */
function stageProjectRoot(projectRoot: string, stage: string): string {
  return `${projectRoot === '.' ? '' : `${projectRoot}/`}.nx-dvc/${stage}`;
}

function selectValues(values: ParamsValues | undefined, keys: string[]): ParamsValues | undefined {
  if (!values || keys.length === 0 || '__unreadable' in values) return values;
  return Object.fromEntries(keys.map((k) => [k, lookupParam(values, k)]));
}

/** The pipeline project's target for the `dvc repro` options Nx has no flag for. */
export const DVC_REPRO_TARGET = 'dvc-repro';
/** The pipeline project's `dvc status` and `dvc dag` views. */
export const DVC_STATUS_TARGET = 'dvc-status';
export const DVC_DAG_TARGET = 'dvc-dag';

/**
 * On the pipeline's project: one target per stage (`train`, `train@small`), one per foreach or
 * matrix group (`train` runs all `train@*`), and `repro` for the whole dvc.yaml. Each is a no-op
 * that depends on the stage projects' targets, as Nx's own atomized targets do.
 *
 * Their inputs matter to `nx affected`: the files a stage definition is read from (the dvc.yaml,
 * its vars and params files), whose edits Nx cannot pin on one stage (it compares YAML files
 * whole), so the pipeline is selected and its unchanged stages come from the cache. Code and data
 * deps are not among them: the stage targets match those exactly. The aliases are cacheable so that
 * Nx's summary counts them as hits, not as tasks that ran: a fully cached `nx run pipe:repro`
 * reads `Cache: 4/4 hit`, not `3/4` (caching a no-op stores nothing but its empty output).
 */
function aliasTargets(result: FileResult, loaded: CachedPipeline, stageProject: (s: Stage) => string, options: NormalizedOptions) {
  const pipeline = result.pipeline!;
  const targets: Record<string, TargetConfiguration> = {};
  // no npm package is an input: upgrading one must not turn a cached alias into a miss
  const inputs = [...[result.file, ...(loaded.definitionReads ?? [])].map((file) => `{workspaceRoot}/${file}`), { externalDependencies: [] }];
  const alias = (stages: Stage[], description: string): TargetConfiguration => ({
    executor: 'nx:noop',
    inputs,
    cache: true,
    dependsOn: stages.map((s) => ({ projects: stageProject(s), target: options.stageTargetName, params: 'forward' as const })),
    metadata: { description, technologies: ['dvc'] },
  });
  for (const stage of pipeline.stages) targets[stage.name!] = alias([stage], stage.desc ?? commandText(stage));
  const groups = new Map<string, Stage[]>();
  for (const stage of pipeline.stages) {
    const group = pipeline.groups[stage.name!];
    if (group) groups.set(group, [...(groups.get(group) ?? []), stage]);
  }
  for (const [group, stages] of groups) {
    targets[group] ??= alias(stages, `All stages of '${group}': ${stages.map((s) => s.name).join(', ')}`);
  }
  targets[options.pipelineTargetName] ??= alias(pipeline.stages, `Reproduce every stage of ${result.file}, like \`dvc repro\``);
  targets[DVC_STATUS_TARGET] ??= {
    executor: 'nx-dvc:status',
    options: { dvcFile: result.file, ...(options.dvcCache === undefined ? {} : { dvcCache: options.dvcCache }) },
    cache: false,
    metadata: { description: `\`dvc status\` of ${result.file}: which stages changed and why, without running them`, technologies: ['dvc'] },
  };
  targets[DVC_DAG_TARGET] ??= {
    executor: 'nx-dvc:dag',
    options: { dvcFile: result.file },
    cache: false,
    metadata: {
      description: `\`dvc dag\` of ${result.file} as text; --mermaid, --md, --dot, --full`,
      technologies: ['dvc'],
      help: { command: `nx run <project>:${DVC_DAG_TARGET} --help`, example: { options: { mermaid: true } } },
    },
  };
  targets[DVC_REPRO_TARGET] ??= {
    executor: 'nx-dvc:repro',
    options: { dvcFile: result.file },
    cache: false,
    inputs,
    metadata: {
      description: `\`dvc repro\` of ${result.file} with DVC's --downstream, --dry and --stages`,
      technologies: ['dvc'],
      help: { command: `nx run <project>:${DVC_REPRO_TARGET} --help`, example: { options: { stages: pipeline.stages[0]?.name ?? 'train', downstream: true, dry: true } } },
    },
  };
  return targets;
}

/** A broken dvc.yaml still gets targets, so that running them says what is wrong. */
function errorTargets(result: FileResult, error: DvcError, options: NormalizedOptions, root: string) {
  const target: TargetConfiguration = {
    executor: 'nx-dvc:invalid-pipeline',
    options: { message: error.message, errorName: error.name },
    cache: false,
    metadata: { description: `${result.file} is invalid: ${error.message.split('\n')[0]}`, technologies: ['dvc'] },
  };
  const names = rawStageNames(result, root);
  return Object.fromEntries([...names, options.pipelineTargetName].map((name) => [name, target]));
}

/**
 * A broken file's stages stay stage projects (tag `dvc:stage`) whose target fails with the error,
 * so that `nx run-many -t repro --projects=tag:dvc:stage` (`dvc repro -P`) fails as DVC does.
 * A file with no readable stage names gets one project named after the file.
 */
function brokenStageProjects(result: FileResult, error: DvcError, pipelineName: string, projectRoot: string, options: NormalizedOptions, root: string) {
  const target = errorTargets(result, error, options, root)[options.pipelineTargetName]!;
  const names = rawStageNames(result, root);
  const projects: Record<string, Omit<ProjectConfiguration, 'root'>> = {};
  for (const name of names.length ? names : ['dvc.yaml']) {
    projects[stageProjectRoot(projectRoot, name)] = {
      name: `${pipelineName}${options.stageProjectSeparator}${name}`,
      tags: [STAGE_TAG],
      targets: { [options.stageTargetName]: target },
      metadata: { description: `DVC stage '${name}' of the invalid ${result.file}`, technologies: ['dvc'] },
    };
  }
  return projects;
}

/** Stage names as written, when the file is at least readable YAML. */
function rawStageNames(result: FileResult, root: string): string[] {
  if (result.pipeline) return result.pipeline.stages.map((s) => s.name!);
  try {
    const { stages } = loadYaml(readFileSync(`${root}/${result.file}`, 'utf8'), result.file).data as { stages?: unknown };
    return isPlainObject(stages) ? Object.keys(stages) : [];
  } catch {
    return [];
  }
}

/**
 * One line per problem on stderr, on every Nx command, so the mistake is seen where it is made.
 * Throwing would stop Nx for every project of the workspace, DVC or not.
 */
function warnAboutErrors(index: PipelineIndex, broken: Map<string, DvcError>): void {
  const errors = [
    ...index.pipelines.flatMap((r) => (r.error ? [r.error] : [])),
    ...index.dataSources.flatMap((r) => (r.error ? [r.error] : [])),
    ...new Set(broken.values()),
  ];
  for (const error of errors) {
    console.warn(`nx-dvc: ${error.file ? `${error.file}: ` : ''}${error.message.replace(/\n/g, '\n  ')}`);
  }
}

import { posix } from 'node:path';
import type { Artifact, CaseModel, StageRecord } from './model';
import { scalarKeys, trackableKeys } from './params';
import type { Random } from './random';
import type { Dict, Value } from './values';

/**
 * Builders of one stage each, of every kind DVC's dvc.yaml allows: plain stages with deps and
 * outs (chains, fan-outs, joins), directory outputs with nested files, params, foreach over lists
 * and dicts, matrix, wdir, persist, cache: false, metrics and plots, frozen, always_changed, and
 * stages with no deps and no outs. Every command is deterministic POSIX sh.
 */
export type StageKind =
  | 'plain' | 'dir' | 'params' | 'foreach-list' | 'foreach-dicts' | 'foreach-dict' | 'matrix'
  | 'wdir' | 'persist' | 'no-cache' | 'metrics' | 'frozen' | 'always-changed' | 'callback';

const WEIGHTED_KINDS: [StageKind, number][] = [
  ['plain', 8], ['dir', 3], ['params', 4], ['foreach-list', 2], ['foreach-dicts', 1], ['foreach-dict', 1],
  ['matrix', 1], ['wdir', 2], ['persist', 1], ['no-cache', 1], ['metrics', 2], ['frozen', 1],
  ['always-changed', 1], ['callback', 1],
];

export function randomKind(rng: Random): StageKind {
  const total = WEIGHTED_KINDS.reduce((sum, [, w]) => sum + w, 0);
  let roll = rng.next() * total;
  for (const [kind, weight] of WEIGHTED_KINDS) if ((roll -= weight) < 0) return kind;
  return 'plain';
}

/** Where a stage runs and how it names things. */
interface Site {
  pipeline: string;
  /** The stage's working directory, relative to the case. */
  cwd: string;
  wdir?: string;
  name: string;
  salt: string;
}

export function addStage(rng: Random, model: CaseModel, pipeline: string, kind: StageKind): void {
  const n = model.counter++;
  const yamlDir = posix.dirname(pipeline);
  const wdir = kind === 'wdir' ? (yamlDir === '.' ? 'work' : '..') : undefined;
  const site: Site = { pipeline, cwd: posix.normalize(posix.join(yamlDir, wdir ?? '.')), wdir, name: `s${n}`, salt: `salt${n}` };
  const deps = kind === 'callback' ? [] : pickDeps(rng, model);
  const built = BUILDERS[kind](rng, model, site, deps);
  const definition: Dict = { ...(site.wdir ? { wdir: site.wdir } : {}), ...built.definition };
  (model.pipelines[pipeline].stages as Dict)[site.name] = definition;
  const record: StageRecord = { pipeline, key: site.name, produces: built.outs.map((o) => o.path), consumes: deps.map((d) => d.path), salt: site.salt };
  if (kind === 'frozen') record.freezeAfterFirstRun = true;
  model.stages.push(record);
  model.artifacts.push(...built.outs);
}

interface Built {
  definition: Dict;
  outs: Artifact[];
}

type Builder = (rng: Random, model: CaseModel, site: Site, deps: Artifact[]) => Built;

const BUILDERS: Record<StageKind, Builder> = {
  plain: (rng, _m, site, deps) => fileStage(rng, site, deps, {}),
  frozen: (rng, _m, site, deps) => fileStage(rng, site, deps, {}),
  'always-changed': (rng, _m, site, deps) => fileStage(rng, site, deps, { always_changed: true }),
  wdir: (rng, _m, site, deps) => fileStage(rng, site, deps, {}),
  'no-cache': (rng, _m, site, deps) => fileStage(rng, site, deps, {}, { cache: false }),
  persist: persistStage,
  dir: dirStage,
  params: paramsStage,
  metrics: metricsStage,
  'foreach-list': foreachListStage,
  'foreach-dicts': foreachDictsStage,
  'foreach-dict': foreachDictStage,
  matrix: matrixStage,
  callback: (_r, _m, site) => ({ definition: { cmd: `echo callback ${site.salt}` }, outs: [] }),
};

/** Chains (the newest artifact), fan-outs (any earlier one), joins (two or three), or none. */
function pickDeps(rng: Random, model: CaseModel): Artifact[] {
  const pool = model.artifacts;
  const roll = rng.next();
  if (roll < 0.1 || pool.length === 0) return [];
  if (roll < 0.45) return [pool[pool.length - 1]];
  if (roll < 0.75) return [rng.pick(pool)];
  return rng.sample(pool, rng.int(2, 3));
}

function rel(site: Site, path: string): string {
  return posix.relative(site.cwd, path) || '.';
}

function quote(path: string): string {
  return /^[\w./@-]+$/.test(path) ? path : `'${path}'`;
}

function reader(site: Site, dep: Artifact): string {
  return dep.dir ? `ls -R ${quote(rel(site, dep.path))}` : `cat ${quote(rel(site, dep.path))}`;
}

/** A file output: in the stage's folder or in a `res/` subfolder (its own .gitignore). */
function outPath(rng: Random, site: Site, suffix: string): string {
  return posix.normalize(posix.join(site.cwd, rng.chance(0.25) ? 'res' : '.', `${site.name}${suffix}`));
}

/** The same work written as one line, a `cmd` list, or a multi-line block (one shell per line). */
function command(rng: Random, lines: string[]): Value {
  if (lines.length === 1) return lines[0];
  const form = rng.int(0, 2);
  if (form === 0) return lines.join(' && ');
  if (form === 1) return lines;
  return `${lines.join('\n')}\n`;
}

function writeLines(site: Site, deps: Artifact[], target: string, append = false): string[] {
  const lines = deps.map((d, i) => `${reader(site, d)} ${append || i > 0 ? '>>' : '>'} ${target}`);
  lines.push(`echo ${site.salt} ${append || deps.length > 0 ? '>>' : '>'} ${target}`);
  return lines;
}

function mkdirFor(site: Site, out: string): string[] {
  const parent = posix.dirname(rel(site, out));
  return parent === '.' ? [] : [`mkdir -p ${parent}`];
}

function depsEntry(site: Site, deps: Artifact[]): Dict {
  return deps.length ? { deps: deps.map((d) => rel(site, d.path)) } : {};
}

function fileStage(rng: Random, site: Site, deps: Artifact[], flags: Dict, outFlags?: Dict): Built {
  const out = outPath(rng, site, '.txt');
  const target = rel(site, out);
  return {
    definition: {
      cmd: command(rng, [...mkdirFor(site, out), ...writeLines(site, deps, target)]),
      ...depsEntry(site, deps),
      outs: [outFlags ? { [target]: outFlags } : target],
      ...flags,
    },
    outs: [{ path: out, dir: false }],
  };
}

function persistStage(rng: Random, _m: CaseModel, site: Site, deps: Artifact[]): Built {
  const out = outPath(rng, site, '.log');
  const target = rel(site, out);
  return {
    definition: {
      cmd: command(rng, [...mkdirFor(site, out), ...writeLines(site, deps, target, true)]),
      ...depsEntry(site, deps),
      outs: [{ [target]: { persist: true, ...(rng.chance(0.3) ? { cache: false } : {}) } }],
    },
    outs: [{ path: out, dir: false }],
  };
}

/** A directory output with a nested folder; later stages may read the folder or a file in it. */
function dirStage(rng: Random, _m: CaseModel, site: Site, deps: Artifact[]): Built {
  const dir = posix.join(site.cwd, `${site.name}.d`);
  const target = rel(site, dir);
  const lines = [`mkdir -p ${target}/nested/deeper`, ...writeLines(site, deps, `${target}/all.txt`), `echo ${site.salt} > ${target}/nested/deeper/leaf.txt`];
  if (rng.chance(0.5)) lines.push(`echo second > ${target}/nested/two.txt`);
  return {
    definition: { cmd: command(rng, lines), ...depsEntry(site, deps), outs: [target] },
    outs: [
      { path: dir, dir: true },
      { path: `${dir}/all.txt`, dir: false },
      { path: `${dir}/nested/deeper/leaf.txt`, dir: false },
    ],
  };
}

/** Params from every file of the case, some as `${}` in the cmd. */
function paramsStage(rng: Random, model: CaseModel, site: Site, deps: Artifact[]): Built {
  const out = outPath(rng, site, '.txt');
  const target = rel(site, out);
  const params = paramsList(rng, model, site);
  const vars = rng.sample(contextScalars(model, site.pipeline), rng.int(1, 3)).map((k) => `\${${k}}`);
  const lines = [...mkdirFor(site, out), ...writeLines(site, deps, target), ...(vars.length ? [`echo ${vars.join(' ')} >> ${target}`] : [])];
  return {
    definition: { cmd: command(rng, lines), ...depsEntry(site, deps), ...(params.length ? { params } : {}), outs: [target] },
    outs: [{ path: out, dir: false }],
  };
}

function paramsList(rng: Random, model: CaseModel, site: Site): Value[] {
  const entries: Value[] = [];
  const defaultFile = posix.join(site.cwd, 'params.yaml');
  for (const [path, file] of Object.entries(model.params)) {
    if (path.endsWith('vars.yaml') || posix.dirname(path) !== posix.dirname(site.pipeline) || !rng.chance(0.6)) continue;
    const keys = rng.sample(trackableKeys(file), rng.int(1, 2));
    if (path === defaultFile && rng.chance(0.7)) entries.push(...keys);
    else if (file.format !== 'py' && rng.chance(0.2)) entries.push({ [rel(site, path)]: null });
    else entries.push({ [rel(site, path)]: keys });
  }
  return entries;
}

/** Scalars `${}` can read in this dvc.yaml: its folder's params.yaml and its `vars`. */
function contextScalars(model: CaseModel, pipeline: string): string[] {
  const folder = posix.dirname(pipeline);
  const keys = scalarKeys(model.params[posix.join(folder, 'params.yaml')]);
  for (const entry of (model.pipelines[pipeline].vars as Value[] | undefined) ?? []) {
    if (typeof entry === 'string') keys.push(...scalarKeys(model.params[posix.join(folder, entry)]));
    else keys.push(...Object.keys(entry as Dict));
  }
  return keys;
}

function metricsStage(rng: Random, _m: CaseModel, site: Site, deps: Artifact[]): Built {
  const metric = posix.join(site.cwd, `${site.name}.json`);
  const plot = posix.join(site.cwd, `${site.name}.csv`);
  const source = deps.length ? `$(${reader(site, deps[0])} | wc -l)` : '0';
  const lines = [
    `echo "{\\"rows\\": ${source}, \\"tag\\": \\"${site.salt}\\"}" > ${rel(site, metric)}`,
    `printf 'step,value\\n1,%s\\n2,5\\n' ${site.salt} > ${rel(site, plot)}`,
  ];
  const metricNoCache = rng.chance(0.6);
  const plotProps = rng.chance(0.5) ? { x: 'step', y: 'value', ...(rng.chance(0.5) ? { cache: false } : {}) } : { cache: false };
  return {
    definition: {
      cmd: command(rng, lines),
      ...depsEntry(site, deps),
      metrics: [metricNoCache ? { [rel(site, metric)]: { cache: false } } : rel(site, metric)],
      plots: [{ [rel(site, plot)]: plotProps }],
    },
    outs: [{ path: metric, dir: false }, { path: plot, dir: false }],
  };
}

function foreachListStage(rng: Random, model: CaseModel, site: Site, deps: Artifact[]): Built {
  const names = model.params[posix.join(posix.dirname(site.pipeline), 'params.yaml')]?.data.p_names as string[] | undefined;
  const fromParams = names && rng.chance(0.5);
  const items: (string | number)[] = fromParams ? names : rng.chance(0.5) ? ['a', 'b', 'c'].slice(0, rng.int(1, 3)) : [1, 2];
  return groupStage(rng, site, deps, fromParams ? '${p_names}' : items, '${item}', items.map(String));
}

function foreachDictsStage(rng: Random, _m: CaseModel, site: Site, deps: Artifact[]): Built {
  const items = [{ tag: 'x', size: 1 }, { tag: 'y', size: 2 }].slice(0, rng.int(1, 2));
  return groupStage(rng, site, deps, items, '${item.tag}', items.map((i) => i.tag), '${item.size}');
}

function foreachDictStage(rng: Random, _m: CaseModel, site: Site, deps: Artifact[]): Built {
  const items = { small: { n: 1 }, large: { n: 100 } };
  return groupStage(rng, site, deps, items, '${key}', Object.keys(items), '${item.n}');
}

function matrixStage(rng: Random, _m: CaseModel, site: Site, deps: Artifact[]): Built {
  const matrix: Dict = { m: ['u', 'v'].slice(0, rng.int(1, 2)), k: rng.chance(0.5) ? [1, 2] : [true, false] };
  const names = (matrix.m as string[]).flatMap((m) => (matrix.k as (number | boolean)[]).map((k) => `${m}-${k}`));
  return groupStage(rng, site, deps, matrix, '${item.m}-${item.k}', names, undefined, true);
}

/** A foreach (or matrix) group: one output per generated stage, named from the item. */
function groupStage(rng: Random, site: Site, deps: Artifact[], over: Value, itemName: string, names: string[], extra?: string, isMatrix = false): Built {
  const lines = [...writeLines(site, deps, `${site.name}-${itemName}.txt`), `echo ${extra ?? itemName} $DVC_STAGE >> ${site.name}-${itemName}.txt`];
  const body: Dict = { cmd: command(rng, lines), ...depsEntry(site, deps), outs: [`${site.name}-${itemName}.txt`] };
  return {
    definition: isMatrix ? { matrix: over, ...body } : { foreach: over, do: body },
    outs: names.map((name) => ({ path: posix.join(site.cwd, `${site.name}-${name}.txt`), dir: false })),
  };
}

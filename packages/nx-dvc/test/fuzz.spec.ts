import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { dump, load } from 'js-yaml';
import { DvcError, PathOutsideWorkspaceError } from '../src/dvc/errors';
import { buildIndex, tryLoadPipeline, type FileResult } from '../src/dvc/repo/pipeline-index';
import { diskHost } from '../src/dvc/parsing/resolver';
import { CORPUS_DIR, loadExpected, pipelineFilesOf, type ExpectedFile } from './corpus';

/**
 * Fuzz test over the real-world corpus: every corpus dvc.yaml that DVC loads is mutated (wrong types,
 * unknown keys, broken `${`, cycles, deep nesting, huge foreach, non-UTF-8 bytes, escaping paths, ...)
 * and each variant must end in a user-facing DvcError that names the file (and the stage and key where
 * one is involved) or in a valid graph: never in another exception (a crash) or a hang.
 *
 * The variants are generated from a seeded PRNG (set FUZZ_SEED to change it, FUZZ_ONLY=<substring>
 * to run only the variants whose name contains it). They run in a worker thread watched by the main
 * thread: a variant that does not finish within HANG_MS is reported as a hang and the worker is
 * replaced; the worker's heap is capped, so an alias bomb that exhausts memory fails its variant only.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed2024) >>> 0;
const ONLY = process.env.FUZZ_ONLY;
/**
 * A single variant using more CPU time than this (load + graph) is a failure. CPU time, not wall time:
 * a loaded CI machine stretches wall time several times over without the code doing more work.
 */
const BUDGET_MS = 2000;
/**
 * The budget of the variants that add 20,000 stages: about 2.2 s of CPU on an idle machine, and
 * up to 3.3 s measured on a 2-core machine at load 11 (CPU time stretches too when cores are shared).
 * Twice the idle figure is still far below what a quadratic step over 20,000 stages would take.
 */
const HUGE_BUDGET_MS = 5000;
/** The watchdog gives up on a variant after this much wall time and reports a hang. */
const HANG_MS = 10000;
const HEAP_MB = 512;

type Expect =
  /** Anything but a crash or a hang; a DvcError must name the file. */
  | { kind: 'any' }
  /** The load must fail with a DvcError (of class `cls` when given) whose message contains every `includes`. */
  | { kind: 'error'; cls?: string; includes?: string[] }
  /** The load must fail with PathOutsideWorkspaceError naming the path (and the file and stage). */
  | { kind: 'outside'; path: string; stage?: string }
  /** The load must succeed (with `stages` stages in the mutated file, when given), and the graph too if `graphClean`. */
  | { kind: 'loaded'; stages?: number; graphClean?: boolean }
  /** The load must succeed and, if the base repository's graph was clean, the graph must fail with `cls`. */
  | { kind: 'graphError'; cls: string; graphClean: boolean };

interface Variant {
  name: string;
  repo: string;
  /** Repo-relative dvc.yaml path. */
  file: string;
  bytes: Uint8Array;
  expect: Expect;
  budgetMs?: number;
}

interface ErrorInfo {
  name: string;
  className: string;
  message: string;
  file?: string;
  isDvc: boolean;
  isOutside: boolean;
  stack?: string;
}

/** `ms`: CPU time of the load and graph build (user + system, all threads of the process). */
type Outcome =
  | { kind: 'error'; ms: number; error: ErrorInfo }
  | { kind: 'loaded'; ms: number; stages: number; graph: boolean; graphError?: ErrorInfo; skipped: boolean }
  | { kind: 'crash'; ms?: number; error: ErrorInfo }
  | { kind: 'hang' };

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

// ---------------------------------------------------------------------------------------------
// Corpus bases

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface StageInfo {
  name: string;
  kind: 'entry' | 'foreach' | 'matrix';
  /** The definition produced at least one stage in DVC (a foreach over an empty list produces none). */
  produces: boolean;
}

interface Base {
  repo: string;
  file: string;
  bytes: Buffer;
  data: Record<string, Json>;
  stages: StageInfo[];
  /** Stages DVC loaded from the file; unknown where DVC failed for lack of a plugin (ImportError). */
  stageCount?: number;
  graphClean: boolean;
  big: boolean;
}

function plus(count: number | undefined, added: number): number | undefined {
  return count === undefined ? undefined : count + added;
}

function isMap(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function loadBases(): Base[] {
  const expected = loadExpected();
  const bases: Base[] = [];
  for (const [repo, repoExpected] of Object.entries(expected)) {
    const graphError = repoExpected._graph_error;
    const graphClean = !graphError || graphError.class === 'ImportError';
    for (const file of pipelineFilesOf(repoExpected)) {
      const want = repoExpected[file] as ExpectedFile;
      if (want.error && want.error.class !== 'ImportError') continue;
      const bytes = readFileSync(join(CORPUS_DIR, repo, file));
      const data = load(bytes.toString('utf8'));
      if (!isMap(data)) continue;
      const definitions = isMap(data.stages) ? data.stages : {};
      const produced = new Set(
        want._order.map((name) => (name in definitions ? name : name.slice(0, name.lastIndexOf('@')))),
      );
      const stages = Object.entries(definitions).map(([name, def]) => ({
        name,
        kind: isMap(def) && 'matrix' in def ? 'matrix' : isMap(def) && 'foreach' in def ? 'foreach' : 'entry',
        produces: produced.has(name),
      })) as StageInfo[];
      bases.push({ repo, file, bytes, data, stages, stageCount: want.error ? undefined : want._order.length, graphClean, big: want._order.length > 1000 });
    }
  }
  return bases;
}

/** The part of a stage definition that becomes each generated stage. */
function templateOf(def: Record<string, Json>): Record<string, Json> {
  return 'foreach' in def && isMap(def.do) ? def.do : def;
}

function listAt(template: Record<string, Json>, key: string): Json[] {
  if (!Array.isArray(template[key])) template[key] = [];
  return template[key];
}

/** Every string value in a structure, with a setter (map keys excluded). */
function stringSlots(value: Json, skip: Set<string> = new Set()): { get: () => string; set: (s: string) => void; top: string }[] {
  const slots: { get: () => string; set: (s: string) => void; top: string }[] = [];
  const walk = (container: Json, top: string | undefined) => {
    const entries: [string | number, Json][] = Array.isArray(container) ? container.map((v, i) => [i, v]) : Object.entries(container);
    for (const [key, child] of entries) {
      const topKey = top ?? String(key);
      if (top === undefined && skip.has(String(key))) continue;
      if (typeof child === 'string') slots.push({ get: () => container[key], set: (s) => (container[key] = s), top: topKey });
      else if (Array.isArray(child) || isMap(child)) walk(child, topKey);
    }
  };
  walk(value, undefined);
  return slots;
}

/** Every node of a structure with a setter, for type changes. */
function nodeSlots(value: Json): { path: string; get: () => Json; set: (v: Json) => void }[] {
  const slots: { path: string; get: () => Json; set: (v: Json) => void }[] = [];
  const walk = (container: Json, path: string) => {
    const entries: [string | number, Json][] = Array.isArray(container) ? container.map((v, i) => [i, v]) : Object.entries(container);
    for (const [key, child] of entries) {
      const childPath = `${path}/${key}`;
      slots.push({ path: childPath, get: () => container[key], set: (v) => (container[key] = v) });
      if (Array.isArray(child) || isMap(child)) walk(child, childPath);
    }
  };
  walk(value, '');
  return slots;
}

/** string -> list, list -> map, bool -> string, map -> int, and the rest into something else. */
function changeType(value: Json, rng: Rng): Json {
  if (typeof value === 'string') return rng.chance(0.8) ? [value] : 7;
  if (Array.isArray(value)) return rng.chance(0.8) ? Object.fromEntries(value.map((v, i) => [`k${i}`, v])) : 'a string';
  if (typeof value === 'boolean') return String(value);
  if (isMap(value)) return rng.chance(0.8) ? 42 : [value];
  if (typeof value === 'number') return rng.chance(0.5) ? { n: value } : [value];
  if (value === null) return { fuzz: null };
  return null;
}

function literalOuts(template: Record<string, Json>): string[] {
  const outs: string[] = [];
  for (const key of ['outs', 'metrics', 'plots']) {
    for (const entry of Array.isArray(template[key]) ? template[key] : []) {
      for (const path of typeof entry === 'string' ? [entry] : isMap(entry) ? Object.keys(entry) : []) {
        if (!path.includes('${') && !path.includes('://')) outs.push(path);
      }
    }
  }
  return outs;
}

function anyOuts(template: Record<string, Json>): string[] {
  const outs: string[] = [];
  for (const entry of Array.isArray(template.outs) ? template.outs : []) {
    outs.push(...(typeof entry === 'string' ? [entry] : isMap(entry) ? Object.keys(entry) : []));
  }
  return outs;
}

const TOO_HIGH = `${'../'.repeat(12)}fuzz-outside`;

function nested(depth: number, kind: 'list' | 'map', leaf: Json = 'leaf'): Json {
  let value: Json = leaf;
  for (let i = 0; i < depth; i++) value = kind === 'list' ? [value] : { k: value };
  return value;
}

function toYaml(data: Json): Buffer {
  return Buffer.from(dump(data, { lineWidth: -1, noRefs: true }), 'utf8');
}

function generateVariants(seed: number): Variant[] {
  const rng = new Rng(seed);
  const bases = loadBases();
  const small = bases.filter((b) => !b.big);
  const withStages = small.filter((b) => b.stages.some((s) => s.produces));
  const variants: Variant[] = [];
  const counters = new Map<string, number>();

  const add = (family: string, base: Base, content: Buffer | Json, expect: Expect, budgetMs?: number) => {
    const n = (counters.get(family) ?? 0) + 1;
    counters.set(family, n);
    const bytes = Buffer.isBuffer(content) ? content : toYaml(content);
    variants.push({ name: `${family}#${n} ${base.repo}/${base.file}`, repo: base.repo, file: base.file, bytes, expect, budgetMs });
  };
  const clone = (base: Base): Record<string, Json> => structuredClone(base.data);
  /** A base, its cloned data, and one of its stages that produces stages (with its template). */
  const pickStage = (pool = withStages, filter: (t: Record<string, Json>, s: StageInfo) => boolean = () => true) => {
    for (let attempt = 0; attempt < 200; attempt++) {
      const base = rng.pick(pool);
      const data = clone(base);
      const candidates = base.stages.filter((s) => s.produces && filter(templateOf(data.stages[s.name]), s));
      if (!candidates.length) continue;
      const stage = rng.pick(candidates);
      return { base, data, stage, def: data.stages[stage.name] as Record<string, Json>, template: templateOf(data.stages[stage.name]) };
    }
    throw new Error('no base stage matches');
  };

  // 0. Round trip through js-yaml: the harness itself must not break a valid file.
  for (let i = 0; i < 4; i++) {
    const base = rng.pick(small);
    add('roundtrip', base, clone(base), { kind: 'loaded', stages: base.stageCount, graphClean: base.graphClean });
  }

  // 1. Wrong types: random nodes, then the usual suspects.
  for (let i = 0; i < 30; i++) {
    const base = rng.pick(small);
    const data = clone(base);
    const slots = nodeSlots(data);
    if (!slots.length) continue;
    const slot = rng.pick(slots);
    slot.set(changeType(slot.get(), rng));
    add(`type${slot.path.split('/').length > 3 ? '-deep' : ''}`, base, data, { kind: 'any' });
  }
  const typeTargets: [string, (t: Record<string, Json>, d: Record<string, Json>) => void][] = [
    ['cmd->map', (t) => (t.cmd = { run: t.cmd })],
    ['cmd->int', (t) => (t.cmd = 3)],
    ['deps->map', (t) => (t.deps = { a: 'x' })],
    ['outs->string', (t) => (t.outs = 'model.pkl')],
    ['frozen->string', (t) => (t.frozen = 'true')],
    ['wdir->list', (t) => (t.wdir = ['a'])],
    ['params->map', (t) => (t.params = { 'params.yaml': ['a'] })],
    ['params-entry->int', (t) => (t.params = [5])],
    ['outs-flag->string', (t) => (t.outs = [{ 'fuzz.out': { cache: 'no' } }])],
    ['vars->map', (_t, d) => (d.vars = { a: 1 })],
    ['stages->int', (_t, d) => (d.stages = 7)],
    ['stages->list', (_t, d) => (d.stages = [d.stages])],
  ];
  for (const [label, mutate] of typeTargets) {
    const { base, data, template } = pickStage();
    mutate(template, data);
    add(`type-${label}`, base, data, { kind: 'error', cls: 'YAMLValidationError', includes: [base.file] });
  }
  for (const label of ['foreach->int', 'do->string', 'matrix->list', 'matrix-axis->map']) {
    const kind = label.startsWith('matrix') ? 'matrix' : 'foreach';
    const pool = withStages.filter((b) => b.stages.some((s) => s.kind === kind && s.produces));
    if (!pool.length) continue;
    const { base, data, def, stage } = pickStage(pool, (_t, s) => s.kind === kind);
    if (label === 'foreach->int') def.foreach = 12;
    if (label === 'do->string') def.do = 'echo';
    if (label === 'matrix->list') def.matrix = [def.matrix];
    if (label === 'matrix-axis->map') def.matrix[Object.keys(def.matrix)[0]] = { a: 1 };
    add(`type-${label}`, base, data, { kind: 'error', cls: 'YAMLValidationError', includes: [base.file, stage.name] });
  }

  // 2. Unknown keys at top level, stage level, foreach level and out-flag level.
  for (let i = 0; i < 6; i++) {
    const base = rng.pick(small);
    const data = clone(base);
    const key = `fuzz_top_${i}`;
    data[key] = rng.pick([1, 'x', [1], { a: 1 }, null]);
    add('unknown-top', base, data, { kind: 'error', cls: 'YAMLValidationError', includes: [base.file, key, 'extra keys not allowed'] });
  }
  for (let i = 0; i < 8; i++) {
    const { base, data, template, stage } = pickStage();
    const key = rng.pick(['fuzz_stage_key', 'command', 'dep', 'output', 'checkpoint']);
    template[key] = rng.pick([true, 'x', [1]]);
    add('unknown-stage', base, data, {
      kind: 'error',
      cls: 'YAMLValidationError',
      includes: [base.file, `stages -> ${stage.name} -> `, key, 'extra keys not allowed'],
    });
  }
  for (let i = 0; i < 3; i++) {
    const pool = withStages.filter((b) => b.stages.some((s) => s.kind === 'foreach' && s.produces));
    const { base, data, def, stage } = pickStage(pool, (_t, s) => s.kind === 'foreach');
    def.fuzz_group_key = 1;
    add('unknown-foreach', base, data, { kind: 'error', cls: 'YAMLValidationError', includes: [base.file, stage.name, 'fuzz_group_key'] });
  }
  for (let i = 0; i < 6; i++) {
    const { base, data, template, stage } = pickStage();
    const kind = rng.pick(['outs', 'metrics', 'plots']);
    listAt(template, kind).push({ [`fuzz-flag-${i}.json`]: { cache: false, fuzz_flag: true } });
    add('unknown-out-flag', base, data, { kind: 'error', cls: 'YAMLValidationError', includes: [base.file, stage.name, 'fuzz_flag'] });
  }

  // 3. `cmd` deleted.
  for (let i = 0; i < 6; i++) {
    const { base, data, template, stage } = pickStage(withStages, (t) => 'cmd' in t);
    delete template.cmd;
    add('no-cmd', base, data, { kind: 'error', cls: 'YAMLValidationError', includes: [base.file, stage.name, 'cmd', 'required key not provided'] });
  }

  // 4. Broken `${`: syntax errors and missing keys must fail naming the stage and key; others may load.
  const broken = ['${}', '${a.}', '${missing.key}', '${a[0}', '${a[}', '${.}', '${ }', '${a]}', '${${x}}', '${a..b}', 'x ${fuzz_missing} y'];
  const harmless = ['${', 'tail ${unclosed', '\\${escaped}', '$ {x}', '${{', '}${'];
  for (let i = 0; i < 26; i++) {
    const { base, data, template, stage } = pickStage(withStages, (t) => stringSlots(t, new Set(['matrix'])).length > 0);
    const slot = rng.pick(stringSlots(template, new Set(['matrix'])));
    const mustFail = i < 18;
    const insert = mustFail ? broken[i % broken.length] : rng.pick(harmless);
    const text = slot.get();
    const at = rng.int(text.length + 1);
    slot.set(text.slice(0, at) + insert + text.slice(at));
    add(
      `interp-${mustFail ? 'broken' : 'harmless'}`,
      base,
      data,
      mustFail
        ? { kind: 'error', cls: 'ResolveError', includes: [`in '${base.file}'`, `stages.${stage.name}`, `.${slot.top}'`] }
        : { kind: 'any' },
    );
  }
  for (let i = 0; i < 3; i++) {
    const { base, data, template, stage } = pickStage();
    listAt(template, 'outs').push({ '${fuzz.missing}': { cache: false } });
    add('interp-key', base, data, { kind: 'error', cls: 'ResolveError', includes: [`in '${base.file}'`, `stages.${stage.name}`, ".outs'"] });
  }

  // 5. `${}` in vars (top level and stage level) is refused.
  for (let i = 0; i < 4; i++) {
    const base = rng.pick(small);
    const data = clone(base);
    data.vars = [...(Array.isArray(data.vars) ? data.vars : []), rng.pick([{ fuzz: '${}' }, { fuzz: '${x}' }, '${file}.yaml', { fuzz: ['${a.}'] }])];
    add('vars-interp', base, data, { kind: 'error', cls: 'ResolveError', includes: [`'vars' in '${base.file}'`] });
  }
  for (let i = 0; i < 3; i++) {
    const { base, data, template, stage } = pickStage();
    template.vars = [{ fuzz: '${x}' }];
    add('stage-vars-interp', base, data, { kind: 'error', cls: 'ResolveError', includes: [`in '${base.file}'`, `stages.${stage.name}`, '.vars'] });
  }

  // 6. Cycles: self-loops, two existing stages, two new stages.
  for (let i = 0; i < 7; i++) {
    const { base, data, template } = pickStage(withStages, (t) => anyOuts(t).length > 0);
    listAt(template, 'deps').push(rng.pick(anyOuts(template)));
    add('cycle-self', base, data, { kind: 'graphError', cls: 'CyclicGraphError', graphClean: base.graphClean });
  }
  for (let i = 0; i < 5; i++) {
    const pool = withStages.filter((b) => b.stages.filter((s) => s.kind === 'entry' && s.produces).length >= 2);
    const base = rng.pick(pool);
    const data = clone(base);
    const entries = base.stages.filter((s) => s.kind === 'entry' && s.produces && literalOuts(data.stages[s.name]).length > 0);
    if (entries.length < 2) {
      // Two new stages reading each other's output.
      const dir = `fuzz-cycle-${i}`;
      data.stages = { ...data.stages, fuzz_a: { cmd: 'a', deps: [`${dir}/b`], outs: [`${dir}/a`] }, fuzz_b: { cmd: 'b', deps: [`${dir}/a`], outs: [`${dir}/b`] } };
      add('cycle-new-pair', base, data, { kind: 'graphError', cls: 'CyclicGraphError', graphClean: base.graphClean });
      continue;
    }
    const a = rng.pick(entries);
    const b = rng.pick(entries.filter((s) => s !== a));
    const [da, db] = [data.stages[a.name], data.stages[b.name]];
    if ((da.wdir ?? '.') !== (db.wdir ?? '.')) continue;
    listAt(da, 'deps').push(literalOuts(db)[0]);
    listAt(db, 'deps').push(literalOuts(da)[0]);
    add('cycle-pair', base, data, { kind: 'graphError', cls: 'CyclicGraphError', graphClean: base.graphClean });
  }
  for (let i = 0; i < 3; i++) {
    const base = rng.pick(small);
    const data = clone(base);
    const dir = `fuzz-cycle-new-${i}`;
    data.stages = { ...(isMap(data.stages) ? data.stages : {}), fuzz_a: { cmd: 'a', deps: [`${dir}/b`], outs: [`${dir}/a`] }, fuzz_b: { cmd: 'b', deps: [`${dir}/a`], outs: [`${dir}/b`] } };
    add('cycle-new-pair', base, data, { kind: 'graphError', cls: 'CyclicGraphError', graphClean: base.graphClean });
  }

  // 7. Duplicate and overlapping outputs.
  for (let i = 0; i < 12; i++) {
    const { base, data, template } = pickStage(withStages, (t, s) => s.kind === 'entry' && literalOuts(t).length > 0);
    const out = rng.pick(literalOuts(template));
    const overlap = i % 2 === 1;
    const stage: Record<string, Json> = { cmd: 'fuzz', outs: [overlap ? `${out}/fuzz-inner` : out] };
    if (typeof template.wdir === 'string') stage.wdir = template.wdir;
    data.stages.fuzz_dup = stage;
    add(overlap ? 'overlap-out' : 'dup-out', base, data, {
      kind: 'graphError',
      cls: overlap ? 'OverlappingOutputPathsError' : 'OutputDuplicationError',
      graphClean: base.graphClean,
    });
  }
  for (let i = 0; i < 3; i++) {
    const { base, data, template } = pickStage(withStages, (t) => anyOuts(t).length > 0);
    listAt(template, 'metrics').push(rng.pick(anyOuts(template)));
    add('dup-out-same-stage', base, data, { kind: 'graphError', cls: 'OutputDuplicationError', graphClean: base.graphClean });
  }

  // 8. Deep nesting: under the parser's depth limit it loads, above it is a ParseError.
  for (const [depth, where, kind] of [
    [90, 'meta', 'list'],
    [90, 'meta', 'map'],
    [80, 'cmd', 'list'],
    [80, 'vars', 'map'],
    [500, 'meta', 'list'],
    [500, 'meta', 'map'],
    [500, 'vars', 'map'],
    [500, 'deps', 'list'],
  ] as const) {
    const { base, data, template } = pickStage();
    if (where === 'vars') data.vars = [...(Array.isArray(data.vars) ? data.vars : []), { fuzz_deep: nested(depth, kind) }];
    else if (where === 'cmd') template.cmd = nested(depth, kind);
    else template[where] = nested(depth, kind);
    add(`deep-${depth}-${where}-${kind}`, base, data, depth > 100 ? { kind: 'error', cls: 'ParseError', includes: [base.file] } : { kind: 'any' });
  }
  for (const [open, close] of [['[', ']'], ['{a: ', '}']]) {
    const base = rng.pick(small);
    add('deep-flow-100000', base, Buffer.from(`${base.bytes.toString('utf8')}\nfuzz: ${open.repeat(100000)}1${close.repeat(100000)}\n`), {
      kind: 'error',
      cls: 'ParseError',
      includes: [base.file],
    });
  }

  // 9. Huge foreach (20 000 items) and a wide matrix: must finish fast.
  const HUGE = 20000;
  const hugeVariants: [string, (data: Record<string, Json>) => number, Expect['kind']][] = [
    ['list', (d) => ((d.stages.fuzz_huge = { foreach: [...Array(HUGE).keys()], do: { cmd: 'echo ${item}', outs: ['fuzz-huge/${item}.txt'] } }), HUGE), 'loaded'],
    [
      'dict+aggregate',
      (d) => {
        const items = Object.fromEntries([...Array(HUGE).keys()].map((i) => [`k${i}`, { n: i, name: `item-${i}` }]));
        d.stages.fuzz_huge = { foreach: items, do: { cmd: 'echo ${key} ${item.n}', deps: ['fuzz-src'], outs: ['fuzz-huge/${item.name}'] } };
        d.stages.fuzz_all = { cmd: 'cat fuzz-huge/*', deps: ['fuzz-huge'], outs: ['fuzz-all.txt'] };
        return HUGE + 1;
      },
      'loaded',
    ],
    [
      'from-vars',
      (d) => {
        d.vars = [...(Array.isArray(d.vars) ? d.vars : []), { fuzz_items: [...Array(HUGE).keys()].map((i) => `v${i}`) }];
        d.stages.fuzz_huge = { foreach: '${fuzz_items}', do: { cmd: 'echo ${item}', outs: ['fuzz-huge/${item}'] } };
        return HUGE;
      },
      'loaded',
    ],
    ['same-out', (d) => ((d.stages.fuzz_huge = { foreach: [...Array(HUGE).keys()], do: { cmd: 'echo ${item}', outs: ['fuzz-huge.txt'] } }), HUGE), 'graphError'],
  ];
  for (const [label, mutate, kind] of hugeVariants) {
    const base = rng.pick(small.filter((b) => b.stages.length > 0 && (b.stageCount ?? Infinity) < 50));
    const data = clone(base);
    const added = mutate(data);
    add(
      `huge-foreach-${label}`,
      base,
      data,
      kind === 'loaded'
        ? { kind: 'loaded', stages: plus(base.stageCount, added), graphClean: base.graphClean }
        : { kind: 'graphError', cls: 'OutputDuplicationError', graphClean: base.graphClean },
      HUGE_BUDGET_MS,
    );
  }
  const axisValues = (scalarsOnly: boolean): Json[] => {
    const makers: (() => Json)[] = [
      () => rng.int(100),
      () => `s${rng.int(1000)}`,
      () => rng.pick([true, false]),
      () => rng.int(1000) / 7,
      ...(scalarsOnly ? [] : [() => ({ k: rng.int(10) }), () => [rng.int(5), 'x']]),
    ];
    const n = 1 + rng.int(4);
    return [...new Set([...Array(n)].map(() => JSON.stringify(rng.pick(makers)())))].map((s) => JSON.parse(s));
  };
  for (let i = 0; i < 8; i++) {
    const base = rng.pick(small.filter((b) => b.stages.length > 0 && (b.stageCount ?? Infinity) < 50));
    const data = clone(base);
    const scalarsOnly = i % 2 === 0;
    const axes = Object.fromEntries([...Array(2 + rng.int(4))].map((_, a) => [`ax${a}`, axisValues(scalarsOnly)]));
    const names = Object.keys(axes);
    const combinations = Object.values(axes).reduce((n: number, values: Json[]) => n * values.length, 1);
    data.stages.fuzz_matrix = {
      matrix: axes,
      cmd: `run ${names.map((a) => `\${item.${a}}`).join(' ')}`,
      outs: [`fuzz-matrix/\${key}`],
    };
    // Lists and maps cannot go into a string: those variants fail naming the generated stage.
    add(
      `matrix-axes-${scalarsOnly ? 'scalars' : 'mixed'}`,
      base,
      data,
      scalarsOnly ? { kind: 'loaded', stages: plus(base.stageCount, combinations), graphClean: base.graphClean } : { kind: 'any' },
    );
  }
  {
    const base = rng.pick(small.filter((b) => b.stages.length > 0 && (b.stageCount ?? Infinity) < 50));
    const data = clone(base);
    data.vars = [...(Array.isArray(data.vars) ? data.vars : []), { fuzz_axis: ['p', 'q', 'r'] }];
    data.stages.fuzz_matrix = {
      matrix: { a: [1, 2, 3, 4, 5], b: ['x', 'y', 'z'], c: [true, false], d: [0.5, 1.5], e: '${fuzz_axis}', f: [10, 20, 30, 40] },
      cmd: 'run ${item.a} ${item.b} ${item.c} ${item.d} ${item.e} ${item.f}',
      outs: ['fuzz-matrix/${item.a}/${item.b}/${item.c}/${item.d}/${item.e}/${item.f}'],
    };
    add('matrix-6-axes', base, data, { kind: 'loaded', stages: plus(base.stageCount, 5 * 3 * 2 * 2 * 3 * 4), graphClean: base.graphClean }, 3000);
  }

  // 10. Non-UTF-8 bytes: always a ParseError naming the file; a UTF-8 BOM is fine.
  const badBytes = [[0xff, 0xfe], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xfe, 0xff, 0x00]];
  for (let i = 0; i < 12; i++) {
    const base = rng.pick(i < 2 ? bases.filter((b) => b.big) : small);
    const at = i === 2 ? base.bytes.length : i === 3 ? 0 : rng.int(base.bytes.length + 1);
    const bytes = Buffer.concat([base.bytes.subarray(0, at), Buffer.from(badBytes[i % badBytes.length]), base.bytes.subarray(at)]);
    add('non-utf8', base, bytes, { kind: 'error', cls: 'ParseError', includes: [base.file, 'utf-8'] }, base.big ? 4000 : undefined);
  }
  for (let i = 0; i < 2; i++) {
    const base = rng.pick(small);
    add('utf8-bom', base, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), base.bytes]), { kind: 'loaded', stages: base.stageCount, graphClean: base.graphClean });
  }
  {
    const base = rng.pick(small);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(base.bytes.toString('utf8'), 'utf16le')]);
    add('utf16', base, utf16, { kind: 'error', cls: 'ParseError', includes: [base.file] });
  }

  // 11. Random truncation (may cut a multi-byte character).
  for (let i = 0; i < 20; i++) {
    const base = rng.pick(i < 2 ? bases.filter((b) => b.big) : small);
    add('truncate', base, base.bytes.subarray(0, rng.int(base.bytes.length)), { kind: 'any' }, base.big ? 4000 : undefined);
  }

  // 12. YAML syntax damage.
  const mustBreak: [string, (text: string) => string][] = [
    ['open-bracket', (t) => `{${t}`],
    ['close-bracket', (t) => `${t}\n]\n`],
    ['open-quote', (t) => `"${t}`],
    ['undefined-alias', (t) => `${t}\nfuzz: *nowhere\n`],
    ['python-tag', (t) => `${t}\nfuzz: !!python/object/apply:os.system ["echo pwned"]\n`],
    ['custom-tag', (t) => `${t}\nfuzz: !secret x\n`],
    ['two-documents', (t) => `${t}\n---\nstages: {}\n`],
    ['nul-byte', (t) => `${t}\nfuzz: "a\u0000b"\n`.replace('"a', 'a').replace('b"', 'b')],
    ['control-char', (t) => `${t}\nfuzz: a\u0007b\n`],
    ['tab-indent', (t) => `${t}\nfuzz_map:\n\tkey: value\n`],
    ['dangling-colon', (t) => `${t}\n: value\n  : x\n`],
  ];
  for (const [label, damage] of mustBreak) {
    const base = rng.pick(small);
    add(`syntax-${label}`, base, Buffer.from(damage(base.bytes.toString('utf8'))), { kind: 'error', cls: 'ParseError', includes: [base.file] });
  }
  const mayBreak: [string, (lines: string[]) => void][] = [
    ['shift-line', (lines) => {
      const i = rng.int(lines.length);
      lines[i] = ` ${lines[i]}`;
    }],
    ['unshift-line', (lines) => {
      const i = rng.int(lines.length);
      lines[i] = lines[i].replace(/^ {1,2}/, '');
    }],
    ['tab-for-spaces', (lines) => {
      const i = rng.int(lines.length);
      lines[i] = lines[i].replace(/^ {2}/, '\t');
    }],
    ['insert-bracket', (lines) => {
      const i = rng.int(lines.length);
      lines[i] = lines[i].replace(/: /, ': [');
    }],
    ['insert-brace', (lines) => {
      const i = rng.int(lines.length);
      lines[i] = lines[i].replace(/- /, '- {');
    }],
    ['drop-line', (lines) => void lines.splice(rng.int(lines.length), 1)],
    ['duplicate-line', (lines) => {
      const i = rng.int(lines.length);
      lines.splice(i, 0, lines[i]);
    }],
    ['yaml-directive', (lines) => void lines.unshift('%YAML 1.1', '---')],
    ['anchor-merge', (lines) => void lines.push('fuzz_base: &fb {a: 1}', 'fuzz_merge:', '  <<: *fb', '  b: 2')],
  ];
  for (let i = 0; i < 18; i++) {
    const [label, damage] = mayBreak[i % mayBreak.length];
    const base = rng.pick(small);
    const lines = base.bytes.toString('utf8').split('\n');
    damage(lines);
    add(`syntax-${label}`, base, Buffer.from(lines.join('\n')), { kind: 'any' });
  }
  for (const text of ['', '~', '[]', '[a, b]', '"just a string"', '42', '- a\n- b\n', '{}', 'stages:', 'stages: {}', 'stages: ~', '---\n...\n']) {
    const base = rng.pick(small);
    add('document-shape', base, Buffer.from(text), { kind: 'any' });
  }

  // 13. Duplicate keys: a ParseError (DVC's ruamel refuses them too).
  for (let i = 0; i < 8; i++) {
    const { base, data, stage } = pickStage();
    const json = JSON.stringify(data);
    const where = rng.pick(['top', 'stage-name', 'stage-key'] as const);
    let text: string;
    if (where === 'top') text = json.replace(/^\{/, `{"stages":{},`);
    else if (where === 'stage-name') text = json.replace(/"stages":\{/, `"stages":{${JSON.stringify(stage.name)}:{"cmd":"dup"},`);
    else {
      const marker = `${JSON.stringify(stage.name)}:{`;
      const firstKey = Object.keys(data.stages[stage.name])[0];
      text = json.replace(marker, `${marker}${JSON.stringify(firstKey)}:"dup",`);
    }
    add(`duplicate-key-${where}`, base, Buffer.from(text), { kind: 'error', cls: 'ParseError', includes: [base.file, 'duplicate'] });
  }

  // 14. Paths that escape the workspace, absolute outputs, absolute wdir.
  for (let i = 0; i < 18; i++) {
    const { base, data, template, stage } = pickStage();
    const kind = rng.pick(['outs', 'deps', 'params', 'metrics', 'plots', 'outs-dict', 'wdir', 'abs-out', 'abs-metric', 'abs-out-dict', 'abs-wdir', 'dotted'] as const);
    let path = TOO_HIGH;
    if (kind === 'outs' || kind === 'deps' || kind === 'metrics' || kind === 'plots') listAt(template, kind).push(path);
    else if (kind === 'params') listAt(template, 'params').push({ [(path = `${TOO_HIGH}.yaml`)]: ['lr'] });
    else if (kind === 'outs-dict') listAt(template, 'outs').push({ [path]: { cache: false } });
    else if (kind === 'dotted') listAt(template, 'deps').push((path = `sub/${'../'.repeat(12)}x`));
    else if (kind === 'abs-out') listAt(template, 'outs').push((path = '/tmp/fuzz-abs-out'));
    else if (kind === 'abs-metric') listAt(template, 'metrics').push((path = '/etc/fuzz-metric.json'));
    else if (kind === 'abs-out-dict') listAt(template, 'outs').push({ [(path = '/tmp/fuzz-abs-dict')]: { cache: false } });
    else {
      // Only one path, so it is the one refused.
      for (const key of ['deps', 'params', 'metrics', 'plots']) delete template[key];
      template.wdir = kind === 'wdir' ? '../'.repeat(12) : '/tmp';
      template.outs = ['fuzz-in-wdir.txt'];
      path = 'fuzz-in-wdir.txt';
    }
    // DVC's external dependencies load: hashed where they are, recorded as written
    if (kind === 'deps' || kind === 'dotted') add(`outside-${kind}`, base, data, { kind: 'loaded', stages: base.stageCount, graphClean: base.graphClean });
    else add(`outside-${kind}`, base, data, { kind: 'outside', path, stage: stage.name });
  }

  // 15. A .dvc file or a dvc.yaml as an output or a dependency.
  for (let i = 0; i < 8; i++) {
    const { base, data, template, stage } = pickStage();
    const [key, path] = rng.pick([
      ['outs', 'fuzz.dvc'],
      ['outs', 'dvc.yaml'],
      ['metrics', 'sub/dvc.yaml'],
      ['deps', 'data.dvc'],
      ['deps', 'dvc.yaml'],
      ['deps', 'other/dvc.yaml'],
    ] as const);
    listAt(template, key).push(rng.chance(0.3) && key === 'outs' ? { [path]: { cache: false } } : path);
    add(`stage-file-${key}`, base, data, { kind: 'error', cls: 'StageLoadError', includes: [base.file, stage.name, `'${path}'`] });
  }

  // 16. A params entry whose value is not a list; plots with a list of props.
  for (let i = 0; i < 6; i++) {
    const { base, data, template, stage } = pickStage();
    listAt(template, 'params').push({ 'fuzz-params.yaml': rng.pick(['lr', 5, { a: 1 }, true, 1.5]) });
    add('params-not-list', base, data, { kind: 'error', cls: 'StageLoadError', includes: [base.file, stage.name, 'fuzz-params.yaml'] });
  }
  for (let i = 0; i < 2; i++) {
    const { base, data, template } = pickStage();
    listAt(template, 'params').push({ 'fuzz-params.yaml': rng.pick([null, []]) });
    add('params-whole-file', base, data, { kind: 'loaded', graphClean: base.graphClean });
  }
  for (let i = 0; i < 2; i++) {
    const { base, data, template, stage } = pickStage();
    listAt(template, 'plots').push({ 'fuzz-plot.json': [{ x: 'a' }] });
    add('plots-list-props', base, data, { kind: 'error', cls: 'StageLoadError', includes: [base.file, stage.name, 'fuzz-plot.json'] });
  }

  // 17. Values from the context of every type in every field.
  const contextVars = { fuzz_null: null, fuzz_int: 3, fuzz_bool: true, fuzz_float: 1.5, fuzz_list: [1, [2]], fuzz_dict: { a: 1, b: [1, 2], c: { d: true } }, fuzz_str: 'x' };
  for (let i = 0; i < 16; i++) {
    const { base, data, template } = pickStage();
    data.vars = [...(Array.isArray(data.vars) ? data.vars : []), contextVars];
    const name = rng.pick(Object.keys(contextVars));
    const key = rng.pick(['outs', 'deps', 'params', 'metrics', 'plots', 'wdir', 'cmd', 'desc', 'outs-key', 'params-key', 'foreach', 'cmd-embedded']);
    const ref = `\${${name}}`;
    if (key === 'wdir' || key === 'cmd' || key === 'desc') template[key] = ref;
    else if (key === 'cmd-embedded') template.cmd = `run ${ref} --flag`;
    else if (key === 'outs-key') listAt(template, 'outs').push({ [ref]: { cache: false } });
    else if (key === 'params-key') listAt(template, 'params').push({ [ref]: ['a'] });
    else if (key === 'foreach') data.stages.fuzz_each = { foreach: ref, do: { cmd: 'echo ${item}' } };
    else listAt(template, key).push(ref);
    add(`context-${key}-${name.slice(5)}`, base, data, { kind: 'any' });
  }

  // 18. Odd names and vars sources.
  for (const name of ['', 'a@b', 'with space', 'x:y', '${item}', 'über', 'a/b', '__proto__', 'constructor', 'toString', '0']) {
    const base = rng.pick(small);
    const data = clone(base);
    const json = JSON.stringify({ ...data, stages: isMap(data.stages) ? data.stages : {} });
    add('stage-name', base, Buffer.from(json.replace(/"stages":\{/, `"stages":{${JSON.stringify(name)}:{"cmd":"echo"},`)), { kind: 'any' });
  }
  for (const key of ['__proto__', 'constructor', 'hasOwnProperty']) {
    const base = rng.pick(small);
    const json = JSON.stringify({ ...clone(base), vars: [{}] });
    add('vars-key', base, Buffer.from(json.replace('"vars":[{}]', `"vars":[{${JSON.stringify(key)}:{"polluted":1}}]`)), { kind: 'any' });
  }
  for (const source of [`${'../'.repeat(12)}fuzz-outside.yaml`, 'fuzz-missing.yaml', 'dvc.lock', 'dvc.yaml', '.', 'params.yaml:fuzz_no_such_key', 'params.yaml:', 'fuzz.json', 'x.toml:a,b', 'p.py']) {
    const base = rng.pick(small);
    const data = clone(base);
    data.vars = [...(Array.isArray(data.vars) ? data.vars : []), source];
    add('vars-source', base, data, { kind: 'any' });
  }
  for (let i = 0; i < 3; i++) {
    const { base, data, template, stage } = pickStage(withStages, (_t, s) => s.kind !== 'entry');
    template.vars = [{ item: 1, key: 2 }];
    add('stage-vars-reserved', base, data, { kind: 'error', cls: 'ResolveError', includes: [base.file, stage.name, 'reserved'] });
  }
  for (const foreach of ['abc', 5, null, '${fuzz_missing}', [], {}]) {
    const base = rng.pick(small);
    const data = clone(base);
    data.stages = { ...(isMap(data.stages) ? data.stages : {}), fuzz_each: { foreach, do: { cmd: 'echo ${item}' } } };
    add('foreach-odd', base, data, { kind: 'any' });
  }
  {
    const base = rng.pick(small);
    const data = clone(base);
    data.stages = { ...(isMap(data.stages) ? data.stages : {}), fuzz_both: { foreach: [1], matrix: { a: [1] }, do: { cmd: 'x' } } };
    add('foreach-and-matrix', base, data, { kind: 'error', cls: 'YAMLValidationError', includes: [base.file, 'fuzz_both'] });
  }

  // 19. Pathological sizes: quadratic traps and alias bombs.
  {
    const { base, data, template } = pickStage();
    template.cmd = `${'${'.repeat(60000)}x`;
    add('unclosed-interp-60000', base, data, { kind: 'any' });
  }
  {
    const { base, data, template } = pickStage();
    template.cmd = `${'${a'.repeat(30000)}}`;
    add('open-interp-run', base, data, { kind: 'any' });
  }
  {
    const { base, data, template } = pickStage();
    template.deps = [...Array(10000).keys()];
    add('many-validation-errors', base, data, { kind: 'error', cls: 'YAMLValidationError', includes: [base.file] });
  }
  {
    const { base, data, template } = pickStage();
    template.cmd = 'x'.repeat(2_000_000);
    add('long-string', base, data, { kind: 'any' });
  }
  const bombTargets = ['meta', 'cmd', 'vars', 'foreach', 'deps', 'artifact-meta', 'params-file'] as const;
  for (const target of bombTargets) {
    const { base, data, template } = pickStage();
    delete data.datasets;
    const alias = '__FUZZ_ALIAS__';
    if (target === 'meta' || target === 'cmd' || target === 'deps') template[target] = alias;
    else if (target === 'vars') data.vars = [...(Array.isArray(data.vars) ? data.vars : []), { fuzz_bomb: alias }];
    else if (target === 'foreach') data.stages.fuzz_bomb = { foreach: alias, do: { cmd: 'echo' } };
    else if (target === 'artifact-meta') data.artifacts = { ...(isMap(data.artifacts) ? data.artifacts : {}), fuzz: { path: 'x', meta: alias } };
    else listAt(template, 'params').push({ 'fuzz-params.yaml': alias });
    const levels = ['datasets:', '  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let l = 1; l <= 9; l++) levels.push(`  l${l}: &l${l} [${Array(10).fill(`*l${l - 1}`).join(', ')}]`);
    const text = `${levels.join('\n')}\n${dump(data, { lineWidth: -1, noRefs: true }).split(alias).join('*l9')}`;
    add(`alias-bomb-${target}`, base, Buffer.from(text), { kind: 'any' });
  }

  for (let i = 0; i < 3; i++) {
    const { base, data, template } = pickStage();
    delete data.datasets;
    template.meta = '__FUZZ_ALIAS__';
    const levels = ['datasets:', '  l0: &l0 [a, b, c, d]', '  l1: &l1 [*l0, *l0, *l0, *l0]', '  l2: &l2 {x: *l1, y: *l1, z: *l1}'];
    const text = `${levels.join('\n')}\n${dump(data, { lineWidth: -1, noRefs: true }).split('__FUZZ_ALIAS__').join('*l2')}`;
    add('alias-small', base, Buffer.from(text), { kind: 'loaded', stages: base.stageCount, graphClean: base.graphClean });
  }

  // 20. The big corpus files get a few structural mutations too.
  for (const base of bases.filter((b) => b.big)) {
    const data = clone(base);
    const stage = base.stages.find((s) => s.produces)!;
    listAt(templateOf(data.stages[stage.name]), 'outs').push(TOO_HIGH);
    add('big-outside', base, data, { kind: 'outside', path: TOO_HIGH, stage: stage.name }, 4000);
    const data2 = clone(base);
    data2.fuzz_unknown = 1;
    add('big-unknown-top', base, data2, { kind: 'error', cls: 'YAMLValidationError', includes: [base.file, 'fuzz_unknown'] }, 4000);
  }

  return ONLY ? variants.filter((v) => v.name.includes(ONLY)) : variants;
}

// ---------------------------------------------------------------------------------------------
// Worker: runs variants and reports outcomes

function errorInfo(error: unknown): ErrorInfo {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    name: e.name,
    className: e.constructor?.name ?? 'unknown',
    message: e.message.length > 4000 ? `${e.message.slice(0, 4000)}...` : e.message,
    file: error instanceof DvcError ? error.file : undefined,
    isDvc: error instanceof DvcError,
    isOutside: error instanceof PathOutsideWorkspaceError,
    stack: e.stack,
  };
}

function runWorker(): void {
  const { variants, start } = workerData as { variants: Variant[]; start: number };
  const repoFiles = new Map<string, { path: string; bytes: Buffer }[]>();
  const expected = loadExpected();
  const cleanResults = new Map<string, FileResult>();
  const filesOf = (repo: string) => {
    let files = repoFiles.get(repo);
    if (!files) {
      files = [];
      const walk = (dir: string) => {
        for (const entry of readdirSync(join(CORPUS_DIR, repo, dir), { withFileTypes: true })) {
          const rel = dir ? `${dir}/${entry.name}` : entry.name;
          if (entry.isDirectory()) walk(rel);
          else if (entry.isFile()) files!.push({ path: rel, bytes: readFileSync(join(CORPUS_DIR, repo, rel)) });
        }
      };
      walk('');
      repoFiles.set(repo, files);
    }
    return files;
  };
  /** Unchanged pipeline files of the repository, loaded once from the corpus itself. */
  const cleanResult = (repo: string, file: string) => {
    const key = `${repo}/${file}`;
    let result = cleanResults.get(key);
    if (!result) {
      const root = join(CORPUS_DIR, repo);
      cleanResults.set(key, (result = tryLoadPipeline(diskHost(root), root, file)));
    }
    return result;
  };

  for (let index = start; index < variants.length; index++) {
    const variant = variants[index];
    const root = mkdtempSync(join(tmpdir(), 'nx-dvc-fuzz-'));
    try {
      for (const { path, bytes } of filesOf(variant.repo)) {
        mkdirSync(join(root, dirname(path)), { recursive: true });
        writeFileSync(join(root, path), path === variant.file ? variant.bytes : bytes);
      }
      const pipelineFiles = pipelineFilesOf(expected[variant.repo]);
      const dvcFiles = filesOf(variant.repo)
        .map((f) => f.path)
        .filter((p) => p.endsWith('.dvc'));
      parentPort!.postMessage({ type: 'start', index, root });
      const cpu = process.cpuUsage();
      const elapsed = () => {
        const { user, system } = process.cpuUsage(cpu);
        return (user + system) / 1000;
      };
      let outcome: Outcome;
      try {
        const result = tryLoadPipeline(diskHost(root), root, variant.file);
        if (result.error) {
          outcome = { kind: 'error', ms: elapsed(), error: errorInfo(result.error) };
        } else {
          const graphIndex = buildIndex(root, pipelineFiles, dvcFiles, (f) => (f === variant.file ? result : cleanResult(variant.repo, f)));
          outcome = {
            kind: 'loaded',
            ms: elapsed(),
            stages: result.pipeline!.stages.length,
            graph: graphIndex.graph !== undefined,
            graphError: graphIndex.graphError && errorInfo(graphIndex.graphError),
            skipped: graphIndex.skipped.includes(variant.file),
          };
        }
      } catch (error) {
        outcome = { kind: 'crash', ms: elapsed(), error: errorInfo(error) };
      }
      parentPort!.postMessage({ type: 'result', index, outcome });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  parentPort!.postMessage({ type: 'done' });
}

// ---------------------------------------------------------------------------------------------
// Main thread: watchdog and checks

function runVariants(variants: Variant[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(variants.length);
  const tsx = require.resolve('tsx/cjs');
  return new Promise((resolve, reject) => {
    let current = -1;
    let currentRoot = '';
    let startedAt = 0;
    let worker: Worker;
    let hung = false;
    let failure: unknown;
    const watchdog = setInterval(() => {
      if (current >= 0 && !hung && Date.now() - startedAt > HANG_MS) {
        hung = true;
        void worker.terminate();
      }
    }, 100);
    const spawn = (start: number) => {
      hung = false;
      failure = undefined;
      current = -1;
      worker = new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(__filename)});`, {
        eval: true,
        workerData: { variants, start },
        resourceLimits: { maxOldGenerationSizeMb: HEAP_MB },
      });
      worker.on('message', (message: { type: string; index: number; root: string; outcome: Outcome }) => {
        if (message.type === 'start') {
          current = message.index;
          currentRoot = message.root;
          startedAt = Date.now();
        } else if (message.type === 'result') {
          outcomes[message.index] = message.outcome;
          current = -1;
        }
      });
      worker.on('error', (error) => (failure = error));
      worker.on('exit', () => {
        if (current >= 0) {
          // The variant in progress never reported: the watchdog stopped it, or the worker died (out of memory).
          outcomes[current] = hung ? { kind: 'hang' } : { kind: 'crash', error: errorInfo(failure ?? new Error('worker exited')) };
          rmSync(currentRoot, { recursive: true, force: true });
        } else if (failure !== undefined) {
          clearInterval(watchdog);
          reject(failure);
          return;
        }
        const next = outcomes.findIndex((o, i) => o === undefined && i >= start);
        if (next >= 0 && current < 0) {
          clearInterval(watchdog);
          reject(new Error(`worker stopped before variant ${next}`));
        } else if (next >= 0) spawn(next);
        else {
          clearInterval(watchdog);
          resolve(outcomes);
        }
      });
    };
    spawn(0);
  });
}

/** Per family: how the variants ended and the slowest one, so a family that never reaches its target shows. */
function summarize(variants: Variant[], outcomes: Outcome[]): string[] {
  const families = new Map<string, { ends: Map<string, number>; slowest: number }>();
  variants.forEach((variant, i) => {
    const family = variant.name.slice(0, variant.name.indexOf('#'));
    const outcome = outcomes[i];
    const end =
      outcome?.kind === 'error' ? outcome.error.name : outcome?.kind === 'loaded' ? (outcome.graphError?.name ?? 'graph') : (outcome?.kind ?? 'none');
    const entry = families.get(family) ?? { ends: new Map(), slowest: 0 };
    entry.ends.set(end, (entry.ends.get(end) ?? 0) + 1);
    if (outcome && 'ms' in outcome && outcome.ms !== undefined) entry.slowest = Math.max(entry.slowest, outcome.ms);
    families.set(family, entry);
  });
  return [...families].map(
    ([family, { ends, slowest }]) => `${family}: ${[...ends].map(([end, n]) => `${end} x${n}`).join(', ')}; slowest ${Math.round(slowest)} ms CPU`,
  );
}

function describe(error: ErrorInfo): string {
  return `${error.name}: ${error.message}`;
}

function check(variant: Variant, outcome: Outcome | undefined): void {
  const where = `seed=${SEED} variant=${variant.name}`;
  assert.ok(outcome, `${where}: no outcome`);
  if (outcome.kind === 'hang') assert.fail(`${where}: hang (no result after ${HANG_MS} ms)`);
  if (outcome.kind === 'crash') assert.fail(`${where}: crash: ${describe(outcome.error)}\n${outcome.error.stack}`);
  const budget = variant.budgetMs ?? BUDGET_MS;
  assert.ok(outcome.ms <= budget, `${where}: took ${Math.round(outcome.ms)} ms of CPU time (budget ${budget} ms)`);
  const expect = variant.expect;

  if (outcome.kind === 'error') {
    const error = outcome.error;
    assert.ok(error.isDvc, `${where}: not a DvcError: ${describe(error)}`);
    // A vars/params file that cannot be read is named instead of the dvc.yaml.
    const otherFile = error.name === 'ParseError' && error.file !== undefined && error.file !== variant.file && error.message.includes(error.file);
    assert.ok(error.message.includes(variant.file) || otherFile, `${where}: message does not name '${variant.file}': ${describe(error)}`);
    if (error.name === 'StageLoadError' || error.name === 'PathOutsideWorkspaceError') {
      assert.match(error.message, /stage '[^']+'/, `${where}: message does not name the stage: ${describe(error)}`);
    }
    if (error.name === 'ResolveError') {
      assert.ok(error.message.includes(`'${variant.file}'`), `${where}: message does not quote '${variant.file}': ${describe(error)}`);
    }
    if (error.name === 'YAMLValidationError') {
      assert.ok(error.message.startsWith(`'./${variant.file}' validation failed`), `${where}: ${describe(error)}`);
    }
    if (expect.kind === 'loaded' || expect.kind === 'graphError') assert.fail(`${where}: expected to load, got ${describe(error)}`);
    if (expect.kind === 'error') {
      if (expect.cls) assert.equal(error.name, expect.cls, `${where}: expected ${expect.cls}, got ${describe(error)}`);
      for (const part of expect.includes ?? []) assert.ok(error.message.includes(part), `${where}: message lacks ${JSON.stringify(part)}: ${describe(error)}`);
    }
    if (expect.kind === 'outside') {
      assert.ok(error.isOutside, `${where}: expected PathOutsideWorkspaceError, got ${describe(error)}`);
      // DVC 3's text for a cached output names it unquoted
      const named = error.message.includes(`'${expect.path}'`) || error.message.includes(`external output ${expect.path} is`);
      assert.ok(named, `${where}: message does not name '${expect.path}': ${describe(error)}`);
      if (expect.stage) assert.ok(error.message.includes(expect.stage), `${where}: message does not name stage ${expect.stage}: ${describe(error)}`);
    }
    return;
  }

  if (outcome.graphError) {
    assert.ok(outcome.graphError.isDvc, `${where}: graph error is not a DvcError: ${describe(outcome.graphError)}`);
  } else {
    assert.ok(outcome.graph, `${where}: neither a graph nor a graph error`);
  }
  if (expect.kind === 'error' || expect.kind === 'outside') {
    assert.fail(`${where}: expected ${expect.kind === 'error' ? (expect.cls ?? 'a DvcError') : 'PathOutsideWorkspaceError'}, but it loaded`);
  }
  if (expect.kind === 'loaded') {
    if (expect.stages !== undefined) assert.equal(outcome.stages, expect.stages, `${where}: stage count`);
    if (expect.graphClean && !outcome.skipped) assert.equal(outcome.graphError, undefined, `${where}: ${outcome.graphError && describe(outcome.graphError)}`);
  }
  if (expect.kind === 'graphError' && expect.graphClean && !outcome.skipped) {
    assert.equal(outcome.graphError?.name, expect.cls, `${where}: expected graph error ${expect.cls}, got ${outcome.graphError ? describe(outcome.graphError) : 'a valid graph'}`);
  }
}

if (isMainThread) {
  test(`fuzz: mutated corpus dvc.yaml files end in a DvcError or a graph (seed ${SEED})`, async (t) => {
    const started = Date.now();
    const variants = generateVariants(SEED);
    if (!ONLY) assert.ok(variants.length >= 200, `only ${variants.length} variants`);
    const outcomes = await runVariants(variants);
    t.diagnostic(`seed ${SEED}: ${variants.length} variants in ${Date.now() - started} ms (FUZZ_SEED=${SEED} to reproduce)`);
    for (const line of summarize(variants, outcomes)) t.diagnostic(line);
    if (process.env.FUZZ_VERBOSE) {
      variants.forEach((variant, i) => {
        const o = outcomes[i];
        const error = o?.kind === 'error' || o?.kind === 'crash' ? o.error : o?.kind === 'loaded' ? o.graphError : undefined;
        t.diagnostic(`${variant.name}: ${o?.kind}${error ? ` ${describe(error).split('\n').slice(0, 3).join(' | ')}` : ''}`);
      });
    }
    for (const [i, variant] of variants.entries()) await t.test(variant.name, () => check(variant, outcomes[i]));
  });
} else {
  runWorker();
}

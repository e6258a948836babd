import { generateCase } from './generate';
import { applyRandomEdit, freezeStages } from './edit';
import type { CaseModel } from './model';
import { Random } from './random';
import { renderCase } from './render';
import { compareSnapshots, snapshot, type FileDifference } from './snapshot';
import { createPair, removePair, reproBoth, writeFiles, type WorkspacePair } from './workspaces';

export interface FidelityOptions {
  cases: number;
  /** Case i is generated from seed + i alone. */
  seed: number;
  maxStages: number;
  /** Random edits per case, each followed by a run of both tools. */
  rounds: number;
  /** Cases sharing one pair of workspaces (one `dvc repro -P` and one `nx run-many` cover them). */
  perWorkspace: number;
  /** `nx run-many --batch`: one process for many stages, much faster for many short stages. */
  batch: boolean;
  keep: boolean;
  log: (line: string) => void;
}

export interface Divergence {
  /** The case's own seed (`--cases 1 --seed <seed>` reproduces it), or the run's for a whole-workspace one. */
  seed: number;
  caseName: string;
  step: string;
  difference: FileDifference | { path: ''; kind: 'run'; detail: string };
}

export interface FidelityResult {
  divergences: Divergence[];
  cases: number;
  stageDefinitions: number;
  seconds: number;
}

export async function runFidelity(options: FidelityOptions): Promise<FidelityResult> {
  const started = Date.now();
  const divergences: Divergence[] = [];
  let stageDefinitions = 0;
  for (let first = 0; first < options.cases; first += options.perWorkspace) {
    const count = Math.min(options.perWorkspace, options.cases - first);
    const models = Array.from({ length: count }, (_, i) => generateCase(options.seed + first + i, caseName(first + i), { maxStages: options.maxStages }));
    stageDefinitions += models.reduce((sum, m) => sum + m.stages.length, 0);
    divergences.push(...(await runGroup(models, options)));
  }
  return { divergences, cases: options.cases, stageDefinitions, seconds: (Date.now() - started) / 1000 };
}

function caseName(index: number): string {
  return `c${String(index).padStart(4, '0')}`;
}

async function runGroup(models: CaseModel[], options: FidelityOptions): Promise<Divergence[]> {
  let files = Object.assign({}, ...models.map(renderCase)) as Record<string, string>;
  const pair = await createPair(files);
  const divergences: Divergence[] = [];
  try {
    const edits = new Map<string, string>();
    for (let round = 0; round <= options.rounds; round++) {
      if (round > 0) {
        for (const model of models) {
          freezeStages(model);
          edits.set(model.name, applyRandomEdit(editRandom(model.seed, round), model));
        }
        files = writeChanged(pair, files, Object.assign({}, ...models.map(renderCase)));
      }
      const step = round === 0 ? 'first run' : `after edit ${round}`;
      divergences.push(...(await runAndCompare(pair, models, step, edits, options)));
    }
  } finally {
    if (options.keep) options.log(`  kept: ${pair.dvc} (dvc) and ${pair.nx.root} (nx)`);
    else removePair(pair);
  }
  return divergences;
}

function editRandom(seed: number, round: number): Random {
  return new Random((seed * 2654435761 + round * 40503) >>> 0);
}

/** Writes only the files an edit changed, as a user's editor would. */
function writeChanged(pair: WorkspacePair, before: Record<string, string>, after: Record<string, string>): Record<string, string> {
  const changed = Object.fromEntries(Object.entries(after).filter(([path, text]) => before[path] !== text));
  writeFiles(pair.dvc, changed);
  writeFiles(pair.nx.root, changed);
  return after;
}

async function runAndCompare(pair: WorkspacePair, models: CaseModel[], step: string, edits: Map<string, string>, options: FidelityOptions): Promise<Divergence[]> {
  const result = await reproBoth(pair, options.batch);
  options.log(`  ${models[0].name}..${models[models.length - 1].name}, ${step}: dvc repro -P ${result.dvc.seconds.toFixed(1)} s, nx run-many ${result.nx.seconds.toFixed(1)} s`);
  const divergences: Divergence[] = [];
  const whole = (detail: string): Divergence => ({ seed: options.seed, caseName: '(workspace)', step, difference: { path: '', kind: 'run', detail } });
  if (result.dvc.code !== 0) divergences.push(whole(`dvc repro -P exited ${result.dvc.code}:\n${tail(result.dvc.output)}`));
  if (result.nx.code !== 0) divergences.push(whole(`nx run-many -t repro exited ${result.nx.code}:\n${tail(result.nx.output)}`));
  const bySeed = new Map(models.map((m) => [m.name, m]));
  for (const difference of compareSnapshots(snapshot(pair.dvc), snapshot(pair.nx.root))) {
    const model = bySeed.get(difference.path.split('/')[0]);
    const edit = model && edits.get(model.name);
    divergences.push({ seed: model?.seed ?? options.seed, caseName: model?.name ?? '(workspace)', step: edit ? `${step} (${edit})` : step, difference });
  }
  return divergences;
}

/** The error lines of a failed run (or its end when none says error). */
function tail(output: string): string {
  const lines = output.trimEnd().split('\n');
  const errors = lines.filter((l) => /error|failed/i.test(l));
  return (errors.length ? errors : lines).slice(-25).map((l) => `      ${l}`).join('\n');
}

/** One line per divergence with the seed that reproduces it, then the differing lines. */
export function formatDivergence(d: Divergence): string {
  const what = d.difference.kind === 'run' ? 'run failed' : d.difference.kind === 'bytes' ? 'differs' : d.difference.kind === 'only-first' ? 'only DVC wrote it' : 'only nx wrote it';
  const head = `${d.caseName} seed ${d.seed} ${d.step}: ${d.difference.path} ${what}`;
  return d.difference.detail ? `${head}\n${d.difference.detail}` : head;
}

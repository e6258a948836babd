import type { CaseModel } from './model';
import { addParamsFiles, addSubParams } from './params';
import { Random } from './random';
import { addStage, randomKind } from './stages';
import { Float, type Value } from './values';

export interface GenerateOptions {
  /** Most stage definitions in one case (a foreach or matrix counts once); at least 1. */
  maxStages: number;
}

/**
 * A valid pipeline case from its seed alone: the same seed gives the same files on every machine,
 * so a divergence is reproduced with `--cases 1 --seed <its seed>`.
 */
export function generateCase(seed: number, name: string, options: GenerateOptions): CaseModel {
  const rng = new Random(seed);
  const model: CaseModel = { seed, name, data: {}, params: {}, pipelines: {}, stages: [], artifacts: [], counter: 0 };
  addInputs(rng, model);
  addParamsFiles(rng, model);
  model.pipelines['dvc.yaml'] = { ...(rng.chance(0.5) ? { vars: varsEntries(rng, model) } : {}), stages: {} };
  if (rng.chance(0.25)) {
    model.pipelines['sub/dvc.yaml'] = { stages: {} };
    if (rng.chance(0.6)) addSubParams(rng, model, 'sub');
  }
  const pipelines = Object.keys(model.pipelines);
  // Mostly small pipelines, now and then a long one, up to maxStages.
  const count = 1 + Math.floor(options.maxStages * rng.next() ** 2);
  for (let i = 0; i < count; i++) addStage(rng, model, rng.pick(pipelines), randomKind(rng));
  return model;
}

function addInputs(rng: Random, model: CaseModel): void {
  const words = ['apple', 'kiwi', 'fig', 'plum', 'pear', 'lime'];
  model.data['data/in.txt'] = `${rng.sample(words, rng.int(1, 5)).join('\n')}\n`;
  model.data['data/raw/part-1.csv'] = `id,v\n1,${rng.int(0, 9)}\n`;
  model.data['data/raw/inner/part-2.csv'] = `id,v\n2,${rng.int(0, 9)}\n`;
  model.data['work/note.txt'] = 'the wdir stages run here\n';
  model.artifacts.push({ path: 'data/in.txt', dir: false }, { path: 'data/raw', dir: true });
  if (rng.chance(0.3)) {
    model.data['data/with space.txt'] = 'spaced\n';
    model.artifacts.push({ path: 'data/with space.txt', dir: false });
  }
}

/** `vars:` from a whole file, a file's key, and an inline dict. */
function varsEntries(rng: Random, model: CaseModel): Value[] {
  const entries: Value[] = [];
  if (model.params['vars.yaml']) entries.push('vars.yaml');
  if (model.params['conf.json'] && rng.chance(0.5)) entries.push('conf.json:j_a');
  entries.push({ i_word: rng.pick(['hello', 'x y']), i_num: rng.int(0, 9), i_float: new Float(rng.pick(['1.0', '2.5', '1e-05'])) });
  return entries;
}

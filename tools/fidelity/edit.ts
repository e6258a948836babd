import type { CaseModel, StageRecord } from './model';
import { editParam } from './params';
import type { Random } from './random';
import { addStage } from './stages';
import type { Dict, Value } from './values';

export type EditKind = 'param' | 'dep-bytes' | 'cmd' | 'new-stage' | 'remove-stage';
const EDITS: EditKind[] = ['param', 'dep-bytes', 'cmd', 'new-stage', 'remove-stage'];

/** Applies one random edit to the case, as a user would between two runs; returns what it did. */
export function applyRandomEdit(rng: Random, model: CaseModel): string {
  const kind = rng.pick(EDITS);
  return EDIT[kind](rng, model) ?? EDIT['dep-bytes'](rng, model)!;
}

const EDIT: Record<EditKind, (rng: Random, model: CaseModel) => string | undefined> = {
  param: (rng, model) => {
    const files = Object.entries(model.params).filter(([, f]) => f.editable.length > 0);
    if (files.length === 0) return undefined;
    const [path, file] = rng.pick(files);
    return `param ${path}:${editParam(rng, file)}`;
  },
  'dep-bytes': (rng, model) => {
    const path = rng.pick(Object.keys(model.data));
    const upper = model.data[path].toUpperCase();
    model.data[path] = rng.chance(0.5) || upper === model.data[path] ? `${model.data[path]}one more line\n` : upper;
    return `dep bytes ${path}`;
  },
  cmd: (rng, model) => {
    const salted = model.stages.filter((s) => s.salt && JSON.stringify(stageDefinition(model, s)).includes(s.salt));
    if (salted.length === 0) return undefined;
    const stage = rng.pick(salted);
    const definition = stageDefinition(model, stage);
    stages(model, stage.pipeline)[stage.key] = replaceDeep(definition, stage.salt!, `${stage.salt}-edited`) as Dict;
    return `cmd of ${stage.pipeline}:${stage.key}`;
  },
  'new-stage': (rng, model) => {
    const pipeline = rng.pick(Object.keys(model.pipelines));
    addStage(rng, model, pipeline, rng.pick(['plain', 'dir', 'params'] as const));
    return `new stage ${pipeline}:${model.stages[model.stages.length - 1].key}`;
  },
  'remove-stage': (rng, model) => {
    const leaves = model.stages.filter((s) => !model.stages.some((o) => o.consumes.some((c) => s.produces.includes(c))));
    if (leaves.length === 0) return undefined;
    const stage = rng.pick(leaves);
    delete stages(model, stage.pipeline)[stage.key];
    model.stages = model.stages.filter((s) => s !== stage);
    model.artifacts = model.artifacts.filter((a) => !stage.produces.includes(a.path));
    return `removed stage ${stage.pipeline}:${stage.key}`;
  },
};

/** `dvc freeze` of the stages generated to be frozen, once they have run. */
export function freezeStages(model: CaseModel): void {
  for (const stage of model.stages.filter((s) => s.freezeAfterFirstRun)) {
    stageDefinition(model, stage).frozen = true;
    stage.freezeAfterFirstRun = false;
  }
}

function stages(model: CaseModel, pipeline: string): Dict {
  return model.pipelines[pipeline].stages as Dict;
}

function stageDefinition(model: CaseModel, stage: StageRecord): Dict {
  return stages(model, stage.pipeline)[stage.key] as Dict;
}

function replaceDeep(value: Value, from: string, to: string): Value {
  if (typeof value === 'string') return value.split(from).join(to);
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, from, to));
  if (value && typeof value === 'object' && !('text' in value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v, from, to)]));
  }
  return value;
}

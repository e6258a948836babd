import type { CaseModel, ParamsFile } from './model';
import type { Random } from './random';
import { Float, isDict, type Dict, type Scalar, type Value } from './values';

/**
 * Params and vars files of a case, one per format DVC reads: params.yaml (also the default vars),
 * conf.json, conf.toml, params.py, and vars.yaml for `vars:`. Key prefixes keep every file's keys
 * apart, because DVC refuses a key defined by two vars sources.
 */
export function addParamsFiles(rng: Random, model: CaseModel): void {
  model.params['params.yaml'] = withEditable(yamlParams(rng, 'p_'), 'yaml', ['p_names']);
  if (rng.chance(0.5)) model.params['conf.json'] = withEditable({ j_a: scalar(rng), j_obj: { k: scalar(rng), deep: { z: scalar(rng) } } }, 'json');
  if (rng.chance(0.4)) model.params['conf.toml'] = withEditable(tomlParams(rng), 'toml');
  if (rng.chance(0.35)) model.params['params.py'] = withEditable(pyParams(rng), 'py');
  if (rng.chance(0.4)) model.params['vars.yaml'] = withEditable({ v_name: rng.pick(['alpha', 'beta']), v_num: rng.int(0, 99), v_f: new Float('0.5') }, 'yaml');
}

export function addSubParams(rng: Random, model: CaseModel, folder: string): void {
  model.params[`${folder}/params.yaml`] = withEditable(yamlParams(rng, 'p_'), 'yaml', ['p_names']);
}

function yamlParams(rng: Random, prefix: string): Dict {
  const data: Dict = {
    [`${prefix}a`]: scalar(rng),
    [`${prefix}b`]: scalar(rng),
    [`${prefix}train`]: { lr: new Float(rng.pick(['0.01', '1e-05', '2.0', '0.1'])), epochs: rng.int(1, 20), layers: [rng.int(1, 9), rng.int(1, 9)] },
    [`${prefix}names`]: rng.sample(['red', 'green', 'blue', 'cyan'], rng.int(1, 3)),
  };
  if (rng.chance(0.3)) data[`${prefix}nothing`] = null;
  if (rng.chance(0.3)) data[`${prefix}flag`] = rng.chance(0.5);
  return data;
}

function tomlParams(rng: Random): Dict {
  return { t_x: rng.int(0, 100), t_sec: { k: new Float('1.5'), s: rng.pick(['a', 'b c']), arr: [1, 2, 3] } };
}

function pyParams(rng: Random): Dict {
  return { PY_A: rng.int(0, 9), PY_S: rng.pick(['x', 'y']), Cfg: { lr: new Float('0.001'), size: rng.int(1, 64) } };
}

/** A scalar of a varied type: what the lock's emitter and the cmd interpolation must both get right. */
function scalar(rng: Random): Scalar {
  return rng.pick<() => Scalar>([
    () => rng.int(-5, 1000),
    () => new Float(rng.pick(['0.5', '3.0', '1e-06', '12.25'])),
    () => rng.pick(['plain', 'two words', 'yes', 'on', '007', 'a: b', 'true']),
    () => rng.chance(0.5),
  ])();
}

function withEditable(data: Dict, format: ParamsFile['format'], structural: string[] = []): ParamsFile {
  return { format, data, editable: leafPaths(data).filter((path) => !structural.includes(path[0])) };
}

function leafPaths(value: Value, prefix: string[] = []): string[][] {
  if (isDict(value)) return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
  return prefix.length ? [prefix] : [];
}

/** Top-level scalar keys of a file, as `${name}` can interpolate them (null left out). */
export function scalarKeys(file: ParamsFile | undefined): string[] {
  if (!file) return [];
  const keys: string[] = [];
  for (const [key, value] of Object.entries(file.data)) {
    if (value !== null && !isDict(value) && !Array.isArray(value)) keys.push(key);
    if (isDict(value)) for (const [k, v] of Object.entries(value)) if (v !== null && !isDict(v) && !Array.isArray(v)) keys.push(`${key}.${k}`);
  }
  return keys;
}

/** Keys a stage's `params:` may list from this file: top-level keys, sections and `section.key`. */
export function trackableKeys(file: ParamsFile): string[] {
  return Object.entries(file.data).flatMap(([key, value]) => (isDict(value) ? [key, ...Object.keys(value).map((k) => `${key}.${k}`)] : [key]));
}

/** Changes one editable value in place, keeping its type; returns the key path changed. */
export function editParam(rng: Random, file: ParamsFile): string {
  const path = rng.pick(file.editable);
  let parent = file.data;
  for (const key of path.slice(0, -1)) parent = parent[key] as Dict;
  const leaf = path[path.length - 1];
  parent[leaf] = changed(parent[leaf]);
  return path.join('.');
}

function changed(value: Value): Value {
  if (value instanceof Float) return new Float(value.text === '0.25' ? '0.75' : '0.25');
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'string') return `${value}x`;
  if (Array.isArray(value)) return [...value, 7];
  return 'now set';
}

import { YAMLValidationError } from '../errors';
import { isPlainObject } from '../formats/python/value';
import type { LoadedYaml } from '../formats/yaml/load';

/**
 * DVC validates the raw (un-interpolated) YAML with voluptuous before anything else.
 * This is the same schema with the same messages (`extra keys not allowed`,
 * `required key not provided`, `expected str`), reported with the key path and line.
 */
type Path = (string | number)[];
interface Issue {
  message: string;
  path: Path;
}
type Validator = (value: unknown, path: Path, issues: Issue[]) => void;

const ANY: Validator = () => undefined;

function type(name: string, test: (v: unknown) => boolean): Validator {
  return (value, path, issues) => {
    if (!test(value)) issues.push({ message: `expected ${name}`, path });
  };
}

const str = type('str', (v) => typeof v === 'string');
const bool = type('bool', (v) => typeof v === 'boolean');
const dictType = type('dict', isPlainObject);
const listType = type('list', Array.isArray);
const none: Validator = (value, path, issues) => {
  if (value !== null) issues.push({ message: 'expected None', path });
};

/** voluptuous `Any`: the first validator that passes; else the error that reached deepest. */
function anyOf(...validators: Validator[]): Validator {
  return (value, path, issues) => {
    let best: Issue[] | undefined;
    for (const validator of validators) {
      const attempt: Issue[] = [];
      validator(value, path, attempt);
      if (attempt.length === 0) return;
      if (!best || attempt[0].path.length > best[0].path.length) best = attempt;
    }
    issues.push(...best!);
  };
}

function listOf(item: Validator): Validator {
  return (value, path, issues) => {
    if (!Array.isArray(value)) {
      issues.push({ message: 'expected a list', path });
      return;
    }
    value.forEach((entry, i) => item(entry, [...path, i], issues));
  };
}

interface KeySpec {
  validator: Validator;
  required?: boolean;
}

/** A map with known keys; unknown keys are refused unless `extra` validates them. */
function dict(keys: Record<string, KeySpec | Validator>, extra?: Validator): Validator {
  const specs = Object.entries(keys).map(([k, s]) => [k, typeof s === 'function' ? { validator: s } : s] as const);
  const byName = new Map(specs);
  return (value, path, issues) => {
    if (!isPlainObject(value)) {
      issues.push({ message: 'expected a dictionary', path });
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      const spec = byName.get(key);
      if (spec) spec.validator(child, [...path, key], issues);
      else if (extra) extra(child, [...path, key], issues);
      else issues.push({ message: 'extra keys not allowed', path: [...path, key] });
    }
    for (const [key, spec] of specs) {
      if (spec.required && !(key in value)) issues.push({ message: 'required key not provided', path: [...path, key] });
    }
  };
}

/** `{str: validator}`: any key, every value checked. */
function mapOf(valueValidator: Validator): Validator {
  return dict({}, valueValidator);
}

const ANNOTATION = { desc: str, type: str, labels: listOf(str), meta: ANY };
const OUT_FLAGS = { ...ANNOTATION, cache: bool, persist: bool, checkpoint: bool, remote: str, push: bool };
const PLOT_PROPS = { template: str, x: str, y: str, x_label: str, y_label: str, title: str, header: bool };
const OUT_DETAILED = mapOf(dict(OUT_FLAGS));
const PLOT_DETAILED = mapOf(anyOf(dict({ ...OUT_FLAGS, ...PLOT_PROPS }), listOf(dict({ ...OUT_FLAGS, ...PLOT_PROPS }))));
const VARS = listOf(anyOf(str, dictType));

const STAGE_DEFINITION = dict({
  matrix: mapOf(anyOf(str, listType)),
  cmd: { validator: anyOf(str, listType), required: true },
  wdir: str,
  deps: listOf(str),
  params: listOf(anyOf(str, dictType)),
  vars: VARS,
  frozen: bool,
  meta: ANY,
  desc: str,
  always_changed: bool,
  outs: listOf(anyOf(str, OUT_DETAILED)),
  metrics: listOf(anyOf(str, OUT_DETAILED)),
  plots: listOf(anyOf(str, PLOT_DETAILED)),
});

const FOREACH_IN = dict({
  foreach: { validator: anyOf(dictType, listType, str), required: true },
  do: { validator: STAGE_DEFINITION, required: true },
});

const PIPELINE_STAGE: Validator = (value, path, issues) => {
  const isForeach = isPlainObject(value) && ('foreach' in value || 'do' in value);
  (isForeach ? FOREACH_IN : STAGE_DEFINITION)(value, path, issues);
};

const PLOT_DEFINITION = dict({
  x: anyOf(str, mapOf(str)),
  y: anyOf(str, listOf(str), mapOf(anyOf(str, listOf(str)))),
  x_label: str,
  y_label: str,
  title: str,
  template: str,
});

const ARTIFACT = dict({ path: { validator: str, required: true }, desc: str, type: str, labels: listOf(str), meta: ANY });

export const PIPELINE_FILE_SCHEMA = dict({
  datasets: ANY,
  plots: listOf(anyOf(str, mapOf(anyOf(PLOT_DEFINITION, none)))),
  stages: mapOf(PIPELINE_STAGE),
  vars: VARS,
  params: listOf(str),
  metrics: listOf(str),
  artifacts: mapOf(ARTIFACT),
});

const LOCK_ENTRY = dict(
  {
    path: { validator: str, required: true },
    hash: str,
    md5: str,
    etag: str,
    checksum: str,
    size: ANY,
    nfiles: ANY,
    isexec: ANY,
    files: ANY,
    cloud: ANY,
    dataset: ANY,
  },
);

export const LOCK_FILE_SCHEMA = dict({
  schema: {
    required: true,
    validator: (value, path, issues) => {
      if (value !== '2.0') issues.push({ message: 'invalid schema version', path });
    },
  },
  datasets: ANY,
  stages: mapOf(
    dict({
      cmd: { validator: anyOf(str, listType), required: true },
      deps: listOf(LOCK_ENTRY),
      params: mapOf(mapOf(ANY)),
      outs: listOf(LOCK_ENTRY),
    }),
  ),
});

const OUTPUT_ENTRY = dict(
  { path: { validator: str, required: true }, ...OUT_FLAGS, ...PLOT_PROPS, metric: ANY, plot: ANY },
  ANY,
);

/** `.dvc` files (single-stage): `dvc add` and `dvc import` write these. */
export const SINGLE_STAGE_SCHEMA = dict({
  md5: str,
  cmd: anyOf(str, listType),
  wdir: anyOf(str, none),
  deps: anyOf(listOf(dict({ path: { validator: str, required: true } }, ANY)), none),
  outs: anyOf(listOf(OUTPUT_ENTRY), none),
  locked: bool,
  frozen: bool,
  meta: ANY,
  always_changed: bool,
  desc: str,
});

/** `'./dvc.yaml' validation failed[: N errors]`, with DVC's per-error detail lines. */
export function validate(loaded: LoadedYaml, schema: Validator, relpath: string): void {
  const issues: Issue[] = [];
  schema(loaded.data, [], issues);
  if (issues.length === 0) return;
  const shown = relpath.startsWith('../') ? relpath : `./${relpath}`;
  const headline = `'${shown}' validation failed${issues.length > 1 ? `: ${issues.length} errors` : ''}`;
  throw new YAMLValidationError(headline, issues.map((issue) => describeIssue(issue, loaded)), relpath);
}

function describeIssue(issue: Issue, loaded: LoadedYaml): string {
  const parts = [issue.message];
  if (issue.path.length) parts.push(`in ${issue.path.join(' -> ')}`);
  const position = positionOfCollection(loaded, issue.path);
  if (position) parts.push(`line ${position.line}`, `column ${position.column}`);
  return parts.join(', ');
}

/** Like DVC's `determine_linecol`: the nearest enclosing collection, at most 4 steps up. */
function positionOfCollection(loaded: LoadedYaml, path: Path) {
  for (let end = path.length, step = 1; end > 0 && step < 5; end--, step++) {
    const sub = path.slice(0, end);
    const value = valueAt(loaded.data, sub);
    if (Array.isArray(value) || isPlainObject(value)) return loaded.positionOf(sub);
  }
  return undefined;
}

function valueAt(data: unknown, path: Path): unknown {
  let node = data;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === 'number') node = node[key];
    else if (isPlainObject(node)) node = node[String(key)];
    else return undefined;
  }
  return node;
}

import { DvcError } from '../errors';
import { normPath } from '../paths';

/** The options of `dvc stage add`, as given on the command line (paths relative to the wdir). */
export interface StageAddRequest {
  name: string;
  cmd: string;
  deps?: string[];
  /** `[<file>:]<key>,<key>`; `<file>:` alone tracks the whole file. */
  params?: string[];
  outs?: string[];
  outsNoCache?: string[];
  outsPersist?: string[];
  outsPersistNoCache?: string[];
  metrics?: string[];
  metricsNoCache?: string[];
  plots?: string[];
  plotsNoCache?: string[];
  /** Relative to the dvc.yaml's folder. */
  wdir?: string;
  alwaysChanged?: boolean;
  desc?: string;
}

const DEFAULT_PARAMS_FILE = 'params.yaml';
// Python's string.punctuation without `_` and `-`
const INVALID_NAME_CHARS = /[!"#$%&'()*+,./:;<=>?@[\\\]^`{|}~]/;

export class InvalidStageNameError extends DvcError {
  constructor() {
    super('Stage name cannot contain punctuation characters.');
  }
}

/** DVC's `validate_kwargs` and name check for `dvc stage add`. */
export function checkRequest(request: StageAddRequest): void {
  if (!request.cmd?.trim()) throw new DvcError('command is not specified');
  if (!request.name) throw new DvcError('`-n|--name` is required');
  if (INVALID_NAME_CHARS.test(request.name)) throw new InvalidStageNameError();
}

/** DVC's `to_pipeline_file`: the dvc.yaml entry, keys in DVC's order, empty ones left out. */
export function stageDefinition(request: StageAddRequest): Record<string, unknown> {
  const wdir = request.wdir === undefined ? undefined : normPath(request.wdir);
  const { outs, metrics, plots } = serializedOutputs(request);
  const entries: Array<[string, unknown]> = [
    ['desc', request.desc],
    ['cmd', request.cmd],
    ['wdir', wdir === '.' ? undefined : wdir],
    ['deps', [...new Set(request.deps ?? [])].sort()],
    ['params', serializedParams(request.params ?? [])],
    ['outs', outs],
    ['metrics', metrics],
    ['plots', plots],
    ['always_changed', request.alwaysChanged === true],
  ];
  return Object.fromEntries(entries.filter(([, value]) => (Array.isArray(value) ? value.length > 0 : Boolean(value))));
}

/** DVC's `parse_params` then `_serialize_params_keys`: params.yaml keys first, then other files sorted. */
function serializedParams(cli: string[]): unknown[] {
  const byFile = new Map<string, string[]>();
  for (const spec of cli) {
    const colon = spec.lastIndexOf(':');
    const file = (colon >= 0 ? spec.slice(0, colon) : '') || DEFAULT_PARAMS_FILE;
    const keys = (colon >= 0 ? spec.slice(colon + 1) : spec).split(',').filter(Boolean);
    byFile.set(file, [...(byFile.get(file) ?? []), ...keys]);
  }
  let result: unknown[] = [];
  for (const file of [...byFile.keys()].sort()) {
    const keys = [...byFile.get(file)!].sort();
    if (keys.length && file === DEFAULT_PARAMS_FILE) result = [...keys, ...result];
    else result.push({ [file]: keys.length ? keys : null });
  }
  return result;
}

interface RequestedOutput {
  path: string;
  kind: 'outs' | 'metrics' | 'plots';
  cache: boolean;
  persist: boolean;
}

function requestedOutputs(request: StageAddRequest): RequestedOutput[] {
  const of = (paths: string[] | undefined, kind: RequestedOutput['kind'], cache: boolean, persist = false) =>
    (paths ?? []).map((path) => ({ path, kind, cache, persist }));
  return [
    ...of(request.outs, 'outs', true),
    ...of(request.outsNoCache, 'outs', false),
    ...of(request.outsPersist, 'outs', true, true),
    ...of(request.outsPersistNoCache, 'outs', false, true),
    ...of(request.metrics, 'metrics', true),
    ...of(request.metricsNoCache, 'metrics', false),
    ...of(request.plots, 'plots', true),
    ...of(request.plotsNoCache, 'plots', false),
  ];
}

/** DVC's `_serialize_outs`: sorted by path, then split into outs, metrics and plots, flags only when set. */
function serializedOutputs(request: StageAddRequest): Record<RequestedOutput['kind'], unknown[]> {
  const buckets: Record<RequestedOutput['kind'], unknown[]> = { outs: [], metrics: [], plots: [] };
  const sorted = requestedOutputs(request).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const out of sorted) {
    const flags: Record<string, boolean> = {};
    if (!out.cache) flags.cache = false;
    if (out.persist) flags.persist = true;
    buckets[out.kind].push(Object.keys(flags).length ? { [out.path]: flags } : out.path);
  }
  return buckets;
}

/** Paths of the request's outputs that DVC keeps in its cache (and so lists in `.gitignore`). */
export function cachedOutputPaths(request: StageAddRequest): string[] {
  return requestedOutputs(request)
    .filter((out) => out.cache)
    .map((out) => out.path);
}

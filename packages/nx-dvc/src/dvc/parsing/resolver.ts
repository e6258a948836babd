import { Context, ContextError, MergeError, ReservedKeyError, VarsAlreadyLoaded } from './context';
import { ResolveError } from '../errors';
import {
  checkExpressions,
  findMatches,
  forEachString,
  InterpolationSyntaxError,
  InterpolationValueError,
  isExactMatch,
  isInterpolated,
  parseExpression,
  toStr,
  validateValue,
  type ParsingConfig,
} from './interpolate';
import { isPlainObject, pyStr, pyTypeName } from '../formats/python/value';
import { joinPath, normPath } from '../paths';
import { readParamsFile, pathKind, type PathKind } from '../params/files';

/** What the resolver needs from the file system; paths are repo-relative POSIX. */
export interface ResolverHost {
  kind(relpath: string): PathKind;
  readParams(relpath: string): unknown;
}

export function diskHost(root: string): ResolverHost {
  return {
    kind: (relpath) => pathKind(`${root}/${relpath}`),
    readParams: (relpath) => readParamsFile(`${root}/${relpath}`, relpath),
  };
}

const DEFAULT_PARAMS_FILE = 'params.yaml';

/** Names the place an error came from: `failed to parse 'stages.x.cmd' in 'dvc.yaml':`. */
function failedToParse(error: unknown, where: string, relpath: string): never {
  if (!(error instanceof Error) || error instanceof ResolveError) throw error;
  const newline =
    error instanceof InterpolationSyntaxError ||
    error instanceof InterpolationValueError ||
    error instanceof MergeError ||
    error instanceof VarsAlreadyLoaded;
  throw new ResolveError(`failed to parse ${where} in '${relpath}':${newline ? '\n' : ' '}${error.message}`, relpath);
}

function isMapOrSeq(value: unknown): boolean {
  return Array.isArray(value) || isPlainObject(value);
}

/** A scalar that came out of the context is named with Python's `str` (`True`), a literal with `to_str` (`true`). */
class FromContext {
  constructor(readonly value: unknown) {}
}

function unbox(value: unknown): unknown {
  return value instanceof FromContext ? value.value : value;
}

function keyText(value: unknown): string {
  return value instanceof FromContext ? pyStr(value.value) : toStr(value);
}

/**
 * Expands one dvc.yaml's `stages` into resolved stage definitions, as DVC's DataResolver does:
 * global context from `params.yaml` and `vars`, then entry, foreach and matrix definitions.
 */
export class DataResolver {
  readonly relpath: string;
  readonly context = new Context();
  private readonly definitions = new Map<string, Definition>();

  constructor(
    readonly host: ResolverHost,
    readonly wdir: string,
    data: Record<string, unknown>,
    readonly config: ParsingConfig = {},
  ) {
    this.relpath = normPath(joinPath(wdir, 'dvc.yaml'));
    const vars = (data.vars ?? []) as unknown[];
    checkNoInterpolation(vars, 'vars', this.relpath);
    try {
      loadVars(this.context, host, vars, wdir, '', DEFAULT_PARAMS_FILE);
    } catch (error) {
      if (!(error instanceof ContextError)) throw error;
      failedToParse(error, "'vars'", this.relpath);
    }
    const stages = (data.stages ?? {}) as Record<string, Record<string, unknown>>;
    for (const [name, definition] of Object.entries(stages)) {
      this.definitions.set(name, makeDefinition(this, name, definition));
    }
  }

  /** Stage names in DVC's order, generated ones (`name@key`) included. */
  stageNames(): string[] {
    return [...this.definitions.values()].flatMap((d) => d.generatedNames());
  }

  /** Resolves one stage by its (possibly generated) name. */
  resolveOne(name: string): Record<string, unknown> {
    // As DVC, split at the last '@' first: a hand-written `a@b` is key `b` of a group `a`, so it cannot load.
    const at = name.lastIndexOf('@');
    const definition = this.definitions.get(at < 0 ? name : name.slice(0, at));
    if (at < 0 && definition instanceof EntryDefinition) return definition.resolve();
    if (at < 0 || !definition || definition instanceof EntryDefinition) {
      throw new ResolveError(`Stage '${name}' not found inside '${this.relpath}' file`, this.relpath);
    }
    return definition.resolveOne(name.slice(at + 1));
  }

  /** The group a generated stage came from, for `dvc repro <group>`. */
  groupOf(name: string): string | undefined {
    if (this.definitions.get(name) instanceof EntryDefinition) return undefined;
    const at = name.lastIndexOf('@');
    return at > 0 ? name.slice(0, at) : undefined;
  }
}

function checkNoInterpolation(data: unknown, where: string, relpath: string): void {
  forEachString(data, (s) => {
    if (isInterpolated(s)) throw new ResolveError(`failed to parse '${where}' in '${relpath}': interpolating is not allowed`, relpath);
  });
}

function loadVars(
  context: Context,
  host: ResolverHost,
  vars: unknown[],
  wdir: string,
  stageName: string,
  defaultFile?: string,
): void {
  if (defaultFile && host.kind(normPath(joinPath(wdir, defaultFile))) !== 'missing') {
    mergeFromFile(context, host, defaultFile, wdir);
  }
  vars.forEach((item, index) => {
    if (typeof item === 'string') mergeFromFile(context, host, item, wdir);
    else context.mergeUpdate(item as Record<string, unknown>, `${stageName}${stageName ? '.' : ''}vars[${index}]`);
  });
}

function mergeFromFile(context: Context, host: ResolverHost, item: string, wdir: string): void {
  const colon = item.indexOf(':');
  const file = colon < 0 ? item : item.slice(0, colon);
  const keys = colon < 0 ? [] : item.slice(colon + 1).split(',').filter(Boolean);
  const path = normPath(joinPath(wdir, file));
  const selectKeys = keys.length ? keys : null;
  if (context.imports.has(path)) {
    const imported = context.imports.get(path)!;
    if (!selectKeys && imported === null) return;
    checkLoaded(imported, item, selectKeys);
  }
  const data = loadVarsFile(host, path, selectKeys);
  try {
    context.mergeUpdate(data, path);
  } catch (error) {
    if (error instanceof ReservedKeyError) throw new ReservedKeyError(`${error.message} in '${item}'`);
    throw error;
  }
  const previous = context.imports.get(path);
  if (previous === undefined) context.imports.set(path, selectKeys ? [...selectKeys] : null);
  else if (selectKeys && previous) previous.push(...selectKeys);
}

function checkLoaded(imported: string[] | null, item: string, keys: string[] | null): void {
  if (!keys && Array.isArray(imported)) throw new VarsAlreadyLoaded(`cannot load '${item}' as it's partially loaded already`);
  if (keys && imported === null) throw new VarsAlreadyLoaded(`cannot partially load '${item}' as it's already loaded.`);
  if (keys && Array.isArray(imported) && keys.some((k) => imported.includes(k))) {
    throw new VarsAlreadyLoaded(`cannot load '${item}' as it's partially loaded already`);
  }
}

function loadVarsFile(host: ResolverHost, path: string, selectKeys: string[] | null): Record<string, unknown> {
  const kind = host.kind(path);
  if (kind === 'missing') throw new ContextError(`'${path}' does not exist`);
  if (kind === 'dir') throw new ContextError(`'${path}' is a directory`);
  const data = host.readParams(path);
  if (!isPlainObject(data)) throw new ContextError(`expected a dictionary, got '${pyTypeName(data)}' in file '${path}'`);
  if (!selectKeys) return data;
  const selected: Record<string, unknown> = {};
  for (const key of selectKeys) {
    if (!(key in data)) throw new ContextError(`could not find '${key}' in '${path}'`);
    selected[key] = data[key];
  }
  return selected;
}

/** Resolves every string in `data` (map keys too); a whole-string `${x}` keeps x's type. */
function resolveData(context: Context, data: unknown, key: string | undefined, config: ParsingConfig, box = false): unknown {
  if (typeof data === 'string') return resolveString(context, data, key, config, box);
  if (Array.isArray(data)) return data.map((item) => resolveData(context, item, key, config, box));
  if (isPlainObject(data)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(data)) {
      out[String(unbox(resolveString(context, k, key, config, false)))] = resolveData(context, v, key, config, box);
    }
    return out;
  }
  return data;
}

function resolveString(context: Context, template: string, key: string | undefined, config: ParsingConfig, box: boolean): unknown {
  const matches = findMatches(template);
  if (isExactMatch(template, matches)) {
    const value = context.select(parseExpression(matches[0].inner));
    validateValue(value, key);
    return box && !isMapOrSeq(value) ? new FromContext(value) : value;
  }
  let out = '';
  let index = 0;
  for (const match of matches) {
    const value = context.select(parseExpression(match.inner));
    validateValue(value, key);
    out += template.slice(index, match.start) + toStr(value, config);
    index = match.end;
  }
  return (out + template.slice(index)).replace(/\\\$\{/g, '${');
}

function checkSyntax(definition: Record<string, unknown>, name: string, relpath: string): void {
  for (const [key, value] of Object.entries(definition)) {
    try {
      forEachString(value, checkExpressions);
    } catch (error) {
      failedToParse(error, `'stages.${name}.${key}'`, relpath);
    }
  }
}

type Definition = EntryDefinition | ForeachDefinition | MatrixDefinition;

function makeDefinition(resolver: DataResolver, name: string, definition: Record<string, unknown>): Definition {
  if ('matrix' in definition) return new MatrixDefinition(resolver, name, definition);
  if ('foreach' in definition) return new ForeachDefinition(resolver, name, definition);
  return new EntryDefinition(resolver, resolver.context, name, definition);
}

class EntryDefinition {
  constructor(
    private readonly resolver: DataResolver,
    private readonly context: Context,
    readonly name: string,
    private readonly definition: Record<string, unknown>,
  ) {}

  generatedNames(): string[] {
    return [this.name];
  }

  resolve(skipChecks = false): Record<string, unknown> {
    try {
      return this.resolveStage(skipChecks);
    } catch (error) {
      if (!(error instanceof ContextError)) throw error;
      return failedToParse(error, `stage '${this.name}'`, this.resolver.relpath);
    }
  }

  private resolveStage(skipChecks: boolean): Record<string, unknown> {
    const { resolver, name } = this;
    const relpath = resolver.relpath;
    if (!skipChecks) checkSyntax(this.definition, name, relpath);
    const { vars = [], ...definition } = this.definition;
    const wdir = this.resolveWdir(definition.wdir);
    checkNoInterpolation(vars, `stages.${name}.vars`, relpath);
    let context = this.context;
    if ((vars as unknown[]).length) context = context.clone();
    try {
      loadVars(context, resolver.host, vars as unknown[], wdir, name);
    } catch (error) {
      if (error instanceof VarsAlreadyLoaded) failedToParse(error, `'stages.${name}.vars'`, relpath);
      throw error;
    }
    const resolved: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(definition)) {
      try {
        resolved[key] = resolveData(context, value, key, resolver.config);
      } catch (error) {
        if (error instanceof ContextError && !isKeyError(error)) throw error;
        failedToParse(error, `'stages.${name}.${key}'`, relpath);
      }
    }
    return resolved;
  }

  private resolveWdir(wdir: unknown): string {
    if (!wdir) return this.resolver.wdir;
    try {
      return joinPath(this.resolver.wdir, toStr(resolveData(this.context, wdir, undefined, this.resolver.config)));
    } catch (error) {
      return failedToParse(error, `'stages.${this.name}.wdir'`, this.resolver.relpath);
    }
  }
}

function isKeyError(error: ContextError): boolean {
  return error.message.startsWith('Could not find');
}

/** Common shape of foreach and matrix groups: a key -> item table, one stage per key. */
abstract class GroupDefinition {
  private table?: Map<string, unknown>;

  constructor(
    protected readonly resolver: DataResolver,
    readonly name: string,
    protected readonly template: Record<string, unknown>,
    private readonly groupKind: 'foreach' | 'matrix',
  ) {}

  protected abstract buildTable(): Map<string, unknown>;
  protected abstract temporaryValues(key: string, item: unknown): Record<string, unknown>;

  private items(): Map<string, unknown> {
    if (!this.table) this.table = this.buildTable();
    return this.table;
  }

  generatedNames(): string[] {
    return [...this.items().keys()].map((key) => `${this.name}@${key}`);
  }

  protected resolveGroupData(data: unknown): unknown {
    try {
      return resolveData(this.resolver.context, data, undefined, this.resolver.config, true);
    } catch (error) {
      return failedToParse(error, `'stages.${this.name}.${this.groupKind}'`, this.resolver.relpath);
    }
  }

  resolveOne(key: string): Record<string, unknown> {
    const items = this.items();
    if (!items.has(key)) {
      throw new ResolveError(`Could not find '${key}' in ${this.groupKind} group '${this.name}'`, this.resolver.relpath);
    }
    if (!this.checked) {
      checkSyntax(this.template, this.name, this.resolver.relpath);
      this.checked = true;
    }
    const generated = `${this.name}@${key}`;
    const context = this.resolver.context;
    return context.withTemporary(this.temporaryValues(key, items.get(key)), () => {
      const entry = new EntryDefinition(this.resolver, context, generated, this.template);
      try {
        return entry.resolve(true);
      } catch (error) {
        if (!(error instanceof ContextError)) throw error;
        return failedToParse(error, `stage '${generated}'`, this.resolver.relpath);
      }
    });
  }

  private checked = false;
}

class ForeachDefinition extends GroupDefinition {
  private isMap = false;

  constructor(resolver: DataResolver, name: string, definition: Record<string, unknown>) {
    super(resolver, name, definition.do as Record<string, unknown>, 'foreach');
    this.foreachData = definition.foreach;
  }

  private readonly foreachData: unknown;

  protected buildTable(): Map<string, unknown> {
    const iterable = this.resolveGroupData(this.foreachData);
    const plain = unbox(iterable);
    if (!isMapOrSeq(plain)) {
      throw new ResolveError(
        `failed to resolve 'stages.${this.name}.foreach' in '${this.resolver.relpath}': expected list/dictionary, got ${pyTypeName(plain)}`,
        this.resolver.relpath,
      );
    }
    const table = new Map<string, unknown>();
    if (isPlainObject(plain)) {
      this.isMap = true;
      for (const [key, value] of Object.entries(plain)) table.set(key, unbox(value));
    } else {
      const list = plain as unknown[];
      const composite = list.some((item) => isMapOrSeq(unbox(item)));
      const fromContext = iterable instanceof FromContext || isInterpolated(this.foreachData);
      list.forEach((item, index) => {
        if (composite) table.set(String(index), unbox(item));
        else table.set(fromContext ? pyStr(unbox(item)) : keyText(item), unbox(item));
      });
    }
    return table;
  }

  protected temporaryValues(key: string, item: unknown): Record<string, unknown> {
    return this.isMap ? { item, key } : { item };
  }
}

class MatrixDefinition extends GroupDefinition {
  private readonly matrixData: unknown;

  constructor(resolver: DataResolver, name: string, definition: Record<string, unknown>) {
    const { matrix, ...template } = definition;
    super(resolver, name, template, 'matrix');
    this.matrixData = matrix;
  }

  protected buildTable(): Map<string, unknown> {
    const raw = this.matrixData as Record<string, unknown>;
    const resolved = this.resolveGroupData(raw) as Record<string, unknown>;
    const axes = Object.entries(resolved).map(([axis, values]) => {
      const fromContext = isInterpolated(raw[axis]);
      // Python's `enumerate`: a map from the context gives its keys, a string its characters.
      const items = Array.isArray(values) ? values : isPlainObject(values) ? Object.keys(values) : typeof values === 'string' ? Array.from(values) : [values];
      const list = items.map((value, index) => ({
        value: unbox(value),
        fragment: isMapOrSeq(unbox(value)) ? `${axis}${index}` : fromContext ? pyStr(unbox(value)) : keyText(value),
      }));
      return { axis, list };
    });
    const table = new Map<string, unknown>();
    const walk = (depth: number, fragments: string[], item: Record<string, unknown>): void => {
      if (depth === axes.length) {
        table.set(fragments.join('-'), { ...item });
        return;
      }
      const { axis, list } = axes[depth];
      for (const { value, fragment } of list) walk(depth + 1, [...fragments, fragment], { ...item, [axis]: value });
    };
    walk(0, [], {});
    return table;
  }

  protected temporaryValues(key: string, item: unknown): Record<string, unknown> {
    return { key, item };
  }
}


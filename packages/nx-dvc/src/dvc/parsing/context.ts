import { isPlainObject, PyDate, pyTypeName } from '../formats/python/value';

/** Errors while building or reading the templating context (DVC's `ContextError` family). */
export class ContextError extends Error {}
export class KeyNotInContext extends ContextError {}
export class MergeError extends ContextError {}
export class VarsAlreadyLoaded extends ContextError {}
export class ReservedKeyError extends ContextError {}

/**
 * The variables `${}` can read: nested maps and lists, each key remembering which file or
 * `vars` entry defined it, so a redefinition names both sources as DVC does.
 * Merging is recursive and never overwrites.
 */
export class Context {
  readonly data: Record<string, unknown> = {};
  /** params file path -> selected keys (null: loaded whole). */
  readonly imports = new Map<string, string[] | null>();
  private readonly sources = new WeakMap<object, Map<string, string>>();
  private readonly reserved = new Set<string>();

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.data, key);
  }

  /** Looks up a dotted key (`a.0.b`); list segments go through `int()` like Python. */
  select(dotted: string): unknown {
    let node: unknown = this.data;
    for (const raw of dotted.split('.')) {
      const segment = raw.trim();
      if (Array.isArray(node)) {
        const index = pyInt(segment);
        const resolved = index !== undefined && index < 0 ? node.length + index : index;
        if (resolved === undefined || resolved < 0 || resolved >= node.length) throw new KeyNotInContext(`Could not find '${dotted}'`);
        node = node[resolved];
      } else if (isPlainObject(node) && Object.prototype.hasOwnProperty.call(node, segment)) {
        node = node[segment];
      } else {
        throw new KeyNotInContext(`Could not find '${dotted}'`);
      }
    }
    return node;
  }

  /** Adds a map from `source` (a file path or `vars[i]`), refusing to redefine any leaf. */
  mergeUpdate(update: Record<string, unknown>, source: string, item?: string): void {
    // Named in reservation order, as DVC selects them from its reserved keys.
    const clashes = [...this.reserved].filter((key) => Object.prototype.hasOwnProperty.call(update, key));
    if (clashes.length) {
      const noun = clashes.length > 1 ? 'keys' : 'key';
      throw new ReservedKeyError(`attempted to modify reserved ${noun} ${humanJoin(clashes)}${item ? ` in '${item}'` : ''}`);
    }
    const copy = checkedCopy(update, source, []);
    this.tagSources(copy, source);
    this.merge(this.data, copy, source, []);
  }

  private merge(into: Record<string, unknown>, update: Record<string, unknown>, source: string, path: string[]): void {
    for (const [key, value] of Object.entries(update)) {
      const existing = into[key];
      if (isPlainObject(existing) && isPlainObject(value)) {
        this.merge(existing, value, source, [...path, key]);
      } else if (Object.prototype.hasOwnProperty.call(into, key)) {
        throw new MergeError(
          `cannot redefine '${[...path, key].join('.')}' from '${source}' as it already exists in '${this.sourceOf(into, key)}'`,
        );
      } else {
        into[key] = value;
        this.setSource(into, key, source);
      }
    }
  }

  /** Sets `item`/`key` for one generated stage, reserving them against stage `vars`. */
  withTemporary<T>(values: Record<string, unknown>, fn: () => T): T {
    const previous = new Map<string, unknown>();
    const added: string[] = [];
    for (const [key, value] of Object.entries(values)) {
      if (this.has(key)) previous.set(key, this.data[key]);
      else added.push(key);
      this.data[key] = value;
      this.reserved.add(key);
    }
    try {
      return fn();
    } finally {
      for (const key of Object.keys(values)) this.reserved.delete(key);
      for (const [key, value] of previous) this.data[key] = value;
      for (const key of added) delete this.data[key];
    }
  }

  clone(): Context {
    const copy = new Context();
    for (const [key, value] of Object.entries(this.data)) {
      copy.data[key] = this.cloneInto(copy, value);
      copy.setSource(copy.data, key, this.sourceOf(this.data, key));
    }
    for (const [path, keys] of this.imports) copy.imports.set(path, keys ? [...keys] : null);
    for (const key of this.reserved) copy.reserved.add(key);
    return copy;
  }

  private cloneInto(copy: Context, value: unknown): unknown {
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      out[key] = this.cloneInto(copy, child);
      copy.setSource(out, key, this.sourceOf(value, key));
    }
    return out;
  }

  private tagSources(value: unknown, source: string): void {
    if (!isPlainObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      this.setSource(value, key, source);
      this.tagSources(child, source);
    }
  }

  private setSource(container: object, key: string, source: string): void {
    let map = this.sources.get(container);
    if (!map) this.sources.set(container, (map = new Map()));
    map.set(key, source);
  }

  private sourceOf(container: object, key: string): string {
    return this.sources.get(container)?.get(key) ?? '<local>';
  }
}

/** Copies loaded data into the context, refusing values a context cannot hold (dates). */
function checkedCopy(value: Record<string, unknown>, source: string, path: string[]): Record<string, unknown>;
function checkedCopy(value: unknown, source: string, path: string[]): unknown;
function checkedCopy(value: unknown, source: string, path: string[]): unknown {
  if (value instanceof PyDate) {
    throw new ContextError(`Unsupported value of type '${pyTypeName(value)}' in '${source}:${path.join('.')}'`);
  }
  if (Array.isArray(value)) return value.map((item, i) => checkedCopy(item, source, [...path, String(i)]));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) out[key] = checkedCopy(child, source, [...path, key]);
    return out;
  }
  return value;
}

function pyInt(text: string): number | undefined {
  const cleaned = text.replace(/_/g, '');
  return /^[-+]?\d+$/.test(cleaned) ? Number(cleaned) : undefined;
}

/** `a`, `a and b`, `a, b and c`, as DVC's `humanize.join`. */
export function humanJoin(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}


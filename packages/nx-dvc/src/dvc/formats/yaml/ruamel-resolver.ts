/**
 * ruamel.yaml's implicit resolvers for YAML 1.2 (its VersionedResolver), in its order: which
 * tag a plain scalar is read as. The loader uses them to read values as DVC does; the dvc.lock
 * emitter uses them to decide when a string must be quoted. Each is tried only for its first
 * characters.
 */
export type ResolverTag = 'bool' | 'float' | 'int' | 'merge' | 'null' | 'timestamp' | 'value' | 'yaml';

export const RUAMEL_1_2_RESOLVERS: readonly { tag: ResolverTag; pattern: RegExp; first: readonly string[] }[] = [
  { tag: 'bool', pattern: /^(?:true|True|TRUE|false|False|FALSE)$/, first: [...'tTfF'] },
  {
    tag: 'float',
    pattern:
      /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
    first: [...'-+0123456789.'],
  },
  { tag: 'int', pattern: /^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$/, first: [...'-+0123456789'] },
  { tag: 'merge', pattern: /^(?:<<)$/, first: ['<'] },
  { tag: 'null', pattern: /^(?:~|null|Null|NULL|)$/, first: ['~', 'n', 'N', ''] },
  {
    tag: 'timestamp',
    pattern:
      /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/,
    first: [...'0123456789'],
  },
  { tag: 'value', pattern: /^(?:=)$/, first: ['='] },
  { tag: 'yaml', pattern: /^(?:!|&|\*)$/, first: [...'!&*'] },
];

export function resolverPattern(tag: ResolverTag): RegExp {
  return RUAMEL_1_2_RESOLVERS.find((r) => r.tag === tag)!.pattern;
}

/** Python's `re.match` with a final `$`, which also matches just before a trailing newline. */
function pyFullMatch(pattern: RegExp, value: string): boolean {
  return pattern.test(value) || (value.endsWith('\n') && pattern.test(value.slice(0, -1)));
}

/** The tag a plain scalar would be read back as (ruamel VersionedResolver, YAML 1.2). */
export function resolveImplicit(value: string): string {
  const first = value === '' ? '' : String.fromCodePoint(value.codePointAt(0)!);
  for (const { tag, pattern, first: firsts } of RUAMEL_1_2_RESOLVERS) {
    if (firsts.includes(first) && pyFullMatch(pattern, value)) return tag;
  }
  return 'str';
}

import { represent, scalar, type MappingNode, type ScalarNode, type SequenceNode, type YamlNode } from './ruamel-representer';
import { resolveImplicit } from './ruamel-resolver';
import { anchorNodes } from './ruamel-serializer';
import { analyzeScalar, escapeChar, LINE_BREAKS, type ScalarAnalysis } from './ruamel-scalar-analysis';

/**
 * Writes YAML exactly as DVC writes dvc.lock: ruamel.yaml 0.18.16, `YAML()` (round-trip dumper)
 * with `default_flow_style = False` and every other setting at its default (indent 2, sequences
 * not indented, width 80, `allow_unicode`, YAML 1.2 resolver).
 *
 * This is a re-implementation of the parts of ruamel's representer, serializer and emitter that
 * plain data reaches (no comments, tags or block scalars). The emitter keeps ruamel's
 * state (column, "last write was whitespace", "at indentation", the indent stack) and takes the
 * same decisions in the same order, because the folding of long scalars depends on all of it.
 *
 * Accepted values: plain objects and `Map`s (insertion order, no sorting), arrays, strings,
 * booleans, `null`, numbers (an integer is a Python int, any other number a Python float),
 * `bigint` (int), `PyFloat` (float) and `PyDate` (its text, as a timestamp). An `undefined`
 * property of an object is left out, as `JSON.stringify` does; `undefined` anywhere else is an
 * error. An array or object met more than once (the same JS object, as ruamel goes by Python's
 * `id()`) is written once with an anchor (`&id001`), then as an alias (`*id001`).
 */
export function dumpLockYaml(data: unknown): string {
  return dumpYamlAsRuamel(data, '0.18.13');
}

/**
 * ruamel releases whose line folding differs; each stands for itself and the releases up to the
 * next one listed. DVC 3.64 today gets 0.18.13 or later. Older folding is only here so tests can
 * tell an existing dvc.lock written by an older ruamel from a real difference.
 */
export const RUAMEL_FOLDINGS = ['0.17.21', '0.17.22', '0.17.23', '0.17.25', '0.18.12', '0.18.13'] as const;
export type RuamelFolding = (typeof RUAMEL_FOLDINGS)[number];

/** @internal `dumpLockYaml` with the line folding of an older ruamel release, for tests. */
export function dumpYamlAsRuamel(data: unknown, folding: RuamelFolding): string {
  const root = represent(data, true);
  const emitter = new Emitter(RUAMEL_FOLDINGS.indexOf(folding), anchorNodes(root));
  emitter.emitDocument(root);
  return emitter.output;
}

/** Index in `RUAMEL_FOLDINGS`. */
const FOLDING_0_17_22 = 1;
const FOLDING_0_17_23 = 2;
const FOLDING_0_17_25 = 3;
const FOLDING_0_18_12 = 4;
const FOLDING_0_18_13 = 5;

// ---------------------------------------------------------------------------------------------
// Emitter.

const BEST_WIDTH = 80;
const BEST_INDENT = 2; // best_sequence_indent == best_map_indent
const MAX_SIMPLE_KEY_LENGTH = 128;
type Style = '' | "'" | '"';

interface NodeContext {
  root?: boolean;
  sequence?: boolean;
  mapping?: boolean;
  simpleKey?: boolean;
}

class Emitter {
  constructor(
    private readonly folding: number,
    private readonly anchors: Map<YamlNode, string>,
  ) {}

  /** Nodes written so far: an anchored one met again is written as its alias. */
  private readonly serialized = new Set<YamlNode>();

  private chunks: string[] = [];
  // Characteristics of the last emitted character.
  private column = 0;
  private whitespace = true;
  private indention = true;
  private noNewline = false;
  private openEnded = false;
  // Indentation: the current level and a stack of (previous level, is a sequence).
  private indent: number | null = null;
  private indents: [number | null, boolean | null][] = [];
  private flowLevel = 0;
  // Context of the node being written.
  private rootContext = false;
  private sequenceContext = false;
  private mappingContext = false;
  private simpleKeyContext = false;

  get output(): string {
    return this.chunks.join('');
  }

  emitDocument(root: YamlNode): void {
    // The document start is implicit: no `---`.
    this.expectNode(root, { root: true });
    // Document end (not explicit), then stream end.
    this.writeIndent();
    if (this.openEnded) {
      this.writeIndicator('...', true);
      this.writeIndent();
    }
  }

  // Indentation stack (ruamel's `Indents`).

  private increaseIndent(flow: boolean, sequence: boolean | null, indentless = false): void {
    this.indents.push([this.indent, sequence]);
    if (this.indent === null) {
      this.indent = flow ? null : 0; // requested_indent is None
    } else if (!indentless) {
      this.indent += BEST_INDENT;
    }
  }

  private popIndent(): number | null {
    return this.indents.pop()![0];
  }

  private seqSeq(): boolean {
    const n = this.indents.length;
    return n >= 2 && !!this.indents[n - 2][1] && !!this.indents[n - 1][1];
  }

  private seqFlowAlign(): number {
    const n = this.indents.length;
    if (n < 2 || !this.indents[n - 1][1]) return 0;
    const base = this.indents[n - 1][0] ?? 0;
    return base + BEST_INDENT - this.column - 1;
  }

  // Nodes.

  private expectNode(node: YamlNode, context: NodeContext): void {
    this.rootContext = !!context.root;
    this.sequenceContext = !!context.sequence;
    this.mappingContext = !!context.mapping;
    this.simpleKeyContext = !!context.simpleKey;
    if (this.serialized.has(node)) {
      this.writeAnchor('*', node);
      return;
    }
    this.serialized.add(node);
    if (this.anchors.has(node)) this.writeAnchor('&', node);
    if (node.kind === 'scalar') {
      this.expectScalar(node);
    } else if (node.kind === 'seq') {
      // Non-empty collections are block style, so nothing is ever written inside a flow one.
      const flow = node.items.length === 0;
      if (flow) this.startFlowCollection('[');
      else this.startBlockSequence();
      if (this.seqSeq()) {
        this.indention = true;
        this.noNewline = false;
      }
      if (flow) this.endFlowCollection(']');
      else this.blockSequenceItems(node.items);
    } else if (node.pairs.length === 0) {
      this.startFlowCollection('{');
      this.endFlowCollection('}');
    } else {
      this.blockMapping(node.pairs);
    }
  }

  /** `Emitter.process_anchor`: `&id001` before a node's first writing, `*id001` for each later one. */
  private writeAnchor(indicator: '&' | '*', node: YamlNode): void {
    this.writeIndicator(indicator + this.anchors.get(node), true);
    this.noNewline = false;
  }

  /** Only empty collections are written in flow style here (`default_flow_style = False`). */
  private startFlowCollection(open: '[' | '{'): void {
    const ind = this.seqFlowAlign();
    this.writeIndicator(' '.repeat(Math.max(0, ind)) + open, true, true);
    this.increaseIndent(true, open === '[');
    this.flowLevel++;
  }

  private endFlowCollection(close: ']' | '}'): void {
    this.indent = this.popIndent();
    this.flowLevel--;
    this.writeIndicator(close, false);
    if (this.flowLevel === 0) this.writeLineBreak();
  }

  private startBlockSequence(): void {
    // In a mapping the sequence is not indented: `- ` sits in the key's column.
    const indentless = this.mappingContext ? !this.indention : false;
    this.increaseIndent(false, true, indentless);
  }

  private blockSequenceItems(items: YamlNode[]): void {
    for (const item of items) {
      const nonl = this.column === 0 ? this.noNewline : false;
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      if (nonl) this.noNewline = true;
      this.expectNode(item, { sequence: true });
    }
    this.indent = this.popIndent();
    this.noNewline = false;
  }

  private blockMapping(pairs: [YamlNode, YamlNode][]): void {
    this.increaseIndent(false, false);
    for (const [key, value] of pairs) {
      this.writeIndent();
      if (this.checkSimpleKey(key)) {
        this.expectNode(key, { mapping: true, simpleKey: true });
        this.writeIndicator(':', false);
        this.expectNode(value, { mapping: true });
      } else {
        this.writeIndicator('?', true, false, true);
        this.expectNode(key, { mapping: true });
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
        this.expectNode(value, { mapping: true });
      }
    }
    this.indent = this.popIndent();
  }

  private checkSimpleKey(key: YamlNode): boolean {
    if (key.kind !== 'scalar') {
      // Only empty collections could be simple keys; JS keys are strings anyway.
      return key.kind === 'seq' ? key.items.length === 0 : key.pairs.length === 0;
    }
    const analysis = analyzeScalar(key.value);
    return Array.from(key.value).length < MAX_SIMPLE_KEY_LENGTH && !analysis.multiline;
  }

  // Scalars.

  private expectScalar(node: ScalarNode): void {
    let analysis = analyzeScalar(node.value);
    let style = this.chooseScalarStyle(node, analysis);
    if (node.value === '' && style === "'" && node.tag === 'null') {
      // A `None` map key (possible with a `Map`): ruamel writes `null` instead of `''`.
      node = scalar('null', 'null');
      analysis = analyzeScalar(node.value);
      style = this.chooseScalarStyle(node, analysis);
    }
    if (style !== '' && node.tag !== 'str') {
      // ruamel would add an explicit tag; representer output for these types is always plain.
      throw new Error(`dumpLockYaml: unexpected quoting of a ${node.tag} (${node.value})`);
    }
    this.increaseIndent(true, null);
    const split = !this.simpleKeyContext;
    if (this.sequenceContext && this.flowLevel === 0) this.writeIndent();
    if (style === '"') this.writeDoubleQuoted(node.value, split);
    else if (style === "'") this.writeSingleQuoted(node.value, split);
    else this.writePlain(node.value, split);
    this.indent = this.popIndent();
  }

  /** `Emitter.choose_scalar_style` for a scalar without a requested style. */
  private chooseScalarStyle(node: ScalarNode, analysis: ScalarAnalysis): Style {
    const implicit = resolveImplicit(node.value) === node.tag;
    if (implicit) {
      const plainAllowed = this.flowLevel > 0 ? analysis.allowFlowPlain : analysis.allowBlockPlain;
      if (!(this.simpleKeyContext && (analysis.empty || analysis.multiline)) && plainAllowed) return '';
    }
    if (analysis.allowDoubleQuoted && (node.value.includes("'") || node.value.includes('\n'))) return '"';
    if (analysis.allowSingleQuoted && !(this.simpleKeyContext && analysis.multiline)) return "'";
    return '"';
  }

  // Writers.

  private write(data: string): void {
    this.chunks.push(data);
  }

  private writeIndicator(indicator: string, needWhitespace: boolean, whitespace = false, indention = false): void {
    const data = this.whitespace || !needWhitespace ? indicator : ` ${indicator}`;
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
    this.column += Array.from(data).length;
    this.openEnded = false;
    this.write(data);
  }

  private writeIndent(): void {
    const indent = this.indent ?? 0;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) {
      if (this.noNewline) this.noNewline = false;
      else this.writeLineBreak();
    }
    if (this.column < indent) {
      this.whitespace = true;
      this.write(' '.repeat(indent - this.column));
      this.column = indent;
    }
  }

  private writeLineBreak(data = '\n'): void {
    this.whitespace = true;
    this.indention = true;
    this.column = 0;
    this.write(data);
  }

  /** Writes `chars[start:end]` as it is. */
  private writeSlice(chars: string[], start: number, end: number): void {
    if (start >= end) return;
    this.column += end - start;
    this.write(chars.slice(start, end).join(''));
  }

  private writeBreaks(chars: string[], start: number, end: number): void {
    if (chars[start] === '\n') this.writeLineBreak();
    for (const br of chars.slice(start, end)) this.writeLineBreak(br);
    this.writeIndent();
  }

  /**
   * ruamel >= 0.18.13: a single space becomes a line break once the column reaches 80, and a
   * word that would cross column 80 goes to the next line (after its space was written).
   * Before: a single space becomes a line break past column 80, and only a word longer than 80
   * gets a line of its own (0.17.22 to 0.18.12) or never (up to 0.17.21).
   */
  private writePlain(text: string, split: boolean): void {
    if (this.rootContext) this.openEnded = true;
    if (!text) return;
    if (!this.whitespace) {
      this.column += 1;
      this.write(' ');
    }
    this.whitespace = false;
    this.indention = false;
    const chars = Array.from(text);
    const n = chars.length;
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= n; end++) {
      const ch = end < n ? chars[end] : undefined;
      if (spaces) {
        if (ch !== ' ') {
          const pastWidth = this.folding >= FOLDING_0_18_13 ? this.column >= BEST_WIDTH : this.column > BEST_WIDTH;
          if (start + 1 === end && pastWidth && split) {
            this.writeIndent();
            this.whitespace = false;
            this.indention = false;
          } else {
            this.writeSlice(chars, start, end);
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === undefined || !LINE_BREAKS.includes(ch)) {
          this.writeBreaks(chars, start, end);
          this.whitespace = false;
          this.indention = false;
          start = end;
        }
      } else if (ch === undefined || ` ${LINE_BREAKS}`.includes(ch)) {
        // The word check ignores `split`, as ruamel does (it can fold a long simple key).
        const tooLong =
          this.folding >= FOLDING_0_18_13
            ? end - start + this.column > BEST_WIDTH
            : this.folding >= FOLDING_0_17_22 && end - start > BEST_WIDTH;
        if (tooLong && this.indent !== null && this.column > this.indent) {
          this.writeIndent();
        }
        this.column += end - start;
        this.write(chars.slice(start, end).join(''));
        start = end;
      }
      if (ch !== undefined) {
        spaces = ch === ' ';
        breaks = LINE_BREAKS.includes(ch);
      }
    }
  }

  /** Folds only at a single space past column 80, never at the first or last character. */
  private writeSingleQuoted(text: string, split: boolean): void {
    this.writeIndicator("'", true);
    const chars = Array.from(text);
    const n = chars.length;
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= n; end++) {
      const ch = end < n ? chars[end] : undefined;
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.column > BEST_WIDTH && split && start !== 0 && end !== n) {
            this.writeIndent();
          } else {
            this.writeSlice(chars, start, end);
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === undefined || !LINE_BREAKS.includes(ch)) {
          this.writeBreaks(chars, start, end);
          start = end;
        }
      } else if (ch === undefined || ` ${LINE_BREAKS}'`.includes(ch)) {
        if (start < end) {
          this.writeSlice(chars, start, end);
          start = end;
        }
      }
      if (ch === "'") {
        this.column += 2;
        this.write("''");
        start = end + 1;
      }
      if (ch !== undefined) {
        spaces = ch === ' ';
        breaks = LINE_BREAKS.includes(ch);
      }
    }
    this.writeIndicator("'", false);
  }

  /** Escapes what is not printable; folds past column 80 with a `\` continuation where needed. */
  private writeDoubleQuoted(text: string, split: boolean): void {
    this.writeIndicator('"', true);
    const chars = Array.from(text);
    const n = chars.length;
    let start = 0;
    for (let end = 0; end <= n; end++) {
      const ch = end < n ? chars[end] : undefined;
      if (ch === undefined || '"\\\x85\u2028\u2029\uFEFF'.includes(ch) || !this.isDoubleQuotedPlain(ch)) {
        if (start < end) {
          this.writeSlice(chars, start, end);
          start = end;
        }
        if (ch !== undefined) {
          const data = escapeChar(ch);
          this.column += data.length;
          this.write(data);
          start = end + 1;
        }
      }
      if (0 < end && end < n - 1 && (ch === ' ' || start >= end) && this.column + (end - start) > BEST_WIDTH && split) {
        const needBackslash = this.doubleQuotedNeedsBackslash(chars, start, end);
        const data = chars.slice(start, end).join('') + (needBackslash ? '\\' : '');
        if (start < end) start = end;
        this.column += Array.from(data).length;
        this.write(data);
        this.writeIndent();
        this.whitespace = false;
        this.indention = false;
        if (chars[start] === ' ') {
          if (!needBackslash) start += 1; // the line break reads back as this space
          if (needBackslash) {
            this.column += 1;
            this.write('\\');
          }
        }
      }
    }
    this.writeIndicator('"', false);
  }

  private isDoubleQuotedPlain(ch: string): boolean {
    const cp = ch.codePointAt(0)!;
    return (
      (cp >= 0x20 && cp <= 0x7e) ||
      (cp >= 0xa0 && cp <= 0xd7ff) ||
      (cp >= 0xe000 && cp <= 0xfffd) ||
      (cp >= 0x10000 && cp <= 0x10ffff)
    );
  }

  /**
   * A fold can do without the `\` when the line break will read back as the space it replaces:
   * ruamel looks at the next "word" (up to the next space, or an earlier newline).
   */
  private doubleQuotedNeedsBackslash(chars: string[], start: number, end: number): boolean {
    if (this.folding < FOLDING_0_17_23) return true;
    if (this.folding < FOLDING_0_17_25) return chars[end] === ' ' && chars[end + 1] === ' ';
    const n = chars.length;
    let spacePos = chars.indexOf(' ', end);
    if (spacePos < 0) return true;
    const newline = chars.indexOf('\n', end);
    if (newline >= 0 && newline < spacePos) spacePos = newline;
    if (this.folding >= FOLDING_0_18_12 && chars[spacePos] === '\n' && chars[spacePos + 1] !== ' ') return true;
    if (spacePos + 1 >= n) return true;
    const word = chars.slice(end, spacePos);
    return !(
      !word.includes('"') &&
      !word.includes("'") &&
      !' \n'.includes(chars[spacePos + 1]) &&
      chars.slice(end - 1, end + 1).join('') !== '  ' &&
      start !== end
    );
  }
}

import YAML, { isMap, isScalar, isSeq, type Pair, type YAMLMap } from 'yaml';
import { DvcError } from '../errors';

interface BlockStyle {
  /** Column of the stage names under `stages:`. */
  stageIndent: number;
  /** Indentation step inside a stage. */
  step: number;
  /** `deps:\n  - a` (true) or DVC's `deps:\n- a` (false). */
  indentSeq: boolean;
}

const DVC_STYLE: BlockStyle = { stageIndent: 2, step: 2, indentSeq: false };

/**
 * The dvc.yaml text with `name` set to `definition`. Unlike DVC, which re-dumps the whole file
 * through ruamel, only the stage's own lines are written: every other byte (comments, order,
 * quoting, indentation, templating) stays as it was, and the new lines follow the file's style.
 */
export function withStage(text: string, file: string, name: string, definition: Record<string, unknown>): string {
  const doc = YAML.parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length) throw new DvcError(`unable to read: '${file}', ${doc.errors[0].message}`, file);
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return appendSection(text, name, definition);
  if (!isMap(root)) throw new DvcError(`'${file}' is not a mapping of sections: a stage cannot be added`, file);
  const section = root.items.find((pair) => keyOf(pair) === 'stages');
  if (!section) return appendSection(text, name, definition);
  const stages = section.value;
  if (stages === null || (isScalar(stages) && stages.value === null)) {
    const at = lineEnd(text, (section.key as { range: [number, number, number] }).range[1]);
    const indent = columnOf(text, (section.key as { range: [number, number, number] }).range[0]) + 2;
    return insertAt(text, at, stageBlock(name, definition, { ...DVC_STYLE, stageIndent: indent }));
  }
  if (!isMap(stages)) throw new DvcError(`'stages' in '${file}' is not a mapping: a stage cannot be added`, file);
  if (stages.flow) {
    doc.setIn(['stages', name], definition);
    return doc.toString();
  }
  const style = styleOf(text, stages);
  const existing = stages.items.find((pair) => keyOf(pair) === name);
  const block = stageBlock(name, definition, style);
  if (existing) {
    const start = lineStart(text, rangeOf(existing.key)[0]);
    return text.slice(0, start) + block + text.slice(lineEnd(text, rangeOf(existing.value)[1]));
  }
  const last = stages.items[stages.items.length - 1];
  return insertAt(text, lineEnd(text, rangeOf(last.value ?? last.key)[1]), block);
}

function insertAt(text: string, at: number, block: string): string {
  const separator = at > 0 && text[at - 1] !== '\n' ? '\n' : '';
  return text.slice(0, at) + separator + block + text.slice(at);
}

function appendSection(text: string, name: string, definition: Record<string, unknown>): string {
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  return `${text}${separator}stages:\n${stageBlock(name, definition, DVC_STYLE)}`;
}

function stageBlock(name: string, definition: Record<string, unknown>, style: BlockStyle): string {
  const yaml = YAML.stringify(
    { [name]: definition },
    { indent: style.step, indentSeq: style.indentSeq, lineWidth: 0, singleQuote: true, nullStr: '' },
  );
  const pad = ' '.repeat(style.stageIndent);
  return yaml
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => `${pad}${line.trimEnd()}\n`)
    .join('');
}

/** The existing stages' indentation, so the new one looks like its neighbours. */
function styleOf(text: string, stages: YAMLMap): BlockStyle {
  const first = stages.items[0];
  const stageIndent = columnOf(text, rangeOf(first.key)[0]);
  let step = DVC_STYLE.step;
  let indentSeq = DVC_STYLE.indentSeq;
  if (isMap(first.value) && !first.value.flow && first.value.items.length) {
    step = columnOf(text, rangeOf(first.value.items[0].key)[0]) - stageIndent || DVC_STYLE.step;
    const listed = first.value.items.find((pair) => isSeq(pair.value) && !pair.value.flow && pair.value.items.length);
    if (listed) {
      const dash = lineStart(text, rangeOf(listed.value)[0]);
      const keyColumn = columnOf(text, rangeOf(listed.key)[0]);
      indentSeq = text.slice(dash).search(/\S/) > keyColumn;
    }
  }
  return { stageIndent, step, indentSeq };
}

function keyOf(pair: Pair): unknown {
  return isScalar(pair.key) ? pair.key.value : pair.key;
}

function rangeOf(node: unknown): [number, number, number] {
  return (node as { range: [number, number, number] }).range;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset after the newline that ends the line holding `offset - 1`. */
function lineEnd(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const newline = text.indexOf('\n', offset);
  return newline < 0 ? text.length : newline + 1;
}

function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

import { ELLIPSIS, NONE, setParam, type PyNumber, type PyValue } from './literal-value';
import { bracketDepthChange, findTopLevel, isOp, matchingClose, splitTopLevel } from './token-list';
import { syntaxError } from './syntax-error';
import { toJs, UNREPRESENTABLE } from './to-js';
import type { Token } from './tokenizer';

type LiteralNode =
  | { type: 'constant'; value: PyValue }
  | { type: 'unary'; negative: boolean; operand: LiteralNode }
  | { type: 'binary'; left: LiteralNode; right: LiteralNode }
  | { type: 'tuple' | 'list' | 'set'; elements: LiteralNode[] }
  | { type: 'dict'; entries: { key: LiteralNode; value: LiteralNode }[] }
  | { type: 'emptySetCall' }
  /** Any other expression; literal_eval rejects it. */
  | { type: 'other' };

const OTHER: LiteralNode = { type: 'other' };

interface Cursor {
  readonly tokens: readonly Token[];
  index: number;
}

/** A right-hand side or parenthesised expression: `1, 2` and `1,` are tuples. */
function parseExpressionList(tokens: readonly Token[]): LiteralNode {
  const parts = splitTopLevel(tokens, ',');
  if (parts.length === 1) return parseExpression(tokens);
  const elements = parseElements(parts);
  return elements ? { type: 'tuple', elements } : OTHER;
}

/** Comma-separated elements with an optional trailing comma; undefined for `[1,,2]`. */
function parseElements(parts: Token[][]): LiteralNode[] | undefined {
  const items = parts.length > 1 && parts[parts.length - 1].length === 0 ? parts.slice(0, -1) : parts;
  if (items.some((part) => part.length === 0)) return undefined;
  return items.map(parseExpression);
}

/** `[sign] operand ((+|-) [sign] operand)*`; anything else (calls, names, `*`, `if`...) is OTHER. */
function parseExpression(tokens: readonly Token[]): LiteralNode {
  const cursor: Cursor = { tokens, index: 0 };
  let node = parseSignedOperand(cursor);
  while (node && isPlusOrMinus(tokens[cursor.index])) {
    cursor.index++;
    const right = parseSignedOperand(cursor);
    node = right && { type: 'binary', left: node, right };
  }
  return node && cursor.index === tokens.length ? node : OTHER;
}

function isPlusOrMinus(token: Token | undefined): token is Token {
  return isOp(token, '+') || isOp(token, '-');
}

function parseSignedOperand(cursor: Cursor): LiteralNode | undefined {
  const token = cursor.tokens[cursor.index];
  if (!isPlusOrMinus(token)) return parseOperand(cursor);
  cursor.index++;
  const operand = parseSignedOperand(cursor);
  return operand && { type: 'unary', negative: token.text === '-', operand };
}

function parseOperand(cursor: Cursor): LiteralNode | undefined {
  const token = cursor.tokens[cursor.index];
  if (token?.kind === 'string') return parseStringRun(cursor);
  cursor.index++;
  if (token?.kind === 'number') return { type: 'constant', value: token.value! };
  if (token?.kind === 'name') return parseNameOperand(token, cursor);
  if (isOp(token, '...')) return { type: 'constant', value: ELLIPSIS };
  if (token && bracketDepthChange(token) === 1) return parseBracketOperand(token.text, cursor);
  return undefined;
}

function parseNameOperand(token: Token, cursor: Cursor): LiteralNode | undefined {
  if (token.text === 'True' || token.text === 'False') {
    return { type: 'constant', value: { kind: 'bool', value: token.text === 'True' } };
  }
  if (token.text === 'None') return { type: 'constant', value: NONE };
  // literal_eval accepts `set()` for the empty set.
  if (token.text === 'set' && isOp(cursor.tokens[cursor.index], '(') && isOp(cursor.tokens[cursor.index + 1], ')')) {
    cursor.index += 2;
    return { type: 'emptySetCall' };
  }
  return undefined;
}

/** Adjacent strings are one constant; with an f-string among them they form a non-literal JoinedStr. */
function parseStringRun(cursor: Cursor): LiteralNode {
  const values: (PyValue | undefined)[] = [];
  while (cursor.tokens[cursor.index]?.kind === 'string') values.push(cursor.tokens[cursor.index++].value);
  if (values.some((value) => value === undefined)) return OTHER;
  // The tokenizer already rejected runs that mix bytes with str.
  if (values[0]?.kind === 'bytes') return { type: 'constant', value: { kind: 'bytes' } };
  const texts = (values as Extract<PyValue, { kind: 'str' }>[]).map((value) => value.value);
  const joined = texts.includes(undefined) ? undefined : texts.join('');
  return { type: 'constant', value: { kind: 'str', value: joined } };
}

function parseBracketOperand(opener: string, cursor: Cursor): LiteralNode {
  const close = matchingClose(cursor.tokens, cursor.index - 1);
  const inner = cursor.tokens.slice(cursor.index, close);
  cursor.index = close + 1;
  if (inner.length === 0) return emptyContainer(opener);
  if (opener === '(') return parseExpressionList(inner);
  const parts = splitTopLevel(inner, ',');
  if (opener === '[') return withElements('list', parseElements(parts));
  const first = parts[0];
  const isDict = isOp(first[0], '**') || findTopLevel(first, ':') >= 0;
  return isDict ? parseDict(parts) : withElements('set', parseElements(parts));
}

function emptyContainer(opener: string): LiteralNode {
  if (opener === '(') return { type: 'tuple', elements: [] };
  return opener === '[' ? { type: 'list', elements: [] } : { type: 'dict', entries: [] };
}

function withElements(type: 'list' | 'set', elements: LiteralNode[] | undefined): LiteralNode {
  return elements ? { type, elements } : OTHER;
}

function parseDict(parts: Token[][]): LiteralNode {
  const items = parts.length > 1 && parts[parts.length - 1].length === 0 ? parts.slice(0, -1) : parts;
  const entries: { key: LiteralNode; value: LiteralNode }[] = [];
  for (const item of items) {
    // `**other` unpacks a mapping: the AST has a None key there, which literal_eval rejects.
    if (isOp(item[0], '**')) {
      entries.push({ key: OTHER, value: OTHER });
      continue;
    }
    const colon = findTopLevel(item, ':');
    if (colon <= 0 || colon === item.length - 1) return OTHER;
    entries.push({ key: parseExpression(item.slice(0, colon)), value: parseExpression(item.slice(colon + 1)) });
  }
  return { type: 'dict', entries };
}

// --- evaluation

/** The ValueError of ast.literal_eval: DVC skips the assignment. */
class NotALiteral extends Error {}

/** The TypeError of a list, dict or set used as a dict key or set element: DVC does not catch it. */
class UnhashableValue extends Error {
  constructor(readonly typeName: string) {
    super(`unhashable type: '${typeName}'`);
  }
}

/** The assignment is one DVC skips. */
export const NOT_A_LITERAL = Symbol('not a literal');

export function readLiteral(tokens: readonly Token[], statementStart: Token): unknown {
  const node = parseExpressionList(tokens);
  try {
    return toJs(evaluateAssignedValue(node));
  } catch (error) {
    if (error instanceof NotALiteral) return NOT_A_LITERAL;
    if (error instanceof UnhashableValue) {
      const reason = `${error.message} in a dict key or set element (DVC fails to read this file too)`;
      throw syntaxError(reason, statementStart);
    }
    throw error;
  }
}

/**
 * DVC's `_ast_assign_to_dict`: a top-level dict evaluates each value before its key, a top-level
 * set evaluates all elements before hashing any; otherwise this is `ast.literal_eval`. The order
 * only matters for which error wins, and so whether the file is skipped or fails.
 */
function evaluateAssignedValue(node: LiteralNode): PyValue {
  if (node.type === 'dict') {
    const dict = new KeyedEntries();
    for (const entry of node.entries) {
      const value = literalEval(entry.value);
      dict.put(literalEval(entry.key), value);
    }
    return dict.asDict();
  }
  if (node.type === 'set') return buildSet(node.elements.map(literalEval));
  return literalEval(node);
}

function literalEval(node: LiteralNode): PyValue {
  switch (node.type) {
    case 'constant':
      return node.value;
    case 'tuple':
    case 'list':
      return { kind: node.type, items: node.elements.map(literalEval) };
    case 'set': {
      const set = new KeyedEntries();
      for (const element of node.elements) {
        const value = literalEval(element);
        set.put(value, value);
      }
      return set.asSet();
    }
    case 'emptySetCall':
      return { kind: 'set', items: [] };
    case 'dict': {
      const dict = new KeyedEntries();
      for (const entry of node.entries) {
        const key = literalEval(entry.key);
        dict.put(key, literalEval(entry.value));
      }
      return dict.asDict();
    }
    case 'binary':
      return complexSum(node.left, node.right);
    default:
      return signedNumber(node);
  }
}

/** literal_eval's only binary operation: a real number plus or minus an imaginary one (`1+2j`). */
function complexSum(leftNode: LiteralNode, rightNode: LiteralNode): PyValue {
  const left = signedNumber(leftNode);
  const right = plainNumber(rightNode);
  if (right.kind !== 'complex' || left.kind === 'complex') throw new NotALiteral();
  return right;
}

/** A number with at most one sign: `-1`, `+2.5`, `-(3)`; not `--1` nor `-True`. */
function signedNumber(node: LiteralNode): PyNumber {
  if (node.type !== 'unary') return plainNumber(node);
  const value = plainNumber(node.operand);
  return node.negative ? negate(value) : value;
}

function plainNumber(node: LiteralNode): PyNumber {
  if (node.type !== 'constant') throw new NotALiteral();
  const value = node.value;
  if (value.kind === 'int' || value.kind === 'float' || value.kind === 'complex') return value;
  throw new NotALiteral();
}

function negate(value: PyNumber): PyNumber {
  if (value.kind === 'int') return { kind: 'int', value: -value.value };
  if (value.kind === 'float') return { kind: 'float', value: -value.value };
  return value;
}

/**
 * A dict or set under construction with Python's key semantics: equal keys (`1 == 1.0 == True`)
 * collapse, the first key stays and the last value wins (`{1: 'a', 1.0: 'b'}` is `{1: 'b'}`).
 */
class KeyedEntries {
  readonly entries: [PyValue, PyValue][] = [];
  private readonly indexByHash = new Map<string, number>();

  put(key: PyValue, value: PyValue): void {
    assertHashable(key);
    const hash = hashKey(key);
    const index = hash === undefined ? undefined : this.indexByHash.get(hash);
    if (index !== undefined) {
      this.entries[index][1] = value;
      return;
    }
    if (hash !== undefined) this.indexByHash.set(hash, this.entries.length);
    this.entries.push([key, value]);
  }

  asSet(): PyValue {
    return { kind: 'set', items: this.entries.map(([key]) => key) };
  }

  asDict(): PyValue {
    return { kind: 'dict', entries: this.entries };
  }
}

function buildSet(values: PyValue[]): PyValue {
  const set = new KeyedEntries();
  for (const value of values) set.put(value, value);
  return set.asSet();
}

function assertHashable(value: PyValue): void {
  if (value.kind === 'list' || value.kind === 'dict' || value.kind === 'set') throw new UnhashableValue(value.kind);
  if (value.kind === 'tuple') value.items.forEach(assertHashable);
}

/**
 * Equal under Python's `==` exactly when the keys are equal: numbers compare by exact value across
 * int, float and bool (`1 == 1.0 == True`, but `2**53 + 1 != 2.0**53`). Undefined (equal to
 * nothing) for values whose equality cannot matter: a container holding them is dropped anyway.
 */
function hashKey(value: PyValue): string | undefined {
  switch (value.kind) {
    case 'int':
      return `n${value.value}`;
    case 'bool':
      return value.value ? 'n1' : 'n0';
    case 'float':
      return realKey(value.value);
    case 'str':
      return value.value === undefined ? undefined : `s${value.value}`;
    case 'complex':
    case 'bytes':
      return undefined;
    case 'tuple': {
      const keys = value.items.map(hashKey);
      return keys.includes(undefined) ? undefined : `t${JSON.stringify(keys)}`;
    }
    default:
      return value.kind; // None, Ellipsis (lists, dicts and sets were rejected as unhashable)
  }
}

function realKey(x: number): string {
  return Number.isInteger(x) ? `n${BigInt(x)}` : `n${x}`;
}

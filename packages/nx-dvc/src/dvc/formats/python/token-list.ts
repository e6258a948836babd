import { OPENING_BRACKET, type Token } from './tokenizer';

/** Helpers over a statement's tokens: bracket depth, top-level splits. */

export function isOp(token: Token | undefined, text: string): boolean {
  return token?.kind === 'op' && token.text === text;
}

export function bracketDepthChange(token: Token): number {
  if (token.kind !== 'op') return 0;
  if ('([{'.includes(token.text)) return 1;
  return token.text in OPENING_BRACKET ? -1 : 0;
}

/** Splits at separators outside brackets; keeps empty parts so callers can reject them. */
export function splitTopLevel(tokens: readonly Token[], separator: string): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (depth === 0 && isOp(token, separator)) {
      parts.push([]);
      continue;
    }
    depth += bracketDepthChange(token);
    parts[parts.length - 1].push(token);
  }
  return parts;
}

export function findTopLevel(tokens: readonly Token[], text: string): number {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (depth === 0 && isOp(tokens[i], text)) return i;
    depth += bracketDepthChange(tokens[i]);
  }
  return -1;
}

export function matchingClose(tokens: readonly Token[], openIndex: number): number {
  let depth = 0;
  for (let i = openIndex; i < tokens.length; i++) {
    depth += bracketDepthChange(tokens[i]);
    if (depth === 0) return i;
  }
  return tokens.length; // unreachable: the tokenizer rejects unbalanced brackets
}

/** `((x))` -> `x`: parentheses around a whole target create no AST node. */
export function unwrapParens(tokens: readonly Token[]): readonly Token[] {
  let inner = tokens;
  while (isOp(inner[0], '(') && matchingClose(inner, 0) === inner.length - 1) inner = inner.slice(1, -1);
  return inner;
}

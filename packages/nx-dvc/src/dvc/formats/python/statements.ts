import { NOT_A_LITERAL, readLiteral } from './literal-eval';
import { UNREPRESENTABLE } from './to-js';
import { setParam } from './literal-value';
import { syntaxError } from './syntax-error';
import { bracketDepthChange, findTopLevel, isOp, matchingClose, splitTopLevel, unwrapParens } from './token-list';
import type { Token } from './tokenizer';

/** Where assignments are collected; undefined inside blocks DVC does not read. */
interface Scope {
  readonly params: Record<string, unknown>;
  /** Inside `__init__` only `self.NAME` targets count (DVC's `only_self_params`). */
  readonly onlySelf: boolean;
}

const HARD_KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue',
  'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in',
  'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
]);
const COMPOUND_KEYWORDS = new Set([
  'if', 'elif', 'else', 'while', 'for', 'try', 'except', 'finally', 'with', 'class', 'def', 'async',
]);
/** `match` and `case` are keywords only when they open a block. */
const SOFT_COMPOUND_KEYWORDS = new Set(['match', 'case']);

export class StatementParser {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parseModule(): Record<string, unknown> {
    const params: Record<string, unknown> = {};
    while (this.peek().kind !== 'end') this.parseStatement({ params, onlySelf: false });
    return dropUnrepresentable(params);
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private parseStatement(scope: Scope | undefined): void {
    const first = this.peek();
    if (first.kind === 'indent') throw syntaxError('unexpected indent', first);
    if (isOp(first, '@')) return this.parseDecorated(scope);
    if (first.kind === 'name' && first.text === 'class') return this.parseClass(scope);
    if (first.kind === 'name' && first.text === 'def') return this.parseFunction(scope);
    if (this.startsOtherCompound()) return this.parseOtherCompound();
    this.parseSimpleStatements(scope);
  }

  private startsOtherCompound(): boolean {
    const first = this.peek();
    if (first.kind !== 'name') return false;
    if (COMPOUND_KEYWORDS.has(first.text)) return true;
    return SOFT_COMPOUND_KEYWORDS.has(first.text) && this.lineEndsWithColon();
  }

  /** A simple statement never ends with `:`, a block header always does. */
  private lineEndsWithColon(): boolean {
    let offset = 0;
    while (!['newline', 'end'].includes(this.peek(offset).kind)) offset++;
    return offset > 0 && isOp(this.peek(offset - 1), ':');
  }

  private parseDecorated(scope: Scope | undefined): void {
    while (isOp(this.peek(), '@')) this.skipLine();
    const target = this.peek();
    if (target.kind === 'name' && target.text === 'class') return this.parseClass(scope);
    if (target.kind === 'name' && target.text === 'def') return this.parseFunction(scope);
    if (target.kind === 'name' && target.text === 'async') return this.parseOtherCompound();
    throw syntaxError('invalid syntax: a decorator must precede def or class', target);
  }

  private skipLine(): void {
    while (this.next().kind !== 'newline') if (this.peek().kind === 'end') return;
  }

  private parseClass(scope: Scope | undefined): void {
    const keyword = this.next();
    const name = this.expectName();
    if (!['(', '[', ':'].includes(this.peek().text)) throw syntaxError('invalid syntax', this.peek());
    this.parseHeader();
    const body: Scope | undefined = scope && { params: {}, onlySelf: false };
    this.parseSuite(body, keyword);
    if (scope && body) setParam(scope.params, name, dropUnrepresentable(body.params));
  }

  private parseFunction(scope: Scope | undefined): void {
    const keyword = this.next();
    const name = this.expectName();
    if (!isOp(this.peek(), '(') && !isOp(this.peek(), '[')) throw syntaxError("expected '('", this.peek());
    this.parseHeader();
    // DVC reads `self.x = ...` from an __init__ met directly in the module, a class body or another __init__.
    const body: Scope | undefined =
      scope && name === '__init__' ? { params: scope.params, onlySelf: true } : undefined;
    this.parseSuite(body, keyword);
  }

  /** if/while/for/try/with/match, async def and their continuation clauses: DVC reads nothing in them. */
  private parseOtherCompound(): void {
    const first = this.next();
    const keyword = first.text === 'async' ? this.peek() : first;
    if (first.text === 'async' && !['def', 'for', 'with'].includes(keyword.text)) {
      throw syntaxError('invalid syntax', keyword);
    }
    this.parseHeader();
    this.parseSuite(undefined, keyword);
  }

  private expectName(): string {
    const token = this.next();
    if (token.kind !== 'name' || HARD_KEYWORDS.has(token.text)) throw syntaxError('invalid syntax', token);
    return token.text;
  }

  /** Skips the rest of a block header up to its `:`; a `lambda` in the header owns the next colon. */
  private parseHeader(): void {
    let depth = 0;
    let pendingLambdas = 0;
    for (;;) {
      const token = this.next();
      if (token.kind === 'newline' || token.kind === 'end') throw syntaxError("expected ':'", token);
      depth += bracketDepthChange(token);
      if (depth !== 0) continue;
      if (token.kind === 'name' && token.text === 'lambda') pendingLambdas++;
      else if (isOp(token, ':') && pendingLambdas-- === 0) return;
    }
  }

  private parseSuite(scope: Scope | undefined, keyword: Token): void {
    if (this.peek().kind !== 'newline') return this.parseSimpleStatements(scope);
    this.next();
    if (this.peek().kind !== 'indent') {
      const reason = `expected an indented block after ${describeBlock(keyword)} on line ${keyword.line}`;
      throw syntaxError(reason, this.peek());
    }
    this.next();
    while (this.peek().kind !== 'dedent' && this.peek().kind !== 'end') this.parseStatement(scope);
    this.next();
  }

  private parseSimpleStatements(scope: Scope | undefined): void {
    for (;;) {
      const statement = this.takeSimpleStatement();
      const first = statement[0] ?? this.peek();
      if (statement.length === 0 || isOp(first, '@') || (first.kind === 'name' && COMPOUND_KEYWORDS.has(first.text))) {
        throw syntaxError('invalid syntax', first);
      }
      if (scope) readAssignment(statement, scope);
      if (this.next().kind === 'newline') return;
      if (this.peek().kind === 'newline') {
        this.next();
        return;
      }
    }
  }

  /** Tokens up to the next `;` or end of line, which stays unread. */
  private takeSimpleStatement(): Token[] {
    const tokens: Token[] = [];
    let depth = 0;
    for (;;) {
      const token = this.peek();
      if (token.kind === 'newline' || token.kind === 'end') return tokens;
      if (isOp(token, ';')) {
        if (depth === 0) return tokens;
        throw syntaxError('invalid syntax', token);
      }
      depth += bracketDepthChange(token);
      tokens.push(this.next());
    }
  }
}

/** How Python names a block in "expected an indented block after ...". */
function describeBlock(keyword: Token): string {
  if (keyword.text === 'class') return 'class definition';
  return keyword.text === 'def' ? 'function definition' : `'${keyword.text}' statement`;
}

function readAssignment(statement: readonly Token[], scope: Scope): void {
  const parts = splitTopLevel(statement, '=');
  if (parts.length < 2) return; // expressions, docstrings, bare annotations, `x += 1`, imports...
  const empty = parts.findIndex((part) => part.length === 0);
  if (empty >= 0) throw syntaxError('invalid syntax', parts[empty - 1]?.at(-1) ?? statement[0]);
  parts.slice(0, -1).forEach(rejectKeywordTarget);
  if (parts.length > 2) return; // `a = b = 1`: DVC reads single-target assignments only
  const name = targetName(parts[0], scope.onlySelf);
  if (name === undefined) return;
  const value = readLiteral(parts[1], statement[0]);
  // UNREPRESENTABLE stays as a placeholder until the scope is complete, so the key keeps DVC's position.
  if (value !== NOT_A_LITERAL) setParam(scope.params, name, value);
}

function dropUnrepresentable(params: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(params)) if (params[key] === UNREPRESENTABLE) delete params[key];
  return params;
}

function rejectKeywordTarget(target: readonly Token[]): void {
  const colon = findTopLevel(target, ':');
  const inner = unwrapParens(colon >= 0 ? target.slice(0, colon) : target);
  const only = inner.length === 1 ? inner[0] : undefined;
  if (only?.kind === 'name' && (HARD_KEYWORDS.has(only.text) || only.text === '__debug__')) {
    throw syntaxError(`cannot assign to ${only.text}`, only);
  }
}

/** DVC's `_get_ast_name`: `NAME` (not inside `__init__`) or `self.NAME`; anything else is skipped. */
function targetName(tokens: readonly Token[], onlySelf: boolean): string | undefined {
  const colon = findTopLevel(tokens, ':');
  const target = unwrapParens(colon >= 0 ? tokens.slice(0, colon) : tokens);
  const last = target[target.length - 1];
  if (target.length === 1 && last.kind === 'name') return onlySelf ? undefined : last.text;
  if (target.length < 3 || last.kind !== 'name' || !isOp(target[target.length - 2], '.')) return undefined;
  const owner = unwrapParens(target.slice(0, -2));
  return owner.length === 1 && owner[0].kind === 'name' && owner[0].text === 'self' ? last.text : undefined;
}

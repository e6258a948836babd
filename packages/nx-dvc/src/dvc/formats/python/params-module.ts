/**
 * Reads a DVC `params.py` the way DVC does, without running Python.
 *
 * DVC (`dvc/utils/serialize/_py.py`: `parse_py`, `_ast_tree_to_dict`, `_ast_assign_to_dict`,
 * `_get_ast_name`) parses the file with `ast.parse` and keeps, from the direct statements of the
 * module, of every class body and of every `def __init__` met there:
 * - `NAME = v` and `NAME: T = v` (module and class bodies only),
 * - `self.NAME = v` and `self.NAME: T = v` (anywhere it looks, even at module level),
 * - classes, as a nested map under the class name (`__init__` attributes land in that map too),
 * where `v` must be accepted by `ast.literal_eval`. Every other statement is ignored, including the
 * bodies of `if`/`for`/`try`/`with` blocks and of other functions. A statement whose target or value
 * does not qualify (`a = b = 1`, `a, b = 1, 2`, `x += 1`, `x = f()`, `x = 1 + 2`, f-strings) is
 * skipped; a later assignment to a name replaces the earlier value and keeps its position.
 *
 * Values become plain JS values: int and float -> number (Python's `1` and `1.0` both become `1`;
 * DVC compares params with `==`, where `1 == 1.0`; ints beyond 2**53 lose precision),
 * str -> string, True/False -> boolean, None -> null, list/tuple/set -> array (sets keep the
 * first occurrence of each value, in source order; Python's set order is unspecified),
 * dict -> plain object whose keys are Python's `str(key)` (`1` -> "1", `(1, 'a')` -> "(1, 'a')").
 *
 * Deviations from DVC, all because JavaScript has no faithful value for them: a name whose value
 * holds a complex number, bytes, `...` or a `\N{name}` string escape is left out of the result
 * (an earlier value of that name is dropped too, since DVC replaced it). JS objects put integer-like
 * keys first, and `{1: 'a', '1': 'b'}` collapses to one key.
 *
 * Errors: anything `ast.parse` rejects at the lexical or statement level (bad indentation,
 * unclosed brackets or strings, bad numbers or escapes, misplaced statements) throws
 * `PythonParamsSyntaxError`, as DVC raises `PythonFileCorruptedError`. Expressions are only
 * checked as far as deciding whether they are literals, so some invalid expressions are skipped
 * rather than reported. An unhashable dict key or set element (`{[1]: 2}`) also throws: DVC crashes
 * with a TypeError on such a file.
 */

import { PythonParamsSyntaxError } from './syntax-error';
import { Tokenizer } from './tokenizer';
import { StatementParser } from './statements';

export { PythonParamsSyntaxError };

export function parsePythonParams(source: string): Record<string, unknown> {
  // DVC opens the file in text mode, which turns \r\n and \r into \n.
  const tokens = new Tokenizer(source.replace(/\r\n?/g, '\n')).tokenize();
  return new StatementParser(tokens).parseModule();
}

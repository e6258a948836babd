import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkExpressions,
  dictToArgs,
  findMatches,
  InterpolationSyntaxError,
  InterpolationValueError,
  isExactMatch,
  isInterpolated,
  parseExpression,
  shellQuote,
  toStr,
  validateValue,
} from './interpolate';
import { PyFloat } from '../formats/python/value';

/**
 * DVC's `dvc/parsing/interpolate.py`: the `${}` pattern, the pyparsing grammar and its error
 * frame, `validate_value`, `to_str` and the dict -> CLI arguments rule.
 * Expected texts come from DVC's tests (tests/unit/test_interpolate.py,
 * tests/func/parsing/*) or from running DVC's grammar with pyparsing.
 */

function syntaxMessage(inner: string): string {
  try {
    parseExpression(inner);
  } catch (error) {
    assert.ok(error instanceof InterpolationSyntaxError, String(error));
    return error.message;
  }
  assert.fail(`'${inner}' parsed`);
}

describe('the ${} pattern (KEYCRE)', () => {
  test('finds each ${...} with the shortest run inside', () => {
    assert.deepEqual(findMatches('a ${x} b ${y.z}'), [
      { start: 2, end: 6, inner: 'x' },
      { start: 9, end: 15, inner: 'y.z' },
    ]);
    assert.deepEqual(
      findMatches('${a}}').map((m) => m.inner),
      ['a'],
    );
    assert.deepEqual(
      findMatches('${${a}').map((m) => m.inner),
      ['${a'],
    );
  });

  test('an empty ${} is a match (and a syntax error later)', () => {
    assert.deepEqual(findMatches('x ${} y'), [{ start: 2, end: 5, inner: '' }]);
  });

  test('a backslash before $ escapes the match', () => {
    assert.deepEqual(findMatches('\\${a} ${b}'), [{ start: 6, end: 10, inner: 'b' }]);
    assert.equal(isInterpolated('\\${a}'), false);
    assert.equal(isInterpolated('$a {b}'), false);
    assert.equal(isInterpolated(5), false);
  });

  test('a match never spans a line break (Python `.` stops at \\n)', () => {
    assert.deepEqual(findMatches('echo ${\nfoo}'), []);
    assert.deepEqual(
      findMatches('a ${x\ry}').map((m) => m.inner),
      ['x\ry'],
    );
    assert.deepEqual(
      findMatches('${a}\n${b}').map((m) => m.inner),
      ['a', 'b'],
    );
  });

  test('exact match: one match that is the whole string', () => {
    const exact = (s: string) => isExactMatch(s, findMatches(s));
    assert.equal(exact('${a}'), true);
    assert.equal(exact(' ${a}'), false);
    assert.equal(exact('${a}${b}'), false);
    assert.equal(exact('${a} '), false);
  });
});

describe('expression grammar: word ( "." word | "[" word "]" )*', () => {
  test('normalises indexes and attributes to the dotted form', () => {
    assert.equal(parseExpression('a'), 'a');
    assert.equal(parseExpression('a[0].b'), 'a.0.b');
    assert.equal(parseExpression('a.0.b'), 'a.0.b');
    assert.equal(parseExpression('a[b]'), 'a.b');
    assert.equal(parseExpression('dict[3].foo[0]'), 'dict.3.foo.0');
    assert.equal(parseExpression('नेपाली[चिया][0]'), 'नेपाली.चिया.0');
  });

  test('whitespace is part of the words', () => {
    assert.equal(parseExpression(' item '), ' item ');
    assert.equal(parseExpression(' a . b '), ' a . b ');
    assert.equal(parseExpression('a [0]'), 'a .0');
    assert.equal(parseExpression('a[ 0 ]'), 'a. 0 ');
    assert.equal(parseExpression('a b.c'), 'a b.c');
  });

  test('whitespace after "]" is skipped, as pyparsing skips it before a literal', () => {
    assert.equal(parseExpression('a[0] .b'), 'a.0.b');
    assert.equal(parseExpression('a[0] [1]'), 'a.0.1');
    assert.equal(parseExpression('a[0] '), 'a.0');
  });

  test('syntax errors carry pyparsing\'s frame, offset by "${"', () => {
    assert.equal(
      syntaxMessage('models.foo.'),
      "${models.foo.}\n            ^\nParseException: Expected end of text, found '.'  (at char 12), (line:1, col:13)",
    );
    assert.equal(
      syntaxMessage('syntax.[error'),
      "${syntax.[error}\n        ^\nParseException: Expected end of text, found '.'  (at char 8), (line:1, col:9)",
    );
    assert.equal(
      syntaxMessage('models.foo]'),
      "${models.foo]}\n            ^\nParseException: Expected end of text, found ']'  (at char 12), (line:1, col:13)",
    );
    assert.equal(
      syntaxMessage('a[b'),
      "${a[b}\n   ^\nParseException: Expected end of text, found '['  (at char 3), (line:1, col:4)",
    );
    assert.equal(
      syntaxMessage('a[]'),
      "${a[]}\n   ^\nParseException: Expected end of text, found '['  (at char 3), (line:1, col:4)",
    );
    assert.equal(
      syntaxMessage('a..b'),
      "${a..b}\n   ^\nParseException: Expected end of text, found '.'  (at char 3), (line:1, col:4)",
    );
  });

  test('the first word missing names the CharsNotIn element', () => {
    assert.equal(
      syntaxMessage(''),
      "${}\n  ^\nParseException: Expected !W:(.[]), found '}'  (at char 2), (line:1, col:3)",
    );
    assert.equal(
      syntaxMessage('[a]'),
      "${[a]}\n  ^\nParseException: Expected !W:(.[]), found '['  (at char 2), (line:1, col:3)",
    );
    assert.equal(
      syntaxMessage('.a'),
      "${.a}\n  ^\nParseException: Expected !W:(.[]), found '.'  (at char 2), (line:1, col:3)",
    );
  });

  test('"found" shows the word at the error, up to 16 letters or digits', () => {
    assert.equal(
      syntaxMessage('a[b]cd'),
      "${a[b]cd}\n      ^\nParseException: Expected end of text, found 'cd'  (at char 6), (line:1, col:7)",
    );
    assert.equal(
      syntaxMessage('a[0]bcdefghijklmnopqrstu'),
      "${a[0]bcdefghijklmnopqrstu}\n      ^\nParseException: Expected end of text, found 'bcdefghijklmnopq'  (at char 6), (line:1, col:7)",
    );
    assert.equal(
      syntaxMessage('a[0]_x'),
      "${a[0]_x}\n      ^\nParseException: Expected end of text, found '_'  (at char 6), (line:1, col:7)",
    );
    assert.equal(
      syntaxMessage('a[0] x'),
      "${a[0] x}\n       ^\nParseException: Expected end of text, found 'x'  (at char 7), (line:1, col:8)",
    );
  });

  test('checkExpressions checks every match of a string', () => {
    assert.doesNotThrow(() => checkExpressions('${a} ${b[0]} \\${c.}'));
    assert.throws(() => checkExpressions('${a} ${b.}'), InterpolationSyntaxError);
  });
});

describe('validate_value', () => {
  test('primitives and None pass under any key', () => {
    for (const value of [1, 'x', true, null, new PyFloat(1), 1.5]) assert.doesNotThrow(() => validateValue(value, 'outs'));
  });

  test('a dict or list under a stage key is refused, a dict under cmd is allowed', () => {
    assert.throws(() => validateValue({ a: 1 }, 'outs'), {
      name: 'Error',
      message: "Cannot interpolate data of type 'dict'",
    });
    assert.throws(() => validateValue([1], 'cmd'), InterpolationValueError);
    assert.throws(() => validateValue([1], 'cmd'), { message: "Cannot interpolate data of type 'list'" });
    assert.doesNotThrow(() => validateValue({ a: 1 }, 'cmd'));
  });

  test('no key (foreach/matrix data, wdir) or a foreach key skips the check', () => {
    assert.doesNotThrow(() => validateValue([1], undefined));
    assert.doesNotThrow(() => validateValue({ a: 1 }, 'foreach'));
  });
});

describe('to_str: values embedded in a string', () => {
  test('bool -> true/false, None -> None, int as is', () => {
    assert.equal(toStr(true), 'true');
    assert.equal(toStr(false), 'false');
    assert.equal(toStr(null), 'None');
    assert.equal(toStr(42), '42');
    assert.equal(toStr(-7), '-7');
  });

  test('floats are written with Python repr', () => {
    assert.equal(toStr(1e-5), '1e-05');
    assert.equal(toStr(0.001), '0.001');
    assert.equal(toStr(new PyFloat(1)), '1.0');
    assert.equal(toStr(new PyFloat(1e16)), '1e+16');
    assert.equal(toStr(new PyFloat(30000)), '30000.0');
    assert.equal(toStr(Infinity), 'inf');
    assert.equal(toStr(0.1 + 0.2), '0.30000000000000004');
  });

  test('strings are not quoted; lists use Python str()', () => {
    assert.equal(toStr('a b'), 'a b');
    assert.equal(toStr([1, new PyFloat(1), true, null, 'x']), "[1, 1.0, True, None, 'x']");
  });
});

describe('shlex.quote', () => {
  test('safe strings stay bare', () => {
    assert.equal(shellQuote('abc'), 'abc');
    assert.equal(shellQuote('@%+=:,./-_x'), '@%+=:,./-_x');
    assert.equal(shellQuote('-'), '-');
  });

  test('the rest is single-quoted, a quote becomes \'"\'"\'', () => {
    assert.equal(shellQuote(''), "''");
    assert.equal(shellQuote('a b'), "'a b'");
    assert.equal(shellQuote("it's"), `'it'"'"'s'`);
    assert.equal(shellQuote('quote"\'d'), `'quote"'"'"'d'`);
    assert.equal(shellQuote('a$b'), "'a$b'");
    assert.equal(shellQuote('*'), "'*'");
    assert.equal(shellQuote('ü'), "'ü'");
    assert.equal(shellQuote('tab\there'), "'tab\there'");
  });
});

describe('dict -> CLI arguments', () => {
  // tests/func/parsing/test_interpolated_entry.py::test_cmd_dict
  const data = {
    foo: 'foo',
    bar: 2,
    string: 'spaced string',
    mixed_quote_string: 'quote"\'d',
    bool: true,
    'bool-false': false,
    list: [1, 2, 'foo', 'quote"\'d'],
    nested: { foo: 'foo' },
  };
  const quoted = `'quote"'"'"'d'`;

  test('defaults: store_true and nargs', () => {
    const expected =
      `--foo foo --bar 2 --string 'spaced string' --mixed_quote_string ${quoted} --bool` +
      ` --list 1 2 foo ${quoted} --nested.foo foo`;
    assert.equal(dictToArgs(data, {}), expected);
    assert.equal(toStr(data), expected);
    assert.equal(dictToArgs(data, { bool: 'store_true', list: 'nargs' }), expected);
  });

  test('boolean_optional and append', () => {
    assert.equal(
      dictToArgs(data, { bool: 'boolean_optional', list: 'append' }),
      `--foo foo --bar 2 --string 'spaced string' --mixed_quote_string ${quoted} --bool --no-bool-false` +
        ` --list 1 --list 2 --list foo --list ${quoted} --nested.foo foo`,
    );
  });

  test('config values are case-insensitive (DVC lower-cases them)', () => {
    assert.equal(dictToArgs({ a: false, b: [1, 2] }, { bool: 'Boolean_Optional', list: 'APPEND' }), '--no-a --b 1 --b 2');
  });

  test('list items use Python str(); an empty list adds nothing', () => {
    assert.equal(dictToArgs({ l: [true, new PyFloat(1), null, 'a b'], e: [], z: 1 }, {}), "--l True 1.0 None 'a b' --z 1");
  });

  test('other values use Python str()', () => {
    assert.equal(dictToArgs({ n: null, f: 0.5, g: new PyFloat(2), s: '' }, {}), "--n None --f 0.5 --g 2.0 --s ''");
  });

  test('nested keys join with "." in file order; empty maps vanish', () => {
    assert.equal(dictToArgs({ a: { b: { c: 1 }, d: 2 }, e: {}, f: 3 }, {}), '--a.b.c 1 --a.d 2 --f 3');
  });

  test('false alone under store_true gives the empty string', () => {
    assert.equal(dictToArgs({ a: false }, {}), '');
  });

  test('a list or dict inside a list is refused', () => {
    assert.throws(() => dictToArgs({ list: [1, [2, 3]] }, {}), {
      message: "Cannot interpolate nested iterable in 'list'",
    });
    assert.throws(() => dictToArgs({ m: { l: [{ a: 1 }] } }, {}), {
      message: "Cannot interpolate nested iterable in 'm.l'",
    });
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonSyntaxError, parseJson } from './load';
import { PyFloat } from '../python/value';

/** JSON as Python's `json.loads` reads it (DVC's `parse_json`). Expected texts are CPython 3.11's. */

describe('values', () => {
  test('a float stays a float even when integral; ints stay ints', () => {
    assert.deepEqual(parseJson('[1.0, 1e2, 1E2, -0.0, 2.5, 1, -3, 0]'), [
      new PyFloat(1),
      new PyFloat(100),
      new PyFloat(100),
      new PyFloat(-0),
      2.5,
      1,
      -3,
      0,
    ]);
    assert.ok(Object.is(parseJson('-0'), 0), 'Python has no -0 int');
  });

  test('NaN, Infinity and -Infinity are accepted', () => {
    const [nan, inf, minus] = parseJson('[NaN, Infinity, -Infinity]') as number[];
    assert.ok(Number.isNaN(nan));
    assert.equal(inf, Infinity);
    assert.equal(minus, -Infinity);
  });

  test('objects keep file order; a repeated key keeps its last value', () => {
    const data = parseJson('{"b": 1, "a": {"x": [true, false, null]}, "b": 2}') as Record<string, unknown>;
    assert.deepEqual(Object.keys(data), ['b', 'a']);
    assert.deepEqual(data, { b: 2, a: { x: [true, false, null] } });
  });

  test('strings with escapes and surrogate pairs', () => {
    assert.equal(parseJson('"a\\n\\t\\"\\\\\\/ \\u00e9 \\ud83d\\ude00"'), 'a\n\t"\\/ é 😀');
  });

  test('whitespace around values', () => {
    assert.deepEqual(parseJson(' \n\t{ "a" : [ 1 , 2 ] }\r\n '), { a: [1, 2] });
    assert.deepEqual(parseJson('{}'), {});
    assert.deepEqual(parseJson('[]'), []);
  });
});

describe('errors', () => {
  const cases: [string, string][] = [
    ['', 'Expecting value: line 1 column 1 (char 0)'],
    ['1 2', 'Extra data: line 1 column 3 (char 2)'],
    ['{"a": 1,}', 'Expecting property name enclosed in double quotes: line 1 column 9 (char 8)'],
    ['{a: 1}', 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)'],
    ['[1,]', 'Expecting value: line 1 column 4 (char 3)'],
    ['{"a" 1}', "Expecting ':' delimiter: line 1 column 6 (char 5)"],
    ['[1 2]', "Expecting ',' delimiter: line 1 column 4 (char 3)"],
    ['{"a": 1 "b": 2}', "Expecting ',' delimiter: line 1 column 9 (char 8)"],
    ['{"a":\n  01}', "Expecting ',' delimiter: line 2 column 4 (char 9)"],
    ['tru', 'Expecting value: line 1 column 1 (char 0)'],
    ['-', 'Expecting value: line 1 column 1 (char 0)'],
    ['1.', 'Extra data: line 1 column 2 (char 1)'],
    ['.5', 'Expecting value: line 1 column 1 (char 0)'],
    ['nan', 'Expecting value: line 1 column 1 (char 0)'],
    ['[1]\n\n x', 'Extra data: line 3 column 2 (char 6)'],
  ];
  for (const [text, message] of cases) {
    test(JSON.stringify(text), () => {
      assert.throws(() => parseJson(text), (error: unknown) => {
        assert.ok(error instanceof JsonSyntaxError);
        assert.equal((error as Error).message, message);
        return true;
      });
    });
  }

  test('invalid strings are refused', () => {
    for (const text of ['"abc', '"a\\x"', '"\t"']) assert.throws(() => parseJson(text), JsonSyntaxError, text);
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isPlainObject,
  isPrimitive,
  isPyFloat,
  PyDate,
  pyEquals,
  PyFloat,
  pyFloatRepr,
  pyRepr,
  pyStr,
  pyStrRepr,
  pyTypeName,
} from './value';

/** Python's view of values, as DVC prints and compares them. Expected texts are CPython 3.11's. */

describe('repr(float)', () => {
  const cases: [number, string][] = [
    [1e-5, '1e-05'],
    [2.5e-5, '2.5e-05'],
    [1.5e-7, '1.5e-07'],
    [0.0001, '0.0001'],
    [0.00012345, '0.00012345'],
    [0.001, '0.001'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1, '1.0'],
    [-1.5, '-1.5'],
    [100, '100.0'],
    [1234.5, '1234.5'],
    [30000, '30000.0'],
    [1e15, '1000000000000000.0'],
    [9999999999999998, '9999999999999998.0'],
    [1e16, '1e+16'],
    [1e22, '1e+22'],
    [123456789012345678, '1.2345678901234568e+17'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [NaN, 'nan'],
    [0, '0.0'],
    [-0, '-0.0'],
  ];
  for (const [value, expected] of cases) {
    test(`${expected}`, () => assert.equal(pyFloatRepr(value), expected));
  }
});

describe('repr(str)', () => {
  test('quote choice follows Python', () => {
    assert.equal(pyStrRepr('a'), "'a'");
    assert.equal(pyStrRepr("it's"), `"it's"`);
    assert.equal(pyStrRepr('say "hi"'), `'say "hi"'`);
    assert.equal(pyStrRepr(`both ' and "`), `'both \\' and "'`);
    assert.equal(pyStrRepr(`'"`), `'\\'"'`);
  });

  test('backslash and the usual escapes', () => {
    assert.equal(pyStrRepr('back\\slash'), "'back\\\\slash'");
    assert.equal(pyStrRepr('new\nline\ttab\rcr'), "'new\\nline\\ttab\\rcr'");
    assert.equal(pyStrRepr('\x01\x7f'), "'\\x01\\x7f'");
  });

  test('what str.isprintable refuses is escaped; other Unicode stays', () => {
    assert.equal(pyStrRepr('é'), "'é'");
    assert.equal(pyStrRepr('😀'), "'😀'");
    assert.equal(pyStrRepr('\x85'), "'\\x85'");
    assert.equal(pyStrRepr('\xa0'), "'\\xa0'");
    assert.equal(pyStrRepr('\u200b'), "'\\u200b'");
    assert.equal(pyStrRepr('\u2028'), "'\\u2028'");
    assert.equal(pyStrRepr('\u{e0001}'), "'\\U000e0001'");
    assert.equal(pyStrRepr('a b'), "'a b'");
  });
});

describe('str() and repr() of values', () => {
  test('scalars', () => {
    assert.equal(pyStr(null), 'None');
    assert.equal(pyStr(undefined), 'None');
    assert.equal(pyStr(true), 'True');
    assert.equal(pyStr(false), 'False');
    assert.equal(pyStr(3), '3');
    assert.equal(pyStr(new PyFloat(3)), '3.0');
    assert.equal(pyStr(0.5), '0.5');
    assert.equal(pyStr('x y'), 'x y');
    assert.equal(pyRepr('x y'), "'x y'");
    assert.equal(pyRepr(new PyDate('2020-01-02')), 'datetime.date(2020, 1, 2)');
  });

  test('containers use repr of their items', () => {
    assert.equal(pyStr([1, new PyFloat(1), true, null, 'x', { a: [1] }]), "[1, 1.0, True, None, 'x', {'a': [1]}]");
    assert.equal(pyRepr({ a: 1, "it's": [new PyFloat(1), null, true] }), `{'a': 1, "it's": [1.0, None, True]}`);
    assert.equal(pyRepr([]), '[]');
    assert.equal(pyRepr({}), '{}');
  });

  test('a PyFloat reads as Python writes it', () => {
    assert.equal(String(new PyFloat(2)), '2.0');
    assert.equal(JSON.stringify({ a: new PyFloat(2) }), '{"a":2}');
    assert.equal(new PyFloat(2).valueOf(), 2);
  });
});

describe('type names in messages', () => {
  test('as type(x).__name__', () => {
    assert.equal(pyTypeName(null), 'NoneType');
    assert.equal(pyTypeName(true), 'bool');
    assert.equal(pyTypeName('s'), 'str');
    assert.equal(pyTypeName(1), 'int');
    assert.equal(pyTypeName(1.5), 'float');
    assert.equal(pyTypeName(new PyFloat(1)), 'float');
    assert.equal(pyTypeName(new PyDate('2020-01-01')), 'date');
    assert.equal(pyTypeName([]), 'list');
    assert.equal(pyTypeName({}), 'dict');
  });

  test('float-ness, maps and primitives', () => {
    assert.equal(isPyFloat(1), false);
    assert.equal(isPyFloat(1.5), true);
    assert.equal(isPyFloat(new PyFloat(1)), true);
    assert.equal(isPlainObject({}), true);
    assert.equal(isPlainObject([]), false);
    assert.equal(isPlainObject(null), false);
    assert.equal(isPlainObject(new PyFloat(1)), false);
    assert.equal(isPlainObject(new PyDate('2020-01-01')), false);
    assert.equal(isPrimitive(null), true);
    assert.equal(isPrimitive(new PyFloat(1)), true);
    assert.equal(isPrimitive(new PyDate('2020-01-01')), true);
    assert.equal(isPrimitive([1]), false);
    assert.equal(isPrimitive({ a: 1 }), false);
  });
});

describe('Python == (param change detection)', () => {
  test('1 == 1.0 == True, 0 == False', () => {
    assert.equal(pyEquals(1, new PyFloat(1)), true);
    assert.equal(pyEquals(new PyFloat(1), true), true);
    assert.equal(pyEquals(0, false), true);
    assert.equal(pyEquals(2, true), false);
  });

  test('strings never equal numbers; None equals only None', () => {
    assert.equal(pyEquals('1', 1), false);
    assert.equal(pyEquals(null, null), true);
    assert.equal(pyEquals(null, 0), false);
    assert.equal(pyEquals(null, undefined), true);
  });

  test('maps compare without order, lists with order', () => {
    assert.equal(pyEquals({ a: 1, b: 2 }, { b: 2, a: 1 }), true);
    assert.equal(pyEquals({ a: 1 }, { a: 1, b: 2 }), false);
    assert.equal(pyEquals([1, 2], [1, new PyFloat(2)]), true);
    assert.equal(pyEquals([1, 2], [2, 1]), false);
    assert.equal(pyEquals([1], { 0: 1 }), false);
    assert.equal(pyEquals({ a: [1, { b: true }] }, { a: [1, { b: 1 }] }), true);
  });

  test('dates compare by value', () => {
    assert.equal(pyEquals(new PyDate('2020-01-01'), new PyDate('2020-01-01')), true);
    assert.equal(pyEquals(new PyDate('2020-01-01'), '2020-01-01'), false);
  });
});

describe('Python ints beyond 2^53', () => {
  test('compare exactly with each other and by value with floats', () => {
    assert.equal(pyEquals(12345678901234567890n, 12345678901234567890n), true);
    assert.equal(pyEquals(12345678901234567890n, 12345678901234567891n), false);
    assert.equal(pyEquals(2n ** 60n, new PyFloat(2 ** 60)), true);
    assert.equal(pyEquals(1n, true), true);
  });
  test('print as Python does', () => {
    assert.equal(pyRepr(-12345678901234567890n), '-12345678901234567890');
    assert.equal(pyTypeName(2n ** 64n), 'int');
  });
});

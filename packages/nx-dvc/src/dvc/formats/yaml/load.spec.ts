import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseError } from '../../errors';
import { PyDate, PyFloat } from '../python/value';
import { decodeUtf8, loadYaml } from './load';

/**
 * DVC reads YAML with ruamel `YAML(typ="safe")` (YAML 1.2) and `parse_yaml` returns
 * `yaml.load(text) or {}`. Expected values were produced with ruamel.yaml.
 */

const value = (text: string) => (loadYaml(`a: ${text}\n`, 'x.yaml').data as { a: unknown }).a;

describe('YAML 1.2 scalars', () => {
  test('only true/false (three spellings) are bools', () => {
    for (const t of ['true', 'True', 'TRUE']) assert.equal(value(t), true);
    for (const f of ['false', 'False', 'FALSE']) assert.equal(value(f), false);
    for (const s of ['yes', 'no', 'on', 'off', 'y', 'n', 'tRUE']) assert.equal(value(s), s);
  });

  test('ints: underscores, 0b, 0o, 0x, leading zeros are decimal', () => {
    const cases: [string, number][] = [
      ['1_000', 1000],
      ['1__0', 10],
      ['0b101', 5],
      ['0b1_0', 2],
      ['0o17', 15],
      ['0x1F', 31],
      ['0xff_ff', 65535],
      ['0x_1', 1],
      ['007', 7],
      ['017', 17],
      ['019', 19],
      ['00', 0],
      ['+1', 1],
      ['-0', 0],
      ['-12', -12],
    ];
    for (const [text, expected] of cases) assert.equal(value(text), expected, text);
  });

  test('not numbers: incomplete prefixes and invalid digits stay strings', () => {
    for (const s of ['0o', '0b', '0x', '0o8', '1e5.0', '1e', 'e5', '.', '+', '1:20', '12:30', '~x', '-.nan', '2020-1-1']) {
      assert.equal(value(s), s, s);
    }
  });

  test('floats keep their float-ness, integral ones as PyFloat', () => {
    const cases: [string, number | PyFloat][] = [
      ['1.0', new PyFloat(1)],
      ['1.', new PyFloat(1)],
      ['1e5', new PyFloat(100000)],
      ['1E3', new PyFloat(1000)],
      ['+12e03', new PyFloat(12000)],
      ['1.0e+10', new PyFloat(1e10)],
      ['1_0.5', 10.5],
      ['.5', 0.5],
      ['-.5', -0.5],
      ['+.5', 0.5],
      ['0.1', 0.1],
      ['1e-5', 1e-5],
      ['6.02e23', new PyFloat(6.02e23)],
      ['0.0', new PyFloat(0)],
    ];
    for (const [text, expected] of cases) assert.deepEqual(value(text), expected, text);
    for (const [text, expected] of [
      ['.inf', Infinity],
      ['+.inf', Infinity],
      ['.Inf', Infinity],
      ['-.inf', -Infinity],
      ['1e400', Infinity],
    ] as const) {
      assert.equal(Number(value(text)), expected, text);
    }
    assert.ok(Number.isNaN(Number(value('.nan'))));
    assert.ok(Number.isNaN(Number(value('.NaN'))));
    assert.ok(Object.is(Number(value('-0.0')), -0));
  });

  test('null: ~, null, Null, NULL and nothing', () => {
    for (const n of ['~', 'null', 'Null', 'NULL', '']) assert.equal(value(n), null, n);
  });

  test('timestamps become dates; quoted scalars and !!str stay strings', () => {
    assert.deepEqual(value('2020-01-01'), new PyDate('2020-01-01'));
    assert.ok(value('2020-01-01 10:00:00') instanceof PyDate);
    assert.equal(value('"1.0"'), '1.0');
    assert.equal(value("'true'"), 'true');
    assert.equal(value('!!str 1'), '1');
    assert.equal(value('!!int "3"'), 3);
  });
});

describe('documents', () => {
  test('a falsy document is read as {} (parse_yaml: `or {}`)', () => {
    for (const text of ['', '\n', '# comment\n', '~', 'null', 'false', '0', '""', '[]', '{}', '0.0', '-0.0']) {
      assert.deepEqual(loadYaml(text, 'dvc.yaml').data, {}, JSON.stringify(text));
    }
  });

  test('a truthy non-map document is returned as is', () => {
    assert.deepEqual(loadYaml('- 1\n- 1.5\n', 'p.yaml').data, [1, 1.5]);
    assert.equal(loadYaml('text', 'p.yaml').data, 'text');
    assert.equal(loadYaml('1', 'p.yaml').data, 1);
  });

  test('<< merge keys', () => {
    assert.deepEqual(loadYaml('base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n', 'p.yaml').data, { base: { x: 1 }, c: { x: 1, y: 2 } });
  });

  test('a duplicate key is an error', () => {
    assert.throws(() => loadYaml('a: 1\na: 2\n', 'p.yaml'), (error: unknown) => {
      assert.ok(error instanceof ParseError);
      assert.equal((error as Error).message, "unable to read: 'p.yaml', YAML file structure is corrupted: duplicated mapping key (line 2, column 1)");
      return true;
    });
  });

  test('a syntax error names the file and keeps DVC\'s wording first', () => {
    assert.throws(() => loadYaml('a: [1\n', 'sub/dvc.yaml'), (error: unknown) => {
      assert.ok(error instanceof ParseError);
      assert.ok((error as Error).message.startsWith("unable to read: 'sub/dvc.yaml', YAML file structure is corrupted: "), (error as Error).message);
      assert.equal((error as ParseError).file, 'sub/dvc.yaml');
      return true;
    });
  });

  test('positions of nodes, 1-based, for schema messages', () => {
    const loaded = loadYaml('stages:\n  s:\n    cmd: c\n    outs:\n      - o: {cache: no}\n    x: [a]\n', 'dvc.yaml');
    assert.deepEqual(loaded.positionOf(['stages', 's']), { line: 3, column: 5 });
    assert.deepEqual(loaded.positionOf(['stages', 's', 'outs']), { line: 5, column: 7 });
    assert.deepEqual(loaded.positionOf(['stages', 's', 'outs', 0, 'o']), { line: 5, column: 12 });
    assert.deepEqual(loaded.positionOf(['stages', 's', 'x']), { line: 6, column: 8 });
    assert.equal(loaded.positionOf(['stages', 'missing']), undefined);
  });
});

describe('encoding', () => {
  test('UTF-8 is required', () => {
    assert.equal(decodeUtf8(new TextEncoder().encode('é: ü\n'), 'p.yaml'), 'é: ü\n');
    assert.throws(() => decodeUtf8(new Uint8Array([0x61, 0xff, 0x62]), 'p.yaml'), {
      name: 'ParseError',
      message: "unable to read: 'p.yaml', is not valid utf-8",
    });
  });
});

describe('ints keep every digit', () => {
  test('safe integers are numbers, larger ones bigints', () => {
    assert.equal(value('9007199254740991'), 9007199254740991);
    assert.equal(value('12345678901234567890'), 12345678901234567890n);
    assert.equal(value('-0x10000000000000000'), -(2n ** 64n));
    assert.equal(value('1_000'), 1000);
    assert.equal(value('0o17'), 15);
  });
});

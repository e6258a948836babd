import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ParseError } from '../errors';
import { parseParamsText } from './files';
import { lookupParam, readParamsValues } from './values';
import { PyFloat } from '../formats/python/value';
import { buildPipelineStage, type ParamsDependency } from '../stage/stage';

/**
 * DVC's `dvc/dependency/param.py`: `read_param_file` (dpath lookups with `.`, flat results, absent
 * keys skipped, whole file when no keys) and its errors; the readers picked by file suffix.
 */

describe('lookupParam (dpath.get with "." separator)', () => {
  const data = {
    lr: 0.1,
    train: { epochs: 10, opt: { name: 'adam' }, none: null },
    layers: [{ units: 64 }, { units: 32 }],
    '0': 'zero-key',
  };

  test('dotted keys into maps and lists', () => {
    assert.deepEqual(lookupParam(data, 'lr'), { found: true, value: 0.1 });
    assert.deepEqual(lookupParam(data, 'train.opt.name'), { found: true, value: 'adam' });
    assert.deepEqual(lookupParam(data, 'train.opt'), { found: true, value: { name: 'adam' } });
    assert.deepEqual(lookupParam(data, 'layers.1.units'), { found: true, value: 32 });
    assert.deepEqual(lookupParam(data, 'layers.0'), { found: true, value: { units: 64 } });
    assert.deepEqual(lookupParam(data, '0'), { found: true, value: 'zero-key' });
  });

  test('a null value is found', () => {
    assert.deepEqual(lookupParam(data, 'train.none'), { found: true, value: null });
  });

  test('misses: absent keys, paths through scalars, list indexes not written as Python writes them', () => {
    for (const key of ['missing', 'train.missing', 'lr.x', 'layers.2', 'layers.-1', 'layers.01', 'layers.x', 'train.epochs.x']) {
      assert.deepEqual(lookupParam(data, key), { found: false }, key);
    }
  });
});

describe('readParamsValues', () => {
  let root: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const deps = (params: unknown[], file = 'dvc.yaml', wdir?: string): ParamsDependency[] =>
    buildPipelineStage(file, 's', { cmd: 'c', params, ...(wdir ? { wdir } : {}) }).params;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-dvc-params-'));
    write('params.yaml', 'lr: 0.1\nepochs: 10\nnested:\n  a:\n    b: 1\n  c: [1, 2]\nwhole: {z: 1, y: 2}\n');
    write('config.json', '{"width": 64, "depth": 2.0}');
    write('params.toml', '[train]\nbatch = 32\nrate = 1.0\n');
    write('params.py', 'SEED = 7\nclass Config:\n    activation = "relu"\n');
    write('sub/params.yaml', 'local: true\n');
    write('bad.yaml', 'a: [1\n');
    mkdirSync(join(root, 'sub/dir.yaml'), { recursive: true });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('listed keys: a flat map of dotted keys, absent ones left out', () => {
    const [dep] = deps(['lr', 'nested.a.b', 'nested.c', 'missing', 'nested.a']);
    assert.deepEqual(readParamsValues(root, dep), { lr: 0.1, 'nested.a.b': 1, 'nested.c': [1, 2], 'nested.a': { b: 1 } });
  });

  test('a wholly tracked file: its whole top-level mapping', () => {
    const [dep] = deps([{ 'params.yaml': null }]);
    assert.deepEqual(readParamsValues(root, dep), { lr: 0.1, epochs: 10, nested: { a: { b: 1 }, c: [1, 2] }, whole: { z: 1, y: 2 } });
  });

  test('JSON, TOML and Python files', () => {
    const [json, toml, py] = deps([{ 'config.json': ['width', 'depth'] }, { 'params.toml': ['train'] }, { 'params.py': ['SEED', 'Config.activation'] }]);
    assert.deepEqual(readParamsValues(root, json), { width: 64, depth: new PyFloat(2) });
    assert.deepEqual(readParamsValues(root, toml), { train: { batch: 32, rate: new PyFloat(1) } });
    assert.deepEqual(readParamsValues(root, py), { SEED: 7, 'Config.activation': 'relu' });
  });

  test('the file is found from the stage wdir', () => {
    const [dep] = deps(['local'], 'sub/dvc.yaml');
    assert.equal(dep.repoPath, 'sub/params.yaml');
    assert.deepEqual(readParamsValues(root, dep), { local: true });
  });

  test('a missing file has no values (status: deleted)', () => {
    assert.equal(readParamsValues(root, deps([{ 'nope.yaml': ['a'] }])[0]), undefined);
  });

  test('a directory, and unreadable content, named by their path from the root', () => {
    assert.throws(() => readParamsValues(root, deps([{ 'dir.yaml': ['a'] }], 'sub/dvc.yaml')[0]), (error: unknown) => {
      assert.ok(error instanceof ParseError);
      assert.equal((error as Error).message, "'sub/dir.yaml' is a directory, expected a parameters file");
      return true;
    });
    assert.throws(() => readParamsValues(root, deps([{ '../bad.yaml': ['a'] }], 'sub/dvc.yaml')[0]), {
      name: 'ParseError',
      message: "Unable to read parameters from 'bad.yaml'",
    });
  });
});

describe('params and vars file readers (by suffix)', () => {
  test('the lower-cased suffix picks JSON, TOML or Python; anything else is YAML', () => {
    assert.deepEqual(parseParamsText('{"a": 1.0}', 'P.JSON'), { a: new PyFloat(1) });
    assert.deepEqual(parseParamsText('a = 1.0\n', 'p.Toml'), { a: new PyFloat(1) });
    assert.deepEqual(parseParamsText('A = (1, 2)\n', 'p.py'), { A: [1, 2] });
    assert.deepEqual(parseParamsText('a: yes\n', 'p.cfg'), { a: 'yes' });
    assert.deepEqual(parseParamsText('a: 1\n', 'params'), { a: 1 });
  });

  test('a falsy JSON document is read as {} (parse_json: `or {}`)', () => {
    for (const text of ['[]', '{}', '0', '0.0', 'false', 'null', '""']) {
      assert.deepEqual(parseParamsText(text, 'p.json'), {}, text);
    }
    assert.deepEqual(parseParamsText('[1]', 'p.json'), [1]);
  });

  test("corrupted files: DVC's message, then the parser's detail", () => {
    assert.throws(() => parseParamsText('{"a" 1}', 'c.json'), {
      name: 'ParseError',
      message: "unable to read: 'c.json', JSON file structure is corrupted: Expecting ':' delimiter: line 1 column 6 (char 5)",
    });
    for (const [text, path, format] of [
      ['a = = 1\n', 'p.toml', 'TOML'],
      ['def (:\n', 'p.py', 'Python'],
    ]) {
      assert.throws(() => parseParamsText(text, path), (error: unknown) => {
        assert.ok(error instanceof ParseError);
        assert.ok((error as Error).message.startsWith(`unable to read: '${path}', ${format} file structure is corrupted: `), (error as Error).message);
        return true;
      });
    }
  });
});

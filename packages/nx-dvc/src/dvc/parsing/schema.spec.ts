import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { YAMLValidationError } from '../errors';
import { LOCK_FILE_SCHEMA, PIPELINE_FILE_SCHEMA, SINGLE_STAGE_SCHEMA, validate } from './schema';
import { loadYaml } from '../formats/yaml/load';

/**
 * DVC's `dvc/schema.py` (voluptuous) on the raw, un-interpolated YAML, with the messages of
 * `dvc/utils/strictyaml.py::YAMLValidationError`: `<error>, in <path>, line <l>, column <c>`, the
 * line and column being those of the nearest enclosing collection (at most 4 steps up).
 */

type Schema = typeof PIPELINE_FILE_SCHEMA;

function check(text: string, schema: Schema = PIPELINE_FILE_SCHEMA, relpath = 'dvc.yaml'): { headline: string; details: string[] } | undefined {
  try {
    validate(loadYaml(text, relpath), schema, relpath);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof YAMLValidationError, String(error));
    return { headline: error.message.split('\n')[0], details: error.details };
  }
}

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('dvc.yaml accepted', () => {
  test('every documented key', () => {
    const text = lines(
      'vars:',
      '  - params.yaml',
      '  - {a: 1}',
      'params: [extra.yaml]',
      'metrics: [m.json]',
      'plots:',
      '  - p.csv',
      '  - my_plot:',
      '      x: a',
      '      y: {p.csv: [b, c]}',
      '      title: t',
      '      template: linear',
      '  - bare:',
      'artifacts:',
      '  model: {path: m.pkl, type: model, desc: d, labels: [x], meta: {k: 1}}',
      'datasets:',
      '  - {name: ds, type: dvc, url: x}',
      'stages:',
      '  full:',
      '    cmd: [a, b]',
      '    wdir: sub',
      '    deps: [x]',
      '    params: [lr, {other.yaml: [k]}, {whole.yaml: }]',
      '    vars: [v.yaml, {b: 2}]',
      '    frozen: false',
      '    always_changed: true',
      '    desc: text',
      '    meta: {anything: [1]}',
      '    outs: [o, {o2: {cache: false, persist: true, checkpoint: true, remote: r, push: false, desc: d, type: t, labels: [l], meta: 1}}]',
      '    metrics: [{m: {cache: false}}]',
      '    plots: [p, {p2: {x: a, y: b, x_label: X, y_label: Y, title: T, template: t, header: true, cache: false}}, {p3: [{x: a}]}]',
      '  grid:',
      '    matrix: {a: [1, 2], b: "${list}"}',
      '    cmd: echo',
      '  each:',
      '    foreach: ${items}',
      '    do:',
      '      cmd: echo ${item}',
    );
    assert.equal(check(text), undefined);
  });

  test('an empty file and an empty stages map', () => {
    assert.equal(check(''), undefined);
    assert.equal(check('stages: {}\n'), undefined);
  });
});

describe('dvc.yaml refused', () => {
  test('an unknown stage key (golden 19-errors/07)', () => {
    assert.deepEqual(check(lines('stages:', '  build:', '    cmd: echo build > build.txt', '    outputs:', '      - build.txt')), {
      headline: "'./dvc.yaml' validation failed",
      details: ['extra keys not allowed, in stages -> build -> outputs, line 5, column 7'],
    });
  });

  test('cmd is required', () => {
    assert.deepEqual(check(lines('stages:', '  build:', '    deps: [a]')), {
      headline: "'./dvc.yaml' validation failed",
      details: ['required key not provided, in stages -> build -> cmd, line 3, column 5'],
    });
  });

  test('types are checked on the raw text: ${} cannot stand for a bool or a list', () => {
    assert.deepEqual(check(lines('stages:', '  s:', '    cmd: c', '    frozen: ${x}', '    deps: ${list}', '    wdir: 5'))?.details, [
      'expected bool, in stages -> s -> frozen, line 3, column 5',
      'expected a list, in stages -> s -> deps, line 3, column 5',
      'expected str, in stages -> s -> wdir, line 3, column 5',
    ]);
  });

  test('list items and output flags', () => {
    assert.deepEqual(check(lines('stages:', '  s:', '    cmd: c', '    deps:', '      - 5', '    outs:', '      - o: {cache: no}'))?.details, [
      'expected str, in stages -> s -> deps -> 0, line 5, column 7',
      'expected bool, in stages -> s -> outs -> 0 -> o -> cache, line 7, column 12',
    ]);
  });

  test('a foreach stage holds foreach and do only', () => {
    assert.deepEqual(check(lines('stages:', '  s:', '    foreach: [a]', '    do: {cmd: c}', '    outs: [x]'))?.details, [
      'extra keys not allowed, in stages -> s -> outs, line 5, column 11',
    ]);
    assert.deepEqual(check(lines('stages:', '  s:', '    do: {cmd: c}'))?.details, [
      'required key not provided, in stages -> s -> foreach, line 3, column 5',
    ]);
    assert.deepEqual(check(lines('stages:', '  s:', '    foreach: [a]'))?.details, ['required key not provided, in stages -> s -> do, line 3, column 5']);
    assert.deepEqual(check(lines('stages:', '  s:', '    foreach: [a]', '    do: {outs: [x]}'))?.details, [
      'required key not provided, in stages -> s -> do -> cmd, line 4, column 9',
    ]);
  });

  test('top-level keys and the error count', () => {
    assert.deepEqual(check(lines('stage:', '  s: {cmd: c}', 'params: extra.yaml')), {
      headline: "'./dvc.yaml' validation failed: 2 errors",
      details: ['extra keys not allowed, in stage, line 2, column 3', 'expected a list, in params'],
    });
  });

  test('the file is named ./<relpath>, or ../<relpath> above the working directory', () => {
    assert.equal(check('foo: 1\n', PIPELINE_FILE_SCHEMA, 'sub/dvc.yaml')?.headline, "'./sub/dvc.yaml' validation failed");
    assert.equal(check('foo: 1\n', PIPELINE_FILE_SCHEMA, '../dvc.yaml')?.headline, "'../dvc.yaml' validation failed");
  });

  test('the details follow the headline in the message', () => {
    assert.throws(() => validate(loadYaml('foo: 1\n', 'dvc.yaml'), PIPELINE_FILE_SCHEMA, 'dvc.yaml'), {
      message: "'./dvc.yaml' validation failed\n  extra keys not allowed, in foo",
    });
  });
});

describe('dvc.lock and .dvc files', () => {
  test('a lock file needs schema 2.0', () => {
    assert.equal(check(lines("schema: '2.0'", 'stages:', '  s:', '    cmd: c', '    deps:', '    - path: a', '      hash: md5', '      md5: x', '      size: 1'), LOCK_FILE_SCHEMA, 'dvc.lock'), undefined);
    assert.deepEqual(check("schema: '1.0'\n", LOCK_FILE_SCHEMA, 'dvc.lock')?.details, ['invalid schema version, in schema']);
  });

  test('a DVC 1 lock file (stages at the top level)', () => {
    assert.deepEqual(check(lines('mystage:', '  cmd: python train.py'), LOCK_FILE_SCHEMA, 'dvc.lock'), {
      headline: "'./dvc.lock' validation failed: 2 errors",
      details: ['extra keys not allowed, in mystage, line 2, column 3', 'required key not provided, in schema'],
    });
  });

  test('a .dvc file', () => {
    assert.equal(check(lines('outs:', '- md5: abc', '  size: 3', '  hash: md5', '  path: raw.csv', '  cache: false'), SINGLE_STAGE_SCHEMA, 'raw.csv.dvc'), undefined);
    assert.deepEqual(check(lines('outs:', '- path: raw.csv', 'unknown: 1'), SINGLE_STAGE_SCHEMA, 'raw.csv.dvc')?.details, ['extra keys not allowed, in unknown']);
    assert.deepEqual(check(lines('outs:', '- md5: abc'), SINGLE_STAGE_SCHEMA, 'raw.csv.dvc')?.details, [
      'required key not provided, in outs -> 0 -> path, line 2, column 3',
    ]);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withStage } from './pipeline-edit';
import { stageDefinition } from './definition';

const train = stageDefinition({ name: 'train', cmd: 'python train.py', deps: ['src/train.py', 'data'], params: ['lr'], outs: ['model.pkl'] });

describe('withStage', () => {
  test('a new file gets the stage as DVC dumps it', () => {
    assert.equal(
      withStage('', 'dvc.yaml', 'train', train),
      'stages:\n  train:\n    cmd: python train.py\n    deps:\n    - data\n    - src/train.py\n    params:\n    - lr\n    outs:\n    - model.pkl\n',
    );
  });

  test('appends after the last stage and keeps every other byte, comments and templating included', () => {
    const text = [
      '# pipeline of the team',
      'vars:',
      '  - config.yaml',
      'stages:',
      '  prepare:   # first',
      "    cmd: python prepare.py ${seed}",
      '    outs:',
      '      - data',
      '',
      '# the end',
      'plots:',
      '  - model.json',
    ].join('\n');
    const result = withStage(text + '\n', 'dvc.yaml', 'train', train);
    const expected = [
      ...text.split('\n').slice(0, 8),
      '  train:',
      '    cmd: python train.py',
      '    deps:',
      '      - data',
      '      - src/train.py',
      '    params:',
      '      - lr',
      '    outs:',
      '      - model.pkl',
      ...text.split('\n').slice(8),
    ].join('\n');
    assert.equal(result, expected + '\n');
  });

  test('follows the file indentation: four-space stages', () => {
    const text = 'stages:\n    a:\n        cmd: echo a\n        outs:\n            - a\n';
    assert.equal(
      withStage(text, 'dvc.yaml', 'b', { cmd: 'echo b', deps: ['a'] }),
      text + '    b:\n        cmd: echo b\n        deps:\n            - a\n',
    );
  });

  test('a file without a final newline', () => {
    assert.equal(withStage('stages:\n  a:\n    cmd: echo a', 'dvc.yaml', 'b', { cmd: 'echo b' }), 'stages:\n  a:\n    cmd: echo a\n  b:\n    cmd: echo b\n');
  });

  test('an empty stages section and a file without one', () => {
    assert.equal(withStage('stages:\nplots: []\n', 'dvc.yaml', 'a', { cmd: 'x' }), 'stages:\n  a:\n    cmd: x\nplots: []\n');
    assert.equal(withStage('vars:\n- a: 1\n', 'dvc.yaml', 'a', { cmd: 'x' }), 'vars:\n- a: 1\nstages:\n  a:\n    cmd: x\n');
  });

  test('--force replaces only the lines of that stage', () => {
    const text = 'stages:\n  a:\n    cmd: echo a\n    outs:\n    - a\n  # keep me\n  b:\n    cmd: echo b\n';
    assert.equal(withStage(text, 'dvc.yaml', 'a', { cmd: 'echo A' }), 'stages:\n  a:\n    cmd: echo A\n  # keep me\n  b:\n    cmd: echo b\n');
    assert.equal(withStage(text, 'dvc.yaml', 'b', { cmd: 'echo B' }), text.replace('echo b', 'echo B'));
  });

  test('values that need quotes are quoted, null params files are left empty', () => {
    const definition = stageDefinition({ name: 'x', cmd: 'echo "a: b"', params: ['p2.yaml:', 'lr'], metricsNoCache: ['m.json'] });
    assert.equal(
      withStage('', 'dvc.yaml', 'x', definition),
      "stages:\n  x:\n    cmd: 'echo \"a: b\"'\n    params:\n    - lr\n    - p2.yaml:\n    metrics:\n    - m.json:\n        cache: false\n",
    );
  });
});

describe('stageDefinition (DVC to_pipeline_file)', () => {
  test('keys in DVC order, deps and outputs sorted, flags only when set', () => {
    const definition = stageDefinition({
      name: 's',
      cmd: 'run',
      desc: 'the stage',
      wdir: './src/',
      deps: ['b', 'a'],
      params: ['train.lr,train.bs', 'other.yaml:x', 'seed'],
      outs: ['z'],
      outsNoCache: ['y'],
      outsPersist: ['x'],
      metrics: ['m.json'],
      plotsNoCache: ['p.csv'],
      plots: ['a.png'],
      alwaysChanged: true,
    });
    assert.deepEqual(Object.keys(definition), ['desc', 'cmd', 'wdir', 'deps', 'params', 'outs', 'metrics', 'plots', 'always_changed']);
    assert.equal(definition.wdir, 'src');
    assert.deepEqual(definition.deps, ['a', 'b']);
    assert.deepEqual(definition.params, ['seed', 'train.bs', 'train.lr', { 'other.yaml': ['x'] }]);
    assert.deepEqual(definition.outs, [{ x: { persist: true } }, { y: { cache: false } }, 'z']);
    assert.deepEqual(definition.plots, ['a.png', { 'p.csv': { cache: false } }]);
  });
});

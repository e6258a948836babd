import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PathOutsideWorkspaceError, StageLoadError } from '../errors';
import { addressingOf, buildPipelineStage, makeDependency } from './stage';

/**
 * DVC's stage loading (`dvc/stage/loader.py`, `dvc/dependency/__init__.py::_merge_params`,
 * `dvc/output.py::_merge_data`/`load_from_pipeline`): params forms, outputs, wdir and addressing.
 * DVC's messages name neither file nor stage; ours are DVC's text after `stage '<addr>' in '<file>': `.
 */

const IN_S = "stage 's' in 'dvc.yaml': ";

const params = (list: unknown[], file = 'dvc.yaml', wdir?: string) =>
  buildPipelineStage(file, 's', { cmd: 'c', params: list, ...(wdir ? { wdir } : {}) }).params.map((p) => [p.path, p.keys, p.repoPath]);

describe('addressing and wdir', () => {
  test('a stage of ./dvc.yaml is its name; elsewhere <file>:<name>; a .dvc file is its path', () => {
    assert.equal(addressingOf('dvc.yaml', 'train'), 'train');
    assert.equal(addressingOf('sub/dvc.yaml', 'train'), 'sub/dvc.yaml:train');
    assert.equal(addressingOf('data/raw.csv.dvc'), 'data/raw.csv.dvc');
    const stage = buildPipelineStage('sub/dvc.yaml', 'train@a', { cmd: 'c' });
    assert.equal(stage.addressing, 'sub/dvc.yaml:train@a');
    assert.equal(stage.name, 'train@a');
    assert.equal(stage.file, 'sub/dvc.yaml');
  });

  test('wdir is relative to the dvc.yaml directory; paths are relative to the wdir', () => {
    assert.equal(buildPipelineStage('dvc.yaml', 's', { cmd: 'c' }).wdir, '.');
    assert.equal(buildPipelineStage('sub/dvc.yaml', 's', { cmd: 'c' }).wdir, 'sub');
    assert.equal(buildPipelineStage('sub/dvc.yaml', 's', { cmd: 'c', wdir: '..' }).wdir, '.');
    const stage = buildPipelineStage('sub/dvc.yaml', 's', {
      cmd: 'c',
      wdir: 'work',
      deps: ['../../x', '../x', 'x', './y/../z', 'dir/'],
      outs: ['out.txt'],
    });
    assert.equal(stage.wdir, 'sub/work');
    assert.deepEqual(
      stage.deps.map((d) => [d.path, d.repoPath]),
      [
        ['../../x', 'x'],
        ['../x', 'sub/x'],
        ['x', 'sub/work/x'],
        ['./y/../z', 'sub/work/z'],
        ['dir/', 'sub/work/dir'],
      ],
    );
    assert.deepEqual(stage.outs.map((o) => [o.path, o.repoPath]), [['out.txt', 'sub/work/out.txt']]);
  });

  test('other fields', () => {
    const stage = buildPipelineStage('dvc.yaml', 's', { cmd: ['a', 'b'], frozen: true, always_changed: true, desc: 'd', meta: { k: 1 } });
    assert.deepEqual(stage.cmd, ['a', 'b']);
    assert.equal(stage.frozen, true);
    assert.equal(stage.alwaysChanged, true);
    assert.equal(stage.desc, 'd');
    assert.deepEqual(stage.meta, { k: 1 });
    const plain = buildPipelineStage('dvc.yaml', 's', { cmd: 'c' });
    assert.deepEqual([plain.frozen, plain.alwaysChanged, plain.desc, plain.deps, plain.outs, plain.params], [false, false, undefined, [], [], []]);
  });
});

describe('dependencies', () => {
  test('kept in order, duplicates included; URLs and ds:// have no repo path', () => {
    const stage = buildPipelineStage('dvc.yaml', 's', { cmd: 'c', deps: ['a', 'a', 's3://bucket/x', 'ds://mydata', 'https://h/x'] });
    assert.deepEqual(
      stage.deps.map((d) => [d.path, d.repoPath]),
      [
        ['a', 'a'],
        ['a', 'a'],
        ['s3://bucket/x', undefined],
        ['ds://mydata', undefined],
        ['https://h/x', undefined],
      ],
    );
  });

  test('a .dvc file or a dvc.yaml cannot be a dependency', () => {
    const where = { file: 'dvc.yaml', addressing: 's' };
    for (const path of ['data.dvc', 'sub/dvc.yaml', 'dvc.yaml']) {
      assert.throws(() => makeDependency(path, '.', where), (error: unknown) => {
        assert.ok(error instanceof StageLoadError);
        assert.equal((error as Error).message, `${IN_S}DVC file '${path}' cannot be a dependency.`);
        return true;
      });
    }
    assert.equal(makeDependency('dvc.lock', '.', where).repoPath, 'dvc.lock');
    assert.equal(makeDependency('my.dvc.yaml', '.', where).repoPath, 'my.dvc.yaml');
  });
});

describe('params forms (_merge_params)', () => {
  test('bare keys are keys of params.yaml in the wdir', () => {
    assert.deepEqual(params(['lr', 'train.epochs']), [['params.yaml', ['lr', 'train.epochs'], 'params.yaml']]);
    assert.deepEqual(params(['lr'], 'sub/dvc.yaml', 'w'), [['params.yaml', ['lr'], 'sub/w/params.yaml']]);
  });

  test('{file: [keys]} names keys of another file; entries for one file are combined', () => {
    assert.deepEqual(params(['lr', { 'params.yaml': ['x'] }, { 'other.yaml': ['a', 'b.c'] }, { 'other.yaml': ['d'] }]), [
      ['params.yaml', ['lr', 'x'], 'params.yaml'],
      ['other.yaml', ['a', 'b.c', 'd'], 'other.yaml'],
    ]);
  });

  test('{file: } (null, empty list, any falsy value) tracks the whole file', () => {
    for (const none of [null, [], '', 0, false, {}]) {
      assert.deepEqual(params([{ 'custom.yaml': none }]), [['custom.yaml', [], 'custom.yaml']], JSON.stringify(none));
    }
  });

  test('a wholly tracked file ignores keys listed for it anywhere, bare keys included', () => {
    assert.deepEqual(params([{ 'o.yaml': ['a'] }, { 'o.yaml': null }, { 'o.yaml': ['b'] }]), [['o.yaml', [], 'o.yaml']]);
    assert.deepEqual(params([{ 'o.yaml': ['a'] }, 'lr', { 'params.yaml': null }, 'epochs']), [
      ['o.yaml', ['a'], 'o.yaml'],
      ['params.yaml', [], 'params.yaml'],
    ]);
  });

  test('keys that are not a list are refused', () => {
    assert.throws(() => params([{ 'o.yaml': 'a' }]), {
      message: `${IN_S}Expected list of params for custom params file 'o.yaml', got 'str'.`,
    });
    assert.throws(() => params([{ 'o.yaml': { a: 1 } }]), {
      message: `${IN_S}Expected list of params for custom params file 'o.yaml', got 'dict'.`,
    });
    assert.throws(() => params([5]), { message: `${IN_S}Only list of str/dict is supported. Got: 'int'.` });
  });
});

describe('outputs (_merge_data, load_from_pipeline)', () => {
  test('entries naming the same path merge their flags, a later one wins', () => {
    const stage = buildPipelineStage('dvc.yaml', 's', {
      cmd: 'c',
      outs: ['a', { a: { cache: false } }, { b: { persist: true, push: false, remote: 'r', checkpoint: true }, c: { cache: true } }, { a: { cache: true, persist: true } }],
    });
    assert.deepEqual(
      stage.outs.map((o) => [o.path, o.cache, o.persist, o.push, o.remote ?? null, o.metric, o.plot]),
      [
        ['a', true, true, true, null, false, false],
        ['b', true, true, false, 'r', false, false],
        ['c', true, false, true, null, false, false],
      ],
    );
  });

  test('outs, then metrics, then plots; one path under two keys gives two outputs', () => {
    const stage = buildPipelineStage('dvc.yaml', 's', {
      cmd: 'c',
      plots: [{ 'p.csv': { x: 'a', y: 'b', cache: false } }],
      metrics: [{ 'm.json': { cache: false } }, 'same'],
      outs: ['same'],
    });
    assert.deepEqual(
      stage.outs.map((o) => [o.path, o.metric, o.plot, o.cache]),
      [
        ['same', false, false, true],
        ['m.json', true, false, false],
        ['same', true, false, true],
        ['p.csv', false, true, false],
      ],
    );
  });

  test('a flags value that is not a map is refused', () => {
    assert.throws(() => buildPipelineStage('dvc.yaml', 's', { cmd: 'c', plots: [{ 'p.json': [{ x: 'a' }] }] }), {
      name: 'StageLoadError',
      message: `${IN_S}Expected dict for 'p.json', got: 'list'`,
    });
    assert.throws(() => buildPipelineStage('dvc.yaml', 's', { cmd: 'c', outs: [{ o: null }] }), {
      message: `${IN_S}Expected dict for 'o', got: 'NoneType'`,
    });
    assert.throws(() => buildPipelineStage('dvc.yaml', 's', { cmd: 'c', outs: [5] }), { message: `${IN_S}'int' not supported.` });
  });

  test('a .dvc file or a dvc.yaml cannot be an output', () => {
    for (const path of ['x.dvc', 'sub/dvc.yaml']) {
      for (const kind of ['outs', 'metrics', 'plots']) {
        assert.throws(() => buildPipelineStage('dvc.yaml', 's', { cmd: 'c', [kind]: [path] }), {
          name: 'StageLoadError',
          message: `${IN_S}DVC file '${path}' cannot be an output.`,
        });
      }
    }
  });

  test('outputs that leave the workspace are refused, cached ones in DVC 3\'s words', () => {
    const refusal = (path: string, includes: string) => (error: unknown) => {
      assert.ok(error instanceof PathOutsideWorkspaceError, String(error));
      assert.ok((error as Error).message.startsWith(`stage 'sub/dvc.yaml:s' in 'sub/dvc.yaml': `), (error as Error).message);
      assert.ok((error as Error).message.includes(includes), (error as Error).message);
      return true;
    };
    for (const kind of ['outs', 'metrics', 'plots']) {
      for (const path of ['../../x', '/abs/x', 'sub/../../../x']) {
        const dvc3 = `Saving cached external output ${path} is not supported since DVC 3.0. See <https://dvc.org/doc/user-guide/upgrade> for more info.`;
        assert.throws(() => buildPipelineStage('sub/dvc.yaml', 's', { cmd: 'c', [kind]: [path] }), refusal(path, dvc3));
        assert.throws(() => buildPipelineStage('sub/dvc.yaml', 's', { cmd: 'c', [kind]: [{ [path]: { cache: false } }] }), refusal(path, `output '${path}' (${kind}) is outside the workspace. DVC 3 accepts it uncached, nx-dvc does not`));
      }
    }
    assert.equal(buildPipelineStage('sub/dvc.yaml', 's', { cmd: 'c', outs: ['../x'] }).outs[0].repoPath, 'x');
  });

  test('deps outside the workspace are DVC\'s external dependencies: kept as written, resolved, never a repo path', () => {
    const deps = buildPipelineStage('sub/dvc.yaml', 's', { cmd: 'c', deps: ['/etc/hostname', '../../data/d/', '/mnt//x/../y', '../in-repo', 's3://b/k'] }).deps;
    assert.deepEqual(deps, [
      { path: '/etc/hostname', outsidePath: '/etc/hostname' },
      { path: '../../data/d/', outsidePath: '../data/d' },
      { path: '/mnt//x/../y', outsidePath: '/mnt/y' },
      { path: '../in-repo', repoPath: 'in-repo' },
      { path: 's3://b/k' },
    ]);
    const inAbsoluteWdir = buildPipelineStage('dvc.yaml', 's', { cmd: 'c', wdir: '/data', deps: ['x'] }).deps;
    assert.deepEqual(inAbsoluteWdir, [{ path: 'x', outsidePath: '/data/x' }]);
  });

  test('params files that leave the workspace stay refused', () => {
    assert.throws(() => buildPipelineStage('sub/dvc.yaml', 's', { cmd: 'c', params: [{ '../../p.yaml': ['a'] }] }), PathOutsideWorkspaceError);
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ResolveError } from '../errors';
import type { ParsingConfig } from './interpolate';
import { parseParamsText } from '../params/files';
import { PyFloat } from '../formats/python/value';
import { DataResolver, type ResolverHost } from './resolver';
import { loadYaml } from '../formats/yaml/load';

/**
 * DVC's `dvc/parsing/__init__.py` (DataResolver, EntryDefinition, ForeachDefinition,
 * MatrixDefinition). Most vectors are DVC's own tests in tests/func/parsing/, rewritten here;
 * the messages are DVC's exact texts.
 */

/** Files by repo-relative path; directories listed separately. */
function memoryHost(files: Record<string, string> = {}, dirs: string[] = []): ResolverHost {
  return {
    kind: (path) => (path in files ? 'file' : dirs.includes(path) ? 'dir' : 'missing'),
    readParams: (path) => parseParamsText(files[path], path),
  };
}

interface Setup {
  files?: Record<string, string>;
  dirs?: string[];
  wdir?: string;
  config?: ParsingConfig;
}

function resolver(data: Record<string, unknown>, setup: Setup = {}): DataResolver {
  return new DataResolver(memoryHost(setup.files, setup.dirs), setup.wdir ?? '', data, setup.config);
}

/** Every stage, resolved, by its (generated) name, in DVC's order. */
function resolveAll(data: Record<string, unknown>, setup: Setup = {}): Record<string, Record<string, unknown>> {
  const r = resolver(data, setup);
  return Object.fromEntries(r.stageNames().map((name) => [name, r.resolveOne(name)]));
}

function throwsResolve(fn: () => unknown, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ResolveError, `not a ResolveError: ${String(error)}`);
    assert.equal(error.message, message);
    return true;
  });
}

const yaml = (text: string) => loadYaml(text, 'dvc.yaml').data as Record<string, unknown>;

const DATA = 'models:\n  bar: bar\n  foo: foo\n';
const DATA_JSON = '{"models": {"bar": "bar", "foo": "foo"}}';

describe('global context: params.yaml and vars', () => {
  test('params.yaml beside dvc.yaml is loaded first; naming it again in vars is a no-op', () => {
    for (const data of [{}, { vars: [] }, { vars: ['params.yaml'] }, { vars: ['params.yaml', 'params.yaml'] }]) {
      const r = resolver(data, { files: { 'params.yaml': DATA } });
      assert.deepEqual(r.context.data, { models: { bar: 'bar', foo: 'foo' } });
      assert.deepEqual([...r.context.imports], [['params.yaml', null]]);
    }
  });

  test('a missing params.yaml is not an error', () => {
    assert.deepEqual(resolver({}).context.data, {});
  });

  test('params.yaml that is a directory is an error', () => {
    throwsResolve(
      () => resolver({}, { dirs: ['params.yaml'] }),
      "failed to parse 'vars' in 'dvc.yaml': 'params.yaml' is a directory",
    );
  });

  test('vars files and inline maps merge in order', () => {
    const r = resolver(
      { vars: ['params.yaml', 'params.json', { local: 1 }] },
      { files: { 'params.yaml': DATA, 'params.json': '{"datasets": ["foo", "bar"]}' } },
    );
    assert.deepEqual(r.context.data, { models: { bar: 'bar', foo: 'foo' }, datasets: ['foo', 'bar'], local: 1 });
  });

  test('paths are relative to the dvc.yaml directory', () => {
    const files = { 'params.yaml': DATA, 'sub/params.yaml': 'own: 1\n' };
    assert.deepEqual(resolver({ vars: ['../params.yaml'] }, { files, wdir: 'sub' }).context.data, {
      own: 1,
      models: { bar: 'bar', foo: 'foo' },
    });
  });

  test('file:keys loads only those top-level keys; empty keys are dropped', () => {
    const files = { 'config/base.yaml': 'model: {name: forest}\nignored: {key: 1}\nother: 2\n' };
    assert.deepEqual(resolver({ vars: ['config/base.yaml:model,,other,'] }, { files }).context.data, {
      model: { name: 'forest' },
      other: 2,
    });
  });

  test('partial loads with disjoint keys are fine', () => {
    const files = { 't.yaml': 'foo: foo\nbar: bar\n' };
    for (const vars of [['t.yaml:bar', 't.yaml:foo'], ['t.yaml:foo,bar'], ['t.yaml'], ['t.yaml', 't.yaml']]) {
      assert.deepEqual(resolver({ vars }, { files }).context.data, { foo: 'foo', bar: 'bar' });
    }
  });

  test('loading errors', () => {
    const files = { 'test_params.yaml': 'sub1: sub1\n', 'list.yaml': '- a\n', 'sub/p.yaml': 'a: 1\n' };
    throwsResolve(
      () => resolver({ vars: ['not_existing_params.yaml'] }, { files }),
      "failed to parse 'vars' in 'dvc.yaml': 'not_existing_params.yaml' does not exist",
    );
    throwsResolve(
      () => resolver({ vars: ['data'] }, { files, dirs: ['data'] }),
      "failed to parse 'vars' in 'dvc.yaml': 'data' is a directory",
    );
    throwsResolve(
      () => resolver({ vars: ['test_params.yaml:sub2'] }, { files }),
      "failed to parse 'vars' in 'dvc.yaml': could not find 'sub2' in 'test_params.yaml'",
    );
    throwsResolve(
      () => resolver({ vars: ['list.yaml'] }, { files }),
      "failed to parse 'vars' in 'dvc.yaml': expected a dictionary, got 'list' in file 'list.yaml'",
    );
    throwsResolve(
      () => resolver({ vars: ['p.yaml:b'] }, { files, wdir: 'sub' }),
      "failed to parse 'vars' in 'sub/dvc.yaml': could not find 'b' in 'sub/p.yaml'",
    );
  });

  test('redefinitions name both sources, after a line break', () => {
    throwsResolve(
      () => resolver({ vars: ['params.yaml', 'params.json'] }, { files: { 'params.yaml': DATA, 'params.json': DATA_JSON } }),
      "failed to parse 'vars' in 'dvc.yaml':\ncannot redefine 'models.bar' from 'params.json' as it already exists in 'params.yaml'",
    );
    throwsResolve(
      () => resolver({ vars: [{ models: { bar: 'bar', foo: 'foo' } }] }, { files: { 'params.yaml': DATA } }),
      "failed to parse 'vars' in 'dvc.yaml':\ncannot redefine 'models.bar' from 'vars[0]' as it already exists in 'params.yaml'",
    );
    throwsResolve(
      () => resolver({ vars: [{ bar: 'bar', foo: 'foo' }, { bar: 'bar', foo: 'foo' }] }),
      "failed to parse 'vars' in 'dvc.yaml':\ncannot redefine 'bar' from 'vars[1]' as it already exists in 'vars[0]'",
    );
  });

  test('partial/whole reload conflicts', () => {
    const files = { 't.yaml': 'sub1: sub1\nsub2: sub2\n' };
    const cases: [string[], string][] = [
      [['t.yaml', 't.yaml:sub1'], "cannot partially load 't.yaml:sub1' as it's already loaded."],
      [['t.yaml:sub1', 't.yaml'], "cannot load 't.yaml' as it's partially loaded already"],
      [['t.yaml:sub1', 't.yaml:sub1,sub2'], "cannot load 't.yaml:sub1,sub2' as it's partially loaded already"],
    ];
    for (const [vars, message] of cases) {
      throwsResolve(() => resolver({ vars }, { files }), `failed to parse 'vars' in 'dvc.yaml':\n${message}`);
      const r = resolver({ stages: { build: { cmd: 'echo ${sub1} ${sub2}', vars } } }, { files });
      throwsResolve(() => r.resolveOne('build'), `failed to parse 'stages.build.vars' in 'dvc.yaml':\n${message}`);
    }
  });

  test('${} inside vars is refused', () => {
    for (const vars of [['${file}_params.yaml', { bar: 'foo' }], [{ foo: '${foo}' }], [{ '${k}': 1 }]]) {
      throwsResolve(() => resolver({ vars }), "failed to parse 'vars' in 'dvc.yaml': interpolating is not allowed");
      const r = resolver({ stages: { build: { cmd: 'echo', vars } } });
      throwsResolve(() => r.resolveOne('build'), "failed to parse 'stages.build.vars' in 'dvc.yaml': interpolating is not allowed");
    }
  });

  test('an escaped \\${ in vars is not an interpolation', () => {
    assert.deepEqual(resolver({ vars: [{ a: '\\${x}' }] }).context.data, { a: '\\${x}' });
  });

  test('a date cannot enter the context (DVC crashes with this text)', () => {
    throwsResolve(
      () => resolver({}, { files: { 'params.yaml': 'when: 2020-01-01\n' } }),
      "failed to parse 'vars' in 'dvc.yaml': Unsupported value of type 'date' in 'params.yaml:when'",
    );
    // Not when the key holding the date is not selected.
    assert.deepEqual(resolver({ vars: ['p.yaml:a'] }, { files: { 'p.yaml': 'a: 1\nwhen: 2020-01-01\n' } }).context.data, { a: 1 });
  });
});

describe('stage vars', () => {
  test('apply to a copy of the global context', () => {
    const r = resolver({
      vars: [{ g: 'global' }],
      stages: {
        one: { vars: [{ foobar: 'foobar' }], cmd: 'echo ${g} ${foobar}' },
        two: { cmd: 'echo ${foobar}' },
      },
    });
    assert.deepEqual(r.resolveOne('one'), { cmd: 'echo global foobar' });
    assert.deepEqual(r.context.data, { g: 'global' });
    throwsResolve(() => r.resolveOne('two'), "failed to parse 'stages.two.cmd' in 'dvc.yaml': Could not find 'foobar'");
  });

  test('files are relative to the wdir, itself interpolated from the global context first', () => {
    const files = { 'params.yaml': 'dict: {bar: bar, ws: data}\n', 'data/params.yaml': 'dict: {foo: foo}\n' };
    const r = resolver(
      { stages: { stage1: { cmd: 'echo ${dict.foo} ${dict.bar}', params: ['value1'], wdir: '${dict.ws}', vars: ['params.yaml'] } } },
      { files },
    );
    assert.deepEqual(r.resolveOne('stage1'), { cmd: 'echo foo bar', params: ['value1'], wdir: 'data' });
    assert.deepEqual(r.context.data, { dict: { bar: 'bar', ws: 'data' } });
    assert.deepEqual([...r.context.imports], [['params.yaml', null]]);
  });

  test('a file already loaded globally (same normalised path) is a no-op', () => {
    const relative = resolver(
      { vars: ['params.yaml'], stages: { build: { wdir: 'data', cmd: 'echo ${bar}', vars: ['../params.yaml'] } } },
      { files: { 'params.yaml': 'bar: bar\nfoo: foo\n' } },
    );
    assert.deepEqual(relative.resolveOne('build'), { wdir: 'data', cmd: 'echo bar' });
    assert.deepEqual([...relative.context.imports], [['params.yaml', null]]);
    const same = resolver(
      { vars: ['params.json'], stages: { build: { cmd: 'command --value ${bar}', params: [{ 'params.json': ['foo'] }], vars: ['params.json'] } } },
      { files: { 'params.json': '{"bar": "bar", "foo": "foo"}' } },
    );
    assert.deepEqual(same.resolveOne('build'), { cmd: 'command --value bar', params: [{ 'params.json': ['foo'] }] });
  });

  test('loading errors are framed with the stage', () => {
    const files = { 'params.yaml': DATA, 'params.json': DATA_JSON, 'test_params.yaml': 'sub1: sub1\nsub2: sub2\n' };
    const cases: [unknown[], string][] = [
      [['not_existing_params.yaml'], "failed to parse stage 'build' in 'dvc.yaml': 'not_existing_params.yaml' does not exist"],
      [['test_params.yaml:sub3'], "failed to parse stage 'build' in 'dvc.yaml': could not find 'sub3' in 'test_params.yaml'"],
      [
        [{ models: { bar: 'bar', foo: 'foo' } }],
        "failed to parse stage 'build' in 'dvc.yaml':\ncannot redefine 'models.bar' from 'build.vars[0]' as it already exists in 'params.yaml'",
      ],
      [
        ['params.json'],
        "failed to parse stage 'build' in 'dvc.yaml':\ncannot redefine 'models.bar' from 'params.json' as it already exists in 'params.yaml'",
      ],
    ];
    for (const [vars, message] of cases) {
      const r = resolver({ stages: { build: { cmd: 'echo ${models.foo}', vars } } }, { files });
      throwsResolve(() => r.resolveOne('build'), message);
    }
  });
});

describe('interpolation in stages', () => {
  test('every string is resolved; a whole-string ${} keeps its type', () => {
    const files = { 'params.yaml': 'dict: {foo: foo, bar: bar}\nlist: [param1, param2]\nfreeze: true\nn: 5\nf: 1.0\nnone:\n' };
    assert.deepEqual(
      resolveAll(
        {
          stages: {
            stage1: { cmd: 'python script.py ${dict.foo} --out ${dict.bar}', outs: ['${dict.bar}'], deps: ['${dict.foo}'], frozen: '${freeze}' },
            stage2: { cmd: 'echo ${dict.foo} ${dict.bar}', meta: { n: '${n}', f: '${f}', none: '${none}', fixed: 3 }, desc: 'n=${n}' },
          },
        },
        { files },
      ),
      {
        stage1: { cmd: 'python script.py foo --out bar', outs: ['bar'], deps: ['foo'], frozen: true },
        stage2: { cmd: 'echo foo bar', meta: { n: 5, f: new PyFloat(1), none: null, fixed: 3 }, desc: 'n=5' },
      },
    );
  });

  test('embedded values: bool true/false, None, float repr, list index forms', () => {
    const r = resolver({
      vars: [{ on: true, off: false, none: null, lr: 1e-5, big: new PyFloat(1e16), one: new PyFloat(1), l: [{ a: 'x' }] }],
      stages: { s: { cmd: '${on} ${off} ${none} ${lr} ${big} ${one} ${l[0].a} ${l.0.a} ${ l [0] .a }' } },
    });
    assert.deepEqual(r.resolveOne('s'), { cmd: 'true false None 1e-05 1e+16 1.0 x x x' });
  });

  test('map keys are resolved too', () => {
    const r = resolver({
      vars: [{ dct: { foo: 'foobar', persist: true } }],
      stages: { s: { cmd: 'c', outs: [{ '${dct.foo}': { persist: '${dct.persist}' } }] } },
    });
    assert.deepEqual(r.resolveOne('s'), { cmd: 'c', outs: [{ foobar: { persist: true } }] });
  });

  test('\\${ is written as ${, in every string', () => {
    const r = resolver({
      vars: [{ value: 'value' }],
      stages: {
        s: {
          cmd: ['Great shot kid, that was \\${value} in a ${value}', "echo '\\${notavar}'", 'echo \\${ value } days'],
        },
      },
    });
    assert.deepEqual(r.resolveOne('s'), {
      cmd: ['Great shot kid, that was ${value} in a value', "echo '${notavar}'", 'echo ${ value } days'],
    });
  });

  test('a dict in cmd becomes CLI arguments, shaped by the parsing config', () => {
    const data = {
      vars: [{ dict: { foo: 'foo', bar: 2, string: 'spaced string', bool: true, 'bool-false': false, list: [1, 2, 'foo'], nested: { foo: 'foo' } } }],
      stages: { stage1: { cmd: 'python script.py ${dict}' } },
    };
    assert.deepEqual(resolver(data).resolveOne('stage1'), {
      cmd: "python script.py --foo foo --bar 2 --string 'spaced string' --bool --list 1 2 foo --nested.foo foo",
    });
    assert.deepEqual(resolver(data, { config: { bool: 'boolean_optional', list: 'append' } }).resolveOne('stage1'), {
      cmd: "python script.py --foo foo --bar 2 --string 'spaced string' --bool --no-bool-false --list 1 --list 2 --list foo --nested.foo foo",
    });
  });

  test('error frames: missing key, syntax error, non-primitive data', () => {
    const context = { vars: [{ models: { foo: 'bar', list: [1, [2, 3]] } }] };
    const cases: [Record<string, unknown>, string][] = [
      [{ cmd: 'echo ${models.foobar}' }, "failed to parse 'stages.build.cmd' in 'dvc.yaml': Could not find 'models.foobar'"],
      [
        { cmd: 'echo ${models.foo.}' },
        "failed to parse 'stages.build.cmd' in 'dvc.yaml':\n${models.foo.}\n            ^\nParseException: Expected end of text, found '.'  (at char 12), (line:1, col:13)",
      ],
      [{ cmd: 'c', outs: '${models}' }, "failed to parse 'stages.build.outs' in 'dvc.yaml':\nCannot interpolate data of type 'dict'"],
      [{ cmd: 'c', deps: ['a', '${models.list}'] }, "failed to parse 'stages.build.deps' in 'dvc.yaml':\nCannot interpolate data of type 'list'"],
      [{ cmd: 'echo ${models}' }, "failed to parse 'stages.build.cmd' in 'dvc.yaml':\nCannot interpolate nested iterable in 'list'"],
      [{ cmd: 'echo ${models.list}' }, "failed to parse 'stages.build.cmd' in 'dvc.yaml':\nCannot interpolate data of type 'list'"],
      [{ cmd: '${models.list}' }, "failed to parse 'stages.build.cmd' in 'dvc.yaml':\nCannot interpolate data of type 'list'"],
      [{ cmd: 'c', wdir: '${models[foobar]}' }, "failed to parse 'stages.build.wdir' in 'dvc.yaml': Could not find 'models.foobar'"],
      [
        { cmd: 'c', wdir: '${models.foo]}' },
        "failed to parse 'stages.build.wdir' in 'dvc.yaml':\n${models.foo]}\n            ^\nParseException: Expected end of text, found ']'  (at char 12), (line:1, col:13)",
      ],
    ];
    for (const [definition, message] of cases) {
      const r = resolver({ ...context, stages: { build: definition } });
      throwsResolve(() => r.resolveOne('build'), message);
    }
  });

  test('syntax is checked in every key before any value is looked up', () => {
    const r = resolver({ stages: { build: { cmd: 'echo ${missing}', outs: ['${a.}'] } } });
    throwsResolve(
      () => r.resolveOne('build'),
      "failed to parse 'stages.build.outs' in 'dvc.yaml':\n${a.}\n   ^\nParseException: Expected end of text, found '.'  (at char 3), (line:1, col:4)",
    );
  });

  test('the file is named by its path from the root', () => {
    const r = resolver({ stages: { b: { cmd: '${x}' } } }, { wdir: 'sub/dir' });
    assert.equal(r.relpath, 'sub/dir/dvc.yaml');
    throwsResolve(() => r.resolveOne('b'), "failed to parse 'stages.b.cmd' in 'sub/dir/dvc.yaml': Could not find 'x'");
  });

  test('golden 19-errors/06 and 10', () => {
    const undefinedVar = resolver(yaml('vars:\n  - name: demo\nstages:\n  greet:\n    cmd: echo ${name} ${missing.key} > greet.txt\n'));
    throwsResolve(() => undefinedVar.resolveOne('greet'), "failed to parse 'stages.greet.cmd' in 'dvc.yaml': Could not find 'missing.key'");
    const listInCmd = resolver(yaml('vars:\n  - tags: [x, y]\nstages:\n  tag:\n    cmd: echo ${tags} > tags.txt\n'));
    throwsResolve(() => listInCmd.resolveOne('tag'), "failed to parse 'stages.tag.cmd' in 'dvc.yaml':\nCannot interpolate data of type 'list'");
  });
});

describe('foreach', () => {
  test('list of scalars: the values are the keys', () => {
    const r = resolver({ stages: { build: { foreach: ['foo', 'bar', 'baz'], do: { cmd: 'echo ${item}' } } } });
    assert.deepEqual(r.stageNames(), ['build@foo', 'build@bar', 'build@baz']);
    assert.deepEqual(r.resolveOne('build@bar'), { cmd: 'echo bar' });
    assert.deepEqual(r.context.data, {});
  });

  test('scalar keys use to_str (bool -> true); duplicates collapse, the last value wins', () => {
    const r = resolver({
      stages: {
        b: { foreach: [true, false, null, new PyFloat(1), 1.5, 3], do: { cmd: 'echo ${item}' } },
        d: { foreach: [1, '1', 2], do: { cmd: 'c', deps: ['${item}'] } },
      },
    });
    assert.deepEqual(r.stageNames(), ['b@true', 'b@false', 'b@None', 'b@1.0', 'b@1.5', 'b@3', 'd@1', 'd@2']);
    assert.deepEqual(r.resolveOne('b@None'), { cmd: 'echo None' });
    assert.deepEqual(r.resolveOne('d@1'), { cmd: 'c', deps: ['1'] });
    assert.deepEqual(r.resolveOne('d@2'), { cmd: 'c', deps: [2] });
  });

  test('list with any list or map: the indexes are the keys', () => {
    const r = resolver({ stages: { build: { foreach: [{ thresh: 'foo' }, { thresh: 'bar' }, 'plain'], do: { cmd: 'echo ${item.thresh}' } } } });
    assert.deepEqual(r.stageNames(), ['build@0', 'build@1', 'build@2']);
    assert.deepEqual(r.resolveOne('build@1'), { cmd: 'echo bar' });
  });

  test('map: the keys, with ${key}', () => {
    const r = resolver({ stages: { build: { foreach: { model1: 'foo', model2: 'bar' }, do: { cmd: 'echo ${key} ${item}' } } } });
    assert.deepEqual(r.stageNames(), ['build@model1', 'build@model2']);
    assert.deepEqual(r.resolveOne('build@model2'), { cmd: 'echo model2 bar' });
    const fromYaml = resolver(yaml('stages:\n  build:\n    foreach:\n      2021: {thresh: foo}\n    do:\n      cmd: echo ${key} ${item.thresh}\n'));
    assert.deepEqual(fromYaml.stageNames(), ['build@2021']);
    assert.deepEqual(fromYaml.resolveOne('build@2021'), { cmd: 'echo 2021 foo' });
  });

  test('${key} exists only for a map', () => {
    const r = resolver({ stages: { build: { foreach: ['a'], do: { cmd: 'echo ${key}' } } } });
    throwsResolve(() => r.resolveOne('build@a'), "failed to parse 'stages.build@a.cmd' in 'dvc.yaml': Could not find 'key'");
  });

  test('${var} data, list and map, from vars and params.yaml', () => {
    for (const cmd of ['echo ${item.thresh}', 'echo ${item[thresh]}']) {
      const asMap = resolver({ vars: [{ models: { model1: { thresh: 'foo' }, model2: { thresh: 'bar' } } }], stages: { build: { foreach: '${models}', do: { cmd } } } });
      assert.deepEqual(asMap.stageNames(), ['build@model1', 'build@model2']);
      assert.deepEqual(asMap.resolveOne('build@model2'), { cmd: 'echo bar' });
      const asList = resolver({ stages: { build: { foreach: '${models}', do: { cmd } } } }, { files: { 'params.yaml': 'models:\n  - thresh: foo\n  - thresh: bar\n' } });
      assert.deepEqual(asList.stageNames(), ['build@0', 'build@1']);
      assert.deepEqual(asList.resolveOne('build@0'), { cmd: 'echo foo' });
    }
    const nested = resolver({ vars: [{ models: { lst: [{ thresh: 10 }, { thresh: 15 }] } }], stages: { build: { foreach: '${models.lst}', do: { cmd: 'echo ${item.thresh}' } } } });
    assert.deepEqual(nested.resolveOne('build@1'), { cmd: 'echo 15' });
  });

  test('a map merged from two files', () => {
    const r = resolver(
      { vars: ['test_params.yaml'], stages: { build: { foreach: '${models}', do: { cmd: 'echo ${item.thresh} ${item.epochs}' } } } },
      {
        files: {
          'params.yaml': 'models: {model1: {thresh: 10}, model2: {thresh: 15}}\n',
          'test_params.yaml': 'models: {model1: {epochs: 5}, model2: {epochs: 10}}\n',
        },
      },
    );
    assert.deepEqual(r.stageNames(), ['build@model1', 'build@model2']);
    assert.deepEqual(r.resolveOne('build@model2'), { cmd: 'echo 15 10' });
  });

  test('scalars from the context are named with Python str (True), literals with to_str (true)', () => {
    const r = resolver({
      vars: [{ flags: [true, false], sizes: { small: 2 }, one: true }],
      stages: {
        a: { foreach: '${flags}', do: { cmd: 'echo ${item}' } },
        b: { foreach: ['${one}', false], do: { cmd: 'echo ${item}' } },
        c: { foreach: '${sizes}', do: { cmd: 'seq ${item} > size-${key}.txt' } },
      },
    });
    assert.deepEqual(r.stageNames(), ['a@True', 'a@False', 'b@True', 'b@false', 'c@small']);
    assert.deepEqual(r.resolveOne('a@True'), { cmd: 'echo true' });
    assert.deepEqual(r.resolveOne('c@small'), { cmd: 'seq 2 > size-small.txt' });
  });

  test('values inside literal data are interpolated', () => {
    const r = resolver({ vars: [{ bar: 'bar' }], stages: { build: { foreach: { model1: 'foo', model2: '${bar}' }, do: { cmd: 'echo ${item}' } } } });
    assert.deepEqual(r.resolveOne('build@model2'), { cmd: 'echo bar' });
    assert.deepEqual(r.context.data, { bar: 'bar' });
  });

  test('wdir and stage vars per item', () => {
    const files: Record<string, string> = { 'params.yaml': 'models: {model1: {thresh: foo}}\n' };
    for (let i = 0; i < 3; i++) files[`model-${i}/params.yaml`] = `train: {epochs: ${i + 1}}\nprepare: {nums: ${10 * i}}\n`;
    for (const local of ['params.yaml', 'params.yaml:train,prepare']) {
      const r = resolver(
        { stages: { build: { foreach: [0, 1, 2], do: { wdir: 'model-${item}', vars: [local], cmd: 'echo ${item} ${train.epochs} ${prepare.nums}' } } } },
        { files },
      );
      assert.deepEqual(r.resolveOne('build@2'), { wdir: 'model-2', cmd: 'echo 2 3 20' });
      assert.deepEqual(r.resolveOne('build@0'), { wdir: 'model-0', cmd: 'echo 0 1 0' });
      assert.deepEqual(r.context.data, { models: { model1: { thresh: 'foo' } } });
      assert.deepEqual([...r.context.imports], [['params.yaml', null]]);
    }
  });

  test('imported stage vars in a generated stage', () => {
    const files = { 'params.yaml': 'models: {model1: {thresh: foo}}\n', 'test_params.yaml': 'train: {epochs: 10}\nprepare: {nums: 25}\n' };
    for (const local of ['test_params.yaml', 'test_params.yaml:train', 'test_params.yaml:train,prepare']) {
      const r = resolver({ stages: { build: { foreach: ['foo', 'bar'], do: { vars: [local], cmd: 'echo ${item} ${train.epochs}' } } } }, { files });
      assert.deepEqual(r.resolveOne('build@bar'), { cmd: 'echo bar 10' });
      assert.deepEqual(r.context.data, { models: { model1: { thresh: 'foo' } } });
    }
  });

  test('a global item/key is shadowed for the generated stages, then restored', () => {
    const r = resolver({ vars: [{ item: 10, key: 5 }], stages: { build: { foreach: { a: 'x' }, do: { cmd: 'echo ${key} ${item}' } } } });
    assert.deepEqual(r.resolveOne('build@a'), { cmd: 'echo a x' });
    assert.deepEqual(r.context.data, { item: 10, key: 5 });
  });

  test('foreach data errors', () => {
    const vars = [{ foo: 'bar', dct: { model1: 'a-out' }, lst: ['foo', 'bar'], n: 3, none: null }];
    const stage = (foreach: unknown) => resolver({ vars, stages: { build: { foreach, do: {} } } });
    throwsResolve(
      () => stage('${syntax.[error}').stageNames(),
      "failed to parse 'stages.build.foreach' in 'dvc.yaml':\n${syntax.[error}\n        ^\nParseException: Expected end of text, found '.'  (at char 8), (line:1, col:9)",
    );
    for (const key of ['modelss', 'modelss.123']) {
      throwsResolve(() => stage(`\${${key}}`).stageNames(), `failed to parse 'stages.build.foreach' in 'dvc.yaml': Could not find '${key}'`);
    }
    for (const data of ['${foo}', '${dct.model1}', '${lst.0}', 'foobar', '${foo} ${n}']) {
      throwsResolve(() => stage(data).stageNames(), "failed to resolve 'stages.build.foreach' in 'dvc.yaml': expected list/dictionary, got str");
    }
    throwsResolve(() => stage('${n}').stageNames(), "failed to resolve 'stages.build.foreach' in 'dvc.yaml': expected list/dictionary, got int");
    throwsResolve(() => stage('${none}').stageNames(), "failed to resolve 'stages.build.foreach' in 'dvc.yaml': expected list/dictionary, got NoneType");
  });

  test('do errors name the generated stage', () => {
    const stage = (cmd: string) => resolver({ vars: [{ foo: 'bar' }], stages: { build: { foreach: [{ thresh: '10' }, {}], do: { cmd } } } });
    throwsResolve(() => stage('${item.thresh}').resolveOne('build@1'), "failed to parse 'stages.build@1.cmd' in 'dvc.yaml': Could not find 'item.thresh'");
    throwsResolve(() => stage('${foo.bar}').resolveOne('build@0'), "failed to parse 'stages.build@0.cmd' in 'dvc.yaml': Could not find 'foo.bar'");
    throwsResolve(
      () => stage('echo ${syntax.[error}').resolveOne('build@0'),
      "failed to parse 'stages.build.cmd' in 'dvc.yaml':\n${syntax.[error}\n        ^\nParseException: Expected end of text, found '.'  (at char 8), (line:1, col:9)",
    );
    const wdir = resolver({ vars: [{ models: ['foo', 'bar'] }], stages: { build: { foreach: '${models}', do: { wdir: '${ite}', cmd: 'echo ${item}' } } } });
    throwsResolve(() => wdir.resolveOne('build@foo'), "failed to parse 'stages.build@foo.wdir' in 'dvc.yaml': Could not find 'ite'");
    assert.deepEqual(wdir.context.data, { models: ['foo', 'bar'] });
  });

  test('stage vars cannot redefine item or key', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ item: 5 }, 'key item'],
      [{ key: 5 }, 'key key'],
      [{ item: 5, key: 10 }, 'keys item and key'],
      [{ key: 10, item: 5 }, 'keys item and key'],
      [{ item: { epochs: 10 } }, 'key item'],
    ];
    for (const [redefine, named] of cases) {
      const data = (vars: unknown[]) => ({
        vars: [{ foo: 'bar' }],
        stages: { build: { foreach: { model1: { thresh: '10' }, model2: { thresh: 5 } }, do: { vars, cmd: '${item}' } } },
      });
      const inline = resolver(data([redefine]));
      throwsResolve(() => inline.resolveOne('build@model1'), `failed to parse stage 'build@model1' in 'dvc.yaml': attempted to modify reserved ${named}`);
      assert.deepEqual(inline.context.data, { foo: 'bar' });
      const fromFile = resolver(data(['test_params.yaml']), { files: { 'test_params.yaml': JSON.stringify(redefine) } });
      throwsResolve(
        () => fromFile.resolveOne('build@model1'),
        `failed to parse stage 'build@model1' in 'dvc.yaml': attempted to modify reserved ${named} in 'test_params.yaml'`,
      );
    }
  });

  test('an unknown key of the group', () => {
    const r = resolver({ stages: { build: { foreach: ['a'], do: { cmd: 'c' } } } });
    throwsResolve(() => r.resolveOne('build@b'), "Could not find 'b' in foreach group 'build'");
  });
});

describe('matrix', () => {
  const MATRIX_DATA = {
    os: ['win', 'linux'],
    pyv: [3.7, 3.8],
    dict: [{ arg1: 1 }, { arg2: 2 }],
    list: [
      ['out1', 'out11'],
      ['out2', 'out22'],
    ],
  };
  const interpolated = { os: '${os}', pyv: '${pyv}', dict: '${dict}', list: '${list}' };

  test('the Cartesian product, first axis outermost (literal and ${} axes)', () => {
    for (const matrix of [MATRIX_DATA, interpolated]) {
      const r = resolver(
        { vars: [MATRIX_DATA], stages: { build: { matrix, cmd: 'echo ${item.os} ${item.pyv} ${item.dict} -- ${item.list.0} ${item.list.1}' } } },
      );
      const names = r.stageNames();
      assert.equal(names.length, 16);
      assert.deepEqual(names.slice(0, 5), [
        'build@win-3.7-dict0-list0',
        'build@win-3.7-dict0-list1',
        'build@win-3.7-dict1-list0',
        'build@win-3.7-dict1-list1',
        'build@win-3.8-dict0-list0',
      ]);
      assert.equal(names[15], 'build@linux-3.8-dict1-list1');
      assert.deepEqual(r.resolveOne('build@win-3.7-dict1-list0'), { cmd: 'echo win 3.7 --arg2 2 -- out1 out11' });
      assert.deepEqual(r.resolveOne('build@linux-3.8-dict0-list1'), { cmd: 'echo linux 3.8 --arg1 1 -- out2 out22' });
    }
  });

  test('${key} is the generated key', () => {
    const r = resolver({ vars: [MATRIX_DATA], stages: { build: { matrix: interpolated, cmd: 'echo ${key}' } } });
    assert.deepEqual(r.resolveOne('build@linux-3.7-dict1-list0'), { cmd: 'echo linux-3.7-dict1-list0' });
  });

  test('literal bools read true/false, from the context True/False', () => {
    const r = resolver({
      vars: [{ flags: [true, false] }],
      stages: {
        report: { matrix: { fmt: ['csv', 'md'], flag: [true, false] }, cmd: 'echo key=${key} ${item.fmt} ${item.flag}' },
        ctx: { matrix: { flag: '${flags}' }, cmd: 'echo ${item.flag}' },
      },
    });
    assert.deepEqual(r.stageNames(), ['report@csv-true', 'report@csv-false', 'report@md-true', 'report@md-false', 'ctx@True', 'ctx@False']);
    assert.deepEqual(r.resolveOne('report@md-false'), { cmd: 'echo key=md-false md false' });
    assert.deepEqual(r.resolveOne('ctx@True'), { cmd: 'echo true' });
  });

  test('a map-valued item: ${item.axis.field}', () => {
    const r = resolver(
      yaml(
        'vars:\n  - seeds: [1, 2]\nstages:\n  train:\n    matrix:\n      model: [lin]\n      seed: ${seeds}\n      opt:\n        - {name: sgd, lr: 0.1}\n        - {name: adam, lr: 0.001}\n    cmd: echo ${item.model} ${item.seed} ${item.opt.name} ${item.opt.lr}\n',
      ),
    );
    assert.deepEqual(r.stageNames(), ['train@lin-1-opt0', 'train@lin-1-opt1', 'train@lin-2-opt0', 'train@lin-2-opt1']);
    assert.deepEqual(r.resolveOne('train@lin-2-opt1'), { cmd: 'echo lin 2 adam 0.001' });
  });

  test('an axis is iterated as Python does: a ${map} gives its keys, a string its characters', () => {
    const r = resolver({
      vars: [{ sizes: { small: 2, large: 5 } }],
      stages: {
        m: { matrix: { size: '${sizes}' }, cmd: 'echo ${item.size} ${key}' },
        s: { matrix: { c: 'ab', n: [1] }, cmd: 'echo ${item.c}' },
      },
    });
    assert.deepEqual(r.stageNames(), ['m@small', 'm@large', 's@a-1', 's@b-1']);
    assert.deepEqual(r.resolveOne('m@large'), { cmd: 'echo large large' });
    assert.deepEqual(r.resolveOne('s@b-1'), { cmd: 'echo b' });
  });

  test('matrix errors', () => {
    throwsResolve(
      () => resolver({ stages: { build: { matrix: { a: '${missing}' }, cmd: 'c' } } }).stageNames(),
      "failed to parse 'stages.build.matrix' in 'dvc.yaml': Could not find 'missing'",
    );
    const r = resolver({ stages: { build: { matrix: { a: ['x'] }, cmd: 'echo ${item.b}' } } });
    throwsResolve(() => r.resolveOne('build@y'), "Could not find 'y' in matrix group 'build'");
    throwsResolve(() => r.resolveOne('build@x'), "failed to parse 'stages.build@x.cmd' in 'dvc.yaml': Could not find 'item.b'");
  });

  test('matrix reserves key, then item', () => {
    const r = resolver({ stages: { build: { matrix: { a: ['x'] }, vars: [{ item: 1, key: 2 }], cmd: 'c' } } });
    throwsResolve(() => r.resolveOne('build@x'), "failed to parse stage 'build@x' in 'dvc.yaml': attempted to modify reserved keys key and item");
  });
});

describe('stage names', () => {
  test('file order, groups expanded in key order; groupOf names the group', () => {
    const r = resolver({
      stages: {
        first: { cmd: 'a' },
        each: { foreach: ['x', 'y'], do: { cmd: 'b' } },
        grid: { matrix: { p: [1, 2] }, cmd: 'c' },
        last: { cmd: 'd' },
      },
    });
    assert.deepEqual(r.stageNames(), ['first', 'each@x', 'each@y', 'grid@1', 'grid@2', 'last']);
    assert.equal(r.groupOf('each@y'), 'each');
    assert.equal(r.groupOf('grid@1'), 'grid');
    assert.equal(r.groupOf('first'), undefined);
  });

  test('an unknown stage or a group without its key', () => {
    const r = resolver({ stages: { a: { cmd: 'x' }, g: { foreach: ['k'], do: { cmd: 'y' } } } });
    throwsResolve(() => r.resolveOne('nope'), "Stage 'nope' not found inside 'dvc.yaml' file");
    throwsResolve(() => r.resolveOne('g'), "Stage 'g' not found inside 'dvc.yaml' file");
    throwsResolve(() => r.resolveOne('a@k'), "Stage 'a@k' not found inside 'dvc.yaml' file");
  });

  test("a hand-written name with '@' cannot be loaded: the part after it is taken as a group key", () => {
    const r = resolver({ stages: { 'train@v1': { cmd: 'x' } } });
    assert.deepEqual(r.stageNames(), ['train@v1']);
    throwsResolve(() => r.resolveOne('train@v1'), "Stage 'train@v1' not found inside 'dvc.yaml' file");
    const grouped = resolver({ stages: { train: { foreach: ['v1'], do: { cmd: 'gen' } } } });
    assert.deepEqual(grouped.resolveOne('train@v1'), { cmd: 'gen' });
  });
});

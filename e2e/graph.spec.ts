import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createWorkspace, type Workspace } from '../tools/support/workspace';

/**
 * `nx show` in a real workspace: foreach, matrix, wdir, a nested dvc.yaml consuming the parent's
 * output, a root dvc.yaml, a dvc.yaml beside an existing project.json, and a broken dvc.yaml.
 */
const PIPE_DVC_YAML = `stages:
  prep:
    desc: Sort the raw words
    cmd: mkdir -p out && sort data/raw.txt > out/sorted.txt
    deps: [data/raw.txt]
    params: [prep.ratio]
    outs: [out/sorted.txt]
  train:
    foreach: \${models}
    do:
      cmd: cat out/sorted.txt > model-\${item}.txt && echo \${train.lr} >> model-\${item}.txt
      deps: [out/sorted.txt]
      params: [train.lr]
      outs:
      - model-\${item}.txt
  grid:
    matrix:
      opt: [sgd, adam]
      seed: [1, 2]
    cmd: echo \${item.opt} \${item.seed} > grid-\${key}.txt
    outs:
    - grid-\${key}.txt
  clock:
    cmd: date > clock.txt
    always_changed: true
    outs: [clock.txt]
`;

let ws: Workspace;

before(() => {
  ws = createWorkspace({
    files: {
      'pipe/dvc.yaml': PIPE_DVC_YAML,
      'pipe/params.yaml': 'prep:\n  ratio: 0.2\ntrain:\n  lr: 0.01\nmodels: [small, large]\n',
      'pipe/data/raw.txt': 'b\na\n',
      'pipe/data/.gitignore': '/raw.txt\n',
      'pipe/sub/dvc.yaml': 'stages:\n  report:\n    wdir: ..\n    cmd: cat model-small.txt > sub/report.txt\n    deps: [model-small.txt]\n    outs: [sub/report.txt]\n',
      'dvc.yaml': 'stages:\n  hello:\n    cmd: echo hello > hello.txt\n    outs: [hello.txt]\n',
      'lib/project.json': JSON.stringify({ name: 'mylib', targets: { build: { command: 'echo build' } } }),
      'lib/dvc.yaml': 'stages:\n  export:\n    cmd: echo x > export.txt\n    outs: [export.txt]\n',
      'broken/dvc.yaml': 'stages:\n  bad:\n    cmd: echo ${missing.key}\n  ok:\n    cmd: echo ok\n',
      '.dvcignore': '/scratch/\n',
      'scratch/dvc.yaml': 'stages:\n  hidden:\n    cmd: echo hidden\n',
    },
  });
});

after(() => ws.cleanup());

describe('nx show with nx-dvc', () => {
  test('every stage is a project and every pipeline keeps its own project', () => {
    const projects = JSON.parse(ws.nxOk(['show', 'projects', '--json']).stdout).sort();
    for (const name of [
      'pipe',
      'pipe--prep',
      'pipe--train@small',
      'pipe--train@large',
      'pipe--grid@sgd-1',
      'pipe--grid@sgd-2',
      'pipe--grid@adam-1',
      'pipe--grid@adam-2',
      'pipe--clock',
      'pipe-sub',
      'pipe-sub--report',
      'dvc--hello',
      'mylib',
      'mylib--export',
      'broken',
    ]) {
      assert.ok(projects.includes(name), `${name} in ${projects.join(', ')}`);
    }
  });

  test('dvc.yaml files that .dvcignore hides are not pipelines', () => {
    const projects: string[] = JSON.parse(ws.nxOk(['show', 'projects', '--json']).stdout);
    assert.ok(!projects.some((p) => p.startsWith('scratch')), projects.join(', '));
  });

  test('the project graph has an edge for every stage edge', () => {
    ws.nxOk(['graph', '--file=graph.json']);
    const { graph } = JSON.parse(ws.read('graph.json'));
    const targetsOf = (name: string) => (graph.dependencies[name] ?? []).map((d: { target: string }) => d.target);
    assert.deepEqual(targetsOf('pipe-sub--report'), ['pipe--train@small']);
    assert.deepEqual(targetsOf('pipe--train@small'), ['pipe--prep']);
    assert.deepEqual(targetsOf('pipe'), [], 'pipeline projects get no edges to their stage projects');
  });

  test('a pipeline project has a target per stage, per foreach/matrix group, repro, dvc-repro, dvc-status and dvc-dag', () => {
    const pipe = ws.showProject('pipe');
    assert.deepEqual(
      Object.keys(pipe.targets).sort(),
      ['clock', 'dvc-dag', 'dvc-repro', 'dvc-status', 'grid', 'grid@adam-1', 'grid@adam-2', 'grid@sgd-1', 'grid@sgd-2', 'prep', 'repro', 'train', 'train@large', 'train@small'].sort(),
    );
    assert.deepEqual(pipe.targets['train'].dependsOn, [
      { projects: 'pipe--train@small', target: 'repro', params: 'forward' },
      { projects: 'pipe--train@large', target: 'repro', params: 'forward' },
    ]);
    assert.equal(pipe.targets['prep'].metadata?.description, 'Sort the raw words');
    assert.deepEqual(pipe.targets['dvc-repro'].options, { dvcFile: 'pipe/dvc.yaml' });
    assert.equal(pipe.targets['dvc-repro'].cache, false);
    assert.deepEqual(pipe.targets['dvc-status'].options, { dvcFile: 'pipe/dvc.yaml' });
    assert.deepEqual(pipe.targets['dvc-dag'].options, { dvcFile: 'pipe/dvc.yaml' });
    assert.deepEqual(pipe.targets['prep'].metadata?.technologies, ['dvc']);
    assert.equal(pipe.targets['grid@sgd-1'].metadata?.description, 'echo sgd 1 > grid-sgd-1.txt');
  });

  test('a stage target carries precise inputs, outputs and dependsOn (an upstream output is hashed from disk only)', () => {
    const train = ws.showProject('pipe--train@small').targets['repro'];
    assert.equal(train.executor, 'nx-dvc:stage');
    assert.equal(train.cache, true);
    assert.equal(train.outputs?.[0], '{workspaceRoot}/pipe/model-small.txt');
    assert.match(train.outputs?.[1] ?? '', /^\{workspaceRoot\}\/\.nx\/workspace-data\/nx-dvc\/lock-entries\/train@small-[0-9a-f]{16}\.yaml$/, 'its dvc.lock entry is cached with it');
    assert.deepEqual(train.dependsOn, [{ projects: 'pipe--prep', target: 'repro', params: 'forward' }]);
    assert.deepEqual(train.inputs, [
      { fileset: '{workspaceRoot}/pipe/out/sorted.txt', includeIgnored: true },
      { fileset: '{workspaceRoot}/pipe/out/sorted.txt/**', includeIgnored: true },
      { externalDependencies: [] },
    ]);
    assert.deepEqual(Object.keys(train.options ?? {}).sort(), ['dvcFile', 'fingerprint', 'stage']);
    assert.equal(train.metadata?.description, 'cat out/sorted.txt > model-small.txt && echo 0.01 >> model-small.txt');
  });

  test('wdir and a nested dvc.yaml: paths resolve from the wdir, edges cross projects', () => {
    const report = ws.showProject('pipe-sub--report').targets['repro'];
    assert.equal(report.outputs?.[0], '{workspaceRoot}/pipe/sub/report.txt');
    assert.deepEqual(report.dependsOn, [{ projects: 'pipe--train@small', target: 'repro', params: 'forward' }]);
    assert.ok(report.inputs?.some((i) => typeof i === 'object' && (i as { fileset?: string }).fileset === '{workspaceRoot}/pipe/model-small.txt'));
  });

  test("the project's own targets still run beside the stages", () => {
    assert.match(ws.nxOk(['run', 'mylib:build']).output, /Successfully ran target build for project mylib/);
    assert.match(ws.nxOk(['run', 'mylib:export']).output, /Successfully ran target export for project mylib/);
  });

  test('always_changed stages are never cached', () => {
    assert.equal(ws.showProject('pipe--clock').targets['repro'].cache, false);
  });

  test('a root dvc.yaml and a dvc.yaml beside project.json both work', () => {
    assert.ok(ws.showProject('dvc').targets['hello']);
    const lib = ws.showProject('mylib');
    assert.ok(lib.targets['build'], 'project.json target kept');
    assert.ok(lib.targets['export'], 'stage joined the existing project');
  });

  test('a broken dvc.yaml is reported clearly and does not take down the others', () => {
    const shown = ws.nx(['show', 'projects']);
    assert.equal(shown.code, 0);
    assert.match(shown.stderr, /nx-dvc: broken\/dvc\.yaml: failed to parse 'stages\.bad\.cmd' in 'broken\/dvc\.yaml': Could not find 'missing\.key'/);
    assert.doesNotMatch(shown.output, /\n\s+at /, 'no stack trace');
    const run = ws.nx(['run', 'broken:ok']);
    assert.notEqual(run.code, 0);
    assert.match(run.output, /Could not find 'missing\.key'/);
    const good = ws.nxOk(['run', 'dvc:hello']);
    assert.match(good.output, /Successfully ran target hello/);
    assert.equal(ws.read('hello.txt'), 'hello\n');
  });
});

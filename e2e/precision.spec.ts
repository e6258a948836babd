import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createWorkspace, taskStatus, type Workspace } from '../tools/support/workspace';

/**
 * A stage's Nx hash must change exactly when DVC would call the stage changed. After a full
 * run, each edit below must leave every unrelated stage a real local cache hit.
 */
const DVC_YAML = `stages:
  alpha:
    cmd: cp src/alpha.txt out/alpha.txt
    deps: [src/alpha.txt]
    params: [alpha.size]
    outs: [out/alpha.txt]
  beta:
    cmd: cp src/beta.txt out/beta.txt
    deps: [src/beta.txt]
    params: [beta.size]
    outs: [out/beta.txt]
  gamma:
    cmd: cat out/alpha.txt out/beta.txt > out/gamma.txt
    deps: [out/alpha.txt, out/beta.txt]
    outs: [out/gamma.txt]
`;

let ws: Workspace;
const STAGES = ['pipe--alpha:repro', 'pipe--beta:repro', 'pipe--gamma:repro'];

function runAll() {
  return ws.nxOk(['run-many', '-t', 'repro', '--projects=tag:dvc:stage', '--output-style=static']).output;
}

/**
 * 'cut off' is a stage Nx ran whose command did not run, because DVC found its deps unchanged
 * (DVC's early cut-off): in one batch, Nx runs a stage reading an upstream output that was just
 * re-run instead of looking it up in its cache afterwards.
 */
function statuses(output: string, tasks = STAGES) {
  return Object.fromEntries(
    tasks.map((t) => {
      const status = taskStatus(output, t);
      const stage = t.replace(/^pipe--|:repro$/g, '');
      return [t, status === 'ran' && output.includes(`Stage 'pipe/dvc.yaml:${stage}' didn't change, skipping`) ? 'cut off' : status];
    }),
  );
}

before(() => {
  ws = createWorkspace({
    files: {
      'pipe/dvc.yaml': DVC_YAML,
      'pipe/params.yaml': 'alpha:\n  size: 1\nbeta:\n  size: 2\nunused: 3\n',
      'pipe/src/alpha.txt': 'alpha\n',
      'pipe/src/beta.txt': 'beta\n',
      'pipe/out/.gitkeep': '',
      'pipe/.gitignore': '/out/*.txt\n',
      'other/dvc.yaml': 'stages:\n  solo:\n    cmd: echo solo > solo.txt\n    outs: [solo.txt]\n',
      'other/.gitignore': '/solo.txt\n',
    },
  });
  const first = runAll();
  assert.deepEqual(statuses(first), { 'pipe--alpha:repro': 'ran', 'pipe--beta:repro': 'ran', 'pipe--gamma:repro': 'ran' });
  assert.equal(ws.read('pipe/out/gamma.txt'), 'alpha\nbeta\n');
});

after(() => ws.cleanup());

describe('cache precision', () => {
  test('a second run is served from the cache', () => {
    assert.deepEqual(statuses(runAll()), {
      'pipe--alpha:repro': 'local cache',
      'pipe--beta:repro': 'local cache',
      'pipe--gamma:repro': 'local cache',
    });
  });

  test("editing one stage's cmd re-runs only that stage (and not its consumers when its output is unchanged)", () => {
    ws.write('pipe/dvc.yaml', DVC_YAML.replace('cp src/alpha.txt out/alpha.txt', 'cat src/alpha.txt > out/alpha.txt'));
    ws.commitAll('edit alpha cmd');
    assert.deepEqual(statuses(runAll()), {
      'pipe--alpha:repro': 'ran',
      'pipe--beta:repro': 'local cache',
      'pipe--gamma:repro': 'cut off',
    });
    // one process per stage (--batch=false): Nx hashes gamma after alpha ran, and finds it in its cache
    ws.write('pipe/dvc.yaml', DVC_YAML.replace('cp src/alpha.txt out/alpha.txt', 'cat src/alpha.txt >out/alpha.txt'));
    ws.commitAll('edit alpha cmd again');
    assert.deepEqual(statuses(ws.nxOk(['run-many', '-t', 'repro', '--projects=tag:dvc:stage', '--output-style=static', '--batch=false']).output), {
      'pipe--alpha:repro': 'ran',
      'pipe--beta:repro': 'local cache',
      'pipe--gamma:repro': 'local cache',
    });
  });

  test('adding and removing another stage in the same dvc.yaml', () => {
    const withDelta = ws.read('pipe/dvc.yaml') + '  delta:\n    cmd: echo delta > out/delta.txt\n    outs: [out/delta.txt]\n';
    ws.write('pipe/dvc.yaml', withDelta);
    ws.commitAll('add delta');
    const added = runAll();
    assert.deepEqual(statuses(added, [...STAGES, 'pipe--delta:repro']), {
      'pipe--alpha:repro': 'local cache',
      'pipe--beta:repro': 'local cache',
      'pipe--gamma:repro': 'local cache',
      'pipe--delta:repro': 'ran',
    });
    ws.write('pipe/dvc.yaml', withDelta.replace(/  delta:[\s\S]*$/, ''));
    ws.commitAll('remove delta');
    assert.deepEqual(statuses(runAll()), {
      'pipe--alpha:repro': 'local cache',
      'pipe--beta:repro': 'local cache',
      'pipe--gamma:repro': 'local cache',
    });
  });

  test('changing a params key used by one stage re-runs only that stage; an unused key re-runs nothing', () => {
    ws.write('pipe/params.yaml', 'alpha:\n  size: 1\nbeta:\n  size: 20\nunused: 3\n');
    ws.commitAll('beta.size');
    assert.deepEqual(statuses(runAll()), {
      'pipe--alpha:repro': 'local cache',
      'pipe--beta:repro': 'ran',
      'pipe--gamma:repro': 'cut off',
    });
    ws.write('pipe/params.yaml', 'alpha:\n  size: 1\nbeta:\n  size: 20\nunused: 30\n');
    ws.commitAll('unused');
    assert.deepEqual(statuses(runAll()), {
      'pipe--alpha:repro': 'local cache',
      'pipe--beta:repro': 'local cache',
      'pipe--gamma:repro': 'local cache',
    });
  });

  test('editing another dvc.yaml leaves this pipeline cached', () => {
    ws.write('other/dvc.yaml', 'stages:\n  solo:\n    cmd: echo solo2 > solo.txt\n    outs: [solo.txt]\n');
    ws.commitAll('edit other');
    const output = runAll();
    assert.deepEqual(statuses(output, [...STAGES, 'other--solo:repro']), {
      'pipe--alpha:repro': 'local cache',
      'pipe--beta:repro': 'local cache',
      'pipe--gamma:repro': 'local cache',
      'other--solo:repro': 'ran',
    });
  });

  test('changing a data dep re-runs the stage and its consumers', () => {
    ws.write('pipe/src/beta.txt', 'BETA\n');
    ws.commitAll('beta data');
    assert.deepEqual(statuses(runAll()), {
      'pipe--alpha:repro': 'local cache',
      'pipe--beta:repro': 'ran',
      'pipe--gamma:repro': 'ran',
    });
    assert.equal(ws.read('pipe/out/gamma.txt'), 'alpha\nBETA\n');
  });

  test('show target inputs lists the stage deps, not the whole project', () => {
    const inputs = JSON.parse(ws.nxOk(['show', 'target', 'inputs', 'pipe--gamma:repro', '--json']).stdout);
    const files: string[] = inputs.files ?? [];
    assert.ok(files.includes('pipe/out/alpha.txt'), files.join(', '));
    assert.ok(!files.includes('pipe/params.yaml'), 'params are tracked by key, not by file');
    assert.ok(!files.includes('pipe/dvc.yaml'), 'the dvc.yaml is tracked through the stage definition');
  });
});

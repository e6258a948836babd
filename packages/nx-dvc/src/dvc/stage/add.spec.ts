import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { addStage, type Repository } from './add';

const root = mkdtempSync(join(tmpdir(), 'nx-dvc-stage-add-'));
after(() => rmSync(root, { recursive: true, force: true }));

const files: Record<string, string> = {
  'dvc.yaml': 'stages:\n  prepare:\n    cmd: python prepare.py\n    deps:\n    - input.csv\n    outs:\n    - data/prepared\n  train:\n    foreach: [a, b]\n    do:\n      cmd: echo ${item}\n',
  'model/dvc.yaml': 'stages:\n  fit:\n    cmd: fit\n    deps:\n    - ../data/prepared\n    outs:\n    - model.pkl\n',
};
for (const [file, text] of Object.entries(files)) {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}
const repo: Repository = { root, pipelineFiles: Object.keys(files), dataSourceFiles: [] };
const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail('expected an error');
};

describe('addStage (dvc stage add)', () => {
  test('a new stage in an existing file, loaded and checked against the whole repository', () => {
    const added = addStage(repo, 'model/dvc.yaml', files['model/dvc.yaml'], { name: 'evaluate', cmd: 'eval', deps: ['model.pkl'], metricsNoCache: ['m.json'] });
    assert.equal(added.stage.addressing, 'model/dvc.yaml:evaluate');
    assert.equal(added.replaced, false);
    assert.ok(added.text.startsWith(files['model/dvc.yaml']));
  });

  test('a new dvc.yaml', () => {
    const added = addStage(repo, 'report/dvc.yaml', undefined, { name: 'report', cmd: 'r', deps: ['../model/model.pkl'], outs: ['report.html'] });
    assert.equal(added.text, 'stages:\n  report:\n    cmd: r\n    deps:\n    - ../model/model.pkl\n    outs:\n    - report.html\n');
  });

  test("DVC's refusals, word for word", () => {
    const add = (request: Partial<Parameters<typeof addStage>[3]>, file = 'model/dvc.yaml', force = false) =>
      message(() => addStage(repo, file, files[file], { name: 'x', cmd: 'c', ...request }, force));
    assert.equal(add({ name: 'fit' }), "Stage 'fit' already exists in 'model/dvc.yaml'. Use '--force' to overwrite.");
    assert.equal(add({ name: 'train' }, 'dvc.yaml'), "Stage 'train' already exists in 'dvc.yaml'. Use '--force' to overwrite.");
    assert.equal(add({ name: 'train' }, 'dvc.yaml', true), "cannot dump a parametrized stage: 'train'");
    assert.equal(add({ name: 'a.b' }), 'Stage name cannot contain punctuation characters.');
    assert.equal(add({ cmd: '' }), 'command is not specified');
    assert.equal(
      add({ outs: ['../data/prepared'] }),
      "output 'data/prepared' is already specified in stage: 'prepare'.\nUse `dvc remove prepare` to stop tracking the overlapping output.",
    );
    assert.match(add({ outs: ['../data'] }), /^The output paths:\n'data'\('model\/dvc.yaml:x'\)\n'data\/prepared'\('prepare'\)\noverlap/);
  });

  test('a stage that would close a cycle is refused', () => {
    const error = message(() => addStage(repo, 'dvc.yaml', files['dvc.yaml'], { name: 'back', cmd: 'c', deps: ['model/model.pkl'], outs: ['input.csv'] }));
    assert.match(error, /^Same item\(s\) are defined as both a dependency and an output in stages: (prepare|back|model\/dvc.yaml:fit), /);
  });

  test('--force rewrites a plain stage', () => {
    const added = addStage(repo, 'model/dvc.yaml', files['model/dvc.yaml'], { name: 'fit', cmd: 'fit --fast', deps: ['../data/prepared'], outs: ['model.pkl'] }, true);
    assert.equal(added.replaced, true);
    assert.equal(added.text, files['model/dvc.yaml'].replace('cmd: fit', 'cmd: fit --fast'));
  });
});

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { buildIndex, filesInWalkOrder } from './pipeline-index';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'nx-dvc-index-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const pointer = (path: string) => `outs:\n- md5: d41d8cd98f00b204e9800998ecf8427e\n  size: 0\n  hash: md5\n  path: ${path}\n`;

describe("the index of pipelines and .dvc data sources (DVC's Index)", () => {
  test("pipelines and .dvc files are collected together in DVC's walk order: a folder's files, then its subfolders", () => {
    const root = workspace({
      'data.csv.dvc': pointer('data.csv'),
      'ml/dvc.yaml': 'stages:\n  train:\n    cmd: cp ../data.csv ../raw/images model.txt\n    deps: [../data.csv, ../raw/images]\n    outs: [model.txt]\n',
      'raw/images.dvc': pointer('images'),
    });
    const index = buildIndex(root, ['ml/dvc.yaml'], ['raw/images.dvc', 'data.csv.dvc']);
    assert.deepEqual(index.graph!.stages.map((s) => s.addressing), ['data.csv.dvc', 'ml/dvc.yaml:train', 'raw/images.dvc']);
    assert.deepEqual(filesInWalkOrder(index).map((r) => r.file), ['data.csv.dvc', 'ml/dvc.yaml', 'raw/images.dvc']);
    const train = index.graph!.stages[1];
    assert.deepEqual(index.graph!.upstream.get(train)!.map((s) => s.addressing), ['data.csv.dvc', 'raw/images.dvc']);
  });

  test('a .dvc file inside the output of a file above it is never reached, as DVC does not walk into outputs', () => {
    const root = workspace({
      'dvc.yaml': 'stages:\n  fetch:\n    cmd: mkdir -p data\n    outs: [data]\n',
      'data/inner.csv.dvc': pointer('inner.csv'),
      'data.dvc': pointer('data2'),
    });
    const index = buildIndex(root, ['dvc.yaml'], ['data/inner.csv.dvc']);
    assert.deepEqual(index.skipped, ['data/inner.csv.dvc']);
    assert.deepEqual(index.dataSources, []);
  });
});

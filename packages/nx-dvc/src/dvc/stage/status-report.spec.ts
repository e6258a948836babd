import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { buildIndex } from '../repo/pipeline-index';
import { formatStatus, formatStatusJson, stagesWithDataSources, statusOf } from './status-report';
import { WorkspaceHasher } from '../hashing/workspace-hasher';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'nx-dvc-status-report-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** What `dvc add` writes for a file. */
const pointerTo = (path: string, bytes: string) =>
  `outs:\n- md5: ${createHash('md5').update(bytes).digest('hex')}\n  size: ${bytes.length}\n  hash: md5\n  path: ${path}\n`;

const PIPELINE = 'stages:\n  train:\n    cmd: cp ../data/raw.csv model.txt\n    deps: [../data/raw.csv]\n    outs: [model.txt]\n';

function setUp() {
  const root = workspace({
    'data/raw.csv': 'a,b\n',
    'data/raw.csv.dvc': pointerTo('raw.csv', 'a,b\n'),
    'data/unused.csv': 'x\n',
    'data/unused.csv.dvc': pointerTo('unused.csv', 'x\n'),
    'ml/dvc.yaml': PIPELINE,
    'other/dvc.yaml': 'stages:\n  copy:\n    cmd: cp ../ml/model.txt copy.txt\n    deps: [../ml/model.txt]\n    outs: [copy.txt]\n',
  });
  const index = buildIndex(root, ['ml/dvc.yaml', 'other/dvc.yaml'], ['data/raw.csv.dvc', 'data/unused.csv.dvc']);
  const fileStages = (file: string) => index.pipelines.find((r) => r.file === file)!.pipeline!.stages;
  return { root, index, fileStages };
}

describe("a pipeline's status with the .dvc data sources it reads (dvc status)", () => {
  test('the file\'s stages and the .dvc files upstream of them, directly or not, in graph order', () => {
    const { index, fileStages } = setUp();
    const addressing = (file: string) => stagesWithDataSources(index.graph!, fileStages(file)).map((s) => s.addressing);
    assert.deepEqual(addressing('ml/dvc.yaml'), ['data/raw.csv.dvc', 'ml/dvc.yaml:train']);
    assert.deepEqual(addressing('other/dvc.yaml'), ['data/raw.csv.dvc', 'other/dvc.yaml:copy'], 'through ml/dvc.yaml:train; other files\' stages are their own views');
  });

  test("a pointer whose data changed reads as `changed outs`, in DVC's text and JSON", async () => {
    const { root, index, fileStages } = setUp();
    const stages = stagesWithDataSources(index.graph!, fileStages('ml/dvc.yaml'));
    const unchanged = await statusOf(stages.slice(0, 1), new WorkspaceHasher(root));
    assert.deepEqual(unchanged, {}, 'the pointer matches its data');
    writeFileSync(join(root, 'data/raw.csv'), 'a,b\n1,2\n');
    const report = await statusOf(stages.slice(0, 1), new WorkspaceHasher(root));
    assert.deepEqual(report, { 'data/raw.csv.dvc': [{ 'changed outs': { 'data/raw.csv': 'modified' } }] });
    assert.equal(formatStatus(report), 'data/raw.csv.dvc:\n\tchanged outs:\n\t\tmodified:           data/raw.csv');
    rmSync(join(root, 'data/raw.csv'));
    assert.deepEqual(await statusOf(stages.slice(0, 1), new WorkspaceHasher(root), { inCache: () => false }), {
      'data/raw.csv.dvc': [{ 'changed outs': { 'data/raw.csv': 'not in cache' } }],
    });
  });

  test("--json is Python's json.dumps: `, ` and `: ` separators, non-ASCII escaped", () => {
    const report = { 'dvc.yaml:tr\u00e4in': [{ 'changed deps': { 'params.yaml': { lr: 'modified' } } }, 'changed command'] };
    assert.equal(formatStatusJson(report), '{"dvc.yaml:tr\\u00e4in": [{"changed deps": {"params.yaml": {"lr": "modified"}}}, "changed command"]}');
    assert.equal(formatStatusJson({}), '{}');
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { buildPipelineStage } from './stage';
import { saveStage, readStageParams } from './save';
import { stageChanges } from './status';
import { WorkspaceHasher } from '../hashing/workspace-hasher';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'nx-dvc-status-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const TRAIN = { cmd: 'python train.py', deps: ['data.csv'], params: ['lr', { 'cfg.yaml': ['model.depth'] }], outs: ['model.bin'] };

async function savedEntry(root: string, data: Record<string, unknown> = TRAIN) {
  const stage = buildPipelineStage('dvc.yaml', 'train', data);
  return (await saveStage(stage, new WorkspaceHasher(root), () => {})).entry;
}

async function changes(root: string, recorded: Record<string, unknown> | undefined, data: Record<string, unknown> = TRAIN, firstOnly = false) {
  const stage = buildPipelineStage('dvc.yaml', 'train', data);
  return stageChanges(stage, recorded, new WorkspaceHasher(root), { firstOnly });
}

const FILES = { 'data.csv': 'a,b\n', 'params.yaml': 'lr: 0.1\nother: 1\n', 'cfg.yaml': 'model:\n  depth: 3\n', 'model.bin': 'weights' };

describe('stage status against dvc.lock (DVC Stage.changed)', () => {
  test('an entry saved from the workspace is unchanged', async () => {
    const root = workspace(FILES);
    assert.deepEqual(await changes(root, await savedEntry(root)), []);
  });

  test('no entry: every dep and out reads as modified, params as new', async () => {
    const root = workspace(FILES);
    assert.deepEqual(await changes(root, undefined), [
      { kind: 'dep', path: 'data.csv', repoPath: 'data.csv', status: 'modified' },
      { kind: 'params', path: 'params.yaml', repoPath: 'params.yaml', status: 'new' },
      { kind: 'params', path: 'cfg.yaml', repoPath: 'cfg.yaml', status: 'new' },
      { kind: 'out', path: 'model.bin', repoPath: 'model.bin', status: 'modified' },
    ]);
  });

  test('a changed command comes first; with firstOnly it is the only reason', async () => {
    const root = workspace(FILES);
    const recorded = await savedEntry(root);
    writeFileSync(join(root, 'data.csv'), 'changed\n');
    assert.deepEqual(await changes(root, recorded, { ...TRAIN, cmd: 'python train.py --fast' }, true), [{ kind: 'command' }]);
    assert.deepEqual(await changes(root, recorded, { ...TRAIN, cmd: ['python train.py'] }, true), [{ kind: 'command' }], 'a list never equals a string');
  });

  test('params compare with Python ==, untracked keys are ignored', async () => {
    const root = workspace(FILES);
    const recorded = await savedEntry(root);
    writeFileSync(join(root, 'params.yaml'), 'lr: 0.1\nother: 2\n');
    assert.deepEqual(await changes(root, recorded), []);
    writeFileSync(join(root, 'cfg.yaml'), 'model:\n  depth: 3.0\n');
    assert.deepEqual(await changes(root, recorded), [], '3 == 3.0');
    writeFileSync(join(root, 'params.yaml'), 'other: 2\n');
    assert.deepEqual(await changes(root, recorded), [{ kind: 'params', path: 'params.yaml', repoPath: 'params.yaml', status: { lr: 'deleted' } }]);
  });

  test('deleted and modified deps and outs', async () => {
    const root = workspace(FILES);
    const recorded = await savedEntry(root);
    rmSync(join(root, 'data.csv'));
    writeFileSync(join(root, 'model.bin'), 'other weights');
    assert.deepEqual(await changes(root, recorded), [
      { kind: 'dep', path: 'data.csv', repoPath: 'data.csv', status: 'deleted' },
      { kind: 'out', path: 'model.bin', repoPath: 'model.bin', status: 'modified' },
    ]);
  });

  test('--allow-missing: missing deps and outputs are no change; modified ones and other changes still are', async () => {
    const root = workspace(FILES);
    const recorded = await savedEntry(root);
    rmSync(join(root, 'data.csv'));
    rmSync(join(root, 'model.bin'));
    const stage = buildPipelineStage('dvc.yaml', 'train', TRAIN);
    const allowing = (options = {}) => stageChanges(stage, recorded, new WorkspaceHasher(root), { allowMissing: true, ...options });
    assert.deepEqual(await allowing(), []);
    assert.deepEqual(await allowing({ inCache: () => false }), [], "'not in cache' is missing data too");
    const depMd5 = (recorded.deps as { md5: string }[])[0]!.md5;
    assert.deepEqual(await allowing({ upstreamOuts: new Map([['data.csv', depMd5]]) }), [], 'the upstream output holds what the stage read');
    assert.deepEqual(await allowing({ upstreamOuts: new Map([['data.csv', 'f'.repeat(32)]]) }), [
      { kind: 'dep', path: 'data.csv', repoPath: 'data.csv', status: 'modified' },
    ], 'the upstream output holds other data (DVC: modified)');
    writeFileSync(join(root, 'params.yaml'), 'lr: 0.2\nother: 1\n');
    assert.deepEqual(await allowing(), [{ kind: 'params', path: 'params.yaml', repoPath: 'params.yaml', status: { lr: 'modified' } }]);
  });

  test('a frozen stage ignores its deps but not its outputs', async () => {
    const root = workspace(FILES);
    const recorded = await savedEntry(root);
    writeFileSync(join(root, 'data.csv'), 'new data\n');
    assert.deepEqual(await changes(root, recorded, { ...TRAIN, frozen: true }), []);
    rmSync(join(root, 'model.bin'));
    assert.deepEqual(await changes(root, recorded, { ...TRAIN, frozen: true }), [{ kind: 'out', path: 'model.bin', repoPath: 'model.bin', status: 'deleted' }]);
  });

  test('always_changed and callback stages are always changed', async () => {
    const root = workspace(FILES);
    assert.deepEqual(await changes(root, await savedEntry(root), { ...TRAIN, always_changed: true }, true), [{ kind: 'always changed' }]);
    assert.deepEqual(await changes(root, { cmd: 'date' }, { cmd: 'date' }), [{ kind: 'always changed' }]);
  });

  test('an entry written by DVC 2 (no hash: md5) reads as modified', async () => {
    const root = workspace(FILES);
    const recorded = await savedEntry(root);
    const legacy = { ...recorded, deps: (recorded.deps as Record<string, unknown>[]).map(({ hash: _hash, ...rest }) => rest) };
    assert.deepEqual(await changes(root, legacy), [{ kind: 'dep', path: 'data.csv', repoPath: 'data.csv', status: 'modified' }]);
  });

  test('outputs missing from DVC cache read as not in cache when the cache is checked', async () => {
    const root = workspace(FILES);
    const recorded = await savedEntry(root);
    const stage = buildPipelineStage('dvc.yaml', 'train', TRAIN);
    const result = await stageChanges(stage, recorded, new WorkspaceHasher(root), { inCache: () => false });
    assert.deepEqual(result, [{ kind: 'out', path: 'model.bin', repoPath: 'model.bin', status: 'not in cache' }]);
  });
});

describe('saving a stage (DVC Stage.save)', () => {
  test("missing params keys stop the stage with DVC's message", () => {
    const root = workspace({ 'params.yaml': 'lr: 1\n' });
    const stage = buildPipelineStage('dvc.yaml', 'train', { cmd: 'x', params: ['lr', 'epochs', 'batch'] });
    assert.throws(() => readStageParams(root, stage), { message: "Parameters 'epochs, batch' are missing from 'params.yaml'." });
  });

  test('a missing dep or output is an error naming it', async () => {
    const root = workspace({ 'in.txt': 'x' });
    const hasher = new WorkspaceHasher(root);
    await assert.rejects(saveStage(buildPipelineStage('dvc.yaml', 's', { cmd: 'x', deps: ['gone.txt'] }), hasher, () => {}), {
      message: "dependency 'gone.txt' does not exist",
    });
    await assert.rejects(saveStage(buildPipelineStage('dvc.yaml', 's', { cmd: 'x', deps: ['in.txt'], outs: ['out.txt'] }), hasher, () => {}), {
      message: "output 'out.txt' does not exist",
    });
  });

  test('an empty output is saved with a warning, as DVC does', async () => {
    const root = workspace({ 'empty.txt': '' });
    const warnings: string[] = [];
    const { entry } = await saveStage(buildPipelineStage('dvc.yaml', 's', { cmd: 'x', outs: ['empty.txt'] }), new WorkspaceHasher(root), (w) => warnings.push(w));
    assert.deepEqual(warnings, ["'empty.txt' is empty."]);
    assert.deepEqual(entry.outs, [{ path: 'empty.txt', hash: 'md5', md5: 'd41d8cd98f00b204e9800998ecf8427e', size: 0 }]);
  });
});

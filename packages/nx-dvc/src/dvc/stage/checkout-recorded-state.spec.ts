import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DvcCache } from '../cache/dvc-cache';
import type { LinkType } from '../cache/link-types';
import { hashPath } from '../hashing/directory';
import { HashState } from '../hashing/state';
import { WorkspaceHasher } from '../hashing/workspace-hasher';
import { checkoutRecorded } from './checkout-recorded';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const FILES = { 'model.bin': 'weights\n', 'data/a.txt': 'a\n', 'data/sub/b.txt': 'b\n' };

/**
 * A DVC workspace whose cache holds `model.bin` and the folder `data` (objects committed a minute
 * ago, as a hit's objects usually are), neither of them in the workspace.
 */
async function cachedOutputs(type: LinkType) {
  const root = mkdtempSync(join(tmpdir(), 'nx-dvc-checkout-state-'));
  roots.push(root);
  mkdirSync(join(root, '.dvc'));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const saving = new DvcCache(join(root, '.dvc/cache'));
  const outputs = [];
  for (const path of ['model.bin', 'data']) {
    const hash = await hashPath(join(root, path));
    saving.save(join(root, path), hash);
    outputs.push({ path, md5: hash.md5 });
    rmSync(join(root, path), { recursive: true });
  }
  const aMinuteAgo = Date.now() / 1000 - 60;
  for (const text of Object.values(FILES)) utimesSync(saving.objectPath(md5(text)), aMinuteAgo, aMinuteAgo);
  return { root, outputs, cache: new DvcCache(saving.dir, [type]), stateFile: join(root, '.nx/hash-state.json') };
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

describe('the hash state after a checkout: the next command does not read what was checked out', () => {
  for (const type of ['copy', 'hardlink', 'symlink'] as const) {
    test(`${type}: a state loaded from disk knows the md5 of every file checked out, a file output and a folder's`, async () => {
      const { root, outputs, cache, stateFile } = await cachedOutputs(type);
      const state = HashState.load(stateFile);
      const report = await checkoutRecorded(root, outputs, { cache, hasher: new WorkspaceHasher(root, state), owner: 'train' });
      assert.deepEqual(report.checkedOut, ['model.bin', 'data']);
      state.save();
      const next = HashState.load(stateFile);
      for (const [path, text] of Object.entries(FILES)) {
        assert.equal(next.get(join(root, path), statSync(join(root, path), { bigint: true })), md5(text), `${path} is known without reading it`);
      }
    });
  }

  test('a folder brought to its record file by file: the files replaced are known too', async () => {
    const { root, outputs, cache, stateFile } = await cachedOutputs('copy');
    mkdirSync(join(root, 'data/sub'), { recursive: true });
    writeFileSync(join(root, 'data/a.txt'), 'other bytes\n');
    const state = HashState.load(stateFile);
    await checkoutRecorded(root, outputs.slice(1), { cache, hasher: new WorkspaceHasher(root, state), owner: 'train' });
    const stat = statSync(join(root, 'data/sub/b.txt'), { bigint: true });
    assert.equal(state.get(join(root, 'data/sub/b.txt'), stat), md5('b\n'));
    assert.equal(state.get(join(root, 'data/a.txt'), statSync(join(root, 'data/a.txt'), { bigint: true })), md5('a\n'));
  });

  test('a file written right after its checkout is not trusted: its md5 is read again', async () => {
    const { root, outputs, cache, stateFile } = await cachedOutputs('copy');
    const state = HashState.load(stateFile);
    await checkoutRecorded(root, outputs, { cache, hasher: new WorkspaceHasher(root, state), owner: 'train' });
    writeFileSync(join(root, 'model.bin'), 'wEIGHTS\n'); // same size, same inode
    writeFileSync(join(root, 'data/a.txt'), 'A\n');
    state.save();
    const next = HashState.load(stateFile);
    assert.equal(next.get(join(root, 'model.bin'), statSync(join(root, 'model.bin'), { bigint: true })), undefined);
    const hasher = new WorkspaceHasher(root, next);
    assert.equal((await hasher.hash('model.bin'))?.md5, md5('wEIGHTS\n'));
    assert.equal((await hashPath(join(root, 'data'), { state: next })).md5, (await hashPath(join(root, 'data'))).md5);
  });
});

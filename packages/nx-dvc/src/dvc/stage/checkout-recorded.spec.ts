import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DvcCache } from '../cache/dvc-cache';
import { hashPath } from '../hashing/directory';
import { WorkspaceHasher } from '../hashing/workspace-hasher';
import { checkoutRecorded } from './checkout-recorded';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A DVC workspace whose cache holds `model.bin` = 'v1\n'. */
async function setup() {
  const root = mkdtempSync(join(tmpdir(), 'nx-dvc-checkout-'));
  roots.push(root);
  mkdirSync(join(root, '.dvc'));
  writeFileSync(join(root, 'model.bin'), 'v1\n');
  const cache = DvcCache.forWorkspace(root)!;
  const hash = await hashPath(join(root, 'model.bin'));
  cache.save(join(root, 'model.bin'), hash);
  const collaborators = () => ({ cache, hasher: new WorkspaceHasher(root), owner: 'train' });
  return { root, cache, md5: hash.md5, collaborators };
}

describe('checking out recorded outputs', () => {
  test('an output that already holds the recorded bytes is left alone', async () => {
    const { root, md5, collaborators } = await setup();
    const report = await checkoutRecorded(root, [{ path: 'model.bin', md5 }], collaborators());
    assert.deepEqual(report, { checkedOut: [], missing: [] });
  });

  test('a missing output is checked out; a modified one is replaced after its bytes are saved in the cache', async () => {
    const { root, cache, md5, collaborators } = await setup();
    rmSync(join(root, 'model.bin'), { force: true });
    assert.deepEqual((await checkoutRecorded(root, [{ path: 'model.bin', md5 }], collaborators())).checkedOut, ['model.bin']);
    assert.equal(readFileSync(join(root, 'model.bin'), 'utf8'), 'v1\n');
    rmSync(join(root, 'model.bin'));
    writeFileSync(join(root, 'model.bin'), 'edited by hand\n');
    const edited = (await hashPath(join(root, 'model.bin'))).md5;
    await checkoutRecorded(root, [{ path: 'model.bin', md5 }], collaborators());
    assert.equal(readFileSync(join(root, 'model.bin'), 'utf8'), 'v1\n');
    assert.equal(readFileSync(cache.objectPath(edited), 'utf8'), 'edited by hand\n', 'the replaced bytes are kept in the cache');
  });

  test('data in neither the cache nor the remote is reported and the workspace is left as it was', async () => {
    const { root, collaborators } = await setup();
    const fetched: string[][] = [];
    const fetch = async (md5s: string[]) => void fetched.push(md5s);
    const absent = { path: 'model.bin', md5: '0'.repeat(32) };
    const report = await checkoutRecorded(root, [absent], { ...collaborators(), fetch });
    assert.deepEqual(report, { checkedOut: [], missing: [absent] });
    assert.deepEqual(fetched, [[absent.md5]], 'the remote was asked first');
    assert.equal(readFileSync(join(root, 'model.bin'), 'utf8'), 'v1\n');
  });

  test('an output reached through a linked folder is refused, not removed through the link', async () => {
    const { root, md5, collaborators } = await setup();
    const elsewhere = mkdtempSync(join(tmpdir(), 'nx-dvc-elsewhere-'));
    roots.push(elsewhere);
    writeFileSync(join(elsewhere, 'model.bin'), 'not ours\n');
    symlinkSync(elsewhere, join(root, 'linked'));
    const before = lstatSync(join(elsewhere, 'model.bin'));
    await assert.rejects(checkoutRecorded(root, [{ path: 'linked/model.bin', md5 }], collaborators()), /symbolic link/);
    assert.equal(readFileSync(join(elsewhere, 'model.bin'), 'utf8'), 'not ours\n');
    assert.equal(lstatSync(join(elsewhere, 'model.bin')).ino, before.ino, 'not even relinked');
  });
});

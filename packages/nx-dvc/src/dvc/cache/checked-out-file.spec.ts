import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, copyFileSync, linkSync, mkdtempSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { HashState } from '../hashing/state';
import { provenCheckout, settleLinked } from './checked-out-file';
import { DvcCache } from './dvc-cache';
import { hashPath } from '../hashing/directory';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const MD5 = '5a105e8b9d40e1329780d62ea2265d8a'; // md5 of 'test1'

/** A read-only cache object and a temporary name beside its future place in the workspace. */
function objectAndPlace() {
  const dir = mkdtempSync(join(tmpdir(), 'nx-dvc-proof-'));
  roots.push(dir);
  const object = join(dir, 'object');
  writeFileSync(object, 'test1');
  chmodSync(object, 0o444);
  return { object, temporary: join(dir, '.out.tmp'), target: join(dir, 'out') };
}

describe('proving a checked-out file holds its object', () => {
  test('a copy is dated back past the racy window, and proven once renamed', () => {
    const { object, temporary, target } = objectAndPlace();
    copyFileSync(object, temporary);
    const settled = settleLinked(temporary, object);
    renameSync(temporary, target);
    const proven = provenCheckout(target, MD5, settled);
    assert.ok(proven);
    assert.equal(HashState.inMemory().isRacy(proven.stat, Date.now()), false);
    assert.ok(statSync(object).mtimeMs > Date.now() - 60_000, "the object's mtime is left as it was");
  });

  test("a hard link or a symlink is the object's inode: its mtime is never changed", () => {
    for (const link of [linkSync, symlinkSync]) {
      const { object, temporary, target } = objectAndPlace();
      const before = statSync(object, { bigint: true }).mtimeNs;
      link(object, temporary);
      const settled = settleLinked(temporary, object);
      renameSync(temporary, target);
      assert.equal(statSync(object, { bigint: true }).mtimeNs, before);
      assert.equal(provenCheckout(target, MD5, settled)?.stat.ino, statSync(object, { bigint: true }).ino);
    }
  });

  test('a file written after it was settled is not proven', () => {
    const { object, temporary, target } = objectAndPlace();
    copyFileSync(object, temporary);
    const settled = settleLinked(temporary, object);
    renameSync(temporary, target);
    appendFileSync(target, '!');
    assert.equal(provenCheckout(target, MD5, settled), undefined);
    rmSync(target);
    writeFileSync(target, 'test1');
    assert.equal(provenCheckout(target, MD5, settled), undefined, 'another file at the same place');
  });

  test("the file a stage's command wrote is never dated back: only the copy that replaces it when DVC relinks it", async () => {
    const root = mkdtempSync(join(tmpdir(), 'nx-dvc-proof-'));
    roots.push(root);
    writeFileSync(join(root, 'model.bin'), 'test1');
    const hash = await hashPath(join(root, 'model.bin'));
    const reported: string[] = [];
    // copy first: DVC keeps the command's file (unprotected in place) and nothing is reported
    new DvcCache(join(root, 'cache-copy'), ['copy']).save(join(root, 'model.bin'), hash, (file) => reported.push(file.path));
    assert.equal(reported.length, 0);
    assert.ok(statSync(join(root, 'model.bin')).mtimeMs > Date.now() - 2000);
    // reflink,copy (DVC's default): the file output is relinked, a copy of the object, proven
    new DvcCache(join(root, 'cache-default')).save(join(root, 'model.bin'), hash, (file) => reported.push(file.path));
    assert.deepEqual(reported, [join(root, 'model.bin')]);
  });
});

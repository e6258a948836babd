import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DvcCache } from './dvc-cache';
import type { LinkType } from './link-types';
import { hashPath } from '../hashing/directory';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function workspace(withDvc = true): string {
  const root = mkdtempSync(join(tmpdir(), 'nx-dvc-cache-'));
  roots.push(root);
  if (withDvc) mkdirSync(join(root, '.dvc'));
  return root;
}

describe("DVC's local cache", () => {
  test('on by default only when the workspace has .dvc/, and follows cache.dir', () => {
    assert.equal(DvcCache.forWorkspace(workspace(false)), undefined);
    assert.ok(DvcCache.forWorkspace(workspace(false), true));
    const root = workspace();
    assert.equal(DvcCache.forWorkspace(root)!.dir, join(root, '.dvc/cache'));
    assert.equal(DvcCache.forWorkspace(root, false), undefined);
    writeFileSync(join(root, '.dvc/config'), "[cache]\n    dir = ../shared-cache\n");
    assert.equal(DvcCache.forWorkspace(root)!.dir, join(root, 'shared-cache'));
  });

  test('a file goes to files/md5/<2>/<30>, read-only', async () => {
    const root = workspace();
    writeFileSync(join(root, 'model.bin'), 'hello\n');
    const cache = DvcCache.forWorkspace(root)!;
    cache.save(join(root, 'model.bin'), await hashPath(join(root, 'model.bin')));
    const object = join(root, '.dvc/cache/files/md5/b1/946ac92492d2347c6235b4d2611184');
    assert.equal(readFileSync(object, 'utf8'), 'hello\n');
    assert.equal(statSync(object).mode & 0o777, 0o444);
    assert.equal(cache.has('b1946ac92492d2347c6235b4d2611184'), true);
  });

  test('a directory stores each file and its .dir manifest; symlinks inside become copies', async () => {
    const root = workspace();
    mkdirSync(join(root, 'out/sub'), { recursive: true });
    writeFileSync(join(root, 'out/a.txt'), 'hello\n');
    writeFileSync(join(root, 'out/sub/b.txt'), 'world\n');
    symlinkSync('a.txt', join(root, 'out/link.txt'));
    const hash = await hashPath(join(root, 'out'));
    const cache = DvcCache.forWorkspace(root)!;
    cache.save(join(root, 'out'), hash);
    assert.deepEqual(readFileSync(cache.objectPath(hash.md5)), (hash as { manifest: Buffer }).manifest);
    assert.equal(cache.has(hash.md5), true);
    assert.equal(lstatSync(join(root, 'out/link.txt')).isSymbolicLink(), false);
    assert.equal(readFileSync(join(root, 'out/link.txt'), 'utf8'), 'hello\n');
  });

  test('checkout writes an output back; a missing object is reported', async () => {
    const root = workspace();
    mkdirSync(join(root, 'out'));
    writeFileSync(join(root, 'out/a.txt'), 'hello\n');
    const hash = await hashPath(join(root, 'out'));
    const cache = DvcCache.forWorkspace(root)!;
    cache.save(join(root, 'out'), hash);
    rmSync(join(root, 'out'), { recursive: true });
    assert.equal(cache.checkout(join(root, 'out'), hash.md5), true);
    assert.equal(readFileSync(join(root, 'out/a.txt'), 'utf8'), 'hello\n');
    assert.equal(statSync(join(root, 'out/a.txt')).mode & 0o200, 0o200, 'the workspace copy is writable');
    rmSync(cache.objectPath('b1946ac92492d2347c6235b4d2611184'), { force: true });
    assert.equal(cache.has(hash.md5), false);
    assert.equal(cache.checkout(join(root, 'out'), hash.md5), false);
  });
});

describe('which file outputs save() replaces by a new copy (recorded as a checkout)', () => {
  test("DVC's default reflink,copy and reflink do; copy first, hard links, symlinks and folders do not", () => {
    const root = workspace();
    writeFileSync(join(root, 'model.bin'), 'hello\n');
    mkdirSync(join(root, 'data'));
    const cache = (types: LinkType[]) => new DvcCache(join(root, '.dvc/cache'), types);
    assert.equal(cache(['reflink', 'copy']).relinksAsNewCopy(join(root, 'model.bin')), true);
    assert.equal(cache(['reflink']).relinksAsNewCopy(join(root, 'model.bin')), true);
    assert.equal(cache(['reflink', 'copy']).relinksAsNewCopy(join(root, 'data')), false);
    for (const types of [['copy'], ['copy', 'reflink'], ['reflink', 'hardlink'], ['hardlink'], ['symlink']] as LinkType[][]) {
      assert.equal(cache(types).relinksAsNewCopy(join(root, 'model.bin')), false, types.join());
    }
  });
});

describe('unprotect (persist outputs before their stage runs)', () => {
  test("a .dir object listing a path outside its directory is refused, and nothing is written outside", () => {
    const root = workspace();
    const cache = DvcCache.forWorkspace(root)!;
    const file = cache.objectPath('b1946ac92492d2347c6235b4d2611184');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, 'hello\n');
    const dirMd5 = '0123456789abcdef0123456789abcdef.dir';
    mkdirSync(join(cache.objectPath(dirMd5), '..'), { recursive: true });
    writeFileSync(cache.objectPath(dirMd5), JSON.stringify([{ md5: 'b1946ac92492d2347c6235b4d2611184', relpath: '../escaped.txt' }]));
    assert.throws(() => cache.checkout(join(root, 'out'), dirMd5), /outside its directory/);
    assert.equal(existsSync(join(root, 'escaped.txt')), false);
  });

  test('linked files become private writable copies; writing to them leaves the cache intact', async () => {
    const root = workspace();
    writeFileSync(join(root, '.dvc/config'), '[cache]\n    type = hardlink\n');
    mkdirSync(join(root, 'out'));
    writeFileSync(join(root, 'out/a.txt'), 'hello\n');
    writeFileSync(join(root, 'model.bin'), 'weights\n');
    const cache = DvcCache.forWorkspace(root)!;
    for (const out of ['out', 'model.bin']) cache.save(join(root, out), await hashPath(join(root, out)));
    assert.equal(statSync(join(root, 'model.bin')).nlink, 2, 'hard-linked to the cache');
    cache.unprotect(join(root, 'out'));
    cache.unprotect(join(root, 'model.bin'));
    for (const file of ['out/a.txt', 'model.bin']) {
      assert.equal(statSync(join(root, file)).nlink, 1);
      assert.equal(statSync(join(root, file)).mode & 0o777, 0o644);
      writeFileSync(join(root, file), 'changed\n');
    }
    assert.equal(readFileSync(cache.objectPath('b1946ac92492d2347c6235b4d2611184'), 'utf8'), 'hello\n');
  });
});

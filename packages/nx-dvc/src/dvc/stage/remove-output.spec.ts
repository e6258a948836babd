import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { RemovalGuard, removeOutputPaths, UnsafeRemovalError } from './remove-output';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(prefix: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  dirs.push(dir);
  return dir;
}

/** A workspace with git, DVC and Nx folders, an installed `nx`, and a precious folder outside it. */
function workspace(): { root: string; outside: string } {
  const root = tempDir('nx-dvc-remove-');
  const outside = tempDir('nx-dvc-outside-');
  writeFileSync(join(outside, 'precious.txt'), 'keep me\n');
  for (const dir of ['.git/hooks', '.dvc/cache', '.nx/cache', 'node_modules/nx', 'node_modules/left-pad', 'pipe/out']) mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, 'node_modules/nx/package.json'), '{"name":"nx"}');
  writeFileSync(join(root, 'pipe/out/file'), 'old output\n');
  return { root, outside };
}

function refused(root: string, paths: string[], why: RegExp): void {
  assert.throws(() => removeOutputPaths(paths, 'pipe/dvc.yaml:s', new RemovalGuard(root)), (error: Error) => {
    assert.ok(error instanceof UnsafeRemovalError, String(error));
    assert.match(error.message, why);
    assert.match(error.message, /Nothing was removed\.$/);
    return true;
  });
}

describe('removing outputs before a run never climbs out of the declared output', () => {
  test('a plain output inside the workspace is removed; a missing one is nothing to do', () => {
    const { root } = workspace();
    removeOutputPaths(['pipe/out', 'pipe/missing', 'missing/deeper'], 's', new RemovalGuard(root));
    assert.equal(existsSync(join(root, 'pipe/out')), false);
  });

  test('the workspace root, paths leaving it and unnormalised paths are refused', () => {
    const { root } = workspace();
    for (const path of ['.', '', '..', '../x', '/etc', 'pipe/../..', 'pipe/./out']) refused(root, [path], /not a path inside the workspace/);
    assert.ok(existsSync(join(root, 'pipe/out/file')));
  });

  test(".git, .dvc and .nx, and anything inside them, are refused", () => {
    const { root } = workspace();
    refused(root, ['.git'], /it is the workspace's git repository/);
    refused(root, ['.git/hooks'], /inside the workspace's git repository/);
    refused(root, ['.dvc/cache'], /inside DVC's own folder/);
    refused(root, ['.nx'], /it is Nx's cache/);
    refused(root, ['.nx/cache'], /inside Nx's cache/);
    for (const dir of ['.git/hooks', '.dvc/cache', '.nx/cache']) assert.ok(existsSync(join(root, dir)), dir);
  });

  test("DVC's cache moved by cache.dir, and Nx's folders moved by its environment, are refused too", () => {
    const { root } = workspace();
    writeFileSync(join(root, '.dvc/config'), '[cache]\n    dir = ../shared-cache\n');
    mkdirSync(join(root, 'shared-cache/files'), { recursive: true });
    mkdirSync(join(root, 'nx-data/cache'), { recursive: true });
    refused(root, ['shared-cache'], /it is DVC's cache \(cache\.dir\)/);
    refused(root, ['shared-cache/files'], /inside DVC's cache/);
    const before = process.env.NX_CACHE_DIRECTORY;
    process.env.NX_CACHE_DIRECTORY = 'nx-data/cache';
    try {
      refused(root, ['nx-data'], /Nx's cache and workspace data/);
    } finally {
      if (before === undefined) delete process.env.NX_CACHE_DIRECTORY;
      else process.env.NX_CACHE_DIRECTORY = before;
    }
    for (const dir of ['shared-cache/files', 'nx-data/cache']) assert.ok(existsSync(join(root, dir)), dir);
  });

  test('the node_modules holding the installed Nx is refused; another package in it is not', () => {
    const { root } = workspace();
    refused(root, ['node_modules'], /contains the installed Nx/);
    refused(root, ['node_modules/nx'], /it is the installed Nx/);
    symlinkSync(join(root, 'node_modules'), join(root, 'pipe/modules-link'));
    refused(root, ['pipe/modules-link'], /contains the installed Nx/);
    removeOutputPaths(['node_modules/left-pad'], 's', new RemovalGuard(root));
    assert.equal(existsSync(join(root, 'node_modules/left-pad')), false);
    assert.ok(existsSync(join(root, 'node_modules/nx/package.json')));
  });

  test('a symlinked parent folder is never followed', () => {
    const { root, outside } = workspace();
    symlinkSync(outside, join(root, 'pipe/link'));
    refused(root, ['pipe/link/precious.txt'], /folder 'pipe\/link' is a symbolic link to '.*', and nx-dvc never removes through a link/);
    assert.ok(existsSync(join(outside, 'precious.txt')));
  });

  test('a symlink output loses the link only, never what it points to', () => {
    const { root, outside } = workspace();
    symlinkSync(outside, join(root, 'pipe/data'));
    symlinkSync(join(root, '.git'), join(root, 'pipe/git-link'));
    removeOutputPaths(['pipe/data'], 's', new RemovalGuard(root));
    refused(root, ['pipe/git-link'], /it is a link to the workspace's git repository/);
    assert.equal(lstatSync(join(root, 'pipe/data'), { throwIfNoEntry: false }), undefined);
    assert.ok(existsSync(join(outside, 'precious.txt')));
    assert.ok(existsSync(join(root, '.git/hooks')));
  });

  test('one unsafe output and no output is removed', () => {
    const { root } = workspace();
    refused(root, ['pipe/out', '.git'], /git repository/);
    assert.ok(existsSync(join(root, 'pipe/out/file')));
  });

  const insensitive = (() => {
    const probe = tempDir('nx-dvc-case-');
    writeFileSync(join(probe, 'a'), '');
    return existsSync(join(probe, 'A'));
  })();
  test('case variants of .git are the same folder on a case-insensitive disk', { skip: insensitive ? false : 'this file system is case-sensitive: .GIT is another folder' }, () => {
    const { root } = workspace();
    refused(root, ['.GIT'], /git repository/);
    refused(root, ['.Git/hooks'], /git repository/);
    refused(root, ['NODE_MODULES'], /installed Nx/);
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import fg from 'fast-glob';
import { DvcCache } from './dvc-cache';
import { parseLinkTypes } from './link-types';
import { hashPath } from '../hashing/directory';
import { dvcOk, skipWithoutDvc } from '../../testing/real-dvc';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** One stage writing every kind of file DVC links differently: exec, empty, symlink, duplicate, modes. */
const OUTS = ['f.txt', 'e.sh', 'empty.txt', 'out'];
const CMD = [
  "printf 'f\\n' > f.txt && printf 'x\\n' > e.sh && chmod +x e.sh && : > empty.txt",
  "mkdir -p out/sub && printf 'a\\n' > out/a.txt && ln -s a.txt out/l.txt && printf 'a\\n' > out/sub/dup.txt",
  "printf 'r\\n' > out/run.sh && chmod 775 out/run.sh && printf 'p\\n' > out/p.txt && chmod 600 out/p.txt && : > out/empty",
].join(' && ');

function repo(cacheType?: string): string {
  const root = mkdtempSync(join(tmpdir(), 'nx-dvc-links-'));
  roots.push(root);
  mkdirSync(join(root, '.dvc'));
  if (cacheType) writeFileSync(join(root, '.dvc/config'), `[cache]\n    type = "${cacheType}"\n`);
  return root;
}

/** Every file of the workspace outputs and of the cache: kind, mode, link count, link target. */
function describeState(root: string): Record<string, string> {
  const paths = fg
    .sync(['*', 'out/**', '.dvc/cache/files/**'], { cwd: root, dot: true, onlyFiles: false, followSymbolicLinks: false })
    .filter((path) => path.startsWith('.dvc/cache/') || OUTS.includes(path.split('/')[0]!));
  const cacheInodes = new Map(fg.sync('.dvc/cache/files/**', { cwd: root, dot: true }).map((p) => [statSync(join(root, p)).ino, p]));
  const state: Record<string, string> = {};
  for (const path of paths.sort()) {
    const st = lstatSync(join(root, path));
    if (st.isDirectory()) continue;
    const mode = (st.isSymbolicLink() ? statSync(join(root, path)).mode : st.mode) & 0o777;
    const kind = st.isSymbolicLink() ? `symlink -> ${relative(root, readlinkSync(join(root, path)))}` : st.nlink > 1 && !path.startsWith('.dvc') ? `hardlink of ${cacheInodes.get(st.ino)}` : 'file';
    state[path] = `${kind} ${mode.toString(8)} ${JSON.stringify(readFileSync(join(root, path), 'utf8'))}`;
  }
  return state;
}

async function oursAfterRepro(cacheType?: string): Promise<string> {
  const root = repo(cacheType);
  execFileSync('/bin/sh', ['-c', CMD], { cwd: root });
  const cache = DvcCache.forWorkspace(root)!;
  for (const out of OUTS) cache.save(join(root, out), await hashPath(join(root, out)));
  return root;
}

async function oursCheckout(root: string): Promise<void> {
  const cache = DvcCache.forWorkspace(root)!;
  const hashes = await Promise.all(OUTS.map((out) => hashPath(join(root, out))));
  OUTS.forEach((out) => rmSync(join(root, out), { recursive: true, force: true }));
  OUTS.forEach((out, i) => assert.equal(cache.checkout(join(root, out), hashes[i]!.md5, 'isexec' in hashes[i]! && hashes[i]!.isexec === true), true));
}

function dvcRepro(cacheType?: string): string {
  const root = repo(cacheType);
  rmSync(join(root, '.dvc'), { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: root });
  dvcOk(root, ['init', '-q']);
  if (cacheType) dvcOk(root, ['config', 'cache.type', cacheType]);
  dvcOk(root, ['stage', 'add', '-q', '-n', 'make', ...OUTS.flatMap((o) => ['-o', o]), CMD]);
  dvcOk(root, ['repro', '-q']);
  return root;
}

function dvcCheckout(root: string): void {
  OUTS.forEach((out) => rmSync(join(root, out), { recursive: true, force: true }));
  dvcOk(root, ['checkout', '-q']);
}

/** Cache objects DVC writes besides ours (its run cache) are not part of the comparison. */
function withoutRunCache(state: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(state).filter(([path]) => !path.startsWith('.dvc/cache/runs')));
}

describe('cache.type', () => {
  test('is read as DVC reads it: comma-separated, quoted or not, default reflink,copy', () => {
    assert.deepEqual(parseLinkTypes(undefined), ['reflink', 'copy']);
    assert.deepEqual(parseLinkTypes('hardlink, symlink'), ['hardlink', 'symlink']);
    assert.throws(() => parseLinkTypes('hardlink,foo'), /Unsupported cache type\(s\): foo/);
  });

  test('hardlink: read-only links to the cache; empty files are plain files; exec bit on the object', async () => {
    const root = await oursAfterRepro('hardlink');
    await oursCheckout(root);
    const state = describeState(root);
    assert.match(state['f.txt']!, /^hardlink of \.dvc\/cache\/files\/md5\/.* 444 /);
    assert.match(state['e.sh']!, /^hardlink of .* 544 /);
    assert.match(state['empty.txt']!, /^file 644 /);
    assert.match(state['out/l.txt']!, /^hardlink of .* 444 "a\\n"/);
  });

  test('symlink: absolute links to the cache objects', async () => {
    const root = await oursAfterRepro('symlink');
    await oursCheckout(root);
    assert.equal(readlinkSync(join(root, 'out/a.txt')), join(root, '.dvc/cache/files/md5/60/b725f10c9c85c70d97880dfe8191b3'));
    assert.equal(statSync(join(root, 'out/a.txt')).mode & 0o777, 0o444, 'protected through the link');
  });

  test('copy: writable private copies, 0o666 less the umask, exec as u+x', async () => {
    const root = await oursAfterRepro('copy');
    await oursCheckout(root);
    const state = describeState(root);
    assert.match(state['f.txt']!, /^file 644 /);
    assert.match(state['e.sh']!, /^file 744 /);
  });

  // Each type DVC treats differently (copy and reflink are alike on file systems without reflinks).
  for (const cacheType of [undefined, 'hardlink', 'hardlink,copy', 'symlink,copy']) {
    test(`${cacheType ?? 'default'}: the workspace and cache after a run and after a checkout are real DVC's`, { skip: skipWithoutDvc }, async () => {
      const ours = await oursAfterRepro(cacheType);
      const theirs = dvcRepro(cacheType);
      assert.deepEqual(describeState(ours), withoutRunCache(describeState(theirs)), 'after the run');
      await oursCheckout(ours);
      dvcCheckout(theirs);
      assert.deepEqual(describeState(ours), withoutRunCache(describeState(theirs)), 'after a checkout');
    });
  }
});

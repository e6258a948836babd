import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DvcCache } from '../cache/dvc-cache';
import { hashPath } from '../hashing/directory';
import { WorkspaceHasher } from '../hashing/workspace-hasher';
import { dvcOk, skipWithoutDvc } from '../../testing/real-dvc';
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

/** Every path under a folder (folders end in `/`) with each file's bytes. */
function tree(dir: string, prefix = ''): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(found, { [`${rel}/`]: '' }, tree(dir, rel));
    else found[rel] = readFileSync(join(dir, rel), 'utf8');
  }
  return found;
}

/** A DVC repository (real DVC) whose stage wrote the folder `out`, recorded in dvc.lock. */
function dvcRepoWithFolder(cacheType: string): { root: string; md5: string } {
  const root = mkdtempSync(join(tmpdir(), 'nx-dvc-dirsafe-'));
  roots.push(root);
  dvcOk(root, ['init', '--no-scm', '-q']);
  dvcOk(root, ['config', 'cache.type', cacheType]);
  writeFileSync(join(root, '.dvcignore'), 'out/*.log\nout/scratch/\n*.tmp\n');
  writeFileSync(join(root, 'dep.txt'), 'dep\n');
  writeFileSync(
    join(root, 'dvc.yaml'),
    "stages:\n  make:\n    cmd: mkdir -p out/sub && printf 'a\\n' > out/a.txt && printf 'b\\n' > out/sub/b.txt && printf 'c\\n' > out/c.txt\n    deps:\n    - dep.txt\n    outs:\n    - out\n",
  );
  dvcOk(root, ['repro', '-q']);
  return { root, md5: /md5: (\w+\.dir)/.exec(readFileSync(join(root, 'dvc.lock'), 'utf8'))![1]! };
}

/** A workspace folder as a user leaves it: ignored files and folders, extras, an edit, a deletion. */
function disturb(root: string): void {
  const out = join(root, 'out');
  const write = (rel: string, text: string) => {
    mkdirSync(join(out, rel, '..'), { recursive: true });
    rmSync(join(out, rel), { force: true });
    writeFileSync(join(out, rel), text);
  };
  write('notes.log', 'ignored\n');
  write('scratch/keep.bin', 'ignored folder\n');
  write('extra.txt', 'not in the record\n');
  write('new/deeper/e.txt', 'a folder not in the record\n');
  write('only-ignored/z.tmp', 'ignored, in a folder not in the record\n');
  mkdirSync(join(out, 'empty'));
  write('c.txt', 'modified\n');
  rmSync(join(out, 'sub/b.txt'));
}

describe('checking out a directory output as dvc checkout does', () => {
  for (const cacheType of ['reflink,copy', 'hardlink', 'symlink']) {
  test(`ignored files stay, extra files and folders go, wrong bytes are replaced: the same tree as real dvc checkout (${cacheType})`, { skip: skipWithoutDvc }, async () => {
    const { root, md5 } = dvcRepoWithFolder(cacheType);
    const theirs = `${root}-dvc`;
    roots.push(theirs);
    disturb(root);
    cpSync(root, theirs, { recursive: true });
    const keptIno = lstatSync(join(root, 'out/a.txt')).ino;
    const cache = DvcCache.forWorkspace(root)!;
    const report = await checkoutRecorded(root, [{ path: 'out', md5 }], { cache, hasher: new WorkspaceHasher(root), owner: 'make' });
    assert.deepEqual(report.checkedOut, ['out']);
    // DVC asks before deleting bytes its cache lacks (`--force`); nx-dvc saves them in the cache first
    dvcOk(theirs, ['checkout', '--force']);
    const ours = tree(join(root, 'out'));
    assert.deepEqual(ours, tree(join(theirs, 'out')));
    assert.equal(ours['notes.log'], 'ignored\n');
    assert.equal(ours['scratch/keep.bin'], 'ignored folder\n');
    assert.equal(ours['extra.txt'], undefined);
    assert.equal(lstatSync(join(root, 'out/a.txt')).ino, keptIno, 'a file with the right bytes is not rewritten');
    for (const text of ['not in the record\n', 'modified\n']) {
      const saved = cache.objectPath(createHash('md5').update(text).digest('hex'));
      assert.equal(readFileSync(saved, 'utf8'), text, 'deleted and replaced bytes are kept in the cache');
    }
  });
  }
});

describe('checking out one output from several places at once', () => {
  test('two checkouts of the same missing folder in one process share one: each file is written once', async () => {
    const { root, md5 } = await folderInCache();
    let written = 0;
    const cache = DvcCache.forWorkspace(root)!;
    const checkoutNew = cache.checkoutNew.bind(cache);
    cache.checkoutNew = (...args) => (written++, checkoutNew(...args));
    const collaborators = (owner: string) => ({ cache, hasher: new WorkspaceHasher(root), owner });
    const reports = await Promise.all([checkoutRecorded(root, [{ path: 'out', md5 }], collaborators('a')), checkoutRecorded(root, [{ path: 'out', md5 }], collaborators('b'))]);
    assert.deepEqual(reports.map((r) => r.checkedOut), [['out'], ['out']]);
    assert.equal(written, 1);
    assert.equal((await hashPath(join(root, 'out'))).md5, md5);
  });

  test('two processes checking out the same missing folder at once both succeed, and leave it whole', async () => {
    const { root, md5 } = await folderInCache(300);
    const script = [
      `const { DvcCache } = require(${JSON.stringify(require.resolve('../cache/dvc-cache'))});`,
      `const cache = DvcCache.forWorkspace(${JSON.stringify(root)});`,
      `console.log(cache.checkoutNew(${JSON.stringify(join(root, 'out'))}, ${JSON.stringify(md5)}));`,
    ].join('\n');
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        let stdout = '';
        child.stdout.on('data', (chunk) => (stdout += chunk));
        child.on('exit', (code) => (code === 0 ? resolve(stdout.trim()) : reject(new Error(`exited ${code}`))));
      });
    const results = await Promise.all([run(), run()]);
    assert.ok(results.includes('written'), results.join());
    assert.ok(results.every((r) => r === 'written' || r === 'taken'), results.join());
    assert.equal((await hashPath(join(root, 'out'))).md5, md5);
    assert.deepEqual(readdirSync(root).filter((name) => name.endsWith('.tmp')), [], 'no temporary folder is left');
  });

  test('a folder another checkout put in place first is kept, and ours dropped', async () => {
    const { root, md5 } = await folderInCache();
    const cache = DvcCache.forWorkspace(root)!;
    assert.equal(cache.checkoutNew(join(root, 'out'), md5), 'written');
    const before = lstatSync(join(root, 'out/f0.txt')).ino;
    assert.equal(cache.checkoutNew(join(root, 'out'), md5), 'taken');
    assert.equal(lstatSync(join(root, 'out/f0.txt')).ino, before);
    assert.deepEqual(readdirSync(root).filter((name) => name.endsWith('.tmp')), []);
  });
});

/** A DVC workspace whose cache holds the folder `out` (n files), which the workspace lacks. */
async function folderInCache(n = 20): Promise<{ root: string; md5: string }> {
  const root = mkdtempSync(join(tmpdir(), 'nx-dvc-race-'));
  roots.push(root);
  mkdirSync(join(root, '.dvc'));
  mkdirSync(join(root, 'out'));
  for (let i = 0; i < n; i++) writeFileSync(join(root, `out/f${i}.txt`), `file ${i}\n`);
  const hash = await hashPath(join(root, 'out'));
  DvcCache.forWorkspace(root)!.save(join(root, 'out'), hash);
  rmSync(join(root, 'out'), { recursive: true });
  return { root, md5: hash.md5 };
}

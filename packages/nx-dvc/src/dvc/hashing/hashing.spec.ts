import { after, before, describe, test } from 'node:test';
import { comparePythonStrings } from '../formats/python/value';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { load } from 'js-yaml';
import { DvcIgnore } from '../repo/dvcignore';
import { DvcError } from '../errors';
import { HashState } from './state';
import { EMPTY_DIR_MD5, hashDirectory, hashPath, ignorePredicate } from './directory';
import { DvcIgnoreInCollectedDirError } from './walk';
import { hashFile, md5Hex } from './file';
import { dirManifest, pythonJsonString } from './manifest';
import { shutdownHashWorkers } from './worker-pool';
import { WorkspaceHasher } from './workspace-hasher';

/**
 * DVC 3 hashing, spec §5.1/§5.3/§5.4, checked against the spec's vectors (from DVC's own tests),
 * the golden fixtures' dvc.lock files and `.dir` objects stored by real DVC 3.64, and Python's
 * `json.dumps` output for the code-point order and escapes.
 */

const GOLDEN = '/work/shared/golden';
let tmp: string;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'nx-dvc-hashing-'));
});
after(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await shutdownHashWorkers();
});

let counter = 0;
/** Creates a fresh directory with `files` (relpath -> content). */
function makeDir(files: Record<string, string | Buffer>, name = `d${counter++}`): string {
  const root = join(tmp, name);
  mkdirSync(root, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return root;
}

function md5(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

async function rejectsWith(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected a rejection');
}

describe('files (§5.1)', () => {
  test('plain md5 of the raw bytes, no newline normalisation', async () => {
    const dir = makeDir({ 'crlf.txt': 'a\r\nb\r\n', 'empty': '' });
    assert.deepEqual(await hashFile(join(dir, 'crlf.txt')), { md5: '59b0d7772f0561efb95518f3cb8abc60', size: 6, isexec: false });
    assert.deepEqual(await hashFile(join(dir, 'empty')), { md5: 'd41d8cd98f00b204e9800998ecf8427e', size: 0, isexec: false });
  });

  test('isexec: any of the u/g/o execute bits', async () => {
    const dir = makeDir({ u: 'x', g: 'x', o: 'x', none: 'x' });
    chmodSync(join(dir, 'u'), 0o744);
    chmodSync(join(dir, 'g'), 0o654);
    chmodSync(join(dir, 'o'), 0o645);
    chmodSync(join(dir, 'none'), 0o666);
    for (const name of ['u', 'g', 'o']) assert.equal((await hashFile(join(dir, name))).isexec, true, name);
    assert.equal((await hashFile(join(dir, 'none'))).isexec, false);
  });

  test('a symlink is followed: target bytes, target size and mode', async () => {
    const dir = makeDir({ 'target.sh': 'echo hi\n' });
    chmodSync(join(dir, 'target.sh'), 0o755);
    symlinkSync('target.sh', join(dir, 'link'));
    assert.deepEqual(await hashFile(join(dir, 'link')), { md5: md5('echo hi\n'), size: 8, isexec: true });
  });

  test('large files are streamed in chunks, with progress', async () => {
    const data = Buffer.alloc(21 * 1024 * 1024 + 123);
    for (let i = 0; i < data.length; i += 4096) data.writeUInt32LE(i * 2654435761 >>> 0, i);
    const dir = makeDir({ big: data });
    const calls: [number, number][] = [];
    const result = await hashFile(join(dir, 'big'), { onProgress: (done, total) => calls.push([done, total]) });
    assert.deepEqual(result, { md5: md5(data), size: data.length, isexec: false });
    assert.ok(calls.length >= 5, `${calls.length} progress calls`);
    assert.deepEqual(calls.at(-1), [data.length, data.length]);
    for (let i = 1; i < calls.length; i++) assert.ok(calls[i]![0] > calls[i - 1]![0]);
  });

  test('hashPath picks file or directory', async () => {
    const dir = makeDir({ 'a.txt': 'hello\n', 'sub/b.txt': 'world\n' });
    assert.equal((await hashPath(join(dir, 'a.txt'))).md5, 'b1946ac92492d2347c6235b4d2611184');
    assert.equal((await hashPath(dir)).md5, '5369cb520f35f5d77e793cf181884a27.dir');
  });
});

describe('the .dir manifest (§5.3)', () => {
  test("DVC's test vectors (tests/func/test_diff.py)", async () => {
    const vectors: [Record<string, string>, string][] = [
      [{ file: 'text' }, '0dab3fae569586d4c33272e5011605bf.dir'],
      [{ 1: '1', 2: '2' }, '5fb6b29836c388e093ca0715c872fe2a.dir'],
      [{ 1: '1', 2: 'two', 3: '3' }, '9b5faf37366b3370fd98e3e60ca439c1.dir'],
      [{ 1: '1', 3: '3' }, '83ae82fb367ac9926455870773ff09e6.dir'],
    ];
    for (const [files, expected] of vectors) {
      const result = await hashDirectory(makeDir(files));
      assert.equal(result.md5, expected);
      assert.equal(result.nfiles, Object.keys(files).length);
      assert.equal(result.size, Object.values(files).join('').length);
    }
  });

  test('worked example §5.4: exact bytes', async () => {
    const result = await hashDirectory(makeDir({ 'sub/b.txt': 'world\n', 'a.txt': 'hello\n' }));
    assert.equal(
      result.manifest.toString('utf8'),
      '[{"md5": "b1946ac92492d2347c6235b4d2611184", "relpath": "a.txt"}, {"md5": "591785b794601e212b260e25925636fd", "relpath": "sub/b.txt"}]',
    );
    assert.equal(result.md5, '5369cb520f35f5d77e793cf181884a27.dir');
    assert.equal(result.size, 12);
    assert.equal(result.nfiles, 2);
    assert.deepEqual(result.entries, [
      { md5: 'b1946ac92492d2347c6235b4d2611184', relpath: 'a.txt', size: 6, isexec: false },
      { md5: '591785b794601e212b260e25925636fd', relpath: 'sub/b.txt', size: 6, isexec: false },
    ]);
  });

  test('empty directory, and empty subdirectories contribute nothing', async () => {
    for (const dir of [makeDir({}), makeDir({})]) {
      mkdirSync(join(dir, 'x/y'), { recursive: true });
      const result = await hashDirectory(dir);
      assert.equal(result.md5, EMPTY_DIR_MD5);
      assert.equal(result.manifest.toString(), '[]');
      assert.equal(result.size, 0);
      assert.equal(result.nfiles, 0);
    }
  });

  test('code-point order and ensure_ascii escapes, as Python json.dumps', async () => {
    const files: Record<string, string> = {
      a0: 'zero\n',
      'a/b': 'slash\n',
      'a-b': 'dash\n',
      '\ue000.txt': 'private use\n',
      '\u{1F600}.txt': 'grin\n',
      'é.txt': 'e acute\n',
      'z"q\\.txt': 'quote\n',
      'tab\t.txt': 'tab\n',
    };
    const result = await hashDirectory(makeDir(files));
    // produced by Python 3.11: sorted(entries, key=relpath); json.dumps(entries, sort_keys=True)
    const python =
      '[{"md5": "4b3819771135e00b75e4afda54be3184", "relpath": "a-b"}, {"md5": "ddd1f62423f2f658a815546c2f1e3f85", "relpath": "a/b"}, ' +
      '{"md5": "ae33d6face3d0a8882059e2583725b78", "relpath": "a0"}, {"md5": "14006db33769d2a211c4f39abf12ffc2", "relpath": "tab\\t.txt"}, ' +
      '{"md5": "0669fb1192972e0fd119a954245e4f18", "relpath": "z\\"q\\\\.txt"}, {"md5": "6434227a4edbe7fdc57ae528eca5ef9f", "relpath": "\\u00e9.txt"}, ' +
      '{"md5": "6785b76ece67851b96a5f83d29230c37", "relpath": "\\ue000.txt"}, {"md5": "818126bb2426449ef5e6e64d8e426bf2", "relpath": "\\ud83d\\ude00.txt"}]';
    assert.equal(result.manifest.toString('utf8'), python);
    assert.equal(result.md5, 'caed97dbedf328ee4df5962a5e1eb0b9.dir');
    assert.deepEqual(
      result.entries.map((e) => e.relpath),
      ['a-b', 'a/b', 'a0', 'tab\t.txt', 'z"q\\.txt', 'é.txt', '\ue000.txt', '\u{1F600}.txt'],
    );
  });

  test('comparePythonStrings: astral characters sort after U+E000..U+FFFF', () => {
    const names = ['\u{1F600}', '\uffff', '\ue000', '\ud7ff', 'z', '\u{10000}', '\u{1F600}a', ''];
    assert.deepEqual([...names].sort(comparePythonStrings), ['', 'z', '\ud7ff', '\ue000', '\uffff', '\u{10000}', '\u{1F600}', '\u{1F600}a']);
    // what JS would do by default, for contrast
    assert.notDeepEqual([...names].sort(), [...names].sort(comparePythonStrings));
    assert.equal(comparePythonStrings('a', 'a'), 0);
    assert.ok(comparePythonStrings('a-b', 'a/b') < 0 && comparePythonStrings('a/b', 'a0') < 0);
  });

  test('pythonJsonString escapes like json.dumps(ensure_ascii=True)', () => {
    assert.equal(pythonJsonString('plain ~!#[]{}'), '"plain ~!#[]{}"');
    assert.equal(pythonJsonString('"\\\n\r\t\b\f'), '"\\"\\\\\\n\\r\\t\\b\\f"');
    assert.equal(pythonJsonString('\u0001\u001f\u007f\u0080é'), '"\\u0001\\u001f\\u007f\\u0080\\u00e9"');
    assert.equal(pythonJsonString('\u{1F600}\uFFFF'), '"\\ud83d\\ude00\\uffff"');
    assert.equal(pythonJsonString('/'), '"/"');
  });
});

describe('golden fixtures (real DVC 3.64)', () => {
  const manifests = findFiles(GOLDEN, (p) => p.endsWith('.dir') && p.includes('/dir-manifests/'));

  test('every stored .dir object re-serialises byte for byte', () => {
    assert.ok(manifests.length >= 6);
    for (const file of manifests) {
      const bytes = readFileSync(file);
      const entries = JSON.parse(bytes.toString('utf8')) as { md5: string; relpath: string }[];
      const shuffled = [...entries].reverse();
      const result = dirManifest(shuffled);
      assert.equal(result.manifest.toString('utf8'), bytes.toString('utf8'), file);
      assert.equal(result.md5, file.split('/').pop(), file);
      assert.equal(md5Hex(bytes), file.split('/').pop()!.replace(/\.dir$/, ''));
    }
  });

  test('file deps/outs: collected files match the final dvc.lock, inputs match a recorded lock', async () => {
    let checked = 0;
    for (const caseDir of caseDirs()) {
      const locks = findFiles(join(caseDir, 'expected'), (p) => p.endsWith('/dvc.lock'));
      const recorded = new Map<string, { md5: string; size: number; isexec: boolean }[]>();
      const final = new Map<string, { md5: string; size: number; isexec: boolean }>();
      for (const lock of locks) {
        const rel = dirname(lock.slice(join(caseDir, 'expected').length + 1)).replace(/^after-repro-\d+(\/|$)/, '').replace(/^\.$/, '');
        const isFinal = !/\/expected\/after-repro-\d+\//.test(lock);
        const data = load(readFileSync(lock, 'utf8')) as { stages?: Record<string, LockStage> };
        for (const st of Object.values(data.stages ?? {})) {
          for (const item of [...(st.deps ?? []), ...(st.outs ?? [])]) {
            if (!item.md5 || item.md5.endsWith('.dir')) continue;
            const path = join(rel, st.wdir ?? '.', item.path);
            const value = { md5: item.md5, size: item.size!, isexec: item.isexec ?? false };
            recorded.set(path, [...(recorded.get(path) ?? []), value]);
            if (isFinal) final.set(path, value);
          }
        }
      }
      for (const [path, value] of final) {
        const file = join(caseDir, 'expected/files', path);
        if (!existsSync(file) || statSync(file).isDirectory()) continue;
        assert.deepEqual(await hashFile(file), value, file);
        checked++;
      }
      for (const [path, values] of recorded) {
        const file = join(caseDir, 'input', path);
        if (!existsSync(file) || statSync(file).isDirectory()) continue;
        const ours = await hashFile(file);
        assert.ok(
          values.some((v) => v.md5 === ours.md5 && v.size === ours.size && v.isexec === ours.isexec),
          `${file}: ${JSON.stringify(ours)} not in ${JSON.stringify(values)}`,
        );
        checked++;
      }
    }
    assert.ok(checked >= 40, `${checked} files checked`);
  });

  test('02-dir-output: the nested directory output, before and after the sed', async () => {
    const csv = readFileSync(join(GOLDEN, '02-dir-output/input/records.csv'), 'utf8');
    const group = (g: string, text = csv) =>
      text.trim().split('\n').slice(1).map((l) => l.split(',')).filter((r) => r[1] === g).map((r) => `${r[2]}\n`).join('');
    const first = await hashDirectory(makeDir({ 'a.txt': group('a'), 'b.txt': group('b'), 'extra/c.txt': group('c') }));
    assert.equal(first.md5, `86265d70eac9c2d4e0f1a9b67a08ccfb.dir`);
    assert.deepEqual(first.manifest, readFileSync(join(GOLDEN, '02-dir-output/expected/dir-manifests/86265d70eac9c2d4e0f1a9b67a08ccfb.dir')));
    const edited = csv.replace(/^2,b,20$/m, '2,b,21');
    const second = await hashDirectory(makeDir({ 'a.txt': group('a', edited), 'b.txt': group('b', edited), 'extra/c.txt': group('c', edited) }));
    // expected/dvc.lock: md5 76ea085d266ef50d04586e6698d8dca3.dir, size 15, nfiles 3
    assert.deepEqual([second.md5, second.size, second.nfiles], ['76ea085d266ef50d04586e6698d8dca3.dir', 15, 3]);
    assert.deepEqual(second.manifest, readFileSync(join(GOLDEN, '02-dir-output/expected/dir-manifests/76ea085d266ef50d04586e6698d8dca3.dir')));
  });

  test('08-cmd-forms and 19-errors/09: collected directory outputs', async () => {
    const list = await hashDirectory(join(GOLDEN, '08-cmd-forms/expected/files/list-out'));
    const block = await hashDirectory(join(GOLDEN, '08-cmd-forms/expected/files/block-out'));
    const lock = readFileSync(join(GOLDEN, '08-cmd-forms/expected/dvc.lock'), 'utf8');
    for (const result of [list, block]) {
      assert.ok(lock.includes(`md5: ${result.md5}\n      size: ${result.size}\n      nfiles: ${result.nfiles}\n`), result.md5);
      assert.deepEqual(result.manifest, readFileSync(join(GOLDEN, '08-cmd-forms/expected/dir-manifests', result.md5)));
    }
    const out = await hashDirectory(join(GOLDEN, '19-errors/09-dvcyaml-in-output-skipped/expected/files/out'));
    assert.deepEqual([out.md5, out.size, out.nfiles], ['a09178cb203f55e06a822ebae9679cb0.dir', 2, 1]);
  });

  test('18-exec-and-symlink: executable dep, symlink inside a directory output', async () => {
    assert.deepEqual(await hashFile(join(GOLDEN, '18-exec-and-symlink/input/scripts/build.sh')), {
      md5: '8740410f41c171a26e66604b4416c9b3',
      size: 303,
      isexec: true,
    });
    // what scripts/build.sh creates
    const out = makeDir({ 'real.txt': 'real content\n', 'nested/n.txt': 'nested\n' });
    symlinkSync('real.txt', join(out, 'link.txt'));
    const result = await hashDirectory(out);
    assert.deepEqual([result.md5, result.size, result.nfiles], ['4ecf5d2794d18087018027208555fccd.dir', 33, 3]);
    assert.deepEqual(result.manifest, readFileSync(join(GOLDEN, '18-exec-and-symlink/expected/dir-manifests/4ecf5d2794d18087018027208555fccd.dir')));
    assert.deepEqual(await hashFile(join(out, 'link.txt')), { md5: '7f1eaae6bc3af304574c4fa70860dbc9', size: 13, isexec: false });
  });
});

interface LockStage {
  wdir?: string;
  deps?: { path: string; md5?: string; size?: number; isexec?: boolean }[];
  outs?: { path: string; md5?: string; size?: number; isexec?: boolean }[];
}

function caseDirs(): string[] {
  const dirs: string[] = [];
  const visit = (dir: string) => {
    if (existsSync(join(dir, 'expected')) && existsSync(join(dir, 'input'))) dirs.push(dir);
    else for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory() && e.name !== 'tools') visit(join(dir, e.name));
  };
  visit(GOLDEN);
  return dirs;
}

function findFiles(dir: string, keep: (path: string) => boolean): string[] {
  const found: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(e.parentPath, e.name);
    if (e.isFile() && keep(path)) found.push(path);
  }
  return found.sort();
}

describe('walk rules (§5.3 steps 1-2)', () => {
  test('symlinked directories are neither descended into nor listed; file symlinks are followed', async () => {
    const outside = makeDir({ 'inner.txt': 'inner\n', 'target.txt': 'target\n' });
    const dir = makeDir({ 'a.txt': 'a\n' });
    symlinkSync(outside, join(dir, 'dirlink'));
    symlinkSync(join(outside, 'target.txt'), join(dir, 'filelink'));
    mkdirSync(join(dir, 'sub'));
    symlinkSync('..', join(dir, 'sub/up')); // a cycle, if it were followed
    const result = await hashDirectory(dir);
    assert.deepEqual(
      result.entries.map((e) => [e.relpath, e.md5, e.size]),
      [
        ['a.txt', md5('a\n'), 2],
        ['filelink', md5('target\n'), 7],
      ],
    );
  });

  test('a broken symlink is an error', async () => {
    const dir = makeDir({ 'a.txt': 'a\n' });
    symlinkSync('missing.txt', join(dir, 'broken'));
    const error = await rejectsWith(hashDirectory(dir));
    assert.ok(error instanceof DvcError);
    assert.match(error.message, /broken symlink '.*\/broken'/);
  });

  test('a directory reached through a symlink is hashed (the output path itself may be a link)', async () => {
    const real = makeDir({ 'a.txt': 'hello\n', 'sub/b.txt': 'world\n' });
    const link = join(tmp, `link${counter++}`);
    symlinkSync(real, link);
    assert.equal((await hashDirectory(link)).md5, '5369cb520f35f5d77e793cf181884a27.dir');
  });

  test('built-in ignores: .git (file or dir), .hg/, .dvc/, sub-repositories', async () => {
    const dir = makeDir({
      'a.txt': 'hello\n',
      'sub/b.txt': 'world\n',
      '.git/HEAD': 'ref\n',
      'sub/.git': 'gitdir: elsewhere\n',
      '.hg/store': 'x',
      'deep/.dvc': 'a file named .dvc is kept\n',
      'subrepo/.dvc/config': '',
      'subrepo/data.txt': 'not ours\n',
    });
    const result = await hashDirectory(dir);
    assert.deepEqual(
      result.entries.map((e) => e.relpath),
      ['a.txt', 'deep/.dvc', 'sub/b.txt'],
    );
  });

  test('.dvcignore rules (repo-relative paths) leave paths out', async () => {
    const repo = makeDir({
      '.dvcignore': '*.tmp\ncache/\n',
      'data/.dvcignore-not': 'kept\n',
      'data/a.txt': 'a\n',
      'data/b.tmp': 'b\n',
      'data/cache/c.txt': 'c\n',
      'data/sub/cache': 'a file named cache is kept\n',
      'data/sub/d.txt': 'd\n',
      'other/.dvcignore': 'd.txt\n',
    });
    const ignore = new DvcIgnore([
      { path: '.dvcignore', text: '*.tmp\ncache/\n' },
      { path: 'data/sub/.dvcignore', text: 'd.txt\n' }, // a rule file for data/sub/** (not on disk here)
    ]);
    const result = await hashDirectory(join(repo, 'data'), { root: repo, isIgnored: ignorePredicate(ignore) });
    assert.deepEqual(
      result.entries.map((e) => e.relpath),
      ['.dvcignore-not', 'a.txt', 'sub/cache'],
    );
    // without a root the predicate sees paths relative to the directory itself
    const seen: string[] = [];
    await hashDirectory(join(repo, 'data'), { isIgnored: (p, isDir) => (seen.push(`${p}${isDir ? '/' : ''}`), false) });
    assert.deepEqual(seen.sort(), ['.dvcignore-not', 'a.txt', 'b.tmp', 'cache/', 'cache/c.txt', 'sub/', 'sub/cache', 'sub/d.txt']);
  });

  test('a .dvcignore inside the collected directory is an error, unless it is ignored', async () => {
    const dir = makeDir({ 'a.txt': 'a\n', 'sub/.dvcignore': 'x\n' });
    const error = await rejectsWith(hashDirectory(dir));
    assert.ok(error instanceof DvcIgnoreInCollectedDirError);
    assert.equal(error.message, `.dvcignore file should not be in collected dir path: '${join(dir, 'sub/.dvcignore')}'`);
    const ok = await hashDirectory(dir, { isIgnored: (p) => p === 'sub/.dvcignore' });
    assert.equal(ok.nfiles, 1);
  });

  test('entries carry size and isexec; the manifest does not', async () => {
    const dir = makeDir({ 'run.sh': 'echo\n', 'data.txt': 'x' });
    chmodSync(join(dir, 'run.sh'), 0o755);
    const result = await hashDirectory(dir);
    assert.deepEqual(
      result.entries.map((e) => [e.relpath, e.size, e.isexec]),
      [
        ['data.txt', 1, false],
        ['run.sh', 5, true],
      ],
    );
    assert.ok(!result.manifest.toString().includes('isexec'));
  });
});

describe('parallel hashing', () => {
  test('worker threads give the same result as the calling thread, with progress', async () => {
    const files: Record<string, Buffer> = {};
    const block = Buffer.alloc(64 * 1024);
    for (let i = 0; i < 600; i++) {
      block.writeUInt32LE(i, (i * 4) % block.length);
      files[`d${i % 7}/f${i}.bin`] = Buffer.from(block.subarray(0, 1000 + i * 97));
    }
    files['big.bin'] = Buffer.alloc(9 * 1024 * 1024, 7); // double-buffered in a worker
    const dir = makeDir(files);
    const calls: [number, number][] = [];
    const parallel = await hashDirectory(dir, { workers: 2, onProgress: (d, t) => calls.push([d, t]) });
    const inline = await hashDirectory(dir, { workers: 0 });
    assert.equal(parallel.md5, inline.md5);
    assert.deepEqual(parallel.manifest, inline.manifest);
    const expected = dirManifest(Object.entries(files).map(([relpath, data]) => ({ relpath, md5: md5(data) })));
    assert.equal(parallel.md5, expected.md5);
    assert.equal(parallel.nfiles, 601);
    const total = Object.values(files).reduce((s, b) => s + b.length, 0);
    assert.equal(parallel.size, total);
    assert.deepEqual(calls.at(-1), [total, total]);
  });

  test('a file that vanishes before a worker reads it rejects the hash', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 600; i++) files[`f${i}`] = `${i}\n`;
    const dir = makeDir(files);
    let removed = false;
    // the first progress call comes after the walk and before any file is read
    const onProgress = () => removed || ((removed = true), rmSync(join(dir, 'f1')));
    const promise = hashDirectory(dir, { workers: 2, onProgress });
    const error = await rejectsWith(promise);
    assert.match(error.message, /ENOENT: no such file or directory, open '.*\/f1'/); // from the worker
  });
});

describe('with a HashState', () => {
  // whole seconds: utimes cannot set an arbitrary nanosecond mtime exactly, but it can set these
  const mtimes = new Map<string, number>();
  function setMtime(file: string, seconds: number): void {
    utimesSync(file, seconds, seconds);
    mtimes.set(file, seconds);
  }
  function age(file: string, seconds = 10): void {
    setMtime(file, Math.floor(Date.now() / 1000) - seconds);
  }

  /** Rewrites a file with same-size content and restores its mtime: only a read would notice. */
  function tamper(file: string, content: string): void {
    const before = statSync(file, { bigint: true });
    assert.equal(Buffer.byteLength(content), Number(before.size));
    writeFileSync(file, content);
    const t = mtimes.get(file)!;
    utimesSync(file, t, t);
    const after = statSync(file, { bigint: true });
    assert.deepEqual([after.ino, after.size, after.mtimeNs], [before.ino, before.size, before.mtimeNs]);
  }

  test('an unchanged file is not read again (stale md5 proves it)', async () => {
    const dir = makeDir({ 'f.txt': 'one\n' });
    const file = join(dir, 'f.txt');
    age(file);
    const state = HashState.inMemory();
    assert.equal((await hashFile(file, { state })).md5, md5('one\n'));
    tamper(file, 'two\n');
    assert.equal((await hashFile(file, { state })).md5, md5('one\n'), 'served from the state');
    // a real change (mtime) is noticed
    age(file, 5);
    assert.equal((await hashFile(file, { state })).md5, md5('two\n'));
  });

  test('directories reuse per-file entries', async () => {
    const dir = makeDir({ 'a.txt': 'hello\n', 'sub/b.txt': 'world\n' });
    age(join(dir, 'a.txt'));
    age(join(dir, 'sub/b.txt'));
    const state = HashState.inMemory();
    assert.equal((await hashDirectory(dir, { state })).md5, '5369cb520f35f5d77e793cf181884a27.dir');
    assert.equal(state.size, 2);
    tamper(join(dir, 'a.txt'), 'HELLO\n');
    assert.equal((await hashDirectory(dir, { state })).md5, '5369cb520f35f5d77e793cf181884a27.dir', 'served from the state');
    assert.notEqual((await hashDirectory(dir)).md5, '5369cb520f35f5d77e793cf181884a27.dir');
  });

  test('a racy file (mtime within the window) is not cached', async () => {
    const dir = makeDir({ 'fresh.txt': 'v1\n' });
    const file = join(dir, 'fresh.txt');
    setMtime(file, Math.floor(Date.now() / 1000)); // this very second: could still change unnoticed
    const state = HashState.inMemory();
    assert.equal((await hashFile(file, { state })).md5, md5('v1\n'));
    assert.equal(state.size, 0);
    tamper(file, 'v2\n');
    assert.equal((await hashFile(file, { state })).md5, md5('v2\n'), 'read again');
  });

  test('the state survives save/load', async () => {
    const dir = makeDir({ 'f.txt': 'persist\n' });
    const file = join(dir, 'f.txt');
    age(file);
    const stateFile = join(tmp, `state${counter++}/nx-dvc-state.json`);
    const first = HashState.load(stateFile);
    await hashFile(file, { state: first });
    first.save();
    tamper(file, 'PERSIST\n');
    const second = HashState.load(stateFile);
    assert.equal((await hashFile(file, { state: second })).md5, md5('persist\n'));
  });
});

describe('a folder outside the repository (an external dependency)', () => {
  test("DVC skips nothing there: .git, .hg, .dvc and sub-repositories count (md5 and nfiles from real DVC 3.64)", async () => {
    const outside = makeDir({ '.git/x': '1\n', '.hg/y': '2\n', 'sub/.dvc/z': '3\n', 'sub/w': '4\n', a: '5\n' });
    const workspace = makeDir({ 'dvc.yaml': '' });
    const hash = await new WorkspaceHasher(workspace).hashOutside(outside);
    assert.deepEqual({ md5: hash?.md5, size: hash?.size, nfiles: (hash as { nfiles: number }).nfiles }, { md5: 'af89d8c5545edd120f923747c424b704.dir', size: 10, nfiles: 5 });
    assert.equal((await hashPath(outside)).md5 === hash?.md5, false, 'inside the repository the same folder hashes without them');
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readLock, updateLockFile, upsertLockEntries, writeLock } from './lockfile';

const dir = mkdtempSync(join(tmpdir(), 'nx-dvc-lockfile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('dvc.lock read-modify-write', () => {
  test('a missing or empty file reads as no lock; a new lock starts with schema 2.0', () => {
    assert.equal(readLock(join(dir, 'missing.lock'), 'missing.lock'), undefined);
    writeFileSync(join(dir, 'empty.lock'), '');
    assert.equal(readLock(join(dir, 'empty.lock'), 'empty.lock'), undefined);
    const { lock, changed } = upsertLockEntries(undefined, [['a', { cmd: 'echo a' }]]);
    assert.equal(changed, true);
    assert.deepEqual(lock, { schema: '2.0', stages: { a: { cmd: 'echo a' } } });
  });

  test('existing entries keep their place, new ones are appended, stale ones stay', () => {
    const before = { schema: '2.0', stages: { stale: { cmd: 'old' }, b: { cmd: 'b1' } } };
    const { lock, changed } = upsertLockEntries(before, [['a', { cmd: 'a' }], ['b', { cmd: 'b2' }]]);
    assert.equal(changed, true);
    assert.deepEqual(Object.keys(lock.stages), ['stale', 'b', 'a']);
    assert.deepEqual(lock.stages.b, { cmd: 'b2' });
  });

  test('rewriting an identical entry is not a change', () => {
    const before = { schema: '2.0', stages: { a: { cmd: 'a', outs: [{ path: 'x', hash: 'md5', md5: '0'.repeat(32), size: 1 }] } } };
    assert.equal(upsertLockEntries(before, [['a', structuredClone(before.stages.a)]]).changed, false);
  });

  test('writing goes through a rename and leaves no temporary file', () => {
    const path = join(dir, 'dvc.lock');
    writeLock(path, { schema: '2.0', stages: { prep: { cmd: 'python prep.py' } } });
    assert.equal(readFileSync(path, 'utf8'), "schema: '2.0'\nstages:\n  prep:\n    cmd: python prep.py\n");
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), []);
    assert.deepEqual(readLock(path, 'dvc.lock'), { schema: '2.0', stages: { prep: { cmd: 'python prep.py' } } });
  });
});

describe('dvc.lock with YAML anchors (bytes from DVC 3.64)', () => {
  // `s1` tracks `a` and `a.l`, `s2` tracks `b`, `b.m` and `b.y`: one shared object each.
  const written = "schema: '2.0'\nstages:\n  s1:\n    cmd: echo 1\n    params:\n      params.yaml:\n        a:\n          l: &id001\n          - 1\n          - 2\n          x: 1\n        a.l: *id001\n  s2:\n    cmd: echo 2\n    params:\n      params.yaml:\n        b:\n          m: &id002\n          - 3\n          y: &id003\n            z: 1\n        b.m: *id002\n        b.y: *id003\n";
  // `dvc repro -f s1` after `a.l` left s1's params: s2's anchors, read back, are numbered anew.
  const rewritten = "schema: '2.0'\nstages:\n  s1:\n    cmd: echo 1\n    params:\n      params.yaml:\n        a:\n          l:\n          - 1\n          - 2\n          x: 1\n  s2:\n    cmd: echo 2\n    params:\n      params.yaml:\n        b:\n          m: &id001\n          - 3\n          y: &id002\n            z: 1\n        b.m: *id001\n        b.y: *id002\n";

  test('an entry read back keeps its shared objects: rewriting it unchanged is no change', async () => {
    const file = join(dir, 'anchors-same.lock');
    writeFileSync(file, written);
    const s2 = readLock(file, 'dvc.lock')!.stages.s2;
    const values = (s2.params as Record<string, Record<string, { m?: unknown }>>)['params.yaml'];
    assert.equal(values.b.m, values['b.m']);
    const { changed } = await updateLockFile(file, 'dvc.lock', [['s2', s2]]);
    assert.equal(changed, false);
    assert.equal(readFileSync(file, 'utf8'), written);
  });

  test('anchors of the other entries are renumbered as DVC does when one entry changes', async () => {
    const file = join(dir, 'anchors-renumbered.lock');
    writeFileSync(file, written);
    const s1 = { cmd: 'echo 1', params: { 'params.yaml': { a: { l: [1, 2], x: 1 } } } };
    const { changed } = await updateLockFile(file, 'dvc.lock', [['s1', s1]]);
    assert.equal(changed, true);
    assert.equal(readFileSync(file, 'utf8'), rewritten);
  });
});

describe('updateLockFile', () => {
  test('concurrent writers under the file lock lose no entry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nx-dvc-lock-'));
    try {
      const path = join(dir, 'dvc.lock');
      const names = Array.from({ length: 25 }, (_, i) => `stage${i}`);
      await Promise.all(names.map((name) => updateLockFile(path, 'dvc.lock', [[name, { cmd: `echo ${name}` }]], join(dir, 'lockdir'))));
      const lock = readLock(path, 'dvc.lock')!;
      assert.deepEqual(Object.keys(lock.stages).sort(), [...names].sort());
      const again = await updateLockFile(path, 'dvc.lock', [['stage3', { cmd: 'echo stage3' }]], join(dir, 'lockdir'));
      const text = readFileSync(path, 'utf8');
      assert.deepEqual(again, { created: false, changed: false, before: text, after: text });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('returns the text it read and the text it left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nx-dvc-lock-'));
    try {
      const path = join(dir, 'dvc.lock');
      const first = await updateLockFile(path, 'dvc.lock', [['a', { cmd: 'echo a' }]], join(dir, 'lockdir'));
      assert.deepEqual(first, { created: true, changed: true, before: undefined, after: "schema: '2.0'\nstages:\n  a:\n    cmd: echo a\n" });
      const second = await updateLockFile(path, 'dvc.lock', [['b', { cmd: 'echo b' }]], join(dir, 'lockdir'));
      assert.equal(second.before, first.after);
      assert.equal(second.after, readFileSync(path, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

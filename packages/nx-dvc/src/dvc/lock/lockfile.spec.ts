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
      assert.deepEqual(again, { created: false, changed: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

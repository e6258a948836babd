import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashState, type StateStat } from './state';

/**
 * The md5 cache keyed by absolute path and validated by (inode, mtime ns, size), like DVC's
 * state db, with git's racy-timestamp rule and a crash-safe, merge-on-save JSON file.
 */

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'nx-dvc-hash-state-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const NOW = 1_800_000_000_000; // ms
const OLD_NS = BigInt(NOW - 60_000) * 1_000_000n + 123_456_789n; // a minute before NOW, sub-second part

function stat(overrides: Partial<StateStat> = {}): StateStat {
  return { ino: 42n, mtimeNs: OLD_NS, size: 100n, ...overrides };
}

const MD5 = '0123456789abcdef0123456789abcdef';
let n = 0;
const stateFile = () => join(tmp, `s${n++}`, '.nx/workspace-data/nx-dvc-state.json');

describe('HashState', () => {
  test('get returns the md5 only while inode, mtime and size match', () => {
    const state = HashState.inMemory();
    assert.equal(state.get('/w/a', stat()), undefined);
    assert.equal(state.set('/w/a', stat(), MD5, NOW), true);
    assert.equal(state.get('/w/a', stat()), MD5);
    assert.equal(state.get('/w/a', stat({ ino: 43n })), undefined);
    assert.equal(state.get('/w/a', stat({ mtimeNs: OLD_NS + 1n })), undefined);
    assert.equal(state.get('/w/a', stat({ size: 101n })), undefined);
    assert.equal(state.get('/w/b', stat()), undefined, 'keyed by path');
    state.set('/w/a', stat({ size: 7n }), 'ffffffffffffffffffffffffffffffff', NOW);
    assert.equal(state.get('/w/a', stat()), undefined, 'replaced');
    assert.equal(state.get('/w/a', stat({ size: 7n })), 'ffffffffffffffffffffffffffffffff');
    assert.equal(state.size, 1);
  });

  test('racy mtimes: sub-second timestamps need 1 s of age, whole-second ones 2 s', () => {
    const state = HashState.inMemory();
    const ns = (ms: number) => BigInt(ms) * 1_000_000n;
    // fine-grained filesystem (the mtime has a sub-second part)
    assert.equal(state.isRacy(stat({ mtimeNs: ns(NOW - 999) + 7n }), NOW), true);
    assert.equal(state.isRacy(stat({ mtimeNs: ns(NOW - 1001) + 7n }), NOW), false);
    assert.equal(state.isRacy(stat({ mtimeNs: ns(NOW + 5000) + 7n }), NOW), true, 'mtime in the future');
    // whole seconds: could be a 1 s / 2 s granularity filesystem
    assert.equal(state.isRacy(stat({ mtimeNs: ns(NOW - 1000) }), NOW), true);
    assert.equal(state.isRacy(stat({ mtimeNs: ns(NOW - 2000) }), NOW), false);
    assert.equal(state.racyForMs(stat({ mtimeNs: ns(NOW - 400) + 7n }), NOW), 601, 'racy for the rest of the window');
    assert.equal(state.racyForMs(stat({ mtimeNs: ns(NOW - 1001) + 7n }), NOW), 0);

    assert.equal(state.set('/w/racy', stat({ mtimeNs: ns(NOW - 10) + 7n }), MD5, NOW), false);
    assert.equal(state.get('/w/racy', stat({ mtimeNs: ns(NOW - 10) + 7n })), undefined);
    assert.equal(state.size, 0);
    // a racy set forgets an older entry for the path
    state.set('/w/racy', stat(), MD5, NOW);
    state.set('/w/racy', stat({ mtimeNs: ns(NOW) + 7n }), MD5, NOW);
    assert.equal(state.get('/w/racy', stat()), undefined);
    // the window can be configured
    const lax = HashState.inMemory({ racyWindowMs: 5 });
    assert.equal(lax.set('/w/x', stat({ mtimeNs: ns(NOW - 10) + 7n }), MD5, NOW), true);
  });

  test('save and load round-trip; nothing is written when nothing changed', () => {
    const file = stateFile();
    const state = HashState.load(file);
    assert.equal(state.size, 0);
    state.save();
    assert.equal(existsSync(file), false, 'not dirty: no file');
    state.set('/w/é 😀"\\', stat(), MD5, NOW);
    state.set('/w/big', stat({ ino: 2n ** 63n - 1n, size: 2n ** 60n }), MD5, NOW);
    state.save();
    const loaded = HashState.load(file);
    assert.equal(loaded.size, 2);
    assert.equal(loaded.get('/w/é 😀"\\', stat()), MD5);
    assert.equal(loaded.get('/w/big', stat({ ino: 2n ** 63n - 1n, size: 2n ** 60n })), MD5);
    assert.deepEqual(readdirSync(join(file, '..')), ['nx-dvc-state.json'], 'no temporary files left');
  });

  test('a corrupt or foreign file loads as an empty state and is replaced on save', () => {
    for (const text of ['{not json', '{"version": 99, "entries": []}', '[]', '{"version": 1, "entries": [["/w/a", 1], 5]}']) {
      const file = stateFile();
      const state = HashState.load(file);
      state.set('/w/ok', stat(), MD5, NOW);
      state.save();
      writeFileSync(file, text);
      const loaded = HashState.load(file);
      assert.equal(loaded.size, 0, text);
      loaded.set('/w/new', stat(), MD5, NOW);
      loaded.save();
      assert.equal(HashState.load(file).get('/w/new', stat()), MD5);
    }
  });

  test('save merges entries another process saved meanwhile; its own sets and deletes win', () => {
    const file = stateFile();
    const seed = HashState.load(file);
    seed.set('/w/shared', stat(), MD5, NOW);
    seed.set('/w/dropped', stat(), MD5, NOW);
    seed.save();

    const a = HashState.load(file);
    const b = HashState.load(file);
    a.set('/w/from-a', stat(), MD5, NOW);
    a.delete('/w/dropped');
    a.save();
    b.set('/w/from-b', stat(), MD5, NOW);
    b.set('/w/shared', stat({ size: 5n }), 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', NOW);
    b.save();

    const merged = HashState.load(file);
    assert.equal(merged.get('/w/from-a', stat()), MD5);
    assert.equal(merged.get('/w/from-b', stat()), MD5);
    assert.equal(merged.get('/w/shared', stat({ size: 5n })), 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
    // b loaded /w/dropped before a deleted it and writes it back: last writer wins for entries it
    // holds, which is harmless since every entry is validated by stat before use
    assert.equal(merged.get('/w/dropped', stat()), MD5);
    const c = HashState.load(file);
    c.delete('/w/from-a');
    c.save();
    assert.equal(HashState.load(file).get('/w/from-a', stat()), undefined);
  });

  test('the oldest entries are evicted beyond maxEntries', () => {
    const file = stateFile();
    const state = HashState.load(file, { maxEntries: 3 });
    for (const p of ['/a', '/b', '/c', '/d']) state.set(p, stat(), MD5, NOW);
    assert.equal(state.size, 3);
    assert.equal(state.get('/a', stat()), undefined);
    state.set('/b', stat({ size: 1n }), MD5, NOW); // refreshed: now the newest
    state.set('/e', stat(), MD5, NOW);
    assert.equal(state.get('/c', stat()), undefined);
    assert.equal(state.get('/b', stat({ size: 1n })), MD5);
    state.save();
    assert.match(readFileSync(file, 'utf8'), /^\{"version": 1, "entries": \[\n\["\/d","42","1799999940123456789","100","0123456789abcdef0123456789abcdef"\],\n\["\/b",/);
  });
});

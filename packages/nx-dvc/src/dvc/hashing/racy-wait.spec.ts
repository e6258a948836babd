import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { hashFile } from './file';
import { RACY_BYTES_WORTH_WAITING, waitOutLargeRacyFiles } from './racy-wait';
import { HashState, type StateStat } from './state';

const WINDOW_MS = 80;
const state = HashState.inMemory({ racyWindowMs: WINDOW_MS });
const LARGE = BigInt(RACY_BYTES_WORTH_WAITING);

/** A file modified `agoMs` ago (fake stat: nothing is read). */
function modified(agoMs: number, size: bigint): StateStat {
  return { ino: 1n, mtimeNs: BigInt(Date.now() - agoMs) * 1_000_000n + 1n, size };
}

describe('waiting out the racy window of large files before hashing them', () => {
  test('large racy files: waits until none is racy, so their md5 can be recorded', async () => {
    const stats = [modified(10, LARGE / 2n), modified(30, LARGE / 2n), modified(5000, LARGE)];
    const started = Date.now();
    assert.equal(await waitOutLargeRacyFiles(stats, state), true);
    assert.ok(Date.now() - started >= WINDOW_MS - 10 - 2, `waited ${Date.now() - started} ms`);
    assert.ok(stats.every((st) => !state.isRacy(st, Date.now())));
  });

  test('small racy files, files that are not racy, or an mtime in the future: no wait', async () => {
    const started = Date.now();
    assert.equal(await waitOutLargeRacyFiles([modified(10, LARGE - 1n), modified(5000, 10n * LARGE)], state), false);
    assert.equal(await waitOutLargeRacyFiles([modified(-60_000, LARGE)], state), false);
    assert.ok(Date.now() - started < WINDOW_MS);
  });

  test("a command's large output hashed the moment it was written: its md5 is recorded all the same", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nx-dvc-racy-'));
    try {
      const file = join(dir, 'model.bin');
      writeFileSync(file, '');
      truncateSync(file, RACY_BYTES_WORTH_WAITING); // sparse: quick to write, and to read
      const fresh = HashState.inMemory({ racyWindowMs: WINDOW_MS });
      const { md5 } = await hashFile(file, { state: fresh, waitForRacy: true });
      assert.equal(fresh.get(file, statSync(file, { bigint: true })), md5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { claimLockGeneration, forgetRun } from './lock-generation';

test('one task per command and dvc.lock claims the `Generating lock file` line', () => {
  const dataDirectory = mkdtempSync(join(tmpdir(), 'nx-dvc-lock-generation-'));
  try {
    assert.equal(claimLockGeneration(dataDirectory, 'pipe/dvc.lock', 'run-1'), true);
    assert.equal(claimLockGeneration(dataDirectory, 'pipe/dvc.lock', 'run-1'), false, 'a second stage of the same file');
    assert.equal(claimLockGeneration(dataDirectory, 'other/dvc.lock', 'run-1'), true, 'another dvc.lock');
    assert.equal(claimLockGeneration(dataDirectory, 'pipe/dvc.lock', 'run-2'), true, 'another command');
    forgetRun(dataDirectory, 'run-1');
    assert.equal(claimLockGeneration(dataDirectory, 'pipe/dvc.lock', 'run-1'), true, 'markers go with the command');
    assert.equal(claimLockGeneration(dataDirectory, 'pipe/dvc.lock', ''), true, 'outside an nx command every task prints it');
  } finally {
    rmSync(dataDirectory, { recursive: true, force: true });
  }
});

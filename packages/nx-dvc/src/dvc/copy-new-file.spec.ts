import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { copyNewFile } from './copy-new-file';

const dir = mkdtempSync(join(tmpdir(), 'nx-dvc-copy-new-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('copyNewFile copies the bytes to a new path and never truncates one that exists', () => {
  writeFileSync(join(dir, 'source'), 'bytes\n');
  copyNewFile(join(dir, 'source'), join(dir, 'copy'));
  assert.equal(readFileSync(join(dir, 'copy'), 'utf8'), 'bytes\n');
  writeFileSync(join(dir, 'existing'), 'keep me\n');
  assert.throws(() => copyNewFile(join(dir, 'source'), join(dir, 'existing')), { code: 'EEXIST' });
  assert.equal(readFileSync(join(dir, 'existing'), 'utf8'), 'keep me\n');
});

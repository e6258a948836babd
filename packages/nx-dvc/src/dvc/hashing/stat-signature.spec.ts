import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { statSignature } from './stat-signature';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nx-dvc-signature-'));
  roots.push(dir);
  mkdirSync(join(dir, 'd/sub'), { recursive: true });
  writeFileSync(join(dir, 'f'), 'hello\n');
  writeFileSync(join(dir, 'd/a'), 'a\n');
  writeFileSync(join(dir, 'd/sub/b'), 'b\n');
  return dir;
}

describe('the stat signature of a dep outside the workspace (DVC state check: inode, mtime, size)', () => {
  test('the same while nothing changes, without reading the files', () => {
    const dir = folder();
    chmodSync(join(dir, 'd/a'), 0o000); // the mode is part of it (DVC records isexec)
    assert.equal(statSignature(join(dir, 'd')), statSignature(join(dir, 'd')));
    assert.match(statSignature(join(dir, 'f')), /^file \d+ \d+ 6 644$/);
    assert.match(statSignature(join(dir, 'd')), /^dir\n"a" \d+ \d+ 2 0\n"sub\/b" \d+ \d+ 2 644$/);
  });

  test('a file: changes with its content, its mtime alone, or its exec bit', () => {
    const dir = folder();
    const file = join(dir, 'f');
    const before = statSignature(file);
    utimesSync(file, new Date(2020, 1, 1), new Date(2020, 1, 1));
    const touched = statSignature(file);
    assert.notEqual(touched, before);
    chmodSync(file, 0o755);
    assert.notEqual(statSignature(file), touched);
  });

  test('a folder: changes when a file deep inside changes, appears or goes', () => {
    const dir = folder();
    const signatures = [statSignature(join(dir, 'd'))];
    writeFileSync(join(dir, 'd/sub/b'), 'bb\n');
    signatures.push(statSignature(join(dir, 'd')));
    writeFileSync(join(dir, 'd/sub/c'), 'c\n');
    signatures.push(statSignature(join(dir, 'd')));
    rmSync(join(dir, 'd/a'));
    signatures.push(statSignature(join(dir, 'd')));
    mkdirSync(join(dir, 'd/.git'));
    writeFileSync(join(dir, 'd/.git/HEAD'), 'x'); // DVC hashes .git outside the repository
    signatures.push(statSignature(join(dir, 'd')));
    assert.equal(new Set(signatures).size, 5);
  });

  test('never throws: a missing path, or a folder DVC cannot hash, says so', () => {
    const dir = folder();
    assert.equal(statSignature(join(dir, 'nothing')), 'missing');
    symlinkSync(join(dir, 'gone'), join(dir, 'd/broken'));
    assert.match(statSignature(join(dir, 'd')), /^unreadable broken symlink/);
  });
});

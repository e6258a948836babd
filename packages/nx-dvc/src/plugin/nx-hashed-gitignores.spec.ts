import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gitignoresNxHashes, hashedGitignoreWarning } from './nx-hashed-gitignores';

describe('gitignoresNxHashes', () => {
  const root = mkdtempSync(join(tmpdir(), 'nx-dvc-nxignore-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const all = ['.gitignore', 'ml/.gitignore', 'ml/data/.gitignore', 'app/.gitignore'];

  test('without .nxignore Nx hashes every .gitignore', () => {
    assert.deepEqual(gitignoresNxHashes(root, all), all);
  });

  test('`.gitignore` in the root .nxignore covers every folder; a nested .nxignore can take it back', () => {
    write('.nxignore', '# nx-dvc\n.gitignore\n');
    write('ml/data/.nxignore', '!.gitignore\n');
    assert.deepEqual(gitignoresNxHashes(root, all), ['ml/data/.gitignore']);
  });

  test('`/.gitignore` covers the root one only; a nested .nxignore applies to its own folder', () => {
    write('.nxignore', '/.gitignore\n');
    write('ml/data/.nxignore', '');
    write('app/.nxignore', '.gitignore\n');
    assert.deepEqual(gitignoresNxHashes(root, all), ['ml/.gitignore', 'ml/data/.gitignore']);
  });
});

describe('hashedGitignoreWarning', () => {
  test('nothing to say when Nx hashes none of them', () => {
    assert.equal(hashedGitignoreWarning([]), undefined);
  });

  test('the root .gitignore reaches every task; the fix is named', () => {
    const warning = hashedGitignoreWarning(['.gitignore', 'ml/.gitignore'])!;
    assert.match(warning, /^nx-dvc: new outputs were added to \.gitignore, ml\/\.gitignore, which Nx hashes into every task of the workspace/);
    assert.match(warning, /Run `nx g nx-dvc:init` \(or add the line `\.gitignore` to \.nxignore\)/);
  });

  test('nested ones reach the tasks of their projects', () => {
    assert.match(hashedGitignoreWarning(['ml/.gitignore'])!, /which Nx hashes into the tasks of the projects that own them/);
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { escapeGitignoreEntry, ignoreOutputs } from './gitignore';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function repo(git = true): string {
  const root = mkdtempSync(join(tmpdir(), 'nx-dvc-gitignore-'));
  roots.push(root);
  if (git) execFileSync('git', ['init', '-q'], { cwd: root });
  return root;
}

describe('.gitignore entries for outputs (scmrepo Git.ignore)', () => {
  test('one /name line in the folder of each output, in order', () => {
    const root = repo();
    mkdirSync(join(root, 'results'));
    assert.deepEqual(ignoreOutputs(root, ['model.pkl', 'results/metrics.json', 'data']), ['.gitignore', 'results/.gitignore']);
    assert.equal(readFileSync(join(root, '.gitignore'), 'utf8'), '/model.pkl\n/data\n');
    assert.equal(readFileSync(join(root, 'results/.gitignore'), 'utf8'), '/metrics.json\n');
  });

  test('paths git already ignores are left alone, so a rerun adds nothing', () => {
    const root = repo();
    writeFileSync(join(root, '.gitignore'), '*.pkl');
    assert.deepEqual(ignoreOutputs(root, ['model.pkl', 'out.txt', 'data']), ['.gitignore']);
    assert.equal(readFileSync(join(root, '.gitignore'), 'utf8'), '*.pkl\n/out.txt\n/data\n', 'a newline is added before the first entry');
    assert.deepEqual(ignoreOutputs(root, ['model.pkl', 'out.txt', 'data']), []);
  });

  test('gitignore metacharacters are escaped', () => {
    assert.equal(escapeGitignoreEntry('/a[1]*?!#.txt'), '/a\\[1\\]\\*\\?\\!\\#.txt');
  });

  test('outside a git repository nothing is written, as with DVC without SCM', () => {
    const root = repo(false);
    assert.deepEqual(ignoreOutputs(root, ['model.pkl']), []);
    assert.equal(existsSync(join(root, '.gitignore')), false);
  });
});

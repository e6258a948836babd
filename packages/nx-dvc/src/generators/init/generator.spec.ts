import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import initGenerator from './generator';

const NXIGNORE_LINES = '# nx-dvc: DVC appends outputs to .gitignore files while stages run; keep them out of Nx task hashes\n.gitignore\n';

describe('init generator: .gitignore files out of Nx hashes', () => {
  test('creates .nxignore listing .gitignore, once', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await initGenerator(tree, { skipFormat: true });
    assert.equal(tree.read('.nxignore', 'utf-8'), NXIGNORE_LINES);
    await initGenerator(tree, { skipFormat: true });
    assert.equal(tree.read('.nxignore', 'utf-8'), NXIGNORE_LINES);
  });

  test("appends to the user's .nxignore, after a missing final newline", async () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('.nxignore', 'tmp/\n# scratch\nscratch');
    await initGenerator(tree, { skipFormat: true });
    assert.equal(tree.read('.nxignore', 'utf-8'), `tmp/\n# scratch\nscratch\n${NXIGNORE_LINES}`);
  });

  test('leaves a .nxignore that already ignores every .gitignore alone', async () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('.nxignore', '**/.gitignore\n');
    await initGenerator(tree, { skipFormat: true });
    assert.equal(tree.read('.nxignore', 'utf-8'), '**/.gitignore\n');
  });

  test('a .nxignore ignoring only the root .gitignore still gets the line for nested ones', async () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('.nxignore', '/.gitignore\n');
    await initGenerator(tree, { skipFormat: true });
    assert.equal(tree.read('.nxignore', 'utf-8'), `/.gitignore\n${NXIGNORE_LINES}`);
  });
});

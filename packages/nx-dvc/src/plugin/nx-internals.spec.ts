import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import * as devkit from '@nx/devkit/internal';
import { calculateHashesForCreateNodes, globWithWorkspaceContext, hashObject, nxWorkspaceDataDirectory } from './nx-internals';

// this repository is an Nx workspace: Nx's file index of it serves both sides
const root = join(__dirname, '..', '..', '..', '..');
const context = { workspaceRoot: root, nxJsonConfiguration: {} };

test("the hashes createNodes keys its cache by are @nx/devkit/internal's", async () => {
  const roots = ['packages/nx-dvc', '.'];
  const options = { stageTargetName: 'repro', n: 1 };
  const extra = [['e2e/**/*.ts'], []];
  assert.deepEqual(await calculateHashesForCreateNodes(roots, options, context, extra), await devkit.calculateHashesForCreateNodes(roots, options, context, extra));
  assert.equal(hashObject(options), devkit.hashObject(options));
});

test("the workspace data directory and the file index are @nx/devkit/internal's", async () => {
  assert.equal(nxWorkspaceDataDirectory(), devkit.workspaceDataDirectory);
  const specs = await globWithWorkspaceContext(root, ['e2e/*.spec.ts']);
  assert.ok(specs.includes('e2e/golden.spec.ts'));
  assert.deepEqual(specs, await devkit.globWithWorkspaceContext(root, ['e2e/*.spec.ts']));
});

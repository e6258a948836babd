import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import type { TaskResults } from '@nx/devkit';
import { fragmentPath, writeFragment } from './stage-record';
import { postDvcTasksExecution } from './post-tasks-execution';

const root = mkdtempSync(join(tmpdir(), 'nx-dvc-hook-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Task results as Nx passes them: the fragment is one of each task's outputs. */
function results(stages: [string, string][]): TaskResults {
  const dataDirectory = join(root, '.nx/workspace-data');
  const entries = stages.map(([stage, status]) => {
    const path = fragmentPath('dvc.yaml', stage, dataDirectory);
    writeFragment(path, { dvcFile: 'dvc.yaml', stage, entry: { cmd: `make ${stage}` }, cached: [] });
    return [`dvc--${stage}:repro`, { status, code: 0, task: { outputs: [relative(root, path)] } }];
  });
  return Object.fromEntries(entries) as unknown as TaskResults;
}

describe('postTasksExecution', () => {
  test('new entries follow the order dvc repro runs the stages, not the finish order', async () => {
    writeFileSync(join(root, 'dvc.yaml'), 'stages:\n  b:\n    cmd: make b\n    deps: [a.txt]\n  a:\n    cmd: make a\n    outs: [a.txt]\n');
    await postDvcTasksExecution(undefined, { workspaceRoot: root, taskResults: results([['b', 'success'], ['a', 'remote-cache']]) });
    assert.equal(readFileSync(join(root, 'dvc.lock'), 'utf8'), "schema: '2.0'\nstages:\n  a:\n    cmd: make a\n  b:\n    cmd: make b\n");
  });

  test('a dvc.lock that cannot be written fails the run with a message, not a stack', async () => {
    rmSync(join(root, 'dvc.lock'));
    mkdirSync(join(root, 'dvc.lock'));
    await assert.rejects(postDvcTasksExecution(undefined, { workspaceRoot: root, taskResults: results([['a', 'success']]) }), {
      message: /^nx-dvc: could not record the finished stages in dvc\.lock: /,
    });
  });
});

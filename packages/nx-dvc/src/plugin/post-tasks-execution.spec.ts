import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import type { TaskResults } from '@nx/devkit';
import { fragmentPath, writeFragment } from './lock-fragments';
import { postDvcTasksExecution } from './post-tasks-execution';

const root = mkdtempSync(join(tmpdir(), 'nx-dvc-hook-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Task results as Nx passes them: the fragment is one of each task's outputs. */
function results(stages: [string, string][], dvcFile = 'dvc.yaml'): TaskResults {
  const dataDirectory = join(root, '.nx/workspace-data');
  const entries = stages.map(([stage, status]) => {
    const path = fragmentPath(dvcFile, stage, dataDirectory);
    writeFragment(path, { dvcFile, stage, entry: { cmd: `make ${stage}` }, cached: [] });
    return [`${dvcFile}--${stage}:repro`, { status, code: 0, task: { outputs: [relative(root, path)] } }];
  });
  return Object.fromEntries(entries) as unknown as TaskResults;
}

describe('postTasksExecution', () => {
  test('new entries follow the order dvc repro runs the stages, not the finish order', async () => {
    writeFileSync(join(root, 'dvc.yaml'), 'stages:\n  b:\n    cmd: make b\n    deps: [a.txt]\n  a:\n    cmd: make a\n    outs: [a.txt]\n');
    await postDvcTasksExecution(undefined, { workspaceRoot: root, taskResults: results([['b', 'success'], ['a', 'remote-cache']]) });
    assert.equal(readFileSync(join(root, 'dvc.lock'), 'utf8'), "schema: '2.0'\nstages:\n  a:\n    cmd: make a\n  b:\n    cmd: make b\n");
  });

  test('a nested dvc.yaml gets its entries in the order dvc repro -P runs them, its readers in the parent file first', async () => {
    // -P walks the root dvc.yaml first: its stage `r` pulls in `s`, its upstream in sub/; `t` comes after
    const work = join(root, 'cross');
    mkdirSync(join(work, 'sub'), { recursive: true });
    writeFileSync(join(work, 'dvc.yaml'), 'stages:\n  r:\n    cmd: make r\n    deps: [sub/s.txt]\n');
    writeFileSync(join(work, 'sub/dvc.yaml'), 'stages:\n  t:\n    cmd: make t\n    outs: [t.txt]\n  s:\n    cmd: make s\n    outs: [s.txt]\n');
    const taskResults = { ...results([['t', 'success'], ['s', 'success']], 'cross/sub/dvc.yaml'), ...results([['r', 'success']], 'cross/dvc.yaml') };
    await postDvcTasksExecution(undefined, { workspaceRoot: root, taskResults });
    assert.equal(readFileSync(join(work, 'sub/dvc.lock'), 'utf8'), "schema: '2.0'\nstages:\n  s:\n    cmd: make s\n  t:\n    cmd: make t\n");
  });

  test('a dvc.lock that cannot be written fails the run with a message, not a stack', async () => {
    rmSync(join(root, 'dvc.lock'));
    mkdirSync(join(root, 'dvc.lock'));
    await assert.rejects(postDvcTasksExecution(undefined, { workspaceRoot: root, taskResults: results([['a', 'success']]) }), {
      message: /^nx-dvc: could not record the finished stages in dvc\.lock: /,
    });
  });
});

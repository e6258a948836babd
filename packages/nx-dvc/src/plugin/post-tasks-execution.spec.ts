import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs, { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import type { TaskResults } from '@nx/devkit';
import { fragmentPath, writeFragment } from './stage-record';
import { postDvcTasksExecution } from './post-tasks-execution';
import { rememberInferred } from './inferred-pipelines';
import { tryLoadPipeline } from '../dvc/repo/pipeline-index';
import { diskHost } from '../dvc/parsing/resolver';

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

  test("the order comes from the pipeline as this process's createNodes loaded it, without reading dvc.yaml again", async (t) => {
    const work = mkdtempSync(join(tmpdir(), 'nx-dvc-hook-inferred-'));
    try {
      writeFileSync(join(work, 'dvc.yaml'), 'stages:\n  b:\n    cmd: make b\n    deps: [a.txt]\n  a:\n    cmd: make a\n    outs: [a.txt]\n');
      rememberInferred(work, [['dvc.yaml', tryLoadPipeline(diskHost(work), work, 'dvc.yaml')]]);
      const reads = t.mock.method(fs, 'readFileSync');
      const taskResults = Object.fromEntries(
        ['b', 'a'].map((stage) => {
          const path = fragmentPath('dvc.yaml', stage, join(work, '.nx/workspace-data'));
          writeFragment(path, { dvcFile: 'dvc.yaml', stage, entry: { cmd: `make ${stage}` }, cached: [] });
          return [`dvc--${stage}:repro`, { status: 'success', code: 0, task: { outputs: [relative(work, path)] } }];
        }),
      ) as unknown as TaskResults;
      await postDvcTasksExecution(undefined, { workspaceRoot: work, taskResults });
      assert.equal(readFileSync(join(work, 'dvc.lock'), 'utf8'), "schema: '2.0'\nstages:\n  a:\n    cmd: make a\n  b:\n    cmd: make b\n");
      assert.deepEqual(reads.mock.calls.map((c) => String(c.arguments[0])).filter((p) => p.endsWith('dvc.yaml')), []);
    } finally {
      rememberInferred(work, []);
      rmSync(work, { recursive: true, force: true });
    }
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

describe('postTasksExecution and the .gitignore files Nx hashes', () => {
  const repo = mkdtempSync(join(tmpdir(), 'nx-dvc-hook-git-'));
  after(() => rmSync(repo, { recursive: true, force: true }));
  execFileSync('git', ['init', '-q'], { cwd: repo });
  writeFileSync(join(repo, 'dvc.yaml'), 'stages:\n  train:\n    cmd: make model.txt\n    outs: [model.txt]\n');

  async function runTrain(t: { mock: { method: typeof import('node:test').mock.method } }): Promise<string[]> {
    rmSync(join(repo, '.gitignore'), { force: true });
    const path = fragmentPath('dvc.yaml', 'train', join(repo, '.nx/workspace-data'));
    writeFragment(path, { dvcFile: 'dvc.yaml', stage: 'train', entry: { cmd: 'make model.txt' }, cached: [{ path: 'model.txt', md5: 'd41d8cd98f00b204e9800998ecf8427e' }] });
    const taskResults = { 'dvc--train:repro': { status: 'success', code: 0, task: { outputs: [relative(repo, path)] } } } as unknown as TaskResults;
    const warn = t.mock.method(console, 'warn', () => undefined);
    await postDvcTasksExecution({ dvcCache: false }, { workspaceRoot: repo, taskResults });
    assert.equal(readFileSync(join(repo, '.gitignore'), 'utf8'), '/model.txt\n');
    return warn.mock.calls.map((c) => String(c.arguments[0]));
  }

  test('appending to a .gitignore Nx hashes warns once, naming the file and the fix', async (t) => {
    const warnings = await runTrain(t);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^nx-dvc: new outputs were added to \.gitignore, which Nx hashes into every task of the workspace/);
  });

  test('no warning once .nxignore lists .gitignore', async (t) => {
    writeFileSync(join(repo, '.nxignore'), '.gitignore\n');
    assert.deepEqual(await runTrain(t), []);
  });
});

describe('postTasksExecution when the entries are already in dvc.lock', () => {
  const work = mkdtempSync(join(tmpdir(), 'nx-dvc-hook-ledger-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  writeFileSync(join(work, 'dvc.yaml'), 'stages:\n  a:\n    cmd: make a\n    outs: [a.txt]\n  b:\n    cmd: make b\n    deps: [a.txt]\n');
  const lockOf = (a: string, b: string) => `schema: '2.0'\nstages:\n  a:\n    cmd: ${a}\n  b:\n    cmd: ${b}\n`;

  /** Both stages' fragments with these commands in their entries, as Nx restores them from its cache. */
  function hits(a: string, b: string): TaskResults {
    const dataDirectory = join(work, '.nx/workspace-data');
    const results = Object.entries({ a, b }).map(([stage, cmd]) => {
      const path = fragmentPath('dvc.yaml', stage, dataDirectory);
      writeFragment(path, { dvcFile: 'dvc.yaml', stage, entry: { cmd }, cached: [] });
      return [`dvc--${stage}:repro`, { status: 'local-cache-kept-existing', code: 0, task: { outputs: [relative(work, path)] } }];
    });
    return Object.fromEntries(results) as unknown as TaskResults;
  }

  test('a rerun of the same entries reads neither dvc.yaml nor dvc.lock as YAML and leaves dvc.lock as it is', async (t) => {
    await postDvcTasksExecution(undefined, { workspaceRoot: work, taskResults: hits('make a', 'make b') });
    assert.equal(readFileSync(join(work, 'dvc.lock'), 'utf8'), lockOf('make a', 'make b'));
    const reads = t.mock.method(fs, 'readFileSync');
    await postDvcTasksExecution(undefined, { workspaceRoot: work, taskResults: hits('make a', 'make b') });
    const textReads = reads.mock.calls.filter((c) => c.arguments[1] === 'utf8').map((c) => relative(work, String(c.arguments[0])));
    assert.deepEqual(textReads.filter((p) => !p.startsWith('.nx/')), []);
    assert.equal(readFileSync(join(work, 'dvc.lock'), 'utf8'), lockOf('make a', 'make b'));
  });

  test('a dvc.lock written by someone else since is merged again', async () => {
    await postDvcTasksExecution(undefined, { workspaceRoot: work, taskResults: hits('make a', 'make b') });
    writeFileSync(join(work, 'dvc.lock'), lockOf('edited', 'make b'));
    await postDvcTasksExecution(undefined, { workspaceRoot: work, taskResults: hits('make a', 'make b') });
    assert.equal(readFileSync(join(work, 'dvc.lock'), 'utf8'), lockOf('make a', 'make b'));
  });

  test("a stage's earlier entry, restored from the cache after a newer one was recorded, is merged again", async () => {
    await postDvcTasksExecution(undefined, { workspaceRoot: work, taskResults: hits('make a', 'make b') });
    await postDvcTasksExecution(undefined, { workspaceRoot: work, taskResults: hits('make a2', 'make b') });
    assert.equal(readFileSync(join(work, 'dvc.lock'), 'utf8'), lockOf('make a2', 'make b'));
    await postDvcTasksExecution(undefined, { workspaceRoot: work, taskResults: hits('make a', 'make b') });
    assert.equal(readFileSync(join(work, 'dvc.lock'), 'utf8'), lockOf('make a', 'make b'));
  });
});

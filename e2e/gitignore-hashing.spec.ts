import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dvcOk, skipWithoutDvc } from '../tools/support/real-dvc';
import { RemoteCacheServer } from '../tools/support/remote-cache-server';
import { cloneWorkspace, createWorkspace, taskStatus, type Workspace } from '../tools/support/workspace';

/**
 * DVC appends every cached output to the `.gitignore` beside it, and Nx 24 hashes the root
 * `.gitignore` into every task (nested ones into their project's tasks). After `nx add nx-dvc`
 * (its init lists `.gitignore` in `.nxignore`) none of the files a run writes besides the outputs
 * (`.gitignore` files, dvc.lock, the lock fragments) moves a hash: on A the next command is all
 * hits, deleted outputs come back from the cache, and a clone B with its own cache gets every task
 * from the remote cache, for a root-level pipeline, a nested one, and an output that lands in
 * another project's folder.
 */
const ROOT_PIPELINE = [
  'stages:',
  '  prepare:',
  '    cmd:',
  '    - echo prepare >> "$SIDE_EFFECTS"',
  '    - mkdir -p data && cp raw.csv data/prepared.csv',
  '    deps: [raw.csv]',
  '    outs: [data/prepared.csv]',
  '  train:',
  '    cmd:',
  '    - echo train >> "$SIDE_EFFECTS"',
  '    - cat data/prepared.csv data/prepared.csv > model.txt',
  '    deps: [data/prepared.csv]',
  '    outs: [model.txt]',
  '  evaluate:',
  '    cmd:',
  '    - echo evaluate >> "$SIDE_EFFECTS"',
  '    - wc -l < model.txt > metrics.json && mkdir -p app/assets && cp model.txt app/assets/model.txt',
  '    deps: [model.txt]',
  '    outs: [app/assets/model.txt]',
  '    metrics: [metrics.json]',
  '',
].join('\n');

const NESTED_PIPELINE = [
  'stages:',
  '  tokenize:',
  '    cmd:',
  '    - echo tokenize >> "$SIDE_EFFECTS"',
  '    - mkdir -p out && tr a-z A-Z < corpus.txt > out/tokens.txt',
  '    deps: [corpus.txt]',
  '    outs: [out]',
  '',
].join('\n');

/** Another project, whose folder receives the root pipeline's `app/assets/model.txt`. */
const APP_PROJECT = JSON.stringify({ name: 'app', targets: { build: { command: 'echo build >> "$SIDE_EFFECTS"', cache: true } } });

const TASKS = ['dvc--prepare:repro', 'dvc--train:repro', 'dvc--evaluate:repro', 'pipelines-nlp--tokenize:repro', 'app:build'];
const COMMANDS = ['build', 'evaluate', 'prepare', 'tokenize', 'train'];
const LOCKS_AND_IGNORES = ['dvc.lock', '.gitignore', 'data/.gitignore', 'app/assets/.gitignore', 'pipelines/nlp/dvc.lock', 'pipelines/nlp/.gitignore'];
const OUTPUTS = ['data/prepared.csv', 'model.txt', 'metrics.json', 'app/assets/model.txt', 'pipelines/nlp/out/tokens.txt'];
const HASHED_GITIGNORE_WARNING = /nx-dvc: new outputs were added to/;

describe('.gitignore files DVC writes move no Nx hash', { skip: skipWithoutDvc }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'nx-dvc-gitignore-'));
  const sideEffects = join(scratch, 'side-effects.log');
  const server = new RemoteCacheServer(join(scratch, 'storage'));
  const workspaces: Workspace[] = [];
  let url = '';
  let a: Workspace;
  let firstRun = '';

  // a machine of its own is a cache directory of its own (Nx 24 shares one between checkouts)
  const env = (ws: Workspace) => ({ NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url, NX_CACHE_DIRECTORY: ws.path('.nx/cache'), SIDE_EFFECTS: sideEffects });
  const commandsRun = () => (existsSync(sideEffects) ? readFileSync(sideEffects, 'utf8').split('\n').filter(Boolean).sort() : []);
  const runAll = async (ws: Workspace) => {
    const run = await ws.nxAsync(['run-many', '-t', 'repro,build', '--output-style=static'], env(ws));
    assert.equal(run.code, 0, run.output);
    return run.output;
  };
  const statuses = (output: string) => Object.fromEntries(TASKS.map((task) => [task, taskStatus(output, task)]));
  const all = (status: string) => Object.fromEntries(TASKS.map((task) => [task, status]));

  before(async () => {
    url = await server.start();
    a = createWorkspace({
      files: {
        'dvc.yaml': ROOT_PIPELINE,
        'raw.csv': 'x,y\n1,2\n3,4\n',
        'pipelines/nlp/dvc.yaml': NESTED_PIPELINE,
        'pipelines/nlp/corpus.txt': 'hello world\n',
        'app/project.json': APP_PROJECT,
        'app/src/main.txt': 'app source\n',
        '.dvc/config': '',
        '.dvc/.gitignore': '/config.local\n/tmp\n/cache\n',
      },
    });
    workspaces.push(a);
    a.nxOk(['g', 'nx-dvc:init']); // what `nx add nx-dvc` runs
    a.commitAll('nx add nx-dvc');
    firstRun = await runAll(a);
    a.commitAll('ran; dvc.lock and .gitignore files committed, as dvc repro says');
  });

  after(async () => {
    await server.stop();
    workspaces.forEach((w) => w.cleanup());
    rmSync(scratch, { recursive: true, force: true });
  });

  test('A ran every task once, with no warning, and wrote dvc.lock and .gitignore files as DVC does', () => {
    assert.deepEqual(statuses(firstRun), all('ran'), firstRun);
    assert.deepEqual(commandsRun(), COMMANDS);
    assert.doesNotMatch(firstRun, HASHED_GITIGNORE_WARNING);
    const byDvc = cloneWorkspace(a);
    workspaces.push(byDvc);
    byDvc.git('checkout', '-q', 'HEAD~1');
    const dvcEnv = { SIDE_EFFECTS: join(scratch, 'dvc-side-effects.log') };
    dvcOk(byDvc.root, ['repro'], dvcEnv);
    dvcOk(byDvc.root, ['repro', 'pipelines/nlp/dvc.yaml'], dvcEnv);
    for (const file of LOCKS_AND_IGNORES) assert.equal(a.read(file), byDvc.read(file), file);
  });

  test('the next command on A, after DVC edits .dvc/config and .dvc/.gitignore, is all cache hits', async () => {
    dvcOk(a.root, ['remote', 'add', '-d', 'store', join(scratch, 'dvc-remote')]);
    a.write('.dvc/.gitignore', `${a.read('.dvc/.gitignore')}/plots\n`);
    const output = await runAll(a);
    assert.deepEqual(statuses(output), all('local cache'), output);
    assert.deepEqual(commandsRun(), COMMANDS, 'no command ran');
    a.git('checkout', '-q', '--', '.dvc');
  });

  test('deleted outputs, in the pipelines and in the other project, come back from the local cache', async () => {
    const before = OUTPUTS.map((file) => a.read(file));
    for (const file of OUTPUTS) a.remove(file);
    const output = await runAll(a);
    assert.deepEqual(statuses(output), all('local cache'), output);
    assert.deepEqual(OUTPUTS.map((file) => a.read(file)), before);
    assert.deepEqual(commandsRun(), COMMANDS, 'no command ran');
  });

  test('a clone with its own cache gets every task from the remote cache and runs no command', async () => {
    // the data travels through DVC's remote, as a DVC user shares it: a default remote, committed, and dvc push
    dvcOk(a.root, ['remote', 'add', '-d', 'store', join(scratch, 'dvc-remote')]);
    a.commitAll('dvc remote add -d store');
    dvcOk(a.root, ['push']);
    const b = cloneWorkspace(a);
    workspaces.push(b);
    const output = await runAll(b);
    assert.deepEqual(statuses(output), all('remote cache'), output);
    assert.deepEqual(commandsRun(), COMMANDS, 'no command ran on B');
    for (const file of [...OUTPUTS, ...LOCKS_AND_IGNORES]) assert.equal(b.read(file), a.read(file), file);
    assert.equal(b.git('status', '--porcelain'), '', 'dvc.lock and .gitignore files are exactly the committed ones');
    const again = await runAll(b);
    assert.deepEqual(statuses(again), all('local cache'), again);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dvc, dvcOk, skipWithoutDvc } from '../tools/support/real-dvc';
import { cloneWorkspace, createWorkspace, type Workspace } from '../tools/support/workspace';

/**
 * `dvc repro --pull` and `--allow-missing` on the shape of DVC's own example (a `.dvc` data source,
 * `data_split`, `train`, `evaluate`), pushed to a local-path DVC remote. Each case runs nx-dvc in a
 * fresh clone (empty DVC cache, empty Nx cache) and real DVC in a twin clone, and compares the
 * data in the workspace, dvc.lock and `dvc status`. Every command appends its stage's name to
 * `runs.log` (gitignored), so "nothing ran" is read from disk.
 */
const PIPELINE = `stages:
  data_split:
    cmd: echo data_split >> "$DVC_ROOT/runs.log" && mkdir -p data/train_data data/test_data
      && head -2 data/pool_data > data/train_data/part && tail -2 data/pool_data > data/test_data/part
    deps:
    - data/pool_data
    outs:
    - data/train_data
    - data/test_data
  train:
    cmd: echo train >> "$DVC_ROOT/runs.log" && mkdir -p models && cat data/train_data/part > models/model.pkl
    deps:
    - data/train_data
    outs:
    - models/model.pkl
  evaluate:
    cmd: echo evaluate >> "$DVC_ROOT/runs.log" && mkdir -p results && cat models/model.pkl data/test_data/part > results/evaluate.txt
    deps:
    - data/test_data
    - models/model.pkl
    outs:
    - results/evaluate.txt
`;

let origin: Workspace;
let remote: string;
const clones: Workspace[] = [];

function clone(): Workspace {
  const workspace = cloneWorkspace(origin);
  clones.push(workspace);
  return workspace;
}

/** The stage commands that ran, in order. */
function commandsRun(workspace: Workspace): string[] {
  return workspace.exists('runs.log') ? workspace.read('runs.log').split('\n').filter(Boolean) : [];
}

/** Every data file of the pipeline in the workspace, with its content. */
function data(workspace: Workspace): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    if (!workspace.exists(dir)) return;
    for (const entry of readdirSync(workspace.path(dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (!entry.name.endsWith('.dvc') && entry.name !== '.gitignore') files[path] = workspace.read(path);
    }
  };
  ['ml/data', 'ml/models', 'ml/results'].forEach(walk);
  return files;
}

/** nx in a clone, with a cache of its own (Nx 24 shares one local cache between checkouts of a machine). */
function nx(workspace: Workspace, args: string[]): string {
  return workspace.nxOk([...args, '--output-style=static'], { NX_CACHE_DIRECTORY: workspace.path('.nx/cache') }).output;
}

const status = (workspace: Workspace) => dvc(workspace.root, ['status']).stdout;

describe('dvc repro --pull and --allow-missing, against real DVC on twin clones', { skip: skipWithoutDvc }, () => {
  before(() => {
    origin = createWorkspace({
      gitignore: ['runs.log'],
      commit: false,
      files: { 'ml/dvc.yaml': PIPELINE, 'ml/data/pool_data': 'a\nb\nc\nd\n' },
    });
    remote = mkdtempSync(join(tmpdir(), 'nx-dvc-pull-remote-'));
    dvcOk(origin.root, ['init', '-q']);
    dvcOk(origin.root, ['remote', 'add', '-d', 'storage', remote]);
    dvcOk(origin.root, ['add', '-q', 'ml/data/pool_data']);
    dvcOk(origin.root, ['repro', 'ml/dvc.yaml']);
    dvcOk(origin.root, ['push']);
    origin.remove('runs.log');
    origin.commitAll('the example pipeline, reproduced and pushed');
  });

  after(() => {
    origin?.cleanup();
    clones.forEach((c) => c.cleanup());
    if (remote) rmSync(remote, { recursive: true, force: true });
  });

  test('--pull: every stage skipped with its outputs (and the .dvc data) pulled, nothing run, as real dvc repro --pull', () => {
    const ours = clone();
    const theirs = clone();
    const output = nx(ours, ['run-many', '-t', 'repro', '--pull']);
    dvcOk(theirs.root, ['repro', '--pull', 'ml/dvc.yaml']);
    assert.deepEqual(commandsRun(ours), [], output);
    assert.deepEqual(commandsRun(theirs), []);
    for (const stage of ['data_split', 'train', 'evaluate']) assert.match(output, new RegExp(`Pulling data for stage: 'ml/dvc.yaml:${stage}'`));
    assert.match(output, /Pulling data for stage: 'ml\/data\/pool_data.dvc'/);
    assert.deepEqual(data(ours), data(theirs));
    assert.deepEqual(data(ours), data(origin));
    assert.equal(ours.git('status', '--porcelain'), '', 'dvc.lock and .gitignore files untouched');
    assert.equal(status(ours), 'Data and pipelines are up to date.\n');
  });

  test('--allow-missing: every stage skipped, no data fetched, nothing run, as real dvc repro --allow-missing', () => {
    const ours = clone();
    const theirs = clone();
    const output = nx(ours, ['run', 'ml:dvc-repro', '--allowMissing']);
    dvcOk(theirs.root, ['repro', '--allow-missing', 'ml/dvc.yaml']);
    assert.deepEqual(commandsRun(ours), [], output);
    for (const stage of ['data_split', 'train', 'evaluate']) assert.match(output, new RegExp(`Stage 'ml/dvc.yaml:${stage}' didn't change, skipping`));
    assert.deepEqual(data(ours), {});
    assert.deepEqual(data(theirs), {});
    assert.equal(ours.git('status', '--porcelain'), '');
    assert.equal(status(ours), status(theirs));
    assert.match(status(ours), /not in cache: +ml\/data\/train_data/, 'dvc status still sees the data missing');
    const again = nx(ours, ['run', 'ml:dvc-repro', '--allowMissing']);
    assert.match(again, /local cache/, again);
    assert.deepEqual(data(ours), {}, 'Nx hits under --allow-missing fetch nothing either');
    assert.equal(ours.git('status', '--porcelain'), '');
  });

  test('--pull --allow-missing with evaluate changed: only its deps are pulled and only it runs, as in DVC\'s example', () => {
    const ours = clone();
    const theirs = clone();
    for (const twin of [ours, theirs]) twin.write('ml/dvc.yaml', PIPELINE.replace('> results/evaluate.txt', '> results/evaluate.txt && echo v2 >> results/evaluate.txt'));
    const output = nx(ours, ['run', 'ml:evaluate', '--pull', '--allow-missing']);
    // from the pipeline's folder: DVC 3.64 pulls a missing dep by its path as written, relative to the
    // current directory, and fails from the root ("'data/test_data' does not exist as an output")
    dvcOk(theirs.path('ml'), ['repro', '--pull', '--allow-missing']);
    assert.deepEqual(commandsRun(ours), ['evaluate'], output);
    assert.deepEqual(commandsRun(theirs), ['evaluate']);
    assert.deepEqual(data(ours), data(theirs));
    assert.deepEqual(Object.keys(data(ours)).sort(), ['ml/data/test_data/part', 'ml/models/model.pkl', 'ml/results/evaluate.txt']);
    assert.equal(ours.read('ml/dvc.lock'), theirs.read('ml/dvc.lock'));
    assert.equal(status(ours), status(theirs));
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dvc, dvcOk, skipWithoutDvc } from '../tools/support/real-dvc';
import { cloneWorkspace, createWorkspace, type Workspace } from '../tools/support/workspace';

/**
 * What teammates without Nx see: real `nx` and real `dvc` on the same files, in one workspace and
 * one clone of it. Every stage command first appends its name to `runs.log` (gitignored, outside
 * every output), so "no command ran" is a fact on disk, not a reading of either tool's output.
 *
 * The layout puts each `.dvc` file one folder deeper than the last, so that DVC's walk (directory
 * listing order, which depends on the file system) can only meet the files in one order.
 */
const PIPELINE = `stages:
  prepare:
    cmd: echo prepare >> "$DVC_ROOT/runs.log" && mkdir -p features && cp data/raw.csv features/all.csv
      && cp -r data/raw/images features/images && echo \${prepare.split} > features/split.txt
    deps:
    - data/raw.csv
    - data/raw/images
    params:
    - prepare.split
    outs:
    - features
  train:
    foreach: [small, large]
    do:
      cmd: echo train-\${item} >> "$DVC_ROOT/runs.log" && cat features/all.csv features/split.txt > model-\${item}.txt
        && echo \${item} \${train.lr} >> model-\${item}.txt
      deps:
      - features
      params:
      - train.lr
      outs:
      - model-\${item}.txt
  evaluate:
    cmd: echo evaluate >> "$DVC_ROOT/runs.log" && cat model-small.txt model-large.txt | wc -l > metrics.json
    deps:
    - model-small.txt
    - model-large.txt
    metrics:
    - metrics.json
`;

const STAGES = ['evaluate', 'prepare', 'train-large', 'train-small'];

let ws: Workspace;
let clone: Workspace | undefined;
let remote: string;

/** The stage commands that ran since the last call, sorted; the log starts afresh. */
function commandsRun(workspace: Workspace): string[] {
  if (!workspace.exists('runs.log')) return [];
  const lines = workspace.read('runs.log').split('\n').filter(Boolean).sort();
  workspace.remove('runs.log');
  return lines;
}

/** What an nx-dvc view printed, without Nx's header and summary. */
function viewOutput(stdout: string): string {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('> nx run')) + 1;
  const end = lines.findIndex((l, i) => i >= start && /^\s*NX\s/.test(l));
  return lines.slice(start, end).join('\n').trim();
}

/** The committed files DVC and Nx may write, read byte for byte. */
function recordFiles(workspace: Workspace): Record<string, string> {
  const files = ['ml/dvc.lock', 'ml/.gitignore', 'ml/data/raw.csv.dvc', 'ml/data/raw/images.dvc'];
  return Object.fromEntries(files.map((f) => [f, workspace.exists(f) ? workspace.read(f) : '<missing>']));
}

describe('interop: real dvc and nx-dvc on the same workspace', { skip: skipWithoutDvc }, () => {
  before(() => {
    ws = createWorkspace({
      gitignore: ['runs.log'],
      commit: false,
      files: {
        'ml/dvc.yaml': PIPELINE,
        'ml/params.yaml': 'prepare:\n  split: 0.2\ntrain:\n  lr: 0.1\n',
        'ml/data/raw.csv': 'id,value\n1,10\n2,20\n',
        'ml/data/raw/images/a.txt': 'image a\n',
        'ml/data/raw/images/nested/b.txt': 'image b\n',
      },
    });
    dvcOk(ws.root, ['init', '-q']);
    dvcOk(ws.root, ['add', '-q', 'ml/data/raw.csv']);
    dvcOk(ws.root, ['add', '-q', 'ml/data/raw/images']);
    ws.commitAll('a DVC repository with two data sources and a pipeline');
    remote = mkdtempSync(join(tmpdir(), 'nx-dvc-interop-remote-'));
  });

  after(() => {
    ws?.cleanup();
    clone?.cleanup();
    if (remote) rmSync(remote, { recursive: true, force: true });
  });

  test('after nx run-many: dvc status is up to date, dvc repro runs nothing, dvc data status is clean', () => {
    ws.nxOk(['run-many', '-t', 'repro']);
    assert.deepEqual(commandsRun(ws), STAGES);
    const written = recordFiles(ws);

    assert.equal(dvcOk(ws.root, ['status']).stdout.trim(), 'Data and pipelines are up to date.');
    const repro = dvcOk(ws.root, ['repro', '-P']).stdout;
    for (const stage of ['prepare', 'train@small', 'train@large', 'evaluate']) {
      assert.match(repro, new RegExp(`Stage 'ml/dvc.yaml:${stage}' didn't change, skipping`));
    }
    assert.doesNotMatch(repro, /Running stage/);
    assert.deepEqual(commandsRun(ws), []);
    assert.deepEqual(recordFiles(ws), written, 'dvc repro rewrote nothing nx-dvc wrote');

    assert.equal(JSON.parse(dvcOk(ws.root, ['data', 'status', '--json']).stdout).uncommitted, undefined);
    ws.commitAll('nx run-many -t repro');
    assert.deepEqual(JSON.parse(dvcOk(ws.root, ['data', 'status', '--json']).stdout), {});
  });

  test('dvc dag --dot and --mermaid equal nx dvc-dag, .dvc data sources included', () => {
    const nxDag: Record<string, string> = {};
    for (const format of ['--dot', '--mermaid']) {
      const expected = dvcOk(ws.root, ['dag', 'ml/dvc.yaml', format]).stdout.trim();
      nxDag[format] = viewOutput(ws.nxOk(['run', 'ml:dvc-dag', format]).stdout);
      assert.equal(nxDag[format], expected, format);
      assert.equal(dvcOk(ws.root, ['dag', format]).stdout.trim(), expected, 'the whole dag is this pipeline');
    }
    assert.match(nxDag['--dot'], /^"ml\/data\/raw\/images.dvc" -> "ml\/dvc.yaml:prepare";$/m);
  });

  test('after a params edit and new data, dvc status and nx dvc-status agree (text and --json)', () => {
    ws.write('ml/params.yaml', 'prepare:\n  split: 0.2\ntrain:\n  lr: 0.2\n');
    ws.write('ml/data/raw.csv', 'id,value\n1,10\n2,20\n3,30\n');
    ws.write('ml/data/raw/images/c.txt', 'image c\n');
    const json = dvcOk(ws.root, ['status', '--json']).stdout.trim();
    const nxJson = viewOutput(ws.nxOk(['run', 'ml:dvc-status', '--json']).stdout);
    assert.deepEqual(JSON.parse(nxJson), JSON.parse(json));
    assert.deepEqual(Object.keys(JSON.parse(json)).sort(), [
      'ml/data/raw.csv.dvc',
      'ml/data/raw/images.dvc',
      'ml/dvc.yaml:prepare',
      'ml/dvc.yaml:train@large',
      'ml/dvc.yaml:train@small',
    ]);
    assert.equal(nxJson, json, "byte for byte: Python's json.dumps");
    assert.equal(viewOutput(ws.nxOk(['run', 'ml:dvc-status']).stdout), dvcOk(ws.root, ['status']).stdout.trim());
  });

  test('after a teammate runs dvc repro, nx run-many runs no command and rewrites nothing', () => {
    dvcOk(ws.root, ['add', '-q', 'ml/data/raw.csv', 'ml/data/raw/images']);
    dvcOk(ws.root, ['repro', '-P']);
    assert.deepEqual(commandsRun(ws), STAGES);
    const written = recordFiles(ws);
    const run = ws.nxOk(['run-many', '-t', 'repro', '--output-style=static']);
    assert.deepEqual(commandsRun(ws), []);
    assert.match(run.output, /Stage 'ml\/dvc.yaml:train@small' didn't change, skipping/);
    assert.deepEqual(recordFiles(ws), written);
    assert.equal(viewOutput(ws.nxOk(['run', 'ml:dvc-status']).stdout), 'Data and pipelines are up to date.');
  });

  test('dvc push of what nx-dvc cached, then in a fresh clone dvc pull and nx run-many (empty Nx cache) run no command', () => {
    ws.write('ml/params.yaml', 'prepare:\n  split: 0.2\ntrain:\n  lr: 0.3\n');
    ws.nxOk(['run-many', '-t', 'repro']);
    assert.deepEqual(commandsRun(ws), ['evaluate', 'train-large', 'train-small']);
    dvcOk(ws.root, ['remote', 'add', '-d', 'store', remote]);
    ws.commitAll('train with lr 0.3; a DVC remote');
    dvcOk(ws.root, ['push']);

    clone = cloneWorkspace(ws);
    assert.ok(!clone.exists('ml/model-small.txt') && !clone.exists('.nx'), 'a clone has no data and no Nx cache');
    dvcOk(clone.root, ['pull']);
    // Nx 24 shares one local cache between checkouts on a machine: a machine of its own is a cache of its own
    const run = clone.nxOk(['run-many', '-t', 'repro', '--output-style=static'], { NX_CACHE_DIRECTORY: clone.path('.nx/cache') });
    assert.deepEqual(commandsRun(clone), []);
    assert.doesNotMatch(run.output, /\[local cache\]|\[remote cache\]/);
    for (const file of ['ml/model-small.txt', 'ml/model-large.txt', 'ml/metrics.json', 'ml/features/images/nested/b.txt']) {
      assert.equal(clone.read(file), ws.read(file), file);
    }
    assert.deepEqual(recordFiles(clone), recordFiles(ws));
    assert.equal(clone.git('status', '--porcelain'), '', 'nothing to commit in the clone');
    assert.equal(dvc(clone.root, ['status']).stdout.trim(), 'Data and pipelines are up to date.');
  });
});

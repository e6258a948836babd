import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dvcOk, skipWithoutDvc } from '../tools/support/real-dvc';
import { createWorkspace, taskStatus, type Workspace } from '../tools/support/workspace';

/**
 * Deps outside the workspace (DVC's external dependencies: a shared data mount, a file in /etc)
 * through real nx and real dvc on one workspace: Nx sees them change through the stage's runtime
 * input, and dvc.lock is the one real `dvc repro` writes for the same pipeline. Each command
 * appends to `runs.log`, so "the stage ran" is read from disk.
 */
const TASK = 'ml--train:repro';

let ws: Workspace;
let outside: string;

function pipeline(rel: string): string {
  return `stages:
  train:
    cmd: echo train >> "$DVC_ROOT/runs.log" && cat ${outside}/labels.txt > model.txt && ls -R ${rel}/images > images.txt
    deps:
    - ${outside}/labels.txt
    - ${rel}/images/
    outs:
    - model.txt
    - images.txt
`;
}

function runs(): number {
  if (!ws.exists('runs.log')) return 0;
  const count = ws.read('runs.log').split('\n').filter(Boolean).length;
  ws.remove('runs.log');
  return count;
}

function nxRun(): string {
  const output = ws.nxOk(['run-many', '-t', 'repro', '--projects=tag:dvc:stage', '--output-style=static']).output;
  return taskStatus(output, TASK);
}

/** What an nx-dvc view printed, without Nx's header and summary. */
function viewOutput(stdout: string): string {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('> nx run')) + 1;
  const end = lines.findIndex((l, i) => i >= start && /^\s*NX\s/.test(l));
  return lines.slice(start, end).join('\n').trim();
}

/** dvc.lock as real `dvc repro` writes it from scratch for the same files; the workspace keeps it. */
function lockOfRealDvc(): string {
  ws.remove('ml/dvc.lock');
  dvcOk(ws.root, ['repro', '-q', 'ml/dvc.yaml']);
  runs();
  return ws.read('ml/dvc.lock');
}

describe('deps outside the workspace', { skip: skipWithoutDvc }, () => {
  before(() => {
    outside = mkdtempSync(join(tmpdir(), 'nx-dvc-shared-mount-'));
    mkdirSync(join(outside, 'images/sub'), { recursive: true });
    writeFileSync(join(outside, 'labels.txt'), 'cat\ndog\n');
    writeFileSync(join(outside, 'images/a.png'), 'a');
    writeFileSync(join(outside, 'images/sub/b.png'), 'bb');
    mkdirSync(join(outside, 'images/.hg'));
    writeFileSync(join(outside, 'images/.hg/dirstate'), 'h'); // DVC skips nothing outside the repository
    ws = createWorkspace({ gitignore: ['runs.log'], commit: false, files: { 'ml/.keep': '' } });
    ws.write('ml/dvc.yaml', pipeline(relative(ws.path('ml'), outside)));
    dvcOk(ws.root, ['init', '-q']);
    ws.commitAll('a pipeline reading a shared mount');
  });

  after(() => {
    ws?.cleanup();
    if (outside) rmSync(outside, { recursive: true, force: true });
  });

  test('the stage runs; dvc.lock is real DVC\'s byte for byte and dvc status is up to date', () => {
    assert.equal(nxRun(), 'ran');
    assert.equal(runs(), 1);
    const ours = ws.read('ml/dvc.lock');
    assert.match(ours, new RegExp(`- path: ${outside}/labels.txt\\n      hash: md5\\n      md5: [0-9a-f]{32}\\n      size: 8\\n`));
    assert.match(ours, /- path: \.\.\/.*\/images\/\n      hash: md5\n      md5: [0-9a-f]{32}\.dir\n      size: 4\n      nfiles: 3\n/);
    assert.equal(dvcOk(ws.root, ['status']).stdout.trim(), 'Data and pipelines are up to date.');
    assert.equal(lockOfRealDvc(), ours);
  });

  test('unchanged outside deps: a cache hit, no command', () => {
    assert.equal(nxRun(), 'local cache');
    assert.equal(runs(), 0);
  });

  test('a changed outside file, then a new file in the outside folder: the stage runs, and records what DVC records', () => {
    writeFileSync(join(outside, 'labels.txt'), 'cat\ndog\nbird\n');
    writeFileSync(join(outside, 'images/a.png'), 'A');
    const status = dvcOk(ws.root, ['status']).stdout.trim();
    // DVC names an absolute dep as written, a `../` one resolved
    assert.ok(status.endsWith(`modified:           ${outside}/labels.txt\n\t\tmodified:           ${outside}/images`), status);
    assert.equal(viewOutput(ws.nxOk(['run', 'ml:dvc-status']).stdout), status);
    assert.equal(nxRun(), 'ran');
    assert.equal(runs(), 1);
    assert.equal(dvcOk(ws.root, ['status']).stdout.trim(), 'Data and pipelines are up to date.');

    writeFileSync(join(outside, 'images/sub/c.png'), 'ccc');
    assert.equal(nxRun(), 'ran');
    assert.equal(runs(), 1);
    const ours = ws.read('ml/dvc.lock');
    assert.match(ours, /nfiles: 4\n/);
    assert.equal(lockOfRealDvc(), ours);
    assert.equal(nxRun(), 'local cache');
  });

  test('a touched outside file (same bytes): Nx re-checks, the stage does not run, as DVC skips it', () => {
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(outside, 'labels.txt'), later, later);
    const output = ws.nxOk(['run', TASK]).output;
    assert.match(output, /Stage 'ml\/dvc\.yaml:train' didn't change, skipping/);
    assert.equal(runs(), 0);
    assert.equal(nxRun(), 'local cache');
  });
});

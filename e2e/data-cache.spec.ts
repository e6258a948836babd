import assert from 'node:assert/strict';
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createWorkspace, taskStatus, type Workspace } from '../tools/support/workspace';

/**
 * In a DVC repository the data lives in DVC's cache only and Nx caches the stages' records: a stage
 * that runs after a restored upstream gets its deps checked out first, an upstream re-run that
 * writes the same bytes leaves the downstream cached (its hash reads the upstream's outs record),
 * and hits are checked out with each `cache.type` as `dvc checkout` does.
 */
const PIPELINE = [
  'stages:',
  '  prepare:',
  '    cmd: mkdir -p data/prepared && cp raw.csv data/prepared/train.csv',
  '    deps: [raw.csv]',
  '    params: [prepare.split]',
  '    outs: [data/prepared]',
  '  train:',
  '    cmd: cat data/prepared/train.csv > model.bin && echo "${train.lr}" >> model.bin',
  '    deps: [data/prepared]',
  '    params: [train.lr]',
  '    outs: [model.bin]',
  '  evaluate:',
  '    cmd: wc -l < data/prepared/train.csv > count.txt',
  '    deps: [data/prepared]',
  '    params: [train.lr]',
  '    outs: [count.txt]',
  '',
].join('\n');

const PREPARE = 'ml--prepare:repro';
const TRAIN = 'ml--train:repro';
const EVALUATE = 'ml--evaluate:repro';

describe("outputs in DVC's cache, records in Nx's", () => {
  let ws: Workspace;
  const run = (...args: string[]) => ws.nxOk(['run', 'ml:repro', '--output-style=static', ...args]).output;
  const objectPath = (md5: string) => ws.path('.dvc/cache/files/md5', md5.slice(0, 2), md5.slice(2));
  /** The files whose current inode, mtime and size the saved hash state does not know. */
  const unknownToHashState = (paths: string[]) => {
    const rows: string[][] = JSON.parse(ws.read('.nx/workspace-data/nx-dvc/hash-state.json')).entries;
    const known = new Set(rows.map(([path, ino, mtimeNs, size]) => `${path} ${ino} ${mtimeNs} ${size}`));
    return paths.filter((path) => {
      const st = statSync(ws.path(path), { bigint: true });
      return !known.has(`${ws.path(path)} ${st.ino} ${st.mtimeNs} ${st.size}`);
    });
  };
  const lockMd5 = (path: string) => new RegExp(`- path: ${path}\\n\\s+hash: md5\\n\\s+md5: ([0-9a-f]{32})`).exec(ws.read('ml/dvc.lock'))![1]!;

  before(() => {
    ws = createWorkspace({
      files: {
        'ml/dvc.yaml': PIPELINE,
        'ml/params.yaml': 'prepare:\n  split: 0.2\ntrain:\n  lr: 0.01\n',
        'ml/raw.csv': 'x,y\n1,2\n3,4\n',
        '.dvc/config': '',
        '.dvc/.gitignore': '/config.local\n/tmp\n/cache\n',
      },
    });
    run();
  });

  after(() => ws.cleanup());

  test('a stage that runs after a restored upstream gets its deps checked out from DVC\'s cache first', () => {
    ws.remove('ml/data/prepared');
    ws.remove('ml/model.bin');
    ws.write('ml/params.yaml', 'prepare:\n  split: 0.2\ntrain:\n  lr: 0.02\n');
    const output = run();
    assert.equal(taskStatus(output, PREPARE), 'local cache', output);
    assert.equal(taskStatus(output, TRAIN), 'ran', output);
    assert.equal(ws.read('ml/model.bin'), 'x,y\n1,2\n3,4\n0.02\n');
    assert.equal(ws.read('ml/data/prepared/train.csv'), 'x,y\n1,2\n3,4\n');
  });

  test('an upstream re-run that writes the same bytes leaves the downstream cached (early cut-off)', () => {
    // one process per stage: Nx looks the downstream up after the upstream ran, and hits
    ws.write('ml/params.yaml', 'prepare:\n  split: 0.3\ntrain:\n  lr: 0.02\n');
    let output = run('--batch=false');
    assert.equal(taskStatus(output, PREPARE), 'ran', output);
    assert.equal(taskStatus(output, TRAIN), 'local cache', output);
    // batched (the default): Nx hands the downstream over unlooked-up; DVC's own check skips its command
    ws.write('ml/params.yaml', 'prepare:\n  split: 0.4\ntrain:\n  lr: 0.02\n');
    output = run();
    assert.equal(taskStatus(output, PREPARE), 'ran', output);
    assert.match(output, /Stage 'ml\/dvc\.yaml:train' didn't change, skipping/);
    assert.doesNotMatch(output, /Running stage 'ml\/dvc\.yaml:train'/);
  });

  for (const type of ['copy', 'hardlink', 'symlink'] as const) {
    test(`hits are checked out with cache.type = ${type}, as dvc checkout links them`, () => {
      ws.write('.dvc/config.local', `[cache]\n    type = ${type}\n`);
      ws.remove('ml/data/prepared');
      ws.remove('ml/model.bin');
      const output = run();
      assert.equal(taskStatus(output, PREPARE), 'local cache', output);
      assert.equal(taskStatus(output, TRAIN), 'local cache', output);
      assert.equal(ws.read('ml/model.bin'), 'x,y\n1,2\n3,4\n0.02\n');
      const model = lstatSync(ws.path('ml/model.bin'));
      const object = statSync(objectPath(lockMd5('model.bin')));
      if (type === 'symlink') assert.ok(model.isSymbolicLink(), 'a symbolic link to the cache object');
      else assert.equal(model.ino === object.ino, type === 'hardlink', 'a hard link shares the object, a copy does not');
      if (type !== 'copy') assert.equal(statSync(ws.path('ml/model.bin')).mode & 0o222, 0, 'linked files are read-only, as DVC protects them');
      assert.equal(ws.read('ml/data/prepared/train.csv'), 'x,y\n1,2\n3,4\n');
      assert.deepEqual(unknownToHashState(['ml/model.bin', 'ml/data/prepared/train.csv']), [], 'the next command reads nothing again');
    });
  }

  test('two stages of one batch that read the same missing upstream folder check it out once, whole', () => {
    ws.remove('ml/data/prepared');
    ws.write('ml/params.yaml', 'prepare:\n  split: 0.4\ntrain:\n  lr: 0.05\n');
    const output = run('--parallel=2');
    assert.equal(taskStatus(output, PREPARE), 'local cache', output);
    assert.equal(taskStatus(output, TRAIN), 'ran', output);
    assert.equal(taskStatus(output, EVALUATE), 'ran', output);
    assert.equal(ws.read('ml/model.bin'), 'x,y\n1,2\n3,4\n0.05\n');
    assert.equal(ws.read('ml/count.txt').trim(), '3');
    assert.deepEqual(readdirSync(ws.path('ml/data/prepared')), ['train.csv']);
    assert.deepEqual(readdirSync(ws.path('ml/data')).filter((name) => name.endsWith('.tmp')), [], 'no temporary folder is left beside it');
  });
});

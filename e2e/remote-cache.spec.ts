import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import fg from 'fast-glob';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RemoteCacheServer } from '../tools/support/remote-cache-server';
import { cloneWorkspace, createWorkspace, taskStatus, type Workspace } from '../tools/support/workspace';

/**
 * Nx's self-hosted remote cache across machines: workspace A fills a real HTTP cache server on
 * loopback with the stages' records only, and a local-path DVC remote with their data; a fresh
 * `git clone` B with an empty DVC cache restores every stage from Nx's remote cache, the data from
 * the DVC remote, without running a command, and ends with the same outputs, dvc.lock and
 * .gitignore files. Data found nowhere fails with the fix and a clean dvc.lock. A wrong token is
 * refused and the stages run.
 */
const PIPELINE = [
  'stages:',
  '  prepare:',
  '    cmd:',
  '    - echo prepare >> "$SIDE_EFFECTS"',
  '    - mkdir -p data/prepared && cp raw.csv data/prepared/train.csv && tail -n 1 raw.csv > data/prepared/test.csv',
  '    deps: [raw.csv]',
  '    params: [prepare.split]',
  '    outs: [data/prepared]',
  '  train:',
  '    cmd:',
  '    - echo train >> "$SIDE_EFFECTS"',
  '    - cat data/prepared/train.csv data/prepared/test.csv > model.bin',
  '    - seq 1 300000 > weights.bin && cp weights.bin weights-copy.bin',
  '    deps: [data/prepared]',
  '    params: [train.lr]',
  '    outs: [model.bin, weights.bin, weights-copy.bin]',
  '',
].join('\n');

const STAGES = ['ml--prepare:repro', 'ml--train:repro'];
const RESULT_FILES = ['ml/dvc.lock', 'ml/.gitignore', 'ml/data/.gitignore', 'ml/model.bin', 'ml/weights.bin', 'ml/data/prepared/train.csv', 'ml/data/prepared/test.csv'];

describe('remote cache across machines', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'nx-dvc-remote-'));
  const sideEffects = join(scratch, 'side-effects.log');
  const server = new RemoteCacheServer(join(scratch, 'storage'), 'secret-token');
  const dvcRemote = join(scratch, 'dvc-remote');
  const workspaces: Workspace[] = [];
  let url = '';
  let a: Workspace;

  // Nx 24 shares one local cache between checkouts of a workspace on a machine; a machine of its own
  // is a cache directory of its own
  const env = (token: string, ws: Workspace) => ({
    NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url,
    NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token,
    NX_CACHE_DIRECTORY: ws.path('.nx/cache'),
    SIDE_EFFECTS: sideEffects,
  });
  const sideEffectLines = () => (existsSync(sideEffects) ? readFileSync(sideEffects, 'utf8').split('\n').filter(Boolean) : []);

  before(async () => {
    url = await server.start();
    a = createWorkspace({
      // stages push their outputs to the DVC remote after they run (dvc push), for the other machines
      plugins: [{ plugin: 'nx-dvc', options: { dvcPush: true } }],
      files: {
        'ml/dvc.yaml': PIPELINE,
        'ml/params.yaml': 'prepare:\n  split: 0.2\ntrain:\n  lr: 0.01\n',
        'ml/raw.csv': 'x,y\n1,2\n3,4\n',
        '.dvc/config': `[core]\n    remote = storage\n['remote "storage"']\n    url = ${dvcRemote}\n`,
        '.dvc/.gitignore': '/config.local\n/tmp\n/cache\n',
      },
    });
    workspaces.push(a);
    const run = await a.nxAsync(['run', 'ml:repro', '--output-style=static'], env('secret-token', a));
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(sideEffectLines(), ['prepare', 'train']);
    assert.match(run.output, /Pushed \d+ objects? of 'ml\/dvc\.yaml:train' to remote 'storage'/);
    a.commitAll('pipeline ran; dvc.lock and .gitignore committed, as after dvc repro');
  });

  after(async () => {
    await server.stop();
    workspaces.forEach((w) => w.cleanup());
    rmSync(scratch, { recursive: true, force: true });
  });

  test("A filled the server through the API with the stages' records only; the data is stored once, in DVC's cache", () => {
    const puts = server.requests.filter((r) => r.method === 'PUT' && r.status === 200);
    assert.ok(puts.length >= STAGES.length, JSON.stringify(server.requests));
    for (const put of puts) assert.ok(statSync(join(scratch, 'storage', put.hash)).size < 64 * 1024, `artifact ${put.hash} is small`);
    const weights = dvcMd5Of(a.read('ml/dvc.lock'), 'weights.bin');
    assert.equal(weights, dvcMd5Of(a.read('ml/dvc.lock'), 'weights-copy.bin'));
    const objects = readdirSync(a.path('.dvc/cache/files/md5'), { recursive: true }).map(String);
    assert.equal(objects.filter((f) => f === weights).length, 1, 'two outputs with the same bytes are one object');
    const pushed = readdirSync(join(dvcRemote, 'files/md5'), { recursive: true }).map(String).sort();
    assert.deepEqual(pushed, objects.sort(), "the stages pushed DVC's cache to the DVC remote, in dvc push's layout");
    assert.equal(fg.sync('**/weights*.bin', { cwd: a.path('.nx/cache'), dot: true }).length, 0, "Nx's local cache holds no data");
  });

  test('a fresh clone restores every stage from the remote cache and runs no command', async () => {
    const b = cloneWorkspace(a);
    workspaces.push(b);
    assert.equal(b.exists('ml/model.bin'), false);
    const run = await b.nxAsync(['run', 'ml:repro', '--output-style=static'], env('secret-token', b));
    assert.equal(run.code, 0, run.output);
    for (const task of STAGES) assert.equal(taskStatus(run.output, task), 'remote cache', `${task}\n${run.output}`);
    assert.deepEqual(sideEffectLines(), ['prepare', 'train'], 'no stage command ran on B');
    for (const file of RESULT_FILES) assert.equal(b.read(file), a.read(file), file);
    assert.equal(b.git('status', '--porcelain'), '', 'dvc.lock and .gitignore files are exactly the committed ones');
    const object = b.path('.dvc/cache/files/md5', dvcMd5Of(b.read('ml/dvc.lock'), 'model.bin'));
    assert.ok(existsSync(object), "the data came from the DVC remote into DVC's cache");
  });

  test("a hit whose data is neither in DVC's cache nor on the remote fails with the fix; dvc.lock claims nothing", async () => {
    const d = cloneWorkspace(a);
    workspaces.push(d);
    const weights = join(dvcRemote, 'files/md5', dvcMd5Of(a.read('ml/dvc.lock'), 'weights.bin'));
    renameSync(weights, `${weights}.away`);
    d.remove('ml/dvc.lock');
    try {
      const run = await d.nxAsync(['run', 'ml:repro', '--output-style=static'], env('secret-token', d));
      assert.notEqual(run.code, 0, run.output);
      assert.match(run.output, /stage 'ml\/dvc\.yaml:train': 'ml\/weights\.bin', 'ml\/weights-copy\.bin'/);
      assert.match(run.output, /neither in DVC's cache nor on the DVC remote 'storage'/);
      assert.match(run.output, /`dvc pull`.*`--skip-nx-cache`/s);
      assert.deepEqual(sideEffectLines(), ['prepare', 'train'], 'no stage command ran');
      assert.equal(d.exists('ml/weights.bin'), false);
      const lock = d.read('ml/dvc.lock');
      assert.match(lock, /^  prepare:/m, 'the stage whose data was found is recorded');
      assert.doesNotMatch(lock, /train:|weights/, 'dvc.lock does not claim what is not there');
    } finally {
      renameSync(`${weights}.away`, weights);
    }
  });

  test('a wrong token is refused; nx-dvc warns, the stages run locally and give the same result', async () => {
    const c = cloneWorkspace(a);
    workspaces.push(c);
    const refusedBefore = server.requests.filter((r) => r.status === 401).length;
    const run = await c.nxAsync(['run', 'ml:repro', '--output-style=static'], env('wrong-token', c));
    assert.equal(run.code, 0, run.output);
    assert.ok(server.requests.filter((r) => r.status === 401).length > refusedBefore, 'the server refused the token');
    assert.match(run.output, /nx-dvc: the remote cache at http:\/\/127\.0\.0\.1:\d+ refused the access token \(401 Unauthorized\)\. This run uses the local cache only/);
    for (const task of STAGES) assert.equal(taskStatus(run.output, task), 'ran', task);
    for (const file of RESULT_FILES) assert.equal(c.read(file), a.read(file), file);
  });
});

/** `xx/yyyy…` of an output's md5 in dvc.lock. */
function dvcMd5Of(lock: string, path: string): string {
  const md5 = new RegExp(`- path: ${path}\\n\\s+hash: md5\\n\\s+md5: ([0-9a-f]{32})`).exec(lock)![1];
  return `${md5.slice(0, 2)}/${md5.slice(2)}`;
}

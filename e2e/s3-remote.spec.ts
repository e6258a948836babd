import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fg from 'fast-glob';
import { dvcOkAsync, skipWithoutDvcS3 } from '../tools/support/real-dvc';
import { RemoteCacheServer } from '../tools/support/remote-cache-server';
import { startS3Server, type S3Server } from '../tools/support/s3-server';
import { cloneWorkspace, createWorkspace, taskStatus, type Workspace } from '../tools/support/workspace';

/**
 * An S3-compatible DVC remote through the real Nx path: s3rver (the S3 API served from disk,
 * refusing unsigned requests) and Nx's self-hosted remote cache, both on loopback. Workspace A
 * runs with `dvcPush`, its credentials in
 * `.dvc/config.local` (gitignored, as DVC advises); a fresh clone B, with an empty DVC cache and
 * the credentials in the AWS variables, gets every stage from Nx's remote cache and the data from
 * S3, byte-identical, running no command. Real `dvc pull` (dvc-s3) reads what nx-dvc pushed.
 */
const PIPELINE = [
  'stages:',
  '  prepare:',
  '    cmd:',
  '    - echo prepare >> "$SIDE_EFFECTS"',
  '    - mkdir -p data/prepared && cp raw.csv data/prepared/train.csv && tail -n 1 raw.csv > data/prepared/test.csv',
  '    deps: [raw.csv]',
  '    outs: [data/prepared]',
  '  train:',
  '    cmd:',
  '    - echo train >> "$SIDE_EFFECTS"',
  '    - cat data/prepared/train.csv > model.bin && seq 1 300000 >> model.bin',
  '    - echo \'{"loss":0.25}\' > metrics.json',
  '    deps: [data/prepared]',
  '    outs: [model.bin]',
  '    metrics: [{metrics.json: {cache: false}}]',
  '',
].join('\n');

const STAGES = ['ml--prepare:repro', 'ml--train:repro'];
const RESULT_FILES = ['ml/dvc.lock', 'ml/.gitignore', 'ml/data/.gitignore', 'ml/model.bin', 'ml/metrics.json', 'ml/data/prepared/train.csv', 'ml/data/prepared/test.csv'];
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

describe('an S3-compatible DVC remote across machines', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'nx-dvc-s3-'));
  const sideEffects = join(scratch, 'side-effects.log');
  const s3Dir = join(scratch, 's3');
  const cacheServer = new RemoteCacheServer(join(scratch, 'nx-cache'), 'secret-token');
  const workspaces: Workspace[] = [];
  let s3: S3Server;
  let cacheUrl = '';
  let a: Workspace;

  // a machine of its own is an Nx cache directory of its own (Nx 24 shares one per machine)
  const env = (ws: Workspace, extra: Record<string, string> = {}) => ({
    NX_SELF_HOSTED_REMOTE_CACHE_SERVER: cacheUrl,
    NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 'secret-token',
    NX_CACHE_DIRECTORY: ws.path('.nx/cache'),
    SIDE_EFFECTS: sideEffects,
    ...extra,
  });
  const sideEffectLines = () => (existsSync(sideEffects) ? readFileSync(sideEffects, 'utf8').split('\n').filter(Boolean) : []);

  before(async () => {
    s3 = await startS3Server(s3Dir);
    cacheUrl = await cacheServer.start();
    a = createWorkspace({
      plugins: [{ plugin: 'nx-dvc', options: { dvcPush: true } }],
      files: {
        'ml/dvc.yaml': PIPELINE,
        'ml/raw.csv': 'x,y\n1,2\n3,4\n',
        '.dvc/config': `[core]\n    remote = s3\n['remote "s3"']\n    url = s3://bucket/dvc/store\n    endpointurl = ${s3.endpoint}\n`,
        '.dvc/config.local': `['remote "s3"']\n    access_key_id = S3RVER\n    secret_access_key = S3RVER\n`,
        '.dvc/.gitignore': '/config.local\n/tmp\n/cache\n',
      },
    });
    workspaces.push(a);
    const run = await a.nxAsync(['run', 'ml:repro', '--output-style=static'], env(a));
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(sideEffectLines(), ['prepare', 'train']);
    assert.match(run.output, /Pushed \d+ objects? of 'ml\/dvc\.yaml:train' to remote 's3'/);
    a.commitAll('pipeline ran');
    assert.equal(a.exists('.dvc/config.local'), true);
    assert.doesNotMatch(a.git('ls-files'), /config\.local/, 'the credentials stay out of git');
  });

  after(async () => {
    await cacheServer.stop();
    await s3.close();
    workspaces.forEach((w) => w.cleanup());
    rmSync(scratch, { recursive: true, force: true });
  });

  test("A pushed DVC's cache to S3 in dvc push's layout; Nx's artifacts carry records only", () => {
    const cached = dvcCacheObjects(a);
    assert.deepEqual(Object.keys(s3Objects(s3Dir, 'dvc/store')), Object.keys(cached), 'every object, under files/md5/<2>/<30>');
    assert.deepEqual(s3Objects(s3Dir, 'dvc/store'), cached, 'byte-identical');
    assert.ok(statSync(a.path('ml/model.bin')).size > 1_000_000);
    const puts = cacheServer.requests.filter((r) => r.method === 'PUT' && r.status === 200);
    assert.ok(puts.length >= STAGES.length, JSON.stringify(cacheServer.requests));
    for (const put of puts) assert.ok(statSync(join(scratch, 'nx-cache', put.hash)).size < 64 * 1024, `artifact ${put.hash} is under 64 KiB`);
    assert.equal(fg.sync('**/model.bin', { cwd: a.path('.nx/cache'), dot: true }).length, 0, "Nx's local cache holds no data");
  });

  test('a fresh clone with an empty DVC cache gets the stages from Nx, the data from S3, and runs no command', async () => {
    const b = cloneWorkspace(a);
    workspaces.push(b);
    assert.ok(!b.exists('.dvc/cache') && !b.exists('.dvc/config.local') && !b.exists('ml/model.bin'));
    const run = await b.nxAsync(['run', 'ml:repro', '--output-style=static'], env(b, CREDENTIALS));
    assert.equal(run.code, 0, run.output);
    for (const task of STAGES) assert.equal(taskStatus(run.output, task), 'remote cache', `${task}\n${run.output}`);
    assert.deepEqual(sideEffectLines(), ['prepare', 'train'], 'no stage command ran on B');
    for (const file of RESULT_FILES) assert.equal(b.read(file), a.read(file), file);
    assert.equal(b.git('status', '--porcelain'), '', 'dvc.lock and .gitignore files are exactly the committed ones');
    assert.deepEqual(dvcCacheObjects(b), dvcCacheObjects(a), "the data came from S3 into DVC's cache");
  });

  test('real dvc pull (dvc-s3) in a third clone reads what nx-dvc pushed', { skip: skipWithoutDvcS3() }, async () => {
    const c = cloneWorkspace(a);
    workspaces.push(c);
    await dvcOkAsync(c.root, ['pull'], CREDENTIALS);
    for (const file of RESULT_FILES) assert.equal(c.read(file), a.read(file), file);
    assert.match((await dvcOkAsync(c.root, ['status', '--cloud'], CREDENTIALS)).output, /Cache and remote 's3' are in sync/);
    assert.equal((await dvcOkAsync(c.root, ['status'])).stdout.trim(), 'Data and pipelines are up to date.');
  });
});

/** DVC's cache objects (`xx/yyyy…`, `.dir` ones included) with their bytes. */
function dvcCacheObjects(ws: Workspace): Record<string, string> {
  const dir = ws.path('.dvc/cache/files/md5');
  return Object.fromEntries(readdirSync(dir, { recursive: true }).map(String).filter((p) => p.includes('/')).sort().map((p) => [p, readFileSync(join(dir, p), 'latin1')]));
}

/** The objects s3rver holds below `bucket/<prefix>/files/md5/` (each stored as `<key>._S3rver_object`). */
function s3Objects(s3Dir: string, prefix: string): Record<string, string> {
  const cwd = join(s3Dir, 'bucket', prefix, 'files/md5');
  return Object.fromEntries(fg.sync('**/*._S3rver_object', { cwd }).sort().map((p) => [p.replace(/\._S3rver_object$/, ''), readFileSync(join(cwd, p), 'latin1')]));
}

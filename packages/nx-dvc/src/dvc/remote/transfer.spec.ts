import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, describe, test } from 'node:test';
import fg from 'fast-glob';
import { DvcCache } from '../cache/dvc-cache';
import { hashPath } from '../hashing/directory';
import { DvcError } from '../errors';
import { openRemote } from './open-remote';
import { resolveRemote, type RemoteConfig } from './remote-config';
import { HttpStorage } from './http-storage';
import { awsRetryPolicy, DVC_HTTP_RETRY_POLICY } from './retry-policy';
import { S3Storage } from './s3-storage';
import { pull, push } from './transfer';
import { dvcOk, dvcOkAsync, skipWithoutDvc, skipWithoutDvcS3 } from '../../testing/real-dvc';
import { startS3Server, type S3Server, type S3ServerOptions } from '../../testing/s3-server';

/** Waits of 10 ms between attempts instead of botocore's seconds. */
const quickRetries = () => 0.01;

const roots: string[] = [];
const servers: { close(): unknown }[] = [];
after(async () => {
  for (const server of servers) await server.close();
  roots.forEach((r) => rmSync(r, { recursive: true, force: true }));
});

function temp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `nx-dvc-remote-${prefix}-`));
  roots.push(dir);
  return dir;
}

/** A DVC workspace with a file output and a directory output (two files share their bytes) in its cache. */
async function workspaceWithOutputs(config: string): Promise<{ root: string; cache: DvcCache; md5s: string[] }> {
  const root = temp('ws');
  mkdirSync(join(root, '.dvc'));
  writeFileSync(join(root, '.dvc/config'), config);
  mkdirSync(join(root, 'data/sub'), { recursive: true });
  writeFileSync(join(root, 'model.bin'), Buffer.alloc(3 * 1024 * 1024, 7));
  writeFileSync(join(root, 'data/a.txt'), 'a\n');
  writeFileSync(join(root, 'data/sub/b.txt'), 'a\n');
  writeFileSync(join(root, 'data/c.txt'), 'c\n');
  const cache = DvcCache.forWorkspace(root)!;
  const md5s: string[] = [];
  for (const out of ['model.bin', 'data']) {
    const hash = await hashPath(join(root, out));
    cache.save(join(root, out), hash);
    md5s.push(hash.md5);
  }
  return { root, cache, md5s };
}

/** The same configuration in a fresh workspace with an empty cache (the "other machine"). */
function freshClone(from: string): { root: string; cache: DvcCache } {
  const root = temp('clone');
  mkdirSync(join(root, '.dvc'));
  for (const file of ['config', 'config.local']) if (existsSync(join(from, '.dvc', file))) writeFileSync(join(root, '.dvc', file), readFileSync(join(from, '.dvc', file)));
  return { root, cache: DvcCache.forWorkspace(root)! };
}

function objects(cacheDir: string): Record<string, string> {
  return Object.fromEntries(fg.sync('files/md5/**', { cwd: cacheDir }).sort().map((p) => [p, readFileSync(join(cacheDir, p), 'latin1')]));
}

async function roundTrip(config: string, configLocal?: string) {
  const first = await workspaceWithOutputs(config);
  if (configLocal) writeFileSync(join(first.root, '.dvc/config.local'), configLocal);
  const remote = () => openRemote(resolveRemote(first.root, undefined, 'push'));
  const pushed = await push(first.cache, remote(), first.md5s);
  assert.equal(pushed.missing.length, 0);
  assert.equal(pushed.transferred.length, 4, 'model, a (= b), c, the .dir object: each once');
  assert.equal((await push(first.cache, remote(), first.md5s)).transferred.length, 0, 'a second push sends nothing');
  const clone = freshClone(first.root);
  const pulled = await pull(clone.cache, openRemote(resolveRemote(clone.root, undefined, 'pull')), first.md5s);
  assert.deepEqual(pulled.missing, []);
  assert.deepEqual(objects(clone.cache.dir), objects(first.cache.dir), 'the clone has byte-identical objects');
  assert.equal(statSync(clone.cache.objectPath(first.md5s[0]!)).mode & 0o777, 0o444, 'pulled objects are protected');
  assert.equal(clone.cache.checkout(join(clone.root, 'data'), first.md5s[1]!), true);
  assert.equal(readFileSync(join(clone.root, 'data/sub/b.txt'), 'utf8'), 'a\n');
  const absent = await pull(freshClone(first.root).cache, openRemote(resolveRemote(clone.root, undefined, 'pull')), ['0123456789abcdef0123456789abcdef', 'fedcba9876543210fedcba9876543210.dir']);
  assert.deepEqual(absent.missing.sort(), ['0123456789abcdef0123456789abcdef', 'fedcba9876543210fedcba9876543210.dir']);
  return first;
}

describe('which remote', () => {
  test("core.remote, a remote's url relative to .dvc/, config.local overriding, -r, DVC's messages", () => {
    const root = temp('config');
    mkdirSync(join(root, '.dvc'));
    assert.throws(() => resolveRemote(root, undefined, 'pull'), /no remote specified in .*Create a default remote with\n    dvc remote add -d/);
    writeFileSync(join(root, '.dvc/config'), "[core]\n    remote = store\n['remote \"store\"']\n    url = ../storage\n['remote \"web\"']\n    url = https://example.com/dvc\n");
    assert.deepEqual(resolveRemote(root, undefined, 'pull'), { name: 'store', url: join(root, 'storage'), options: {} });
    writeFileSync(join(root, '.dvc/config.local'), "['remote \"web\"']\n    auth = basic\n    user = me\n    password = secret\n");
    assert.deepEqual(resolveRemote(root, 'web', 'push'), { name: 'web', url: 'https://example.com/dvc', options: { auth: 'basic', user: 'me', password: 'secret' } });
    assert.throws(() => resolveRemote(root, 'nope', 'pull'), /remote 'nope' doesn't exist/);
    writeFileSync(join(root, '.dvc/config'), "['remote \"store\"']\n    url = /srv/store\n");
    assert.throws(() => resolveRemote(root, undefined, 'push'), /Setup default remote with\n    dvc remote default <remote name>\nor use:\n    dvc push -r <remote name>/);
  });

  test('other remote types get one message naming dvc pull', () => {
    assert.throws(() => openRemote({ name: 'g', url: 'gdrive://abc', options: {} }), (e: unknown) => e instanceof DvcError && /use DVC itself for 'gdrive' remotes: `dvc pull`/.test(e.message));
    assert.throws(
      () => openRemote({ name: 's3', url: 's3://bucket/x', options: { sse: 'AES256', grant_read: 'id=1' } }),
      (e: unknown) => e instanceof DvcError && /does not apply 'sse', 'grant_read' .*`dvc pull`/.test(e.message),
      'S3 options that change how objects are stored are refused, not ignored',
    );
  });
});

describe('push and pull', () => {
  test('a local-path remote', async () => {
    const storage = temp('storage');
    await roundTrip(`[core]\n    remote = store\n['remote "store"']\n    url = ${storage}\n`);
    assert.ok(fg.sync('files/md5/*/*', { cwd: storage }).length === 4);
  });

  test('an HTTP remote: POST by default, PUT with method = PUT, basic auth', async () => {
    const { url, requests } = await httpRemoteServer(temp('http'), 'me:secret');
    await roundTrip(`[core]\n    remote = web\n['remote "web"']\n    url = ${url}/dvc-store\n`, `['remote "web"']\n    auth = basic\n    user = me\n    password = secret\n`);
    assert.ok(requests.includes('POST') && !requests.includes('PUT'));
    requests.length = 0;
    await roundTrip(`[core]\n    remote = web\n['remote "web"']\n    url = ${url}/dvc-put\n    method = PUT\n`, `['remote "web"']\n    auth = basic\n    user = me\n    password = secret\n`);
    assert.ok(requests.includes('PUT') && !requests.includes('POST'));
  });

  test('an S3-compatible remote (endpointurl), credentials from config.local or the AWS variables', async () => {
    const { endpoint } = await s3Server(temp('s3'));
    await roundTrip(
      `[core]\n    remote = s3\n['remote "s3"']\n    url = s3://bucket/some/prefix\n    endpointurl = ${endpoint}\n`,
      `['remote "s3"']\n    access_key_id = S3RVER\n    secret_access_key = S3RVER\n`,
    );
    // s3rver checks the access key but not SigV4 signatures themselves (aws4 computes those).
    const wrong = await workspaceWithOutputs(`['remote "s3"']\n    url = s3://bucket/x\n    endpointurl = ${endpoint}\n    access_key_id = WRONG\n    secret_access_key = S3RVER\n`);
    await assert.rejects(push(wrong.cache, openRemote(resolveRemote(wrong.root, 's3', 'push')), wrong.md5s), /HTTP 403/);
    const anonymous = await workspaceWithOutputs(`['remote "s3"']\n    url = s3://bucket/x\n    endpointurl = ${endpoint}\n    credentialpath = ${join(wrong.root, 'none')}\n`);
    await assert.rejects(push(anonymous.cache, openRemote(resolveRemote(anonymous.root, 's3', 'push')), anonymous.md5s), /HTTP 403.*\nNo S3 credentials were found .*dvc remote modify --local <remote> access_key_id/s, 'no credentials: unsigned requests, refused, and where DVC reads them from');
  });
});

describe('S3 multipart upload', () => {
  const MiB = 1024 * 1024;
  const policy = { partSize: 2 * MiB, partsAtOnce: 2 };

  test('an object from two parts on goes up in parts, streamed, and comes back byte-identical; smaller ones in one PUT', async () => {
    const { endpoint, requests } = await s3Server(temp('s3-mp'));
    const first = await workspaceWithOutputs('');
    writeFileSync(join(first.root, 'big.bin'), Buffer.from(Array.from({ length: 7.5 * MiB }, (_, i) => (i * 7) % 251)));
    const big = await hashPath(join(first.root, 'big.bin'));
    first.cache.save(join(first.root, 'big.bin'), big);
    const storage = () => new S3Storage(new URL('s3://bucket/mp'), { endpointurl: endpoint, access_key_id: 'S3RVER', secret_access_key: 'S3RVER' }, 'mp', policy);
    const pushed = await push(first.cache, storage(), [big.md5, ...first.md5s]);
    assert.equal(pushed.transferred.length, 5);
    const bigKey = `/bucket/mp/files/md5/${big.md5.slice(0, 2)}/${big.md5.slice(2)}`;
    const calls = requests.filter((r) => r.path === bigKey && r.method !== 'HEAD').map((r) => `${r.method} ${r.query}`);
    assert.equal(calls[0], 'POST uploads', 'CreateMultipartUpload');
    assert.deepEqual(calls.slice(1, -1).sort(), ['1', '2', '3', '4'].map((n) => `PUT partNumber=${n}&uploadId=*`), 'four parts of 2 MiB at most');
    assert.equal(calls.at(-1), 'POST uploadId=*', 'CompleteMultipartUpload');
    const model = `/bucket/mp/files/md5/${first.md5s[0]!.slice(0, 2)}/${first.md5s[0]!.slice(2)}`;
    assert.deepEqual(requests.filter((r) => r.path === model && r.method === 'PUT').map((r) => r.query), [''], 'the 3 MiB model (under two parts) in one PUT');
    const clone = freshClone(first.root);
    assert.deepEqual((await pull(clone.cache, storage(), [big.md5, ...first.md5s])).missing, []);
    assert.deepEqual(objects(clone.cache.dir), objects(first.cache.dir));
  });

  test('a part failing for good aborts the upload and fails the push; nothing is left under the key', async () => {
    const { endpoint, requests } = await s3Server(temp('s3-mp-fail'), { fail: (r) => r.method === 'PUT' && r.query.startsWith('partNumber=3&') });
    const first = await workspaceWithOutputs('');
    writeFileSync(join(first.root, 'big.bin'), Buffer.alloc(9 * MiB, 3));
    const big = await hashPath(join(first.root, 'big.bin'));
    first.cache.save(join(first.root, 'big.bin'), big);
    const storage = new S3Storage(new URL('s3://bucket/mp'), { endpointurl: endpoint, access_key_id: 'S3RVER', secret_access_key: 'S3RVER' }, 'mp', policy, quickRetries);
    await assert.rejects(push(first.cache, storage, [big.md5]), /UploadPart .*partNumber=3.*HTTP 500.*\nGave up after 5 attempts \(botocore's legacy retry mode/s);
    const calls = requests.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.query.replace(/^partNumber=\d&/, '')}`);
    assert.equal(calls.at(-1), 'DELETE uploadId=*', 'AbortMultipartUpload, once the parts in flight settled');
    assert.ok(!calls.includes('POST uploadId=*'), 'never completed');
    const puts = requests.filter((r) => r.method === 'PUT');
    assert.equal(puts.filter((r) => r.query.startsWith('partNumber=3&')).length, 5, 'the failing part, tried five times');
    assert.ok(puts.filter((r) => !r.query.startsWith('partNumber=3&')).every((r, i, all) => all.findIndex((o) => o.query === r.query) === i), 'every other part sent once');
    assert.equal(await storage.has(`files/md5/${big.md5.slice(0, 2)}/${big.md5.slice(2)}`), false);
  });
});

describe('retries: transfers survive a dropped connection', () => {
  const MiB = 1024 * 1024;
  const creds = (endpoint: string) => ({ endpointurl: endpoint, access_key_id: 'S3RVER', secret_access_key: 'S3RVER' });
  const keyPath = (prefix: string, md5: string) => `/bucket/${prefix}/files/md5/${md5.slice(0, 2)}/${md5.slice(2)}`;

  /** A workspace with the 3 MiB model, the directory and a 5 MiB `big.bin` (three 2 MiB parts) in its cache. */
  async function withBigObject() {
    const first = await workspaceWithOutputs('');
    writeFileSync(join(first.root, 'big.bin'), Buffer.from(Array.from({ length: 5 * MiB }, (_, i) => (i * 31) % 241)));
    const big = await hashPath(join(first.root, 'big.bin'));
    first.cache.save(join(first.root, 'big.bin'), big);
    return { ...first, big: big.md5, md5s: [big.md5, ...first.md5s] };
  }

  test('S3: a push and a pull through 503 SlowDown, cut uploads and cut downloads end byte-identical; only the failing part is sent again', async () => {
    const { endpoint, requests, faults } = await s3Server(temp('s3-retry'));
    const first = await withBigObject();
    const storage = () => new S3Storage(new URL('s3://bucket/r'), creds(endpoint), 'r', { partSize: 2 * MiB, partsAtOnce: 2 }, quickRetries);
    const big = keyPath('r', first.big);
    const model = keyPath('r', first.md5s[1]!);
    faults.answer(2, (r) => r.method === 'HEAD');
    faults.answer(1, (r) => r.path === big && r.query.startsWith('partNumber=2&'));
    faults.cutRequest(1, (r) => r.path === big && r.query.startsWith('partNumber=3&'), 300 * 1024);
    faults.cutRequest(1, (r) => r.path === model && r.method === 'PUT', MiB);
    assert.equal((await push(first.cache, storage(), first.md5s)).transferred.length, 5);
    const parts = (n: number) => requests.filter((r) => r.path === big && r.query.startsWith(`partNumber=${n}&`)).length;
    assert.deepEqual([parts(1), parts(2), parts(3)], [1, 2, 2], 'parts 2 (503) and 3 (cut) sent twice, part 1 once');
    assert.equal(requests.filter((r) => r.path === model && r.method === 'PUT').length, 2, 'the cut single PUT, sent again whole');

    const clone = freshClone(first.root);
    faults.cutResponse(1, (r) => r.path === big && r.method === 'GET', 1.5 * MiB);
    faults.cutResponse(1, (r) => r.path === big && r.method === 'GET', 100 * 1024);
    faults.cutResponse(1, (r) => r.path === model && r.method === 'GET', 0);
    faults.answer(1, (r) => r.path.endsWith('.dir') && r.method === 'GET', 500, 'InternalError');
    assert.deepEqual((await pull(clone.cache, storage(), first.md5s)).missing, []);
    assert.deepEqual(objects(clone.cache.dir), objects(first.cache.dir), 'byte-identical objects, nothing else in the cache');
    const ranges = requests.filter((r) => r.path === big && r.method === 'GET').map((r) => r.range);
    assert.equal(ranges.length, 3);
    assert.equal(ranges[0], undefined);
    const [second, third] = ranges.slice(1).map((range) => Number(/^bytes=(\d+)-$/.exec(range ?? '')?.[1]));
    assert.ok(second! > 0 && second! <= 1.5 * MiB && third! > second!, `resumed where each body broke off: ${ranges.join(', ')}`);
  });

  test('S3: a failure that lasts ends after the attempts botocore makes (max_attempts of ~/.aws/config), with the reason; a 403 is not sent again', async () => {
    const { endpoint, requests, faults } = await s3Server(temp('s3-retry-fail'));
    const first = await withBigObject();
    const storage = new S3Storage(new URL('s3://bucket/f'), creds(endpoint), 'f', { partSize: 2 * MiB, partsAtOnce: 2 }, quickRetries);
    await push(first.cache, storage, first.md5s);
    const model = keyPath('f', first.md5s[1]!);
    const clone = freshClone(first.root);
    faults.answer(100, (r) => r.path === model && r.method === 'GET');
    await assert.rejects(pull(clone.cache, storage, [first.md5s[1]!]), /^Error: GET s3:\/\/bucket\/f\/files\/md5\/.*: HTTP 503 .*SlowDown.*\nGave up after 5 attempts \(botocore's legacy retry mode, 5 attempts; `max_attempts` in ~\/.aws\/config or AWS_MAX_ATTEMPTS changes it\)\.$/s);
    assert.equal(requests.filter((r) => r.path === model && r.method === 'GET').length, 5);

    const awsConfig = join(temp('aws'), 'config');
    writeFileSync(awsConfig, '[default]\nregion = eu-west-1\nmax_attempts = 2\nretry_mode = standard\n');
    const fromConfig = withEnv({ AWS_CONFIG_FILE: awsConfig }, () => new S3Storage(new URL('s3://bucket/f'), creds(endpoint), 'f', undefined, quickRetries));
    requests.length = 0;
    await assert.rejects(pull(clone.cache, fromConfig, [first.md5s[1]!]), /Gave up after 2 attempts \(botocore's standard retry mode/);
    assert.equal(requests.length, 2);

    requests.length = 0;
    faults.answer(1, (r) => r.path.endsWith('.dir'), 403, 'AccessDenied');
    await assert.rejects(pull(clone.cache, storage, [first.md5s[2]!]), (e: Error) => /HTTP 403/.test(e.message) && !/Gave up/.test(e.message));
    assert.equal(requests.length, 1, 'no second attempt for a refusal');
    assert.deepEqual(fg.sync('**', { cwd: clone.cache.dir }), [], 'no object and no temporary file left behind');
  });

  test('HTTP: a GET cut off restarts whole when the server ignores Range, PUTs are sent again, a POST once (as DVC)', async () => {
    const faults: HttpFaults = { answer503: 0, cutGetAfter: [], cutPut: 0 };
    const { url, requests } = await httpRemoteServer(temp('http-retry'), 'me:secret', faults);
    const first = await withBigObject();
    const storage = (method: string, path = 'store') => new HttpStorage(new URL(`${url}/${path}`), { auth: 'basic', user: 'me', password: 'secret', method }, 'web', quickRetries);
    faults.answer503 = 2;
    faults.cutPut = 1;
    assert.equal((await push(first.cache, storage('PUT'), first.md5s)).transferred.length, 5);
    assert.equal(requests.filter((r) => r === 'PUT').length, 6, 'one PUT cut, sent again');

    const clone = freshClone(first.root);
    faults.cutGetAfter = [MiB, 200 * 1024];
    faults.answer503 = 1;
    assert.deepEqual((await pull(clone.cache, storage('PUT'), first.md5s)).missing, []);
    assert.deepEqual(objects(clone.cache.dir), objects(first.cache.dir));
    assert.deepEqual(faults.cutGetAfter, [], 'both downloads were cut');

    Object.assign(faults, { answer503: 1, only503: 'POST' });
    requests.length = 0;
    await assert.rejects(push(freshCacheWith(first), storage('POST', 'posted'), [first.big]), (e: Error) => /POST .*HTTP 503/.test(e.message) && !/Gave up/.test(e.message));
    assert.deepEqual(requests, ['GET', 'POST'], 'the POST sent once');
    Object.assign(faults, { answer503: 100, only503: undefined });
    await assert.rejects(pull(freshClone(first.root).cache, storage('PUT'), [first.big]), /HTTP 503.*\nGave up after 5 attempts \(5 attempts, as DVC's HTTP remote makes\)/s);
  });

  test('the policies botocore and dvc-http have: attempts, waits, what is worth another attempt', () => {
    const legacy = awsRetryPolicy('legacy');
    const standard = awsRetryPolicy('standard');
    assert.deepEqual([legacy.maxAttempts, standard.maxAttempts, awsRetryPolicy('standard', 7).maxAttempts], [5, 3, 7]);
    for (let i = 0; i < 50; i++) {
      assert.ok(legacy.delaySeconds(1) < 1 && legacy.delaySeconds(4) < 8 && standard.delaySeconds(9) <= 20);
    }
    assert.deepEqual([503, 500, 502, 504, 429, 509].map((s) => legacy.retryableAnswer(s)), [true, true, true, true, true, true]);
    assert.deepEqual([legacy.retryableAnswer(400, 'RequestTimeout'), legacy.retryableAnswer(403, 'AccessDenied'), legacy.retryableAnswer(404)], [true, false, false]);
    assert.deepEqual([standard.retryableAnswer(503, 'SlowDown'), standard.retryableAnswer(400, 'SlowDown'), standard.retryableAnswer(429), standard.retryableAnswer(400, 'InvalidArgument')], [true, true, false, false]);
    assert.deepEqual([DVC_HTTP_RETRY_POLICY.maxAttempts, DVC_HTTP_RETRY_POLICY.retryableAnswer(507), DVC_HTTP_RETRY_POLICY.retryableAnswer(429)], [5, true, false]);
  });
});

describe('with real DVC', { skip: skipWithoutDvc }, () => {
  test('dvc pull reads what we pushed, and we pull what dvc push wrote, to and from a local remote', async () => {
    const ours = temp('ours-remote');
    const first = await workspaceWithOutputs(`[core]\n    remote = store\n['remote "store"']\n    url = ${ours}\n`);
    await push(first.cache, openRemote(resolveRemote(first.root, undefined, 'push')), first.md5s);

    const repo = dvcRepoWithTheSameData();
    dvcOk(repo, ['remote', 'add', '-d', 'store', ours]);
    rmSync(join(repo, '.dvc/cache'), { recursive: true });
    rmSync(join(repo, 'data'), { recursive: true });
    dvcOk(repo, ['pull', '-q']);
    assert.equal(readFileSync(join(repo, 'data/sub/b.txt'), 'utf8'), 'a\n');
    assert.match(dvcOk(repo, ['status', '--cloud']).output, /Cache and remote 'store' are in sync/);

    const theirs = temp('their-remote');
    dvcOk(repo, ['remote', 'add', 'store2', theirs]);
    dvcOk(repo, ['push', '-q', '-r', 'store2']);
    assert.deepEqual(objects(theirs), objects(ours), "dvc push's layout and bytes are ours");
    const clone = freshClone(first.root);
    writeFileSync(join(clone.root, '.dvc/config'), `['remote "theirs"']\n    url = ${theirs}\n`);
    const pulled = await pull(clone.cache, openRemote(resolveRemote(clone.root, 'theirs', 'pull')), first.md5s);
    assert.deepEqual(pulled.missing, []);
    assert.deepEqual(objects(clone.cache.dir), objects(first.cache.dir));
  });
  test('the same on an S3-compatible remote (endpointurl, credentials in config.local), a multipart object included', { skip: skipWithoutDvcS3() }, async () => {
    const s3Dir = temp('s3-dvc');
    const { endpoint } = await s3Server(s3Dir);
    const remoteConfig = (name: string, prefix: string) => `['remote "${name}"']\n    url = s3://bucket/${prefix}\n    endpointurl = ${endpoint}\n`;
    const credentials = (name: string) => `['remote "${name}"']\n    access_key_id = S3RVER\n    secret_access_key = S3RVER\n`;
    const first = await workspaceWithOutputs(`[core]\n    remote = s3\n${remoteConfig('s3', 'ours')}`);
    writeFileSync(join(first.root, '.dvc/config.local'), credentials('s3'));
    writeFileSync(join(first.root, 'big.bin'), Buffer.from(Array.from({ length: 5 * 1024 * 1024 }, (_, i) => (i * 13) % 253)));
    const big = await hashPath(join(first.root, 'big.bin'));
    first.cache.save(join(first.root, 'big.bin'), big);
    const md5s = [...first.md5s, big.md5];
    const remote = resolveRemote(first.root, undefined, 'push');
    const smallParts = new S3Storage(new URL(remote.url), remote.options, 'ours', { partSize: 2 * 1024 * 1024, partsAtOnce: 2 });
    assert.equal((await push(first.cache, smallParts, md5s)).transferred.length, 5);

    const repo = dvcRepoWithTheSameData();
    writeFileSync(join(repo, 'big.bin'), readFileSync(join(first.root, 'big.bin')));
    dvcOk(repo, ['add', '-q', 'big.bin']);
    writeFileSync(join(repo, '.dvc/config'), `[core]\n    remote = s3\n${remoteConfig('s3', 'ours')}${remoteConfig('theirs', 'theirs')}`);
    writeFileSync(join(repo, '.dvc/config.local'), credentials('s3') + credentials('theirs'));
    rmSync(join(repo, '.dvc/cache'), { recursive: true });
    rmSync(join(repo, 'data'), { recursive: true });
    rmSync(join(repo, 'big.bin'));
    await dvcOkAsync(repo, ['pull', '-q']);
    assert.equal(readFileSync(join(repo, 'data/sub/b.txt'), 'utf8'), 'a\n');
    assert.deepEqual(readFileSync(join(repo, 'big.bin')), readFileSync(join(first.root, 'big.bin')), 'real DVC reads our multipart upload');
    assert.match((await dvcOkAsync(repo, ['status', '--cloud'])).output, /Cache and remote 's3' are in sync/);

    await dvcOkAsync(repo, ['push', '-q', '-r', 'theirs']);
    assert.deepEqual(s3Objects(s3Dir, 'theirs'), s3Objects(s3Dir, 'ours'), "dvc push's keys and bytes are ours");
    const clone = freshClone(first.root);
    writeFileSync(join(clone.root, '.dvc/config'), remoteConfig('theirs', 'theirs'));
    // no credentials in the clone's config: the AWS variables, as botocore reads them
    const theirs = openRemoteWithEnv(resolveRemote(clone.root, 'theirs', 'pull'), { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
    assert.deepEqual((await pull(clone.cache, theirs, md5s)).missing, []);
    assert.deepEqual(objects(clone.cache.dir), objects(first.cache.dir));
  });
});

/** A DVC repository (git, dvc init) holding the same files as `workspaceWithOutputs`, `dvc add`ed. */
function dvcRepoWithTheSameData(): string {
  const repo = temp('dvc-repo');
  execFileSync('git', ['init', '-q'], { cwd: repo });
  dvcOk(repo, ['init', '-q']);
  mkdirSync(join(repo, 'data/sub'), { recursive: true });
  writeFileSync(join(repo, 'model.bin'), Buffer.alloc(3 * 1024 * 1024, 7));
  writeFileSync(join(repo, 'data/a.txt'), 'a\n');
  writeFileSync(join(repo, 'data/sub/b.txt'), 'a\n');
  writeFileSync(join(repo, 'data/c.txt'), 'c\n');
  dvcOk(repo, ['add', '-q', 'model.bin', 'data']);
  return repo;
}

/** The objects s3rver holds under `bucket/<prefix>/` (it stores each as `<key>._S3rver_object`), by key. */
function s3Objects(s3Dir: string, prefix: string): Record<string, string> {
  const cwd = join(s3Dir, 'bucket', prefix);
  return Object.fromEntries(fg.sync('**/*._S3rver_object', { cwd }).sort().map((p) => [p.replace(/\._S3rver_object$/, ''), readFileSync(join(cwd, p), 'latin1')]));
}

function openRemoteWithEnv(remote: RemoteConfig, env: Record<string, string>) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return openRemote(remote);
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}

/** Trouble the loopback HTTP server makes on demand (it never honours Range, as a plain static server). */
interface HttpFaults {
  /** The next requests answered 503 (only those of `only503`'s method, when set). */
  answer503: number;
  only503?: string;
  /** The next GETs of an object lose their connection after these many bytes, one entry each. */
  cutGetAfter: number[];
  /** The next PUTs lose their connection after 100 KiB of the upload. */
  cutPut: number;
}

/** A loopback HTTP server storing what is POSTed or PUT under a directory, with basic auth. */
async function httpRemoteServer(dir: string, userPassword: string, faults?: HttpFaults): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server: Server = createServer(async (req, res) => {
    requests.push(req.method!);
    if (req.headers.authorization !== `Basic ${Buffer.from(userPassword).toString('base64')}`) return void res.writeHead(401).end();
    if (faults && faults.answer503 > 0 && (!faults.only503 || faults.only503 === req.method)) {
      faults.answer503--;
      req.resume();
      return void res.writeHead(503).end('busy');
    }
    const path = join(dir, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
    if (req.method === 'GET') {
      if (!existsSync(path)) return void res.writeHead(404).end();
      const size = statSync(path).size;
      res.writeHead(200, { 'Content-Length': size });
      const cut = faults?.cutGetAfter[0];
      if (cut !== undefined && size > cut) {
        faults!.cutGetAfter.shift();
        return void res.write(readFileSync(path).subarray(0, cut), () => res.socket?.destroy());
      }
      return void (await pipeline(createReadStream(path), res).catch(() => undefined)); // existence checks hang up early
    }
    if (req.method === 'PUT' && faults && faults.cutPut > 0) {
      faults.cutPut--;
      let received = 0;
      req.on('end', () => req.socket.destroy());
      return void req.on('data', (chunk: Buffer) => (received += chunk.length) >= 100 * 1024 && req.socket.destroy());
    }
    mkdirSync(dirname(path), { recursive: true });
    await pipeline(req, createWriteStream(path));
    res.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** A cache holding the same objects as `first`, in a workspace of its own. */
function freshCacheWith(first: { root: string; cache: DvcCache }): DvcCache {
  const clone = freshClone(first.root);
  cpSync(first.cache.dir, clone.cache.dir, { recursive: true });
  return clone.cache;
}

function withEnv<T>(env: Record<string, string>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}

async function s3Server(dir: string, options: S3ServerOptions = {}): Promise<S3Server> {
  const server = await startS3Server(dir, options);
  servers.push(server);
  return server;
}

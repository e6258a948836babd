#!/usr/bin/env node
// Data at DVC scale (issue 16): a stage with one large output, in a DVC repository (outputs in DVC's
// cache, Nx caches the record) and, beside it, today's path (no `.dvc/`: Nx carries the data). Every
// figure next to its baseline measured in the same run. Writes tools/bench/report-data.md (gitignored)
// and, with --json, the rows and that markdown for the suite's REPORT.md. It never fails on a slow result.
//
//   npm run build && node --import tsx tools/bench/data.mjs [--mib 1024] [--restore-mib 10240] [--clone-mib 5120]
//       [--runs 3] [--large-runs 2] [--only run,push,today,restore,clone] [--cache warm|cold|warm,cold]
//
// --mib: every row of the selected groups, both paths. --restore-mib: more sizes for the local restores
// (copy, hardlink, symlink), DVC side only. --clone-mib: more sizes for the fresh clone, DVC side only.
// --only: the groups of rows to measure (default all): `run` (disk, artifact), `push`, `today` (today's
// path, at --mib), `restore`, `clone`; with --only, --mib counts only when given, e.g.
// `--only restore,clone --restore-mib 1024,10240 --clone-mib 1024`.
// --runs: repetitions of every restore and fetch pair (medians); --large-runs: the same from 4 GiB on.
// --cache cold: the page cache is dropped before every timed side (root, /proc/sys/vm/drop_caches writable).
// The stage is `cp <random seed file> big.bin`; the DVC remote is s3rver (S3 API, on disk) on
// 127.0.0.1, Nx's remote cache the self-hosted API server the e2e tests use, both in this process.
// Fair pairs: before every timed side (ours or the baseline) the previous side's output is deleted and
// `sync` run, so that neither pays the other's writeback; which side goes first alternates across runs.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import S3rver from 's3rver';
import { RemoteCacheServer } from '../support/remote-cache-server.ts';
import { cloneWorkspace, createWorkspace, NX_ENV, taskStatus } from '../support/workspace.ts';
import { describeMachine, formatKiB, formatMs, median, parseArgs, timedCommand, writeJsonResult } from './measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const HOOK = join(here, 'process-hook.cjs');
const args = parseArgs(process.argv.slice(2));
const listOf = (value) => (value === undefined || value === true || value === false ? [] : String(value).split(',').filter(Boolean));
const sizesOf = (value) => listOf(value).map(Number);
const GROUPS = ['run', 'push', 'today', 'restore', 'clone'];
const ONLY = onlyGroups(args.only);
const MIB = Number(args.mib ?? 1024);
const RESTORE_MIB = sizesOf(args['restore-mib']);
const CLONE_MIB = sizesOf(args['clone-mib']);
const RUNS = Number(args.runs ?? 1);
const LARGE_MIB = 4096;
const LARGE_RUNS = Number(args['large-runs'] ?? RUNS);
const S3_KEY = 'S3RVER'; // s3rver's built-in account; it checks the key id, aws4 and curl sign alike
const DROP_CACHES = '/proc/sys/vm/drop_caches';
const started = performance.now();

const machine = describeMachine();
const cache = pageCacheModes(listOf(args.cache ?? 'warm'));
const result = { machine, mib: MIB, runs: RUNS, largeRuns: LARGE_RUNS, only: [...ONLY], cache, sizes: [] };
try {
  for (const [mib, groups] of plannedSizes()) result.sizes.push(await measureSize(mib, groups));
} catch (error) {
  result.error = String(error?.stack ?? error);
  throw error;
} finally {
  result.markdown = renderReport(result);
  writeFileSync(join(here, 'report-data.md'), `# Data at DVC scale\n\n${result.markdown}`);
  writeJsonResult(args.json, result);
  console.log(result.markdown);
}

function onlyGroups(value) {
  const groups = value === undefined ? GROUPS : listOf(value);
  const unknown = groups.filter((g) => !GROUPS.includes(g));
  if (unknown.length) throw new Error(`--only: unknown group(s) ${unknown.join(', ')}; the groups are ${GROUPS.join(', ')}`);
  return new Set(groups);
}

/** Output size → the groups of rows measured at it: --mib every selected group, the other sizes theirs. */
function plannedSizes() {
  const plan = new Map();
  const add = (mib, groups) => {
    const wanted = groups.filter((g) => ONLY.has(g));
    if (wanted.length) plan.set(mib, new Set([...(plan.get(mib) ?? []), ...wanted]));
  };
  if (args.only === undefined || args.mib !== undefined) add(MIB, GROUPS);
  for (const mib of RESTORE_MIB) add(mib, ['restore']);
  for (const mib of CLONE_MIB) add(mib, ['clone']);
  if (!plan.size) throw new Error('nothing to measure: --only names groups measured at no size (give --mib, --restore-mib or --clone-mib)');
  return [...plan].sort(([a], [b]) => a - b);
}

/** `warm` and/or `cold`; `cold` only where this process may drop the page cache, else said in the report. */
function pageCacheModes(modes) {
  const unknown = modes.filter((m) => m !== 'warm' && m !== 'cold');
  if (unknown.length || !modes.length) throw new Error(`--cache: warm, cold or warm,cold (got ${modes.join(',')})`);
  if (!modes.includes('cold')) return { modes, coldRefused: undefined };
  try {
    writeFileSync(DROP_CACHES, '3\n');
    return { modes };
  } catch (error) {
    return { modes: modes.filter((m) => m !== 'cold'), coldRefused: `${DROP_CACHES}: ${error.code ?? error.message}` };
  }
}

/**
 * Before a timed side: its predecessor's output is already deleted; `sync` writes back every dirty
 * page (so this side does not pay for the last one's), and in `cold` mode the page cache is dropped.
 */
function settle(mode) {
  spawnSync('sync');
  if (mode === 'cold') writeFileSync(DROP_CACHES, '3\n');
}

function runsAt(mib) {
  return mib >= LARGE_MIB ? LARGE_RUNS : RUNS;
}

/** Everything measured at one output size: the DVC side, and today's path when asked. */
async function measureSize(mib, groups) {
  const scratch = mkdtempSync(join(os.tmpdir(), 'nx-dvc-bench-data-'));
  const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(scratch, 's3'), configureBuckets: [{ name: 'bucket', configs: [] }] });
  const endpoint = `http://127.0.0.1:${(await s3.run()).port}`;
  const seed = join(scratch, 'seed.bin');
  const want = { groups, runs: runsAt(mib) };
  try {
    log(`${mib} MiB (${[...groups].join(', ')}; ${want.runs} run(s)): writing the seed file`);
    spawnSync('sh', ['-c', `head -c ${mib * 2 ** 20} /dev/urandom > '${seed}'`], { stdio: 'inherit' });
    const out = { mib, groups: [...groups], runs: want.runs, fs: fileSystemOf(scratch) };
    if (groups.has('today')) out.today = await todaySide(mib, seed, scratch, want.runs);
    out.dvc = await dvcSide(mib, seed, endpoint, scratch, want);
    return out;
  } finally {
    await s3.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** In a DVC repository: run (and push), restore with each cache.type, a fresh clone from both remotes. */
async function dvcSide(mib, seed, endpoint, scratch, { groups, runs }) {
  const nxServer = new RemoteCacheServer(join(scratch, 'nx-dvc-artifacts'), 'token');
  const nxUrl = await nxServer.start();
  // the fresh clone needs the object on the DVC remote: pushed by the run
  const push = groups.has('push') || groups.has('clone');
  const a = createWorkspace({
    plugins: [{ plugin: 'nx-dvc', options: { dvcPush: push } }],
    files: {
      'pipe/dvc.yaml': stageYaml(seed),
      '.dvc/config': `[core]\n    remote = s3\n['remote "s3"']\n    url = s3://bucket/dvc\n    endpointurl = ${endpoint}\n`,
      '.dvc/.gitignore': '/config.local\n/tmp\n/cache\n',
    },
  });
  const env = (ws) => ({ ...remoteEnv(nxUrl, ws), AWS_ACCESS_KEY_ID: S3_KEY, AWS_SECRET_ACCESS_KEY: S3_KEY });
  const side = { restores: {} };
  try {
    // where the disk is not measured, `copy` first spares the run relinking the output (one more full copy)
    if (!groups.has('run')) setCacheType(a, 'copy');
    const before = allocatedBytes(a.root);
    side.run = await nx(a, ['run', 'pipe:repro'], env(a), 'ran');
    rmSync(seed); // no longer needed: at 10 GiB, disk space counts
    if (groups.has('run')) {
      side.disk = diskAfterRun(a, before);
      side.artifactBytes = largestFile(join(scratch, 'nx-dvc-artifacts'));
    }
    const object = cacheObjectOf(a);
    if (groups.has('push')) {
      settle('warm');
      side.curlUpload = await curl(['-T', object, `${endpoint}/bucket/baseline/upload.bin`]);
    }
    a.commitAll('ran');
    if (groups.has('restore')) {
      for (const mode of cache.modes) side.restores[`copy ${mode}`] = await localRestores(a, 'copy', object, env(a), scratch, runs, mode);
      for (const type of ['hardlink', 'symlink']) side.restores[type] = await localRestores(a, type, object, env(a), scratch, runs, 'warm');
    }
    if (groups.has('clone')) {
      side.clones = {};
      for (const mode of cache.modes) side.clones[mode] = await freshClones(a, env, `${endpoint}/bucket/dvc/files/md5/${md5Key(a)}`, scratch, mib, runs, mode);
    }
    return side;
  } finally {
    a.cleanup();
    await nxServer.stop();
  }
}

/** Without `.dvc/`: Nx carries the output in its local and remote caches. */
async function todaySide(mib, seed, scratch, runs) {
  const nxServer = new RemoteCacheServer(join(scratch, 'today-artifacts'), 'token');
  const nxUrl = await nxServer.start();
  const t = createWorkspace({ files: { 'pipe/dvc.yaml': stageYaml(seed) } });
  const side = {};
  try {
    const before = allocatedBytes(t.root);
    side.run = await nx(t, ['run', 'pipe:repro'], remoteEnv(nxUrl, t), 'ran');
    side.disk = diskAfterRun(t, before);
    side.artifactBytes = largestFile(join(scratch, 'today-artifacts'));
    t.commitAll('ran');
    side.restores = [];
    for (let i = 0; i < runs; i++) {
      t.remove('pipe/big.bin');
      settle('warm');
      side.restores.push(await nx(t, ['run', 'pipe:repro'], remoteEnv(nxUrl, t), 'local cache'));
    }
    side.clones = [];
    for (let i = 0; i < runs; i++) side.clones.push(await freshClone(t, (ws) => remoteEnv(nxUrl, ws), mib, { settle: () => settle('warm') }));
    return side;
  } finally {
    t.cleanup();
    await nxServer.stop();
  }
}

function stageYaml(seed) {
  return `stages:\n  big:\n    cmd: cp '${seed}' big.bin\n    outs: [big.bin]\n`;
}

function remoteEnv(url, ws) {
  return { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 'token', NX_CACHE_DIRECTORY: ws.path('.nx/cache') };
}

/** `cache.type` in `.dvc/config.local`: not a task input, so Nx's hit stays a hit. */
function setCacheType(ws, type) {
  writeFileSync(ws.path('.dvc/config.local'), `[cache]\n    type = ${type}\n`);
}

/**
 * Pairs of sides, the order alternating: `cp` of the cache object (with `copy` only), and deleting the
 * output then restoring it from Nx's local cache (the record) and DVC's cache (the data). After ours,
 * with the output in place: the next command (it pays whatever the restore left to do, such as hashing
 * the new file) and the same once more, Nx's own floor.
 */
async function localRestores(ws, type, object, env, scratch, runs, mode) {
  setCacheType(ws, type);
  const cpTarget = join(scratch, 'cp-baseline.bin');
  const pairs = [];
  for (let i = 0; i < runs; i++) {
    const pair = { first: type !== 'copy' ? 'ours' : i % 2 === 0 ? 'cp' : 'ours' };
    const sides = {
      cp: async () => {
        pair.cp = await timedCp(object, cpTarget);
      },
      ours: async () => {
        pair.run = await nx(ws, ['run', 'pipe:repro'], env, 'local cache');
        pair.run.linkedAs = linkTypeOf(ws.path('pipe/big.bin'), object);
        if (pair.run.linkedAs !== type) throw new Error(`cache.type ${type}: the output was checked out as ${pair.run.linkedAs}`);
        settle(mode);
        pair.next = await nx(ws, ['run', 'pipe:repro'], env, 'local cache');
        settle(mode);
        pair.floor = await nx(ws, ['run', 'pipe:repro'], env, 'local cache');
      },
    };
    const order = type !== 'copy' ? ['ours'] : pair.first === 'cp' ? ['cp', 'ours'] : ['ours', 'cp'];
    for (const name of order) {
      rmSync(cpTarget, { force: true });
      ws.remove('pipe/big.bin');
      settle(mode);
      await sides[name]();
    }
    pairs.push(pair);
  }
  rmSync(cpTarget, { force: true });
  return { mode, pairs };
}

/**
 * Pairs of sides, the order alternating: `curl` GET of the object into a file, and a fresh clone
 * (Nx's remote hit, the DVC remote's fetch, the checkout). Then Nx's floor for a fresh clone: the
 * same with the object already in the clone's DVC cache (hard-linked in) and `cache.type = hardlink`.
 */
async function freshClones(source, env, objectUrl, scratch, mib, runs, mode) {
  const curlTarget = join(scratch, 'curl-download.bin');
  const pairs = [];
  for (let i = 0; i < runs; i++) {
    const pair = { first: i % 2 === 0 ? 'curl' : 'ours' };
    const sides = {
      curl: async () => {
        settle(mode);
        pair.curl = await curl(['-o', curlTarget, objectUrl]);
        rmSync(curlTarget, { force: true });
      },
      ours: async () => {
        pair.run = await freshClone(source, env, mib, { settle: () => settle(mode) });
      },
    };
    // each side deletes its output when done (the clone with its workspace), before the other's `sync`
    for (const name of pair.first === 'curl' ? ['curl', 'ours'] : ['ours', 'curl']) await sides[name]();
    pair.floor = await freshClone(source, env, mib, { settle: () => settle(mode), objectAlreadyIn: cacheObjectOf(source) });
    pairs.push(pair);
  }
  return { mode, pairs };
}

/** A `git clone` with empty Nx and DVC caches: the record from Nx's remote cache, the data from the DVC remote. */
async function freshClone(source, env, mib, { settle: before, objectAlreadyIn } = {}) {
  const b = cloneWorkspace(source);
  try {
    if (objectAlreadyIn) {
      const target = b.path('.dvc/cache/files/md5', md5Key(source));
      mkdirSync(dirname(target), { recursive: true });
      linkSync(objectAlreadyIn, target);
      setCacheType(b, 'hardlink');
    }
    before?.();
    const run = await nx(b, ['run', 'pipe:repro'], env(b), 'remote cache');
    const expected = md5Key(source)?.replace('/', '');
    run.intact = mib <= 1024 && expected ? (await md5(b.path('pipe/big.bin'))) === expected : statSync(b.path('pipe/big.bin')).size === mib * 2 ** 20;
    if (!run.intact) throw new Error('the fresh clone restored different bytes');
    return run;
  } finally {
    b.cleanup();
  }
}

/** One `nx` command under GNU time and the process hook: wall, peak RSS, nx-dvc's measures (checkout, fetch, push). */
async function nx(ws, argv, env, expected) {
  const runDir = mkdtempSync(join(os.tmpdir(), 'nx-dvc-bench-data-run-'));
  try {
    const r = await timedCommand(ws.path('node_modules/.bin/nx'), [...argv, '--output-style=static'], {
      cwd: ws.root,
      env: { ...process.env, ...NX_ENV, ...env, NODE_OPTIONS: `--require ${HOOK}`, NX_DVC_BENCH_RUN_DIR: runDir },
    });
    const output = r.stdout + r.stderr;
    const status = taskStatus(output, 'pipe--big:repro');
    if (r.code !== 0 || status !== expected) throw new Error(`nx ${argv.join(' ')} in ${ws.root}: exit ${r.code}, pipe--big ${status} (expected ${expected})\n${output.slice(-3000)}`);
    const processes = await processRecords(runDir);
    // GNU time sees only the processes Nx waits for; the hook sees every Node process of the command
    const largest = Math.max(r.maxRssKiB, ...processes.map((p) => p.maxRssKiB ?? 0));
    return { ms: r.ms, maxRssKiB: largest, treeRssKiB: Math.max(r.treeRssKiB, largest), measures: measuresOf(processes), workerRssKiB: rssOfProcessWith(processes, 'nx-dvc:checkout-hits') };
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

/** The hook's records; plugin workers may exit just after Nx, so wait for every started process. */
async function processRecords(dir) {
  const pending = () => readdirSync(dir).filter((f) => f.endsWith('.start') && !readdirSync(dir).includes(f.replace(/\.start$/, '.json')));
  for (let i = 0; i < 100 && pending().length; i++) await new Promise((ok) => setTimeout(ok, 50));
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
}

function measuresOf(processes) {
  const ms = {};
  for (const p of processes) for (const [name, m] of Object.entries(p.measures ?? {})) if (name.startsWith('nx-dvc:')) ms[name] = (ms[name] ?? 0) + m.ms;
  return ms;
}

function rssOfProcessWith(processes, measure) {
  return processes.find((p) => p.measures?.[measure])?.maxRssKiB;
}

/** `cp` of the object to a new file (left in place: the next side deletes it before its `sync`). */
async function timedCp(object, target) {
  const r = await timedCommand('cp', [object, target]);
  if (r.code !== 0) throw new Error(`cp failed: ${r.stderr}`);
  return { ms: r.ms, maxRssKiB: r.maxRssKiB };
}

/** curl with SigV4 as nx-dvc signs (unsigned payload), so both sides ask s3rver the same way. */
async function curl(argv) {
  const r = await timedCommand('curl', ['-sS', '--fail', '--aws-sigv4', 'aws:amz:us-east-1:s3', '--user', `${S3_KEY}:${S3_KEY}`, '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD', ...argv]);
  if (r.code !== 0) throw new Error(`curl ${argv.join(' ')}: exit ${r.code} ${r.stderr}`);
  return { ms: r.ms, maxRssKiB: r.maxRssKiB };
}
// --- disk --------------------------------------------------------------------------------

/** Blocks allocated under a folder (`du`, hard links counted once, symlinks not followed). */
function allocatedBytes(dir) {
  const r = spawnSync('du', ['-s', '-B1', dir], { encoding: 'utf8' });
  return Number(r.stdout.split('\t')[0]);
}

/** Workspace + `.dvc/cache` + Nx's cache after the run, minus the workspace before and minus the output itself. */
function diskAfterRun(ws, before) {
  const outputBytes = lstatSync(ws.path('pipe/big.bin')).blocks * 512;
  const after = allocatedBytes(ws.root);
  const part = (p) => (lstatSync(ws.path(p), { throwIfNoEntry: false }) ? allocatedBytes(ws.path(p)) : 0);
  return { extraBytes: after - before - outputBytes, outputBytes, dvcCacheBytes: part('.dvc/cache'), nxCacheBytes: part('.nx/cache'), linkedAs: linkTypeOf(ws.path('pipe/big.bin'), cacheObjectOrUndefined(ws)) };
}

function fileSystemOf(dir) {
  const type = spawnSync('df', ['--output=fstype', dir], { encoding: 'utf8' }).stdout.split('\n')[1]?.trim() ?? 'unknown';
  const probe = join(dir, 'reflink-probe');
  writeFileSync(probe, 'x');
  const reflink = spawnSync('cp', ['--reflink=always', probe, `${probe}.clone`]).status === 0;
  return { type, reflink };
}

function linkTypeOf(path, object) {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return 'symlink';
  if (object && st.nlink > 1 && st.ino === statSync(object).ino) return 'hardlink';
  return 'copy';
}

function cacheObjectOf(ws) {
  const object = cacheObjectOrUndefined(ws);
  if (!object) throw new Error(`no DVC cache object for pipe/big.bin in ${ws.root}`);
  return object;
}

function cacheObjectOrUndefined(ws) {
  const md5 = md5Key(ws);
  return md5 ? ws.path('.dvc/cache/files/md5', md5) : undefined;
}

/** `ab/cdef…` of the output's md5 in dvc.lock. */
function md5Key(ws) {
  const md5 = /md5: ([0-9a-f]{32})/.exec(readFileSync(ws.path('pipe/dvc.lock'), 'utf8'))?.[1];
  return md5 && `${md5.slice(0, 2)}/${md5.slice(2)}`;
}

function largestFile(dir) {
  return Math.max(0, ...readdirSync(dir).map((f) => statSync(join(dir, f)).size));
}

function md5(file) {
  return new Promise((resolve, reject) => {
    const hash = createHash('md5');
    createReadStream(file).on('data', (d) => hash.update(d)).on('end', () => resolve(hash.digest('hex'))).on('error', reject);
  });
}

function log(message) {
  console.error(`[data ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
}

// --- report ------------------------------------------------------------------------------

/** The issue's table: figure, nx-dvc with DVC's cache, the baseline of the same run, ratio, goal, today's path. */
function renderReport(r) {
  const measured = r.sizes.filter((s) => s.dvc);
  if (!measured.length) return `The data benchmark did not finish:\n\n\`\`\`\n${r.error ?? 'no result'}\n\`\`\`\n`;
  const first = measured[0];
  const afterRun = measured.find((s) => s.dvc.disk);
  const lines = [
    `${r.machine.date.slice(0, 10)}, ${r.machine.cores}-core ${r.machine.cpuModel}, ${r.machine.ramGiB.toFixed(1)} GiB, ${r.machine.node}; load average at the start ${r.machine.loadavg.map((x) => x.toFixed(2)).join(', ')}.`,
    `File system: ${first.fs.type}, reflink ${first.fs.reflink ? 'supported' : 'not supported'}: DVC's default \`cache.type\` (\`reflink,copy\`) ${first.fs.reflink ? 'reflinks' : 'falls back to `copy`'}${afterRun ? ` (the output after the run was a ${afterRun.dvc.disk.linkedAs})` : ''}.`,
    `${pageCacheText(r.cache)} Groups measured: ${r.only.join(', ')}; runs (pairs) per size: ${measured.map((s) => `${size(s.mib)} ${s.runs}`).join(', ')}.${r.error ? ' **The run stopped early**: the rows are those of the sizes it finished.' : ''}`,
    '',
    "| figure | nx-dvc (DVC's cache) | baseline (same run) | ratio | goal | met? | today's path (Nx carries the data) | peak RSS, ours: largest process / whole tree |",
    '|---|---:|---:|---:|---|:---:|---:|---:|',
    ...dataRows(measured).map((x) => `| ${x.figure} | ${x.ours} | ${x.baseline} | ${x.ratio} | ${x.goal} | ${metText(x.met)} | ${x.today ?? '—'} | ${x.rss ?? ''} |`),
    '',
    ...notes(measured),
  ];
  return lines.join('\n') + '\n';
}

function pageCacheText(cache) {
  const modes = cache.modes.map((m) => (m === 'warm' ? 'warm (not dropped)' : `cold (dropped through ${DROP_CACHES} before every timed side)`)).join(' and ');
  const refused = cache.coldRefused ? ` A cold-cache variant was asked for but is not permitted here (${cache.coldRefused}).` : '';
  return `Page cache for both sides of every pair: ${modes}.${refused}`;
}

/** The rows, for this report and the suite's. */
function dataRows(sizes) {
  const rows = [];
  const main = sizes.find((s) => s.dvc.disk);
  if (main) rows.push(diskRow(main));
  for (const s of sizes) {
    for (const restore of Object.values(s.dvc.restores ?? {}).filter((x) => x.pairs[0].cp)) rows.push(...copyRestoreRows(s, restore, s.today));
  }
  for (const type of ['hardlink', 'symlink']) for (const s of sizes.filter((x) => x.dvc.restores?.[type])) rows.push(linkRestoreRow(s, type));
  for (const s of sizes) for (const clones of Object.values(s.dvc.clones ?? {})) rows.push(...cloneRows(s, clones, s.today));
  for (const s of sizes.filter((x) => x.dvc.curlUpload)) rows.push(pushRow(s));
  if (main) rows.push(artifactRow(main));
  return rows;
}

function diskRow(s) {
  const d = s.dvc.disk;
  return {
    figure: `extra disk after running a stage with a ${size(s.mib)} output, default \`cache.type\` (workspace + \`.dvc/cache\` + \`.nx/cache\`, allocated blocks, minus the output)`,
    ours: bytes(d.extraBytes),
    baseline: `the output itself: ${bytes(d.outputBytes)}`,
    ratio: times(d.extraBytes / d.outputBytes),
    goal: '≤ 1.05× (1.05 GiB for 1 GiB)',
    met: d.extraBytes / d.outputBytes <= 1.05,
    today: s.today ? `${bytes(s.today.disk.extraBytes)} (${times(s.today.disk.extraBytes / s.today.disk.outputBytes)})` : undefined,
  };
}

/** The checkout itself against `cp` (the goal), and the whole `nx run` against `cp` + Nx's floor beside it. */
function copyRestoreRows(s, { mode, pairs }, today) {
  const checkout = pairs.map((p) => p.run.measures['nx-dvc:checkout-hits']);
  const cp = pairs.map((p) => p.cp.ms);
  const floor = pairs.map((p) => p.floor.ms);
  const checkoutRatio = median(pairs.map((p, i) => checkout[i] / cp[i]));
  const runRatio = median(pairs.map((p, i) => p.run.ms / (cp[i] + floor[i])));
  const largest = Math.max(...pairs.map((p) => p.run.maxRssKiB));
  const what = `local restore of a ${size(s.mib)} output after deleting it, \`cache.type = copy\`, ${mode} page cache, ${runsText(pairs)}`;
  return [
    {
      figure: `${what}: the checkout itself (\`nx-dvc:checkout-hits\`)`,
      ours: formatMs(median(checkout)),
      baseline: `\`cp\` of the same file: ${formatMs(median(cp))}`,
      ratio: `${times(checkoutRatio)} (${pairRatios(pairs, (p) => p.run.measures['nx-dvc:checkout-hits'] / p.cp.ms)})`,
      goal: '≤ 1.2×; peak RSS < 250 MiB',
      met: verdict({ 'the checkout': checkoutRatio <= 1.2, RSS: largest < 250 * 1024 }),
      today: today && mode === 'warm' ? `\`nx run\` ${formatMs(median(today.restores.map((x) => x.ms)))} (${times(median(today.restores.map((x) => x.ms)) / median(cp))} of \`cp\`), peak RSS ${rssPair(today.restores)}` : undefined,
      rss: `${rssPair(pairs.map((p) => p.run))} (checkout process ${workerRss(pairs.map((p) => p.run))}); nothing to check out: ${rssPair(pairs.map((p) => p.floor))}`,
    },
    {
      figure: `the same, the whole \`nx run\` (start-up included), beside \`cp\` + Nx's own floor`,
      ours: `${formatMs(median(pairs.map((p) => p.run.ms)))}; the next command, output in place: ${formatMs(median(pairs.map((p) => p.next.ms)))}`,
      baseline: `\`cp\` ${formatMs(median(cp))} + floor ${formatMs(median(floor))} (the same command with nothing to check out)`,
      ratio: `${times(runRatio)} (${pairRatios(pairs, (p) => p.run.ms / (p.cp.ms + p.floor.ms))})`,
      goal: 'beside: the goal is judged on the checkout',
      met: undefined,
    },
  ];
}

function linkRestoreRow(s, type) {
  const { pairs } = s.dvc.restores[type];
  const checkout = median(pairs.map((p) => p.run.measures['nx-dvc:checkout-hits']));
  return {
    figure: `the same, ${size(s.mib)}, \`cache.type = ${type}\`, warm page cache, ${runsText(pairs)}: wall of the checkout itself`,
    ours: `${formatMs(checkout)} (\`nx run\`: ${formatMs(median(pairs.map((p) => p.run.ms)))}; the next command ${formatMs(median(pairs.map((p) => p.next.ms)))}; Nx's floor ${formatMs(median(pairs.map((p) => p.floor.ms)))})`,
    baseline: '—',
    ratio: '',
    goal: '< 150 ms',
    met: checkout < 150,
    rss: rssPair(pairs.map((p) => p.run)),
  };
}

/** The fetch itself against `curl` (the goal), and the whole fresh-clone `nx run` against `curl` + Nx's floor beside it. */
function cloneRows(s, { mode, pairs }, today) {
  const fetch = pairs.map((p) => p.run.measures['nx-dvc:fetch']);
  const curlMs = pairs.map((p) => p.curl.ms);
  const floor = pairs.map((p) => p.floor.ms);
  const fetchRatio = median(pairs.map((p, i) => fetch[i] / curlMs[i]));
  const runRatio = median(pairs.map((p, i) => p.run.ms / (curlMs[i] + floor[i])));
  const largest = Math.max(...pairs.map((p) => p.run.maxRssKiB));
  const checkout = pairs.map((p) => p.run.measures['nx-dvc:checkout-hits'] - p.run.measures['nx-dvc:fetch']);
  const what = `fresh clone: Nx remote hit + DVC remote fetch of a ${size(s.mib)} output (s3rver on 127.0.0.1), ${mode} page cache, ${runsText(pairs)}`;
  return [
    {
      figure: `${what}: the fetch itself (\`nx-dvc:fetch\`)`,
      ours: formatMs(median(fetch)),
      baseline: `\`curl\` GET of the same object: ${formatMs(median(curlMs))}`,
      ratio: `${times(fetchRatio)} (${pairRatios(pairs, (p) => p.run.measures['nx-dvc:fetch'] / p.curl.ms, 'curl')})`,
      goal: '≤ 1.5×; peak RSS < 300 MiB',
      met: verdict({ 'the fetch': fetchRatio <= 1.5, RSS: largest < 300 * 1024 }),
      today: today && mode === 'warm' ? `\`nx run\` ${formatMs(median(today.clones.map((x) => x.ms)))} from Nx's remote cache, peak RSS ${rssPair(today.clones)}` : undefined,
      rss: `${rssPair(pairs.map((p) => p.run))} (fetch and checkout process ${workerRss(pairs.map((p) => p.run))})`,
    },
    {
      figure: `the same, the whole \`nx run\` (start-up, Nx's remote hit, fetch, checkout), beside \`curl\` + Nx's own floor`,
      ours: `${formatMs(median(pairs.map((p) => p.run.ms)))}; of which the checkout after the fetch ${formatMs(median(checkout))}`,
      baseline: `\`curl\` ${formatMs(median(curlMs))} + floor ${formatMs(median(floor))} (the same fresh clone, object already in DVC's cache, \`hardlink\`)`,
      ratio: `${times(runRatio)} (${pairRatios(pairs, (p) => p.run.ms / (p.curl.ms + p.floor.ms), 'curl')})`,
      goal: 'beside: the goal is judged on the fetch',
      met: undefined,
    },
  ];
}

function pushRow(s) {
  const push = s.dvc.run.measures['nx-dvc:push'];
  return {
    figure: `push of a ${size(s.mib)} output to that remote (\`dvcPush\`), one run`,
    ours: `${formatMs(push)} (run + push + record upload: ${formatMs(s.dvc.run.ms)})`,
    baseline: `\`curl -T\` of the same bytes: ${formatMs(s.dvc.curlUpload.ms)}`,
    ratio: times(push / s.dvc.curlUpload.ms),
    goal: '≤ 1.5×',
    met: push / s.dvc.curlUpload.ms <= 1.5,
    today: s.today ? `run + upload to Nx's remote cache: ${formatMs(s.today.run.ms)}, peak RSS ${rssPair([s.today.run])}` : undefined,
    rss: rssPair([s.dvc.run]),
  };
}

function artifactRow(s) {
  const d = s.dvc;
  return {
    figure: `Nx remote-cache artifact of that stage (${size(s.mib)} output)`,
    ours: bytes(d.artifactBytes),
    baseline: s.today ? `today's artifact: ${bytes(s.today.artifactBytes)}` : '—',
    ratio: s.today ? times(d.artifactBytes / s.today.artifactBytes, 6) : '',
    goal: '< 64 KiB',
    met: d.artifactBytes < 64 * 1024,
    today: s.today ? bytes(s.today.artifactBytes) : undefined,
  };
}

function runsText(pairs) {
  return pairs.length === 1 ? 'one run' : `median of ${pairs.length} runs`;
}

/** Each pair's ratio, with the side that went first: an order effect shows here. */
function pairRatios(pairs, ratioOf, baselineName = 'cp') {
  return pairs.map((p) => `${times(ratioOf(p))} ${p.first === 'ours' ? 'ours' : baselineName} first`).join(', ');
}

function notes(sizes) {
  return [
    `Sizes: ${sizes.map((s) => `${size(s.mib)} (${s.groups.join(', ')})`).join('; ')}. At each, \`tools/bench/data.mjs\` writes a seed file of random bytes; the stage is \`cp <seed> big.bin\` (\`outs: [big.bin]\`) in \`pipe/dvc.yaml\` of a temp Nx workspace (NX_DAEMON=false, its own Nx cache in \`.nx/cache\`). DVC side: \`.dvc/config\` names an S3 remote (\`s3://bucket/dvc\`, \`endpointurl\` = s3rver 3.7 on 127.0.0.1, serving the S3 API from disk), credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; plugin option \`dvcPush\` on where the push or the fresh clone is measured; \`cache.type\` set in \`.dvc/config.local\` for each restore. Nx's self-hosted remote cache: tools/support/remote-cache-server.ts on 127.0.0.1. Both servers run in the benchmark's process.`,
    '- **Pairs**: each restore and fetch figure is a pair of sides, ours and the baseline, measured one after the other; before each side the previous side\'s output is deleted and `sync` run (no side pays the writeback of the other\'s dirty pages), and which side goes first alternates from one run to the next (the ratio column lists each pair\'s ratio and which side went first). The ratio is the median of the pairs\' ratios; times are medians.',
    '- **Disk**: `du -s -B1` of the workspace (it holds `.dvc/cache` and `.nx/cache`) after the first run, minus before it, minus the output\'s own allocated blocks.',
    '- **Local restore**: delete `pipe/big.bin`, `nx run pipe:repro` (`[local cache]`): Nx restores the record, nx-dvc checks the output out of DVC\'s cache. "The checkout itself" is nx-dvc\'s `nx-dvc:checkout-hits` performance measure in the process that does it (read by tools/bench/process-hook.cjs). Baseline: `cp` of the cache object to a new file on the same file system (GNU cp and Node\'s copyFileSync both use copy_file_range). Then, output in place, "the next command" (the same command: it pays whatever the restore left undone, e.g. hashing the new file) and once more, "Nx\'s floor" (nothing to check out, nothing to hash).',
    '- **Fresh clone**: `git clone` with empty Nx and DVC caches, `nx run pipe:repro` (`[remote cache]`), checked byte for byte against the md5 in dvc.lock (by size above 1 GiB); "the fetch" is the `nx-dvc:fetch` measure (one GET streamed into DVC\'s cache); the checkout then copies it into the workspace. Baseline: `curl` GET of the object nx-dvc pushed, SigV4-signed with an unsigned payload, as nx-dvc asks, into a file. Floor: the same fresh clone with the object hard-linked into its DVC cache beforehand and `cache.type = hardlink` (Nx\'s remote hit and nx-dvc\'s work without the bytes).',
    '- **Push**: the `nx-dvc:push` measure of the first run (HEAD, then one streamed PUT, multipart from 100 MiB); baseline `curl -T` of the same object to another key, same signing, after a `sync`.',
    "- **Peak RSS**: largest single process (GNU time) / whole process tree (sampled from /proc every 100 ms): Nx's main process, its plugin workers (nx-dvc's checks out and fetches, in its postTasksExecution hook), the batch process. The RSS goals are judged on the largest process: the tree's total is Nx's own floor (the same command with nothing to check out), whatever the data's size. Every `nx` command runs with the process hook loaded (a few ms).",
  ];
}

function rssPair(runs) {
  return `${formatKiB(Math.max(...runs.map((x) => x.maxRssKiB)))} / ${formatKiB(Math.max(...runs.map((x) => x.treeRssKiB)))}`;
}

/** One verdict for a goal with parts: "met", or which parts are not. */
function verdict(parts) {
  const missed = Object.entries(parts).filter(([, ok]) => !ok).map(([name]) => name);
  if (!missed.length) return true;
  if (missed.length === Object.keys(parts).length) return false;
  return `**not met** for ${missed.join(', ')}; met for ${Object.keys(parts).filter((p) => !missed.includes(p)).join(', ')}`;
}

function metText(met) {
  if (typeof met === 'string') return met;
  return met === undefined ? 'n/a' : met ? 'met' : '**not met**';
}

function workerRss(runs) {
  return formatKiB(Math.max(...runs.map((x) => x.workerRssKiB ?? NaN)));
}

function size(mib) {
  return mib >= 1024 ? `${+(mib / 1024).toFixed(2)} GiB` : `${mib} MiB`;
}

function bytes(n) {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${(n / 1024).toFixed(1)} KiB`;
}

function times(x, digits = 2) {
  return Number.isFinite(x) ? `${x.toFixed(digits)}×` : 'n/a';
}

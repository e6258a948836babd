#!/usr/bin/env node
// Data at DVC scale (issue 16): a stage with one large output, in a DVC repository (outputs in DVC's
// cache, Nx caches the record) and, beside it, today's path (no `.dvc/`: Nx carries the data). Every
// figure next to its baseline measured in the same run. Writes tools/bench/report-data.md (gitignored)
// and, with --json, the rows and that markdown for the suite's REPORT.md. It never fails on a slow result.
//
//   npm run build && node --import tsx tools/bench/data.mjs [--mib 1024] [--restore-mib 10240] [--clone-mib 5120] [--runs 3]
//
// --mib: every row, both paths. --restore-mib: more sizes for the local restores (copy, hardlink,
// symlink), DVC side only. --clone-mib: more sizes for the fresh clone (its peak RSS), DVC side only.
// The stage is `cp <random seed file> big.bin`; the DVC remote is s3rver (S3 API, on disk) on
// 127.0.0.1, Nx's remote cache the self-hosted API server the e2e tests use, both in this process.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
const sizesOf = (value) => (value === undefined || value === true || value === false ? [] : String(value).split(',').filter(Boolean).map(Number));
const MIB = Number(args.mib ?? 1024);
const RESTORE_MIB = sizesOf(args['restore-mib']);
const CLONE_MIB = sizesOf(args['clone-mib']);
const RUNS = Number(args.runs ?? 1);
const S3_KEY = 'S3RVER'; // s3rver's built-in account; it checks the key id, aws4 and curl sign alike
const started = performance.now();

const machine = describeMachine();
const result = { machine, mib: MIB, runs: RUNS, sizes: [] };
try {
  result.main = await measureSize(MIB, { today: true, push: true, clone: true, restore: true, runs: RUNS });
  for (const mib of [...new Set([...RESTORE_MIB, ...CLONE_MIB])].sort((a, b) => a - b)) {
    result.sizes.push(await measureSize(mib, { today: false, push: CLONE_MIB.includes(mib), clone: CLONE_MIB.includes(mib), restore: RESTORE_MIB.includes(mib), runs: 1 }));
  }
} catch (error) {
  result.error = String(error?.stack ?? error);
  throw error;
} finally {
  result.markdown = renderReport(result);
  writeFileSync(join(here, 'report-data.md'), `# Data at DVC scale\n\n${result.markdown}`);
  writeJsonResult(args.json, result);
  console.log(result.markdown);
}

/** Everything measured at one output size: the DVC side, and today's path when asked. */
async function measureSize(mib, want) {
  const scratch = mkdtempSync(join(os.tmpdir(), 'nx-dvc-bench-data-'));
  const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(scratch, 's3'), configureBuckets: [{ name: 'bucket', configs: [] }] });
  const endpoint = `http://127.0.0.1:${(await s3.run()).port}`;
  const seed = join(scratch, 'seed.bin');
  try {
    log(`${mib} MiB: writing the seed file`);
    spawnSync('sh', ['-c', `head -c ${mib * 2 ** 20} /dev/urandom > '${seed}'`], { stdio: 'inherit' });
    const out = { mib, fs: fileSystemOf(scratch) };
    if (want.today) out.today = await todaySide(mib, seed, scratch, want.runs);
    out.dvc = await dvcSide(mib, seed, endpoint, scratch, want);
    return out;
  } finally {
    await s3.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** In a DVC repository: run (and push), restore with each cache.type, a fresh clone from both remotes. */
async function dvcSide(mib, seed, endpoint, scratch, want) {
  const nxServer = new RemoteCacheServer(join(scratch, 'nx-dvc-artifacts'), 'token');
  const nxUrl = await nxServer.start();
  const a = createWorkspace({
    plugins: [{ plugin: 'nx-dvc', options: { dvcPush: want.push } }],
    files: {
      'pipe/dvc.yaml': stageYaml(seed),
      '.dvc/config': `[core]\n    remote = s3\n['remote "s3"']\n    url = s3://bucket/dvc\n    endpointurl = ${endpoint}\n`,
      '.dvc/.gitignore': '/config.local\n/tmp\n/cache\n',
    },
  });
  const env = (ws) => ({ ...remoteEnv(nxUrl, ws), AWS_ACCESS_KEY_ID: S3_KEY, AWS_SECRET_ACCESS_KEY: S3_KEY });
  const side = { restores: {} };
  try {
    // at sizes measured for their restores only, `copy` first spares the run relinking the output (one more full copy)
    if (!want.push) setCacheType(a, 'copy');
    const before = allocatedBytes(a.root);
    side.run = await nx(a, ['run', 'pipe:repro'], env(a), 'ran');
    rmSync(seed); // no longer needed: at 10 GiB, disk space counts
    side.disk = diskAfterRun(a, before);
    side.artifactBytes = largestFile(join(scratch, 'nx-dvc-artifacts'));
    const object = cacheObjectOf(a);
    if (want.push) side.curlUpload = await curl(['-T', object, `${endpoint}/bucket/baseline/upload.bin`]);
    a.commitAll('ran');
    if (want.restore) {
      for (const type of ['copy', 'hardlink', 'symlink']) side.restores[type] = await localRestores(a, type, object, env(a), scratch, type === 'copy' ? want.runs : 1);
    }
    if (want.clone) {
      side.clones = [];
      side.curlDownloads = [];
      for (let i = 0; i < want.runs; i++) {
        side.curlDownloads.push(await curlDownload(`${endpoint}/bucket/dvc/files/md5/${md5Key(a)}`, scratch));
        side.clones.push(await freshClone(a, env, 'remote cache', mib));
      }
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
      side.restores.push(await nx(t, ['run', 'pipe:repro'], remoteEnv(nxUrl, t), 'local cache'));
    }
    side.clones = [];
    for (let i = 0; i < runs; i++) side.clones.push(await freshClone(t, (ws) => remoteEnv(nxUrl, ws), 'remote cache', mib));
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

/** Deletes the output and restores it from Nx's local cache (the record) and DVC's cache (the data); `cp` of the object beside it. */
async function localRestores(ws, type, object, env, scratch, runs) {
  setCacheType(ws, type);
  const rows = [];
  for (let i = 0; i < runs; i++) {
    const cp = type === 'copy' ? await timedCp(object, scratch) : undefined;
    ws.remove('pipe/big.bin');
    const run = await nx(ws, ['run', 'pipe:repro'], env, 'local cache');
    run.linkedAs = linkTypeOf(ws.path('pipe/big.bin'), object);
    if (run.linkedAs !== type) throw new Error(`cache.type ${type}: the output was checked out as ${run.linkedAs}`);
    // Nx's own floor: the same command at once, output in place (nothing to check out)
    const noop = await nx(ws, ['run', 'pipe:repro'], env, 'local cache');
    rows.push({ run, cp, noop });
  }
  return { runs: rows, noop: rows.at(-1).noop };
}

/** A `git clone` with empty Nx and DVC caches: the record from Nx's remote cache, the data from the DVC remote. */
async function freshClone(source, env, status, mib) {
  const b = cloneWorkspace(source);
  try {
    const run = await nx(b, ['run', 'pipe:repro'], env(b), status);
    run.intact = mib <= 1024 ? (await md5(b.path('pipe/big.bin'))) === (await md5(source.path('pipe/big.bin'))) : statSync(b.path('pipe/big.bin')).size === mib * 2 ** 20;
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

async function timedCp(object, scratch) {
  const target = join(scratch, 'cp-baseline.bin');
  const r = await timedCommand('cp', [object, target]);
  rmSync(target, { force: true });
  if (r.code !== 0) throw new Error(`cp failed: ${r.stderr}`);
  return { ms: r.ms, maxRssKiB: r.maxRssKiB };
}

/** curl with SigV4 as nx-dvc signs (unsigned payload), so both sides ask s3rver the same way. */
async function curl(argv) {
  const r = await timedCommand('curl', ['-sS', '--fail', '--aws-sigv4', 'aws:amz:us-east-1:s3', '--user', `${S3_KEY}:${S3_KEY}`, '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD', ...argv]);
  if (r.code !== 0) throw new Error(`curl ${argv.join(' ')}: exit ${r.code} ${r.stderr}`);
  return { ms: r.ms, maxRssKiB: r.maxRssKiB };
}

async function curlDownload(url, scratch) {
  const target = join(scratch, 'curl-download.bin');
  const r = await curl(['-o', target, url]);
  rmSync(target, { force: true });
  return r;
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
  const m = r.main;
  if (!m?.dvc) return `The data benchmark did not finish:\n\n\`\`\`\n${r.error ?? 'no result'}\n\`\`\`\n`;
  const rows = dataRows(r);
  const lines = [
    `${r.machine.date.slice(0, 10)}, ${r.machine.cores}-core ${r.machine.cpuModel}, ${r.machine.ramGiB.toFixed(1)} GiB, ${r.machine.node}; load average at the start ${r.machine.loadavg.map((x) => x.toFixed(2)).join(', ')}.`,
    `File system: ${m.fs.type}, reflink ${m.fs.reflink ? 'supported' : 'not supported'}: DVC's default \`cache.type\` (\`reflink,copy\`) ${m.fs.reflink ? 'reflinks' : 'falls back to `copy`'} (the output after the run was a ${m.dvc.disk.linkedAs}).`,
    `Medians of ${r.runs} run(s) where a row says so; "today's path" is the same stage without \`.dvc/\` (Nx carries the data), in the same run.`,
    '',
    "| figure | nx-dvc (DVC's cache) | baseline (same run) | ratio | goal | met? | today's path (Nx carries the data) | peak RSS, ours: largest process / whole tree |",
    '|---|---:|---:|---:|---|:---:|---:|---:|',
    ...rows.map((x) => `| ${x.figure} | ${x.ours} | ${x.baseline} | ${x.ratio} | ${x.goal} | ${metText(x.met)} | ${x.today ?? '—'} | ${x.rss ?? ''} |`),
    '',
    ...notes(r),
  ];
  return lines.join('\n') + '\n';
}

/** The rows, for this report and the suite's. */
function dataRows(r) {
  const m = r.main;
  const rows = [];
  const d = m.dvc;
  rows.push({
    figure: `extra disk after running a stage with a ${size(m.mib)} output, default \`cache.type\` (workspace + \`.dvc/cache\` + \`.nx/cache\`, allocated blocks, minus the output)`,
    ours: bytes(d.disk.extraBytes),
    baseline: `the output itself: ${bytes(d.disk.outputBytes)}`,
    ratio: times(d.disk.extraBytes / d.disk.outputBytes),
    goal: '≤ 1.05× (1.05 GiB for 1 GiB)',
    met: d.disk.extraBytes / d.disk.outputBytes <= 1.05,
    today: m.today ? `${bytes(m.today.disk.extraBytes)} (${times(m.today.disk.extraBytes / m.today.disk.outputBytes)})` : undefined,
  });
  for (const s of [m, ...r.sizes].filter((x) => x.dvc.restores?.copy)) {
    const c = s.dvc.restores.copy;
    const ours = median(c.runs.map((x) => x.run.ms));
    const cp = median(c.runs.map((x) => x.cp.ms));
    const checkout = median(c.runs.map((x) => x.run.measures['nx-dvc:checkout-hits']));
    const share = median(c.runs.map((x) => x.run.ms - x.noop.ms));
    const largest = Math.max(...c.runs.map((x) => x.run.maxRssKiB));
    rows.push({
      figure: `local restore of a ${size(s.mib)} output after deleting it, \`cache.type = copy\` (\`nx run\`, start-up included)`,
      ours: `${formatMs(ours)}; the checkout itself ${formatMs(checkout)}; \`nx run\` minus the same with nothing to check out ${formatMs(share)}`,
      baseline: `\`cp\` of the same file: ${formatMs(cp)}`,
      ratio: `${times(ours / cp)}; checkout ${times(checkout / cp)}; minus ${times(share / cp)}`,
      goal: '≤ 1.2×; peak RSS < 250 MiB',
      met: verdict({ 'the checkout': checkout / cp <= 1.2, '`nx run`': ours / cp <= 1.2, RSS: largest < 250 * 1024 }),
      today: s.today ? `${formatMs(median(s.today.restores.map((x) => x.ms)))} (${times(median(s.today.restores.map((x) => x.ms)) / cp)}), peak RSS ${rssPair(s.today.restores)}` : undefined,
      rss: `${rssPair(c.runs.map((x) => x.run))} (checkout process ${workerRss(c.runs.map((x) => x.run))}); nothing to check out: ${rssPair([c.noop])}`,
    });
  }
  for (const type of ['hardlink', 'symlink']) {
    for (const s of [m, ...r.sizes].filter((x) => x.dvc.restores?.[type])) {
      const t = s.dvc.restores[type];
      const checkout = median(t.runs.map((x) => x.run.measures['nx-dvc:checkout-hits']));
      rows.push({
        figure: `the same, ${size(s.mib)}, \`cache.type = ${type}\`: wall of the checkout itself`,
        ours: `${formatMs(checkout)} (\`nx run\`: ${formatMs(median(t.runs.map((x) => x.run.ms)))}; the same with nothing to check out ${formatMs(t.noop.ms)})`,
        baseline: '—',
        ratio: '',
        goal: '< 150 ms',
        met: checkout < 150,
        rss: rssPair(t.runs.map((x) => x.run)),
      });
    }
  }
  for (const s of [m, ...r.sizes].filter((x) => x.dvc.clones)) {
    const ours = median(s.dvc.clones.map((x) => x.ms));
    const curlMs = median(s.dvc.curlDownloads.map((x) => x.ms));
    const fetch = median(s.dvc.clones.map((x) => x.measures['nx-dvc:fetch']));
    const largest = Math.max(...s.dvc.clones.map((x) => x.maxRssKiB));
    rows.push({
      figure: `fresh clone: Nx remote hit + DVC remote fetch of a ${size(s.mib)} output (s3rver on 127.0.0.1), checkout included`,
      ours: `${formatMs(ours)} (fetch ${formatMs(fetch)})`,
      baseline: `\`curl\` GET of the same object: ${formatMs(curlMs)}`,
      ratio: `${times(ours / curlMs)} (fetch ${times(fetch / curlMs)})`,
      goal: '≤ 1.5×; peak RSS < 300 MiB',
      met: verdict({ fetch: fetch / curlMs <= 1.5, '`nx run`': ours / curlMs <= 1.5, RSS: largest < 300 * 1024 }),
      today: s.today ? `${formatMs(median(s.today.clones.map((x) => x.ms)))} from Nx's remote cache, peak RSS ${rssPair(s.today.clones)}` : undefined,
      rss: `${rssPair(s.dvc.clones)} (fetch and checkout process ${workerRss(s.dvc.clones)})`,
    });
  }
  for (const s of [m].filter((x) => x.dvc.curlUpload)) {
    const push = s.dvc.run.measures['nx-dvc:push'];
    rows.push({
      figure: `push of a ${size(s.mib)} output to that remote (\`dvcPush\`)`,
      ours: `${formatMs(push)} (run + push + record upload: ${formatMs(s.dvc.run.ms)})`,
      baseline: `\`curl -T\` of the same bytes: ${formatMs(s.dvc.curlUpload.ms)}`,
      ratio: times(push / s.dvc.curlUpload.ms),
      goal: '≤ 1.5×',
      met: push / s.dvc.curlUpload.ms <= 1.5,
      today: s.today ? `run + upload to Nx's remote cache: ${formatMs(s.today.run.ms)}, peak RSS ${rssPair([s.today.run])}` : undefined,
      rss: rssPair([s.dvc.run]),
    });
  }
  rows.push({
    figure: `Nx remote-cache artifact of that stage (${size(m.mib)} output)`,
    ours: bytes(d.artifactBytes),
    baseline: m.today ? `today's artifact: ${bytes(m.today.artifactBytes)}` : '—',
    ratio: m.today ? times(d.artifactBytes / m.today.artifactBytes, 6) : '',
    goal: '< 64 KiB',
    met: d.artifactBytes < 64 * 1024,
    today: m.today ? bytes(m.today.artifactBytes) : undefined,
  });
  return rows;
}

function notes(r) {
  const m = r.main;
  const sizes = [m, ...r.sizes].map((s) => size(s.mib)).join(', ');
  return [
    `Sizes: ${sizes}. At each, \`tools/bench/data.mjs\` writes a seed file of random bytes; the stage is \`cp <seed> big.bin\` (\`outs: [big.bin]\`) in \`pipe/dvc.yaml\` of a temp Nx workspace (NX_DAEMON=false, its own Nx cache in \`.nx/cache\`). DVC side: \`.dvc/config\` names an S3 remote (\`s3://bucket/dvc\`, \`endpointurl\` = s3rver 3.7 on 127.0.0.1, serving the S3 API from disk), credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; plugin option \`dvcPush\` on where the push is measured; \`cache.type\` set in \`.dvc/config.local\` for each restore. Nx's self-hosted remote cache: tools/support/remote-cache-server.ts on 127.0.0.1. Both servers run in the benchmark's process.`,
    '- **Disk**: `du -s -B1` of the workspace (it holds `.dvc/cache` and `.nx/cache`) after the first run, minus before it, minus the output\'s own allocated blocks.',
    '- **Local restore**: delete `pipe/big.bin`, `nx run pipe:repro` (`[local cache]`): Nx restores the record, nx-dvc checks the output out of DVC\'s cache. "The checkout itself" is nx-dvc\'s `nx-dvc:checkout-hits` performance measure in the process that does it (read by tools/bench/process-hook.cjs). Baseline: `cp` of the cache object to a new file on the same file system, just before. "Nothing to check out": the same command once more, output in place, Nx\'s own floor.',
    '- **Fresh clone**: `git clone` with empty Nx and DVC caches, `nx run pipe:repro` (`[remote cache]`), checked byte for byte (by size above 1 GiB); "fetch" is the `nx-dvc:fetch` measure (GET into DVC\'s cache; then the checkout copies it into the workspace). Baseline: `curl` GET of the object nx-dvc pushed, SigV4-signed with an unsigned payload, as nx-dvc asks, into a file.',
    '- **Push**: the `nx-dvc:push` measure of the first run (HEAD, then one streamed PUT); baseline `curl -T` of the same object to another key, same signing.',
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

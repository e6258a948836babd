#!/usr/bin/env node
// Measures nx-dvc's DVC hashing (packages/nx-dvc/src/dvc/hashing/) against coreutils `md5sum`,
// in one run on one machine, and writes tools/bench/report-hash.md (gitignored). It never fails
// on a slow result; it fails if a hash differs from md5sum's.
//
//   node --import tsx tools/bench/hash.mjs [--runs 3] [--mib 1024] [--files 10000] [--keep]
//                                         [--json out.json]
//
// (a) one large file: hashFile vs `md5sum <file>`; goal >= 0.9x md5sum's speed.
// (b) --files small files totalling --mib MiB in 100 folders: hashDirectory (worker threads)
//     vs a single `md5sum` process given the whole file list; goal >= 1.5x (both cores).
// (c) the same large file again through a HashState loaded from disk (stat only); goal < 50 ms.
//     Also: the directory again through the state.
// Each timing is taken --runs times, interleaved ours/md5sum so that background load hits both
// alike; the table shows the median (and best). Our hashing threads are shut down before every
// directory run, so thread start-up is always included. Test data (2 x --mib MiB) is written to
// a temporary folder (page cache warm for both tools) and deleted at the end.
// Peak memory: md5sum's from GNU `/usr/bin/time -f %M`; ours is this process's RSS, sampled every
// 20 ms during each kind of measurement (hashing runs in this process and its worker threads).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync, utimesSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, writeJsonResult } from './measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const reportPath = join(here, 'report-hash.md');

const args = parseArgs(process.argv.slice(2));
const RUNS = Math.max(1, Number(args.runs ?? 3));
const MIB = Number(args.mib ?? 1024);
const FILES = Number(args.files ?? 10000);
const TOTAL = MIB * 1024 * 1024;

const { hashFile, hashDirectory, shutdownHashWorkers, HashState } = await loadModules();

const tmp = mkdtempSync(join(os.tmpdir(), 'nx-dvc-bench-hash-'));
let peakRss = process.memoryUsage().rss;
/** Peak RSS (bytes) per kind of measurement: what `phase` names while the sampler runs. */
const phasePeaks = {};
let phase = 'setup';
const sampleRss = () => {
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);
  phasePeaks[phase] = Math.max(phasePeaks[phase] ?? 0, rss);
};
const sampler = setInterval(sampleRss, 20);
/** Also samples at both ends of a phase: a phase shorter than the interval still gets a reading. */
function enterPhase(next) {
  sampleRss();
  phase = next;
  sampleRss();
}
/** md5sum's peak RSS (KiB), from GNU time, per kind of measurement. */
const md5sumPeaks = {};
const cleanup = () => {
  if (!args.keep) rmSync(tmp, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

try {
  await main();
} finally {
  clearInterval(sampler);
  await shutdownHashWorkers();
  cleanup();
}

async function main() {
  const started = performance.now();
  log(`test data: 1 x ${MIB} MiB and ${FILES} files totalling ${MIB} MiB in ${tmp}`);
  const big = join(tmp, 'big.bin');
  const dir = join(tmp, 'many');
  const relFiles = writeTestData(big, dir);
  // whole-second mtimes in the past: the state must not see these files as racy
  const past = Math.floor(Date.now() / 1000) - 60;
  for (const file of [big, ...relFiles.map((f) => join(dir, f))]) utimesSync(file, past, past);
  log(`written in ${seconds(performance.now() - started)}`);

  // untimed warm-up: both tools read from the page cache, JIT warm
  const [expectedBig] = (await md5sum([big], tmp)).values();
  const expectedDir = await md5sum(relFiles, dir);

  const rssBefore = process.memoryUsage().rss;
  const big_ = { ours: [], md5sum: [] };
  const dir_ = { ours: [], md5sum: [] };
  for (let run = 1; run <= RUNS; run++) {
    enterPhase('big');
    let t = performance.now();
    const ours = await hashFile(big);
    big_.ours.push(performance.now() - t);
    enterPhase('idle');
    if (ours.md5 !== expectedBig || ours.size !== MIB * 1024 * 1024) throw new Error(`big file: ${ours.md5} != md5sum ${expectedBig}`);
    t = performance.now();
    await md5sum([big], tmp, 'big');
    big_.md5sum.push(performance.now() - t);

    await shutdownHashWorkers();
    enterPhase('dir');
    t = performance.now();
    const tree = await hashDirectory(dir);
    dir_.ours.push(performance.now() - t);
    enterPhase('idle');
    if (tree.nfiles !== FILES) throw new Error(`directory: ${tree.nfiles} files`);
    for (const entry of tree.entries) {
      if (expectedDir.get(entry.relpath) !== entry.md5) throw new Error(`${entry.relpath}: ${entry.md5} != md5sum ${expectedDir.get(entry.relpath)}`);
    }
    t = performance.now();
    await md5sum(relFiles, dir, 'dir');
    dir_.md5sum.push(performance.now() - t);
    log(
      `run ${run}/${RUNS}: 1 file ours ${ms(big_.ours.at(-1))} md5sum ${ms(big_.md5sum.at(-1))} | ` +
        `${FILES} files ours ${ms(dir_.ours.at(-1))} md5sum ${ms(dir_.md5sum.at(-1))}`,
    );
  }

  // (c) state: fill it once, save, then re-hash through a freshly loaded state
  const stateFile = join(tmp, '.nx/workspace-data/nx-dvc-state.json');
  const filling = HashState.load(stateFile);
  await hashFile(big, { state: filling });
  await hashDirectory(dir, { state: filling });
  filling.save();
  const cachedEntries = filling.size;
  const rehashBig = [];
  const rehashDir = [];
  for (let run = 1; run <= RUNS; run++) {
    enterPhase('restat');
    let t = performance.now();
    const state = HashState.load(stateFile);
    const again = await hashFile(big, { state });
    rehashBig.push(performance.now() - t);
    if (again.md5 !== expectedBig) throw new Error('state: wrong md5');
    t = performance.now();
    const state2 = HashState.load(stateFile);
    const tree = await hashDirectory(dir, { state: state2 });
    rehashDir.push(performance.now() - t);
    if (tree.nfiles !== FILES) throw new Error('state: wrong directory');
  }
  enterPhase('idle');

  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const maxRss = process.resourceUsage().maxRSS * 1024;
  const medBigOurs = median(big_.ours);
  const medBigSum = median(big_.md5sum);
  const medDirOurs = median(dir_.ours);
  const medDirSum = median(dir_.md5sum);
  const rBig = medBigSum / medBigOurs;
  const rDir = medDirSum / medDirOurs;
  const mibps = (msValue) => `${Math.round(MIB / (msValue / 1000))} MiB/s`;
  const rows = [
    ['(a) 1 file, md5sum', `${ms(medBigSum)} (best ${ms(Math.min(...big_.md5sum))})`, mibps(medBigSum), '', ''],
    ['(a) 1 file, nx-dvc hashFile', `${ms(medBigOurs)} (best ${ms(Math.min(...big_.ours))})`, mibps(medBigOurs), `**${rBig.toFixed(2)}x**`, verdict(rBig >= 0.9, '>= 0.9x')],
    [`(b) ${FILES} files, md5sum (1 process)`, `${ms(medDirSum)} (best ${ms(Math.min(...dir_.md5sum))})`, mibps(medDirSum), '', ''],
    [`(b) ${FILES} files, nx-dvc hashDirectory`, `${ms(medDirOurs)} (best ${ms(Math.min(...dir_.ours))})`, mibps(medDirOurs), `**${rDir.toFixed(2)}x**`, verdict(rDir >= 1.5, '>= 1.5x')],
    ['(c) 1 file again, state loaded from disk', `${ms(median(rehashBig))} (best ${ms(Math.min(...rehashBig))})`, '', '', verdict(median(rehashBig) < 50, '< 50 ms')],
    [`(c) ${FILES} files again, state loaded from disk`, `${ms(median(rehashDir))} (best ${ms(Math.min(...rehashDir))})`, '', '', ''],
  ];
  const table = [
    '| measurement | time (median of ' + RUNS + ') | throughput | speed vs md5sum | goal |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  const memory = [
    `- peak RSS of this process (resourceUsage().maxRSS, includes the worker threads and the test-data writer): ${mb(maxRss)}`,
    `- RSS sampled every 20 ms during the timings: peak ${mb(peakRss)}, before the timings ${mb(rssBefore)}`,
    `- peak RSS per measurement, this process (sampled) / md5sum (GNU time): 1 file ${mb(phasePeaks.big)} / ${md5sumPeaks.big} KiB; ${FILES} files ${mb(phasePeaks.dir)} / ${md5sumPeaks.dir} KiB; again through the state ${mb(phasePeaks.restat)}`,
    `- state file: ${cachedEntries} entries`,
  ].join('\n');
  const cpu = os.cpus();
  const md5sumVersion = (await capture('md5sum', ['--version'])).split('\n')[0];
  const report = [
    '# nx-dvc hashing benchmark',
    '',
    `Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, ${mb(os.totalmem())} RAM, ${os.type()} ${os.release()}; Node ${process.version}; ${md5sumVersion}.`,
    `Data: 1 file of ${MIB} MiB; ${FILES} files of ~${Math.round(TOTAL / FILES / 1024)} KiB (${MIB} MiB) in 100 folders; page cache warm. Load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}.`,
    '',
    table,
    '',
    memory,
    '',
    `Speed vs md5sum = md5sum time / nx-dvc time (higher is better). Generated by \`node --import tsx tools/bench/hash.mjs\` in ${seconds(performance.now() - started)}.`,
    '',
  ].join('\n');
  writeFileSync(reportPath, report);
  writeJsonResult(args.json, {
    mib: MIB,
    files: FILES,
    runs: RUNS,
    md5sumVersion,
    bigFile: { oursMs: medBigOurs, md5sumMs: medBigSum, oursRssKiB: phasePeaks.big / 1024, md5sumRssKiB: md5sumPeaks.big },
    smallFiles: { oursMs: medDirOurs, md5sumMs: medDirSum, oursRssKiB: phasePeaks.dir / 1024, md5sumRssKiB: md5sumPeaks.dir },
    restat: { bigMs: median(rehashBig), dirMs: median(rehashDir), firstHashMs: medBigOurs, rssKiB: phasePeaks.restat / 1024 },
    processMaxRssKiB: maxRss / 1024,
  });
  console.log(`\n${table}\n\n${memory}\n\nreport: ${reportPath}`);
}

/** One large file plus FILES small ones, from a random block with varying offsets (fast to make). */
function writeTestData(big, dir) {
  const block = randomBytes(16 * 1024 * 1024);
  const fd = openSync(big, 'w');
  for (let written = 0, i = 0; written < TOTAL; i++) {
    block.writeUInt32LE(i, (i * 4096) % (block.length - 4)); // every chunk differs
    const n = Math.min(block.length, TOTAL - written);
    writeSync(fd, block, 0, n);
    written += n;
  }
  closeSync(fd);

  const per = Math.floor(TOTAL / FILES);
  const rel = [];
  for (let i = 0; i < FILES; i++) {
    const folder = `d${String(i % 100).padStart(2, '0')}`;
    if (i < 100) mkdirSync(join(dir, folder), { recursive: true });
    const size = i === FILES - 1 ? TOTAL - per * (FILES - 1) : per;
    const offset = (i * 7919) % (block.length - size);
    const name = `${folder}/f${String(i).padStart(5, '0')}.bin`;
    writeFileSync(join(dir, name), block.subarray(offset, offset + size));
    rel.push(name);
  }
  return rel;
}

/** Runs one md5sum process over `files` (relative to cwd); map of path -> md5. With `peakKey`, under GNU time, its peak RSS to md5sumPeaks. */
async function md5sum(files, cwd, peakKey) {
  if (!peakKey) return parseMd5sum(await capture('md5sum', ['--', ...files], cwd), files);
  const timeFile = join(tmp, 'md5sum.time');
  const out = await capture('/usr/bin/time', ['-f', '%M', '-o', timeFile, 'md5sum', '--', ...files], cwd);
  md5sumPeaks[peakKey] = Math.max(md5sumPeaks[peakKey] ?? 0, Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)));
  return parseMd5sum(out, files);
}

function parseMd5sum(out, files) {
  const result = new Map();
  for (const line of out.split('\n')) {
    if (line) result.set(line.slice(34), line.slice(0, 32));
  }
  if (result.size !== files.length) throw new Error(`md5sum printed ${result.size} lines for ${files.length} files`);
  return result;
}

function capture(cmd, argv, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`${cmd} exited with ${code}`))));
  });
}

/** hashFile, hashDirectory, shutdownHashWorkers and HashState, from the sources (tsx) or the built package. */
async function loadModules() {
  const names = ['file', 'directory', 'worker-pool', 'state'];
  const load = (dir, ext) => Promise.all(names.map((name) => import(pathToFileURL(join(dir, `${name}${ext}`)).href)));
  let modules;
  try {
    modules = await load(join(repo, 'packages/nx-dvc/src/dvc/hashing'), '.ts');
  } catch (error) {
    if (!String(error?.code ?? error).includes('ERR_UNKNOWN_FILE_EXTENSION')) throw error;
    try {
      modules = await load(join(repo, 'packages/nx-dvc/dist/dvc/hashing'), '.js');
      log('(running the built dist/ modules; use `node --import tsx` for the sources)');
    } catch {
      console.error('Run it as `node --import tsx tools/bench/hash.mjs` (or build the plugin first).');
      process.exit(2);
    }
  }
  const [file, directory, pool, state] = modules.map((m) => m.default ?? m);
  return { hashFile: file.hashFile, hashDirectory: directory.hashDirectory, shutdownHashWorkers: pool.shutdownHashWorkers, HashState: state.HashState };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
function ms(v) {
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 2 : 0)} ms`;
}
function seconds(v) {
  return `${(v / 1000).toFixed(1)} s`;
}
function mb(bytes) {
  return `${Math.round(bytes / 1024 / 1024)} MiB`;
}
function verdict(ok, goal) {
  return `${goal} ${ok ? 'met' : 'NOT met'}`;
}
function log(message) {
  console.log(`[bench:hash] ${message}`);
}

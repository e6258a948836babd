#!/usr/bin/env node
// Measures nx-dvc's share of `nx show projects` on synthetic DVC workspaces, against the same
// workspace without the plugin, cold and warm, in one run on one machine. It prints figures and
// writes tools/bench/report-graph.md (gitignored); it never fails on a slow result.
//
//   node tools/bench/graph.mjs [--runs 5] [--sizes 100,1000,10000] [--stages-per-file 20]
//                              [--no-build] [--no-profile] [--no-warmup] [--keep] [--configs cold,warm,full]
//                              [--node-modules <dir with nx and nx-dvc installed>] [--json out.json]
//
// Configurations, each run --runs times, interleaved so that background load hits them alike:
//   baseline cold / warm / full warm   nx.json `"plugins": []`
//   nx-dvc   cold / warm / full warm   nx.json `"plugins": ["nx-dvc"]`
// cold: .nx deleted before the run. warm: .nx kept from the previous run of the same
// configuration (nx-dvc's inference cache, Nx's file hashes) but Nx's project graph cache files
// deleted. full warm: nothing deleted. Every run has NX_PERF_LOGGING=true, whose
// `Time taken for '<measure>'` lines give Nx's phases; a --require hook (NODE_OPTIONS) in every
// Node process of the run records its CPU time and, in nx-dvc's plugin worker, the
// nx-dvc:createNodes measure (timed there by Nx around our function) and optionally a CPU profile.
// Each run is timed by measure.mjs: GNU time's peak RSS of the largest process, and the peak
// RSS of the whole process tree sampled every 100 ms.
// About 3 minutes on an idle 2-core machine, 5 on a busy one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs, timedCommand, writeJsonResult } from './measure.mjs';
import { writeSyntheticPipelines } from './synthetic-workspace.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const reportPath = join(here, 'report-graph.md');
const NX_VERSION = '24.0.6';

const args = parseArgs(process.argv.slice(2));
const RUNS = Number(args.runs ?? 5);
const STAGES_PER_FILE = Number(args['stages-per-file'] ?? 20);
const SIZES = String(args.sizes ?? '100,1000,10000').split(',').map(Number);
const MAIN = Math.max(...SIZES);

const ALL_CONFIGS = [
  { id: 'base-cold', label: 'baseline, cold', plugins: [], prepare: 'cold' },
  { id: 'base-warm', label: 'baseline, warm (graph cache deleted)', plugins: [], prepare: 'warm' },
  { id: 'base-full', label: 'baseline, fully warm', plugins: [], prepare: 'none' },
  { id: 'dvc-cold', label: 'nx-dvc, cold', plugins: ['nx-dvc'], prepare: 'cold', base: 'base-cold' },
  { id: 'dvc-warm', label: 'nx-dvc, warm (inference cache kept, graph cache deleted)', plugins: ['nx-dvc'], prepare: 'warm', base: 'base-warm' },
  { id: 'dvc-full', label: 'nx-dvc, fully warm', plugins: ['nx-dvc'], prepare: 'none', base: 'base-full' },
];
const PREPARES = { cold: 'cold', warm: 'warm', full: 'none' };
const CONFIGS = ALL_CONFIGS.filter((c) => String(args.configs ?? 'cold,warm,full').split(',').some((k) => PREPARES[k] === c.prepare));
/** Nx's own project graph cache; deleting it forces createNodes and the graph build to run again. */
const GRAPH_CACHE = /^(project-graph|file-map|source-maps)\.json$/;
/** Perf measures shown in the breakdown, in this order. */
const MEASURES = [
  'loadSpecifiedNxPlugins',
  'Load Nx Plugin: nx-dvc',
  'createProjectGraphAsync >> retrieve-project-configurations',
  'nx-dvc:createNodes',
  'build-project-configs',
  'createNodes:merge',
  'createProjectGraphAsync >> build-project-graph-using-project-file-map',
  'createDependencies',
  'nx-dvc:createDependencies',
  'write cache',
  'createProjectGraphAsync',
];

const started = performance.now();
const tmp = mkdtempSync(join(os.tmpdir(), 'nx-dvc-bench-graph-'));
const hookPath = join(tmp, 'bench-hook.cjs');
const machine = describeMachine();
log(`nx-dvc graph benchmark, ${machine.line}`);
log(`work dir ${tmp}`);

// ---------------------------------------------------------------------------------------------

function installPlugin() {
  if (args['node-modules']) return args['node-modules'];
  if (args.build !== false) {
    log('building packages/nx-dvc');
    run('npm', ['run', 'build'], repo);
  }
  const packDir = join(tmp, 'pack');
  mkdirSync(packDir);
  run('npm', ['pack', '-w', 'packages/nx-dvc', '--pack-destination', packDir], repo);
  const tgz = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error(`npm pack left no tarball in ${packDir}`);
  const install = join(tmp, 'install');
  mkdirSync(install);
  rmSync(join(install, 'package-lock.json'), { force: true });
  writeFileSync(
    join(install, 'package.json'),
    JSON.stringify({ name: 'nx-dvc-bench', private: true, devDependencies: { nx: NX_VERSION, 'nx-dvc': `file:${join(packDir, tgz)}` } }, null, 2),
  );
  log(`installing nx@${NX_VERSION} and ${tgz}`);
  run('npm', ['install', '--no-audit', '--no-fund'], install);
  return join(install, 'node_modules');
}

function createWorkspace(stages, nodeModules) {
  const files = Math.max(1, Math.round(stages / STAGES_PER_FILE));
  const root = join(tmp, `ws-${stages}`);
  mkdirSync(root);
  writeSyntheticPipelines(root, { files, stagesPerFile: STAGES_PER_FILE });
  symlinkSync(nodeModules, join(root, 'node_modules'), 'dir');
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: `bench-${stages}`, private: true }, null, 2) + '\n');
  writeFileSync(join(root, '.gitignore'), 'node_modules\n.nx\n');
  writeNxJson(root, ['nx-dvc']);
  const git = (...a) => run('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@nx-dvc.invalid', '-c', 'commit.gpgsign=false', ...a], root);
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'synthetic DVC workspace');
  return { root, files };
}

async function measureSize(stages, nodeModules) {
  const { root, files } = createWorkspace(stages, nodeModules);
  // One untimed run each way: disk cache, and the lists of cache files reported below
  // (--no-warmup, for the suite's smoke test: the cold runs come first and serve the warm ones).
  let cacheFiles;
  if (args.warmup !== false) {
    log(`${stages} stages in ${files} dvc.yaml: warming up`);
    writeNxJson(root, []);
    rmSync(join(root, '.nx'), { recursive: true, force: true });
    await nx(root);
    writeNxJson(root, ['nx-dvc']);
    rmSync(join(root, '.nx'), { recursive: true, force: true });
    await nx(root);
    cacheFiles = workspaceData(root);
  }
  const runs = Object.fromEntries(CONFIGS.map((c) => [c.id, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const config of CONFIGS) {
      writeNxJson(root, config.plugins);
      if (config.prepare === 'cold') rmSync(join(root, '.nx'), { recursive: true, force: true });
      if (config.prepare === 'warm') {
        for (const f of workspaceData(root)) if (GRAPH_CACHE.test(f)) rmSync(join(root, '.nx', 'workspace-data', f));
      }
      runs[config.id].push(await nx(root));
    }
    log(`${stages} stages: round ${i + 1}/${RUNS} ` + CONFIGS.map((c) => `${c.id} ${ms(runs[c.id][i].wall)}`).join(', '));
  }
  cacheFiles ??= workspaceData(root);
  const projects = Object.fromEntries(CONFIGS.map((c) => [c.id, runs[c.id][0].projects]));
  return { stages, files, root, runs, projects, cacheFiles, warnings: [...new Set(Object.values(runs).flat().flatMap((r) => r.warnings))] };
}

/**
 * Runs `nx show projects --json` once: wall time from spawn to exit, Nx's perf measures, and
 * the CPU time of every Node process of the run (Nx, its plugin workers, the `npm --version`
 * they run), which the hook below records as each exits. CPU time is the steadier figure
 * when the machine is busy with other work.
 */
let runCounter = 0;
async function nx(root, extraEnv = {}) {
  const runDir = join(tmp, 'runs', String(runCounter++));
  mkdirSync(runDir, { recursive: true });
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NX_') && k !== 'NODE_OPTIONS'));
  Object.assign(env, {
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_PERF_LOGGING: 'true',
    NODE_OPTIONS: `--require ${hookPath}`,
    NX_DVC_BENCH_RUN_DIR: runDir,
  }, extraEnv);
  const { code, ms: wall, stdout, stderr, maxRssKiB, treeRssKiB } = await timedCommand(join(root, 'node_modules', '.bin', 'nx'), ['show', 'projects', '--json'], { cwd: root, env, timeoutMs: 180_000 });
  if (code !== 0) throw new Error(`nx show projects exited with ${code} in ${root}\n${stderr.slice(-3000)}`);
  // Plugin workers are detached and may exit just after Nx: wait for every started process to report.
  const pending = () => readdirSync(runDir).filter((f) => f.endsWith('.start') && !existsSync(join(runDir, f.replace(/\.start$/, '.json'))));
  for (let i = 0; i < 100 && pending().length; i++) await new Promise((ok) => setTimeout(ok, 50));
  const processes = readdirSync(runDir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(runDir, f), 'utf8')));
  const measures = {};
  for (const m of stderr.matchAll(/Time taken for '(.+?)' ([\d.]+)ms/g)) measures[m[1]] = (measures[m[1]] ?? 0) + Number(m[2]);
  // The worker's own record is complete; its perf log lines can be lost when Nx exits first.
  for (const p of processes) if (p.role === 'worker:nx-dvc') Object.assign(measures, p.measures);
  let projects;
  try {
    projects = JSON.parse(stdout.slice(stdout.indexOf('['))).length;
  } catch {
    projects = NaN;
  }
  const cpu = processes.reduce((a, p) => a + p.cpu, 0);
  const pluginCpu = processes.filter((p) => p.role === 'worker:nx-dvc').reduce((a, p) => a + p.cpu, 0);
  const mainCpu = processes.filter((p) => p.role === 'main').reduce((a, p) => a + p.cpu, 0);
  const warnings = stderr.split('\n').filter((l) => l.trim() && !l.startsWith('Time taken for'));
  return { wall, cpu, pluginCpu, mainCpu, processCount: processes.length, measures, projects, warnings, maxRssKiB, treeRssKiB };
}

/** A CPU profile of the nx-dvc plugin worker, warm then cold (Node refuses --cpu-prof in NODE_OPTIONS, hence the hook). */
async function profileWorker(result) {
  if (!result) return undefined;
  const dir = join(tmp, 'profiles');
  const profiles = {};
  writeNxJson(result.root, ['nx-dvc']);
  for (const kind of ['warm', 'cold']) {
    if (kind === 'cold') rmSync(join(result.root, '.nx'), { recursive: true, force: true });
    else for (const f of workspaceData(result.root)) if (GRAPH_CACHE.test(f)) rmSync(join(result.root, '.nx', 'workspace-data', f));
    const out = join(dir, kind);
    mkdirSync(out, { recursive: true });
    log(`${result.stages} stages: profiling the nx-dvc worker, ${kind}`);
    const r = await nx(result.root, { NX_DVC_BENCH_PROFILE_DIR: out });
    const file = readdirSync(out)[0];
    profiles[kind] = { createNodes: r.measures['nx-dvc:createNodes'], summary: file ? summarizeProfile(JSON.parse(readFileSync(join(out, file), 'utf8'))) : undefined };
  }
  return profiles;
}

/**
 * Loaded into every Node process of a run by NODE_OPTIONS=--require. Each process writes
 * <pid>.start, then <pid>.json as it exits: its role, CPU time and, in nx-dvc's worker, Nx's
 * perf measures. With NX_DVC_BENCH_PROFILE_DIR, nx-dvc's worker also writes a CPU profile.
 */
const HOOK = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const dir = process.env.NX_DVC_BENCH_RUN_DIR;
if (dir) {
  const worker = /plugin-worker\.js$/.test(process.argv[1] || '');
  const role = worker ? 'worker:' + process.argv[3] : /[\\/]nx[\\/]bin[\\/]nx\.js$|[\\/]\.bin[\\/]nx$/.test(process.argv[1] || '') ? 'main' : 'other:' + path.basename(process.argv[1] || '');
  fs.writeFileSync(path.join(dir, process.pid + '.start'), '');
  let session;
  if (role === 'worker:nx-dvc' && process.env.NX_DVC_BENCH_PROFILE_DIR) {
    const inspector = require('node:inspector');
    session = new inspector.Session();
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 250 });
    session.post('Profiler.start');
  }
  process.once('exit', () => {
    const usage = process.cpuUsage();
    const measures = {};
    if (role === 'worker:nx-dvc') {
      for (const e of require('node:perf_hooks').performance.getEntriesByType('measure')) measures[e.name] = (measures[e.name] || 0) + e.duration;
    }
    if (session) {
      // A same-thread session answers synchronously, so the profile is written before the process ends.
      session.post('Profiler.stop', (error, result) => {
        if (!error) fs.writeFileSync(path.join(process.env.NX_DVC_BENCH_PROFILE_DIR, 'worker-' + process.pid + '.cpuprofile'), JSON.stringify(result.profile));
      });
    }
    // written whole, then renamed: the bench may read the folder while this process exits
    fs.writeFileSync(path.join(dir, process.pid + '.partial'), JSON.stringify({ pid: process.pid, role, cpu: (usage.user + usage.system) / 1000, measures }));
    fs.renameSync(path.join(dir, process.pid + '.partial'), path.join(dir, process.pid + '.json'));
  });
}
`;

/** Inclusive time per function (recursion counted once), for nx-dvc's functions and Nx's worker-side work. */
function summarizeProfile(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const where = (n) => {
    const url = n.callFrame.url.replace(/^file:\/\//, '');
    const short = url.includes('/node_modules/') ? url.slice(url.lastIndexOf('/node_modules/') + 14) : url;
    return `${n.callFrame.functionName || '(anonymous)'} (${short}:${n.callFrame.lineNumber + 1})`;
  };
  const inclusive = new Map(), self = new Map();
  const samples = [];
  let total = 0, idle = 0, t = 0;
  const loadByPackage = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] / 1000;
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const leaf = byId.get(profile.samples[i]);
    total += dt;
    const kind = leaf.callFrame.functionName;
    if (kind === '(idle)') idle += dt;
    self.set(where(leaf), (self.get(where(leaf)) ?? 0) + dt);
    const seen = new Set();
    for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
      const key = where(byId.get(id));
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
    }
    const keys = [...seen]; // leaf first
    const loading = keys.some((k) => k.startsWith('(anonymous) (nx-dvc/dist/index.js:1)'));
    const deps = !loading && keys.some((k) => k.includes('(nx-dvc/dist/plugin/create-dependencies.js'));
    const ours = !loading && !deps && keys.some((k) => k.includes('(nx-dvc/dist/'));
    if (loading) {
      // Whose module was being loaded: the package of the innermost frame from node_modules.
      const pkg = keys.map((k) => / \(((?:@[^/]+\/)?[^/:]+)\//.exec(k)?.[1]).find(Boolean) ?? 'node';
      loadByPackage.set(pkg, (loadByPackage.get(pkg) ?? 0) + dt);
    }
    samples.push({ t, dt, kind: deps ? 'deps' : ours ? 'ours' : kind === '(idle)' ? 'idle' : kind === '(garbage collector)' ? 'gc' : 'other' });
  }
  // The span from the first to the last sample in nx-dvc's code, module loading aside: our
  // JavaScript (createDvcNodes and its async continuations), and
  // the waits in it (Nx hashing the workspace's files natively for calculateHashesForCreateNodes).
  const inside = samples.filter((s) => s.kind === 'ours');
  const window = { span: 0, ours: 0, idle: 0, gc: 0, other: 0, deps: 0 };
  if (inside.length) {
    const from = inside[0].t, to = inside.at(-1).t;
    for (const s of samples) if (s.t >= from && s.t <= to) window[s.kind] += s.dt;
    window.span = to - from;
  }
  const depsJs = samples.filter((s) => s.kind === 'deps').reduce((a, s) => a + s.dt, 0);
  const sumOf = (pattern) => [...inclusive].filter(([k]) => pattern.test(k)).reduce((a, [, v]) => Math.max(a, v), 0);
  const top = (map, filter, n) => [...map].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, n);
  return {
    total,
    idle,
    window,
    moduleLoad: sumOf(/^\(anonymous\) \(nx-dvc\/dist\/index\.js:1\)/),
    loadByPackage: [...loadByPackage].sort((a, b) => b[1] - a[1]),
    nxOnResults: sumOf(/^withoutUndefinedValues /) + sumOf(/^serializeAs /),
    parseMessages: sumOf(/^parseMessage /),
    depsJs,
    plugin: top(inclusive, (k) => k.includes('nx-dvc/dist/'), 14),
    selfTop: top(self, (k) => !/^\((idle|program|root)\)/.test(k), 12),
  };
}

// ---------------------------------------------------------------------------------------------

function report(results, profile) {
  const lines = [];
  const p = (s = '') => lines.push(s);
  p(`## nx-dvc graph benchmark`);
  p();
  p(`${machine.date}; ${machine.line}`);
  p(`Load average (1, 5, 15 min) at start ${machine.loadStart.map((l) => l.toFixed(2)).join(', ')}, at end ${machine.loadEnd.map((l) => l.toFixed(2)).join(', ')}.`);
  p(`Command: \`nx show projects --json\` (Nx ${NX_VERSION}, NX_DAEMON=false, NX_PERF_LOGGING=true), ${RUNS} runs per configuration, interleaved; ${STAGES_PER_FILE} stages per dvc.yaml.`);
  p(`share = nx-dvc configuration minus the baseline in the same state; median - median, and min - min.`);
  p(`CPU = user + system time of every Node process of the run (Nx, plugin workers), median; steadier than wall time on a busy machine, but it adds up work that runs in parallel.`);
  p(`createNodes = Nx's 'nx-dvc:createNodes' measure, taken in the plugin worker around our createNodes function.`);
  for (const r of results) {
    p();
    p(`### ${r.stages} stages in ${r.files} dvc.yaml files${r.stages === MAIN ? ' (main figures)' : ''}`);
    p();
    p('| configuration | projects | median | min | share (median) | share (min) | × baseline | createNodes median (min) | CPU, all processes | CPU share | CPU of nx-dvc worker | peak RSS: largest process / tree |');
    p('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const c of CONFIGS) {
      const s = stats(r, c.id);
      const b = c.base && stats(r, c.base);
      const cn = measureStats(r, c.id, 'nx-dvc:createNodes');
      const cpu = stats(r, c.id, 'cpu'), cpuBase = c.base && stats(r, c.base, 'cpu');
      const pluginCpu = c.base ? ms(stats(r, c.id, 'pluginCpu').median) : '';
      p(`| ${c.label} | ${r.projects[c.id]} | ${ms(s.median)} | ${ms(s.min)} | ${b ? signed(s.median - b.median) : ''} | ${b ? signed(s.min - b.min) : ''} | ${b ? (s.median / b.median).toFixed(2) : ''} | ${cn ? `${ms(cn.median)} (${ms(cn.min)})` : ''} | ${ms(cpu.median)} | ${cpuBase ? signed(cpu.median - cpuBase.median) : ''} | ${pluginCpu} | ${mib(peak(r, c.id, 'maxRssKiB'))} / ${mib(peak(r, c.id, 'treeRssKiB'))} |`);
    }
  }
  const main = results.find((r) => r.stages === MAIN);
  p();
  p(`### Where the time goes, ${MAIN} stages (medians of Nx's perf measures)`);
  p();
  p(`| measure | ${CONFIGS.map((c) => c.id).join(' | ')} |`);
  p(`|---|${CONFIGS.map(() => '---:').join('|')}|`);
  for (const m of MEASURES) p(`| ${m} | ${CONFIGS.map((c) => fmt(measureStats(main, c.id, m)?.median)).join(' | ')} |`);
  p(`| wall time | ${CONFIGS.map((c) => ms(stats(main, c.id).median)).join(' | ')} |`);
  p(`| CPU time, Nx's main process | ${CONFIGS.map((c) => ms(stats(main, c.id, 'mainCpu').median)).join(' | ')} |`);
  p(`| CPU time, nx-dvc's worker | ${CONFIGS.map((c) => (c.base ? ms(stats(main, c.id, 'pluginCpu').median) : 'n/a')).join(' | ')} |`);
  p(`| CPU time, all processes | ${CONFIGS.map((c) => ms(stats(main, c.id, 'cpu').median)).join(' | ')} |`);
  p();
  p(`build-project-configs spans every plugin's createNodes (run in their worker processes, in parallel), sending the results back and merging them.`);
  p(`Cache files after a cold nx-dvc run: ${main.cacheFiles.join(', ')}; "warm" deletes ${main.cacheFiles.filter((f) => GRAPH_CACHE.test(f)).join(', ')}.`);

  p();
  p(`### Growth with size`);
  p();
  p('| stages | files | cold share | warm share | fully warm share | CPU share cold | CPU share warm | createNodes cold | createNodes warm | cold share per 1000 stages | … marginal, from the size above | createNodes cold per 1000 stages |');
  p('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  let previous;
  for (const r of results) {
    const share = (id, base, field) => stats(r, id, field).median - stats(r, base, field).median;
    const has = (id) => r.runs[id] !== undefined;
    const cold = share('dvc-cold', 'base-cold'), warm = share('dvc-warm', 'base-warm'), full = has('dvc-full') ? share('dvc-full', 'base-full') : NaN;
    const createCold = measureStats(r, 'dvc-cold', 'nx-dvc:createNodes')?.median;
    p(`| ${r.stages} | ${r.files} | ${signed(cold)} | ${signed(warm)} | ${signed(full)} | ${signed(share('dvc-cold', 'base-cold', 'cpu'))} | ${signed(share('dvc-warm', 'base-warm', 'cpu'))} | ${fmt(createCold)} | ${fmt(measureStats(r, 'dvc-warm', 'nx-dvc:createNodes')?.median)} | ${signed((cold * 1000) / r.stages)} | ${previous ? signed(((cold - previous.cold) * 1000) / (r.stages - previous.stages)) : ''} | ${createCold === undefined ? 'n/a' : ms((createCold * 1000) / r.stages)} |`);
    previous = { stages: r.stages, cold };
  }

  const coldShare = stats(main, 'dvc-cold').median - stats(main, 'base-cold').median;
  const warmShare = stats(main, 'dvc-warm').median - stats(main, 'base-warm').median;
  p();
  p(`### Goal (issue: under 1 s cold, under 100 ms warm, on 2 cores), ${MAIN} stages`);
  p();
  const coldCreate = measureStats(main, 'dvc-cold', 'nx-dvc:createNodes')?.median;
  const warmCreate = measureStats(main, 'dvc-warm', 'nx-dvc:createNodes')?.median;
  p(`- cold: share ${signed(coldShare)}: ${coldShare < 1000 ? 'met' : 'not met'}. nx-dvc's createNodes ${fmt(coldCreate)} (${coldCreate === undefined ? 'n/a' : coldCreate < 1000 ? 'under' : 'over'} 1 s); the other ${coldCreate === undefined ? 'n/a' : ms(coldShare - coldCreate)} is the plugin worker's start, the createDependencies round trip and Nx handling ${main.projects['dvc-cold']} more projects.`);
  p(`- warm: share ${signed(warmShare)}: ${warmShare < 100 ? 'met' : 'not met'}. nx-dvc's createNodes ${fmt(warmCreate)} (${warmCreate === undefined ? 'n/a' : warmCreate < 100 ? 'under' : 'over'} 100 ms); the other ${warmCreate === undefined ? 'n/a' : ms(warmShare - warmCreate)} is the plugin worker's start, the createDependencies round trip and Nx handling ${main.projects['dvc-warm']} more projects.`);
  if (!(machine.cpus === 2)) p(`- this machine has ${machine.cpus} CPUs, not 2: the figures are not the goal's.`);
  if (machine.loadStart[0] > machine.cpus * 0.5 || machine.loadEnd[0] > machine.cpus * 0.5) p(`- the machine was busy with other work (load average above): medians and minimums are both shown for that reason.`);
  if (main.warnings.length) p(`- Nx printed ${main.warnings.length} other distinct line(s) on stderr, the first: \`${main.warnings[0].slice(0, 200)}\``);
  if (main.runs['dvc-full']?.every((x) => x.measures['nx-dvc:createNodes'] !== undefined)) {
    p(`- Nx ${NX_VERSION} without the daemon calls createNodes on every command, even with its project graph cache present: "fully warm" does not skip the plugin.`);
  }

  if (profile) {
    for (const kind of ['warm', 'cold']) {
      const prof = profile[kind];
      p();
      p(`### CPU profile of the nx-dvc plugin worker, ${kind}, ${MAIN} stages (one run, sampling profiler on)`);
      p();
      if (!prof?.summary) {
        p('No profile was written.');
        continue;
      }
      const { window: w, total, idle, moduleLoad, loadByPackage, nxOnResults, parseMessages, depsJs } = prof.summary;
      p(`nx-dvc:createNodes ${fmt(prof.createNodes)} in this run (the profiler slows JavaScript down). Worker lifetime ${ms(total)}, idle ${ms(idle)} of it.`);
      p();
      p('| worker phase | time |');
      p('|---|---:|');
      p(`| loading nx-dvc's modules (require of dist/index.js, in "Load Nx Plugin: nx-dvc") | ${ms(moduleLoad)} |`);
      p(`| … by package: ${loadByPackage.filter(([, v]) => v >= 5).map(([k, v]) => `${k} ${ms(v)}`).join(', ')} | |`);
      p(`| createNodes span: first to last sample in nx-dvc code | ${ms(w.span)} |`);
      p(`| … nx-dvc JavaScript | ${ms(w.ours)} |`);
      p(`| … idle: awaiting Nx (calculateHashesForCreateNodes hashes the files natively) | ${ms(w.idle)} |`);
      p(`| … garbage collection | ${ms(w.gc)} |`);
      p(`| … other JavaScript (Nx, messaging) | ${ms(w.other)} |`);
      p(`| Nx on our results: withoutUndefinedValues + serializing IPC messages | ${ms(nxOnResults)} |`);
      p(`| Nx parsing IPC messages from the host (createDependencies gets every project) | ${ms(parseMessages)} |`);
      p(`| createDependencies JavaScript (nx-dvc) | ${ms(depsJs)} |`);
      p();
      p('| inclusive | nx-dvc function |');
      p('|---:|---|');
      for (const [k, v] of prof.summary.plugin) p(`| ${ms(v)} | \`${k}\` |`);
      p();
      p('| self | hottest functions in the worker |');
      p('|---:|---|');
      for (const [k, v] of prof.summary.selfTop) p(`| ${ms(v)} | \`${k}\` |`);
    }
  }
  return lines.join('\n') + '\n';
}

function stats(result, id, field = 'wall') {
  return summary(result.runs[id].map((r) => r[field]));
}

function measureStats(result, id, name) {
  const values = result.runs[id].map((r) => r.measures[name]).filter((v) => v !== undefined);
  return values.length ? summary(values) : undefined;
}

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted.at(-1) };
}

// ---------------------------------------------------------------------------------------------

function describeMachine() {
  const cpus = os.cpus();
  const loadStart = os.loadavg();
  return {
    cpus: cpus.length,
    loadStart,
    loadEnd: loadStart,
    date: new Date().toISOString(),
    line: `${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()} ${os.arch()}, Node ${process.version}`,
  };
}

function writeNxJson(root, plugins) {
  writeFileSync(join(root, 'nx.json'), JSON.stringify({ plugins }, null, 2) + '\n');
}

function workspaceData(root) {
  const dir = join(root, '.nx', 'workspace-data');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

function run(command, argv, cwd) {
  const r = spawnSync(command, argv, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${command} ${argv.join(' ')} failed in ${cwd}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function ms(v) {
  if (v === undefined || Number.isNaN(v)) return 'n/a';
  return Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`;
}

function mib(kib) {
  return Number.isFinite(kib) ? `${Math.round(kib / 1024)} MiB` : 'n/a';
}

function peak(result, id, field) {
  return Math.max(...result.runs[id].map((r) => r[field]));
}

/** What the suite (run.mjs) needs, per size and configuration: medians, minimums, createNodes, peak RSS. */
function jsonResult(results) {
  return {
    machine,
    nxVersion: NX_VERSION,
    runs: RUNS,
    stagesPerFile: STAGES_PER_FILE,
    sizes: results.map((r) => ({
      stages: r.stages,
      files: r.files,
      projects: r.projects,
      configs: Object.fromEntries(
        CONFIGS.map((c) => [
          c.id,
          {
            wall: stats(r, c.id),
            cpu: stats(r, c.id, 'cpu'),
            createNodes: measureStats(r, c.id, 'nx-dvc:createNodes'),
            maxRssKiB: peak(r, c.id, 'maxRssKiB'),
            treeRssKiB: peak(r, c.id, 'treeRssKiB'),
          },
        ]),
      ),
    })),
  };
}

function fmt(v) {
  return v === undefined ? 'n/a' : ms(v);
}

function signed(v) {
  if (Number.isNaN(v)) return 'n/a';
  return `${v >= 0 ? '+' : '−'}${ms(Math.abs(v))}`;
}

function log(message) {
  console.error(`[graph bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`);
}

// Last, so that every constant above is initialised before the top-level await runs.
try {
  writeFileSync(hookPath, HOOK);
  const nodeModules = installPlugin();
  const results = [];
  for (const stages of SIZES) results.push(await measureSize(stages, nodeModules));
  const profile = args.profile === false ? undefined : await profileWorker(results.find((r) => r.stages === MAIN));
  machine.loadEnd = os.loadavg();
  const text = report(results, profile);
  console.log('\n' + text);
  writeFileSync(reportPath, text);
  writeJsonResult(args.json, jsonResult(results));
  log(`wrote ${reportPath} (${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
} finally {
  if (args.keep) log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

#!/usr/bin/env node
// A chain of trivial stages through nx-dvc against the same chain as `nx:run-commands` targets,
// in one run on one machine: the full run (from clean) and the no-op rerun (everything cached).
// Writes tools/bench/report-chain.md (report-fanout.md for the fan-out; gitignored); never fails
// on a slow result.
//
//   npm run build && node --import tsx tools/bench/chain.mjs [--sizes 50,100,200] [--runs 3]
//       [--growth-runs 1] [--repeats 3] [--growth-repeats 3] [--parallel 2] [--budget-s 600] [--profile [stages]]
//       [--shape chain|fanout] [--dvc] [--json out.json]
//
// nx-dvc: `pipe/dvc.yaml` with stages s_1..s_n, `cmd: cp f_{i-1} f_i`, `deps: [f_{i-1}]`,
// `outs: [f_i]`, run by `nx run-many -t repro --projects=tag:dvc:stage` in nx-dvc's default mode
// (one batch process for the stage tasks).
// --shape fanout: one `foreach` stage over 1..n instead, `s@i: cmd: cp f_0 o_i`, `deps: [f_0]`,
// `outs: [o_i]` (independent stages; the baseline's targets have no dependsOn); each command, on
// both sides, logs when it starts and ends to a file outside the workspace, from which the peak
// number of stages running at the same time is read.
// --dvc: a third side, real DVC 3.64 (`dvc repro` in a DVC repository with the same dvc.yaml), at
// the largest size only, one full run and one no-op (it is slow).
// Baseline: n projects (one project.json each, as nx-dvc makes one project per stage) whose
// `repro` target is `nx:run-commands` with the same command, the same file as input (hashed from
// disk, as nx-dvc's inputs are) and as output, depending on the previous one.
// Full run: outputs, dvc.lock and `.nx` (task cache included) deleted first; checked: Nx ran
// every task, the last file is a copy of the first, and (nx-dvc) every stage ran once and has its
// entry in dvc.lock. No-op: the same command again at once (nx-dvc re-infers that pipeline: the
// full run wrote its dvc.lock and .gitignore); checked: every task came from the cache. Repeat
// no-op: once more, nothing changed since.
// Rounds interleave the three sides so that background load hits them alike; figures are
// medians. The largest size gets --runs rounds and --repeats repeat no-ops (3), the others --growth-runs
// rounds and --growth-repeats repeat no-ops; a round that would overrun --budget-s is skipped.
// Wall time and peak memory come from `measure.mjs`; --profile adds "where the time goes"
// (nx-dvc without --batch only).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DVC_ENV, realDvcPath } from '../support/real-dvc.ts';
import { installedNodeModules, Workspace } from '../support/workspace.ts';
import { describeMachine, formatKiB, formatMs, median, parseArgs, timedCommandOk, writeJsonResult } from './measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
const reportPath = join(here, args.shape === 'fanout' ? 'report-fanout.md' : 'report-chain.md');
const SIZES = String(args.sizes ?? '50,100,200').split(',').map(Number);
const RUNS = Math.max(1, Number(args.runs ?? 3));
const GROWTH_RUNS = Math.max(1, Number(args['growth-runs'] ?? 1));
const PARALLEL = Number(args.parallel ?? 2);
const BUDGET_MS = Number(args['budget-s'] ?? Infinity) * 1000;
const REPEAT_SAMPLES = Math.max(1, Number(args.repeats ?? 3));
const GROWTH_REPEATS = Math.max(1, Number(args['growth-repeats'] ?? REPEAT_SAMPLES));
/** The timed sides, in the order each round runs them; ratios are against BASELINE. */
const SHAPE = args.shape === 'fanout' ? 'fanout' : 'chain';
const DVC = args.dvc ? realDvcPath : undefined;
const SIDES = ['nx-dvc', ...(DVC ? ['dvc repro'] : []), 'run-commands'];
/** Stage names as Nx prints them in task ids and DVC in its messages. */
const STAGE_NAME = SHAPE === 'fanout' ? 's@\\d+' : 's_\\d+';
const BASELINE = 'run-commands';
const SOURCE = 'nx-dvc chain benchmark: the first file of the chain\n'.repeat(20);
const started = performance.now();

const machine = describeMachine();
const nodeModules = installedNodeModules();
const HOOK = join(here, 'process-hook.cjs');
let tracedRunCounter = 0;
/** Nx's perf measures shown in the profile section, in the order a run meets them. */
const MEASURES = [
  'createProjectGraphAsync',
  'loadDefaultNxPlugins',
  'loadSpecifiedNxPlugins',
  'nx-dvc:createNodes',
  'nx-dvc:createDependencies',
  'preTasksExecution',
  'task-execution',
  'hashMultipleTasks',
  'cache-results',
  'postTasksExecution',
  'nx-dvc:postTasksExecution',
];

async function main() {
  const results = [];
  for (const stages of SIZES) {
    const index = results.length;
    const largest = stages === Math.max(...SIZES);
    const rounds = largest ? RUNS : GROWTH_RUNS;
    const repeats = largest ? REPEAT_SAMPLES : GROWTH_REPEATS;
    // saved after every round, so that a run stopped from outside still leaves its figures
    results[index] = await measureSize(stages, rounds, repeats, (sofar) => saveProgress(Object.assign(results, { [index]: sofar })));
  }
  const profile = args.profile ? await profileIfTimeAllows(Number(args.profile === true ? 50 : args.profile), results) : undefined;
  const report = renderReport(results) + (profile ? renderProfile(profile) : '');
  console.log('\n' + report);
  writeFileSync(reportPath, report);
  machine.loadavgEnd = os.loadavg();
  writeJsonResult(args.json, { machine, parallel: PARALLEL, sides: SIDES, dvcVersion: DVC ? spawnSync(DVC, ['--version'], { encoding: 'utf8' }).stdout.trim() : undefined, growthRepeats: GROWTH_REPEATS, sizes: results, profile, profileMarkdown: profile ? renderProfile(profile) : undefined });
}

function saveProgress(results) {
  writeJsonResult(args.json, { machine, parallel: PARALLEL, sides: SIDES, growthRepeats: GROWTH_REPEATS, sizes: results, partial: true });
}

async function measureSize(stages, rounds, repeatSamples, afterRound) {
  const scratch = mkdtempSync(join(os.tmpdir(), `nx-dvc-bench-chain-${stages}-`));
  try {
    // both nx-dvc sides use the same workspace: every round starts from clean
    const largest = stages === Math.max(...SIZES);
    const sides = [
      { id: 'nx-dvc', ws: createDvcChain(join(scratch, 'dvc'), stages), projects: 'tag:dvc:stage', dvc: true, log: join(scratch, 'nx-dvc.log') },
      ...(DVC && largest ? [{ id: 'dvc repro', ws: createRealDvcChain(join(scratch, 'real-dvc'), stages), realDvc: true, once: true }] : []),
      { id: 'run-commands', ws: createRunCommandsChain(join(scratch, 'base'), stages), projects: 'tag:chain', log: join(scratch, 'base.log') },
    ];
    const runs = Object.fromEntries(sides.map((s) => [s.id, { full: [], noop: [], repeat: [], concurrency: [] }]));
    const repeatsPerRound = Math.ceil(repeatSamples / rounds);
    let slowestRoundMs = 0;
    for (let round = 1; round <= rounds; round++) {
      // a busy machine can slow the next round down: allow it a fifth more than the slowest so far
      if (round > 1 && performance.now() - started + slowestRoundMs * 1.2 > BUDGET_MS) {
        log(`${stages} stages: skipping rounds ${round}..${rounds}, they would overrun the time budget`);
        break;
      }
      const roundStart = performance.now();
      const roundSides = sides.filter((side) => !side.once || round === 1);
      for (const side of roundSides) await measureRound(side, stages, runs[side.id], side.once ? 0 : repeatsPerRound);
      slowestRoundMs = Math.max(slowestRoundMs, performance.now() - roundStart);
      log(`${stages} stages, round ${round}/${rounds}: ` + roundSides.map((s) => `${s.id} full ${formatMs(runs[s.id].full.at(-1).ms)} no-op ${formatMs(runs[s.id].noop.at(-1).ms)}`).join(', '));
      afterRound(sizeResult(stages, runs));
    }
    return sizeResult(stages, runs);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function sizeResult(stages, runs) {
  const samples = Object.fromEntries(Object.entries(runs['nx-dvc']).map(([kind, list]) => [kind, list.length]));
  const peakConcurrency = SHAPE === 'fanout' ? Object.fromEntries(Object.entries(runs).map(([id, r]) => [id, Math.max(...r.concurrency)])) : undefined;
  return { stages, shape: SHAPE, rounds: samples.full, noops: samples.noop, samples, runs, medians: mediansOf(runs), peakConcurrency };
}

/** One full run from clean, the no-op rerun, then repeated no-ops, each checked. */
async function measureRound(side, stages, into, repeats) {
  cleanWorkspace(side.ws);
  if (side.log) rmSync(side.log, { force: true });
  const full = await runChain(side, stages);
  checkFullRun(side, stages, full);
  into.full.push(summarize(full));
  if (side.log && SHAPE === 'fanout') into.concurrency.push(peakConcurrencyOf(side.log));
  for (let i = 0; i <= repeats; i++) {
    const logged = side.log && SHAPE === 'fanout' ? readFileSync(side.log, 'utf8') : undefined;
    const noop = await runChain(side, stages);
    if (logged !== undefined) checkNothingRan(side, logged);
    else checkNoop(side, stages, noop);
    into[i === 0 ? 'noop' : 'repeat'].push(summarize(noop));
  }
}

/** The profile pass costs about four nx-dvc full runs of its size; skipped when that would overrun the budget. */
async function profileIfTimeAllows(stages, results) {
  const largest = results.at(-1);
  const perStage = largest.medians['nx-dvc'].full.ms / largest.stages;
  const estimate = 4 * perStage * stages + 20_000;
  if (performance.now() - started + estimate > BUDGET_MS) {
    log(`skipping the profile pass (about ${formatMs(estimate)}): it would overrun the time budget`);
    return undefined;
  }
  return profileChain(stages);
}

/** The workspace shared by both sides: nx, git, the first file of the chain committed. */
function createBaseWorkspace(root, plugins, files) {
  mkdirSync(root, { recursive: true });
  const ws = new Workspace(root);
  ws.git('init', '-q', '-b', 'main');
  symlinkSync(nodeModules, ws.path('node_modules'), 'dir');
  ws.write('package.json', JSON.stringify({ name: 'chain-bench', private: true }, null, 2));
  ws.write('nx.json', JSON.stringify({ plugins, analytics: false }, null, 2));
  ws.write('.gitignore', 'node_modules\n.nx\n');
  ws.write('pipe/f_0', SOURCE);
  if (SHAPE === 'fanout') ws.write('pipe/copy.sh', COPY_SCRIPT);
  for (const [file, content] of Object.entries(files)) ws.write(file, content);
  ws.commitAll('chain');
  return ws;
}

/**
 * The fan-out's command: `copy.sh i` copies f_0 to o_i between two lines in $BENCH_LOG saying when
 * it started and ended (a short command line: Nx prints it for every task, and a long output can
 * lose its end when Nx exits).
 */
const COPY_SCRIPT = 'echo "start $(date +%s%N)" >> "$BENCH_LOG" && cp f_0 "o_$1" && echo "end $(date +%s%N)" >> "$BENCH_LOG"\n';
const logged = (item) => `sh copy.sh ${item}`;

function dvcYaml(stages) {
  if (SHAPE === 'fanout') {
    const items = Array.from({ length: stages }, (_, i) => i + 1).join(', ');
    return ['stages:', '  s:', `    foreach: [${items}]`, '    do:', `      cmd: ${logged('${item}')}`, '      deps: [f_0]', '      outs:', '      - o_${item}'].join('\n') + '\n';
  }
  const lines = ['stages:'];
  for (let i = 1; i <= stages; i++) {
    lines.push(`  s_${i}:`, `    cmd: cp f_${i - 1} f_${i}`, `    deps: [f_${i - 1}]`, `    outs: [f_${i}]`);
  }
  return lines.join('\n') + '\n';
}

function createDvcChain(root, stages) {
  return createBaseWorkspace(root, ['nx-dvc'], { 'pipe/dvc.yaml': dvcYaml(stages) });
}

/** The same dvc.yaml in a DVC repository (`dvc init`), for real DVC's `dvc repro`. */
function createRealDvcChain(root, stages) {
  const ws = createBaseWorkspace(root, [], { 'pipe/dvc.yaml': dvcYaml(stages) });
  ws.remove('node_modules');
  const init = spawnSync(DVC, ['init', '-q'], { cwd: root, env: { ...process.env, ...DVC_ENV }, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`dvc init failed: ${init.stderr}`);
  ws.commitAll('dvc init');
  return ws;
}

/** The most commands running at one moment, from the start and end lines they logged. */
function peakConcurrencyOf(logFile) {
  const events = readFileSync(logFile, 'utf8').trim().split('\n').map((line) => line.split(' ')).map(([edge, time]) => [BigInt(time), edge === 'start' ? 1 : -1]);
  events.sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1));
  let running = 0;
  let peak = 0;
  for (const [, step] of events) peak = Math.max(peak, (running += step));
  return peak;
}

function createRunCommandsChain(root, stages) {
  const files = { 'pipe/.gitignore': '/f_*\n!/f_0\n/o_*\n' };
  const fanout = SHAPE === 'fanout';
  for (let i = 1; i <= stages; i++) {
    const input = i === 1 || fanout ? '{workspaceRoot}/pipe/f_0' : { fileset: `{workspaceRoot}/pipe/f_${i - 1}`, includeIgnored: true };
    files[`chain/s_${i}/project.json`] = JSON.stringify({
      name: `chain--s_${i}`,
      tags: ['chain'],
      targets: {
        repro: {
          executor: 'nx:run-commands',
          options: { command: fanout ? logged(i) : `cp f_${i - 1} f_${i}`, cwd: 'pipe' },
          cache: true,
          inputs: [input, { externalDependencies: [] }],
          outputs: [`{workspaceRoot}/pipe/${fanout ? 'o' : 'f'}_${i}`],
          dependsOn: i === 1 || fanout ? [] : [{ projects: `chain--s_${i - 1}`, target: 'repro' }],
        },
      },
    });
  }
  return createBaseWorkspace(root, [], files);
}

/** From clean: outputs, dvc.lock, DVC's .gitignore lines, Nx's cache and workspace data. */
function cleanWorkspace(ws) {
  ws.git('clean', '-fdqx', '--', 'pipe');
  ws.remove('.nx');
  ws.remove('.dvc/cache');
  ws.remove('.dvc/tmp');
}

function nxEnv(ws, extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NX_') && k !== 'NODE_OPTIONS'));
  return { ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true', FORCE_COLOR: '0', NX_CACHE_DIRECTORY: ws.path('.nx/cache'), ...extra };
}

function runChain(side, stages, extraEnv = {}) {
  const logEnv = side.log ? { BENCH_LOG: side.log } : {};
  if (side.realDvc) return timedCommandOk(DVC, ['repro', 'pipe/dvc.yaml'], { cwd: side.ws.root, env: { ...process.env, ...DVC_ENV, ...logEnv } });
  const argv = ['run-many', '-t', 'repro', `--projects=${side.projects}`, `--parallel=${PARALLEL}`, '--outputStyle=static', ...(side.batch ? ['--batch'] : [])];
  return timedCommandOk(side.ws.path('node_modules/.bin/nx'), argv, { cwd: side.ws.root, env: nxEnv(side.ws, { ...side.env, ...logEnv, ...extraEnv }) });
}

function checkFullRun(side, stages, full) {
  if (side.realDvc) return checkRealDvcRun(side, stages, full);
  const ran = /Successfully ran target repro for (\d+) projects?/.exec(full.stdout)?.[1];
  if (Number(ran) !== stages) throw new Error(`${side.id}: full run of ${stages} stages reported ${ran} projects\n${full.stdout.slice(-3000)}`);
  checkLastFile(side, stages);
  if (side.dvc) {
    // each stage run once (its task once in Nx's output, its command once), and once in dvc.lock
    const stageRuns = full.stdout.match(new RegExp(`^Running stage 'pipe/dvc\\.yaml:${STAGE_NAME}':$`, 'gm')) ?? [];
    if (stageRuns.length !== stages || new Set(stageRuns).size !== stages) throw new Error(`${side.id}: ${stageRuns.length} stage runs (${new Set(stageRuns).size} distinct), expected ${stages}\n${full.stdout.slice(-3000)}`);
    checkLocked(side, stages);
    const started = full.stdout.match(new RegExp(`^> nx run pipe--${STAGE_NAME}:repro`, 'gm')) ?? [];
    if (started.length !== stages || new Set(started).size !== stages) throw new Error(`${side.id}: Nx printed ${started.length} task headers (${new Set(started).size} distinct), expected ${stages}\n${full.stdout.slice(-3000)}`);
  }
}

function checkLastFile(side, stages) {
  const last = SHAPE === 'fanout' ? `pipe/o_${stages}` : `pipe/f_${stages}`;
  if (readFileSync(side.ws.path(last), 'utf8') !== SOURCE) throw new Error(`${side.id}: ${last} is not a copy of pipe/f_0`);
}

function checkLocked(side, stages) {
  const locked = readFileSync(side.ws.path('pipe/dvc.lock'), 'utf8').match(new RegExp(`^ {2}${STAGE_NAME}:$`, 'gm')) ?? [];
  if (locked.length !== stages || new Set(locked).size !== stages) throw new Error(`${side.id}: dvc.lock has ${locked.length} stage entries (${new Set(locked).size} distinct), expected ${stages}`);
}

/** Real DVC: every stage ran once and is in dvc.lock. */
function checkRealDvcRun(side, stages, full) {
  const stageRuns = (full.stdout + full.stderr).match(new RegExp(`^Running stage 'pipe/dvc\\.yaml:${STAGE_NAME}':$`, 'gm')) ?? [];
  if (new Set(stageRuns).size !== stages) throw new Error(`${side.id}: ${new Set(stageRuns).size} distinct stage runs, expected ${stages}\n${full.stdout.slice(-3000)}`);
  checkLastFile(side, stages);
  checkLocked(side, stages);
}

/**
 * The fan-out's no-op: no command logged a start. (Nx's output of a no-op of 200 independent
 * run-commands tasks, all restored at once, loses its end, summary included, when Nx exits.)
 */
function checkNothingRan(side, logBefore) {
  if (readFileSync(side.log, 'utf8') !== logBefore) throw new Error(`${side.id}: a command ran in the no-op run`);
}

function checkNoop(side, stages, noop) {
  if (side.realDvc) {
    if (/Running stage/.test(noop.stdout + noop.stderr)) throw new Error(`${side.id}: the no-op run ran a stage\n${noop.stdout.slice(-3000)}`);
    return;
  }
  const cached = /read the output from the cache instead of running the command for (\d+) out of (\d+) tasks/.exec(noop.stdout + noop.stderr);
  if (!cached || Number(cached[1]) !== stages || Number(cached[2]) !== stages) throw new Error(`${side.id}: the no-op run was not fully cached\n${noop.stdout.slice(-1500)}\n--- stderr:\n${noop.stderr.slice(-1500)}`);
}

function summarize(result) {
  return { ms: result.ms, maxRssKiB: result.maxRssKiB, treeRssKiB: result.treeRssKiB };
}

function mediansOf(runs) {
  const out = {};
  for (const [id, kinds] of Object.entries(runs)) {
    out[id] = {};
    for (const [kind, list] of Object.entries(kinds)) {
      if (kind === 'concurrency' || list.length === 0) continue;
      out[id][kind] = { ms: median(list.map((r) => r.ms)), maxRssKiB: Math.max(...list.map((r) => r.maxRssKiB)), treeRssKiB: Math.max(...list.map((r) => r.treeRssKiB)) };
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// --profile [stages]: one extra, untimed-for-the-table pass that shows where the time goes. Every
// Node process gets tools/bench/process-hook.cjs (lifetime, CPU, executor require and call) and
// Nx's NX_PERF_LOGGING measures are collected; then CPU profiles of nx-dvc's task processes (full
// run) and of Nx's main process and plugin worker (no-op). A third side runs the baseline with
// NX_RUN_COMMANDS_DIRECTLY=false: Nx then forks one process per run-commands task, as it does for
// every other executor, which separates Nx's per-process cost from nx-dvc's own work.

async function profileChain(stages) {
  const scratch = mkdtempSync(join(os.tmpdir(), `nx-dvc-bench-chain-profile-`));
  try {
    const base = createRunCommandsChain(join(scratch, 'base'), stages);
    const sides = [
      { id: 'nx-dvc', ws: createDvcChain(join(scratch, 'dvc'), stages), projects: 'tag:dvc:stage' },
      { id: 'run-commands', ws: base, projects: 'tag:chain' },
      { id: 'run-commands, forked', ws: base, projects: 'tag:chain', env: { NX_RUN_COMMANDS_DIRECTLY: 'false' } },
    ];
    const out = { stages, sides: {} };
    for (const side of sides) {
      cleanWorkspace(side.ws);
      const full = await tracedRun(side, stages, join(scratch, 'runs'));
      const noop = await tracedRun(side, stages, join(scratch, 'runs'));
      out.sides[side.id] = { full, noop };
      log(`profile, ${stages} stages, ${side.id}: full ${formatMs(full.wallMs)}, no-op ${formatMs(noop.wallMs)}`);
    }
    out.cpu = await cpuProfiles(sides[0], sides[1], stages, join(scratch, 'profiles'));
    return out;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function tracedRun(side, stages, runsDir, profile = {}) {
  const dir = join(runsDir, String(tracedRunCounter++));
  mkdirSync(dir, { recursive: true });
  const env = { NODE_OPTIONS: `--require ${HOOK}`, NX_DVC_BENCH_RUN_DIR: dir, NX_PERF_LOGGING: 'true', ...profile };
  const result = await runChain(side, stages, env);
  const processes = await processRecords(dir);
  return { wallMs: result.ms, measures: measuresOf(processes), ...processSummary(processes) };
}

/** The hook's records; plugin workers may exit just after Nx, so wait for every started process. */
async function processRecords(dir) {
  const pending = () => readdirSync(dir).filter((f) => f.endsWith('.start') && !existsSync(join(dir, f.replace(/\.start$/, '.json'))));
  for (let i = 0; i < 100 && pending().length; i++) await new Promise((ok) => setTimeout(ok, 50));
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
}

/** Nx's perf measures, from the main process and the plugin workers (where createNodes is timed). */
function measuresOf(processes) {
  const measures = {};
  for (const p of processes.filter((x) => x.measures).sort((a, b) => (a.role === 'main' ? -1 : b.role === 'main' ? 1 : 0))) {
    for (const [name, m] of Object.entries(p.measures)) {
      if (/^plugin worker \d+ code loading$/.test(name)) continue; // also in the worker table below
      measures[name] ??= m;
    }
  }
  return measures;
}

/** Per task process: Node's start-up, Nx before the executor, the executor's require and call, exit. */
function processSummary(processes) {
  const main = processes.find((p) => p.role === 'main');
  const tasks = processes.filter((p) => p.role === 'task').sort((a, b) => a.start - b.start);
  const workers = processes.filter((p) => p.role.startsWith('worker:'));
  const per = (f) => median(tasks.map(f).filter((v) => typeof v === 'number' && !Number.isNaN(v)));
  const gaps = tasks.slice(1).map((t, i) => t.start - tasks[i].exit);
  return {
    mainCpuMs: main?.cpuMs,
    mainLifeMs: main && main.exit - main.start,
    nxDvcWorkerCpuMs: workers.filter((w) => w.role === 'worker:nx-dvc').reduce((a, w) => a + w.cpuMs, 0),
    nxWorkersCpuMs: workers.filter((w) => w.role !== 'worker:nx-dvc').reduce((a, w) => a + w.cpuMs, 0),
    workers: workers.map((w) => ({ role: w.role, cpuMs: w.cpuMs, lifeMs: w.exit - w.start })),
    taskProcesses: tasks.length,
    task: tasks.length
      ? {
          lifeMs: per((t) => t.exit - t.start),
          cpuMs: per((t) => t.cpuMs),
          nodeBootMs: per((t) => t.bootstrapped - t.start),
          nxBeforeExecutorMs: per((t) => t.requireStart - t.bootstrapped),
          requireExecutorMs: per((t) => t.requireEnd - t.requireStart),
          beforeCallMs: per((t) => t.callStart - t.requireEnd),
          callMs: per((t) => t.callEnd - t.callStart),
          afterCallMs: per((t) => t.exit - t.callEnd),
          gapMs: median(gaps),
          beforeFirstMs: main ? tasks[0].start - main.start : NaN,
          afterLastMs: main ? main.exit - Math.max(...tasks.map((t) => t.exit)) : NaN,
        }
      : undefined,
  };
}

/** CPU profiles: nx-dvc's task processes in a full run; Nx's main process (and nx-dvc's worker) in a no-op, both sides. */
async function cpuProfiles(dvcSide, baseSide, stages, dir) {
  const profiled = async (side, roles, name, clean) => {
    const into = join(dir, name);
    mkdirSync(into, { recursive: true });
    if (clean) cleanWorkspace(side.ws);
    await tracedRun(side, stages, join(dir, 'runs'), { NX_DVC_BENCH_PROFILE_DIR: into, NX_DVC_BENCH_PROFILE_ROLES: roles });
    return readdirSync(into).map((f) => ({ role: f.replace(/-\d+\.cpuprofile$/, ''), profile: JSON.parse(readFileSync(join(into, f), 'utf8')) }));
  };
  const dvcTasks = await profiled(dvcSide, 'task', 'dvc-full', true);
  const dvcNoop = await profiled(dvcSide, 'main,worker:nx-dvc', 'dvc-noop', false);
  cleanWorkspace(baseSide.ws);
  await runChain(baseSide, stages);
  const baseNoop = await profiled(baseSide, 'main', 'base-noop', false);
  return {
    dvcTask: summarizeProfiles(dvcTasks.map((p) => p.profile)),
    dvcNoopMain: summarizeProfiles(dvcNoop.filter((p) => p.role === 'main').map((p) => p.profile)),
    dvcNoopWorker: summarizeProfiles(dvcNoop.filter((p) => p.role === 'worker_nx-dvc').map((p) => p.profile)),
    baseNoopMain: summarizeProfiles(baseNoop.map((p) => p.profile)),
  };
}

/**
 * Self time by category (module loading, GC, idle, nx-dvc, Nx, other), the hottest functions
 * by self time, and nx-dvc's functions by inclusive time, summed over the given profiles.
 */
function summarizeProfiles(profiles) {
  const categories = {};
  const self = new Map();
  const inclusive = new Map();
  let totalMs = 0;
  for (const profile of profiles) {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    for (let i = 0; i < profile.samples.length; i++) {
      const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
      totalMs += dt;
      const stack = [];
      for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) stack.push(byId.get(id));
      const names = stack.map(frameName);
      const category = categoryOf(stack[0], names);
      categories[category] = (categories[category] ?? 0) + dt;
      self.set(names[0], (self.get(names[0]) ?? 0) + dt);
      for (const name of new Set(names)) if (name.includes('nx-dvc/dist/')) inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
    }
  }
  const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
  return {
    profiles: profiles.length,
    totalMs,
    categories,
    selfTop: top(new Map([...self].filter(([k]) => !/^\((idle|program|root)\)/.test(k))), 12),
    ours: top(inclusive, 12),
  };
}

function frameName(node) {
  const url = node.callFrame.url.replace(/^file:\/\//, '');
  const short = url.includes('/node_modules/') ? url.slice(url.lastIndexOf('/node_modules/') + 14) : url;
  return `${node.callFrame.functionName || '(anonymous)'} (${short}:${node.callFrame.lineNumber + 1})`;
}

function categoryOf(leaf, names) {
  const fn = leaf.callFrame.functionName;
  if (fn === '(idle)') return 'idle (waiting: child processes, I/O)';
  if (fn === '(garbage collector)') return 'garbage collection';
  if (names.some((n) => /^(Module\._load|Module\._compile|compileForInternalLoader|wrapSafe|Module\._findPath|Module\._resolveFilename) /.test(n))) return 'loading modules (require)';
  if (names.some((n) => n.includes('nx-dvc/dist/'))) return 'nx-dvc code';
  if (names.some((n) => n.includes('nx/dist/'))) return 'Nx code';
  return 'other (Node, program)';
}

function renderProfile(p) {
  const lines = [];
  const push = (...l) => lines.push(...l);
  const sideIds = Object.keys(p.sides);
  push('', `## Where the time goes in a chain run (${p.stages} stages)`, '');
  push(
    `One traced full run and no-op per side, with NX_PERF_LOGGING and tools/bench/process-hook.cjs in every Node process (so a little slower than the timed runs). Nx runs an \`nx:run-commands\` task inside its main process (it spawns only the command's shell), but forks a Node process for every task of any other executor, \`nx-dvc:stage\` included; the third side, the baseline with NX_RUN_COMMANDS_DIRECTLY=false, makes Nx fork for run-commands too, which separates what that fork costs from what nx-dvc's executor adds. nx-dvc runs in its default mode: its stage tasks share one batch process (Nx's batch worker, counted below as one task process).`,
    '',
  );
  push(`| | ${sideIds.join(' | ')} |`, `|---|${sideIds.map(() => '---:').join('|')}|`);
  const row = (label, f) => push(`| ${label} | ${sideIds.map((id) => f(p.sides[id])).join(' | ')} |`);
  row('full run, wall', (s) => formatMs(s.full.wallMs));
  row('… per stage', (s) => formatMs(s.full.wallMs / p.stages));
  row('… task processes forked', (s) => String(s.full.taskProcesses));
  row('… per task process: lifetime (median)', (s) => formatMs(s.full.task?.lifeMs));
  row('… … Node start-up until the --require hook', (s) => formatMs(s.full.task?.nodeBootMs));
  row('… … Nx in the child until the executor is required (loads nx, reads the project graph)', (s) => formatMs(s.full.task?.nxBeforeExecutorMs));
  row('… … require of the executor module', (s) => formatMs(s.full.task?.requireExecutorMs));
  row('… … executor function', (s) => formatMs(s.full.task?.callMs));
  row('… … after the executor until exit', (s) => formatMs(s.full.task?.afterCallMs));
  row('… … CPU time of one task process', (s) => formatMs(s.full.task?.cpuMs));
  row('… gap between one task process and the next (Nx main: cache the outputs, hash the next task, fork)', (s) => formatMs(s.full.task?.gapMs));
  row('… before the first task process (graph, hashing plan)', (s) => formatMs(s.full.task?.beforeFirstMs));
  row('… after the last task process (incl. postTasksExecution)', (s) => formatMs(s.full.task?.afterLastMs));
  row('… CPU, Nx main process', (s) => formatMs(s.full.mainCpuMs));
  row("… CPU, Nx's own plugin workers (js, package-json, project-json)", (s) => formatMs(s.full.nxWorkersCpuMs));
  row("… CPU, nx-dvc's plugin worker", (s) => formatMs(s.full.nxDvcWorkerCpuMs));
  row('no-op, wall', (s) => formatMs(s.noop.wallMs));
  row('… CPU, Nx main process', (s) => formatMs(s.noop.mainCpuMs));
  row("… CPU, Nx's own plugin workers", (s) => formatMs(s.noop.nxWorkersCpuMs));
  row("… CPU, nx-dvc's plugin worker", (s) => formatMs(s.noop.nxDvcWorkerCpuMs));
  push('', "Nx's perf measures (NX_PERF_LOGGING, read in each process as it exits; sum over the run, count in brackets when more than one):", '');
  push(`| measure | ${sideIds.flatMap((id) => [`${id} full`, `${id} no-op`]).join(' | ')} |`, `|---|${sideIds.flatMap(() => ['---:', '---:']).join('|')}|`);
  for (const name of MEASURES) {
    const cell = (m) => (m ? `${formatMs(m.ms)}${m.count > 1 ? ` (${m.count})` : ''}` : '');
    push(`| ${name} | ${sideIds.flatMap((id) => [cell(p.sides[id].full.measures[name]), cell(p.sides[id].noop.measures[name])]).join(' | ')} |`);
  }
  const profiles = [
    ['nx-dvc task processes, full run (all of them, summed)', p.cpu.dvcTask],
    ["Nx's main process, nx-dvc no-op", p.cpu.dvcNoopMain],
    ["nx-dvc's plugin worker, no-op", p.cpu.dvcNoopWorker],
    ["Nx's main process, run-commands no-op", p.cpu.baseNoopMain],
  ];
  for (const [title, s] of profiles) {
    push('', `### CPU profile: ${title}: ${s.profiles} profile(s), ${formatMs(s.totalMs)} sampled`, '');
    push(`| category | time |`, '|---|---:|');
    for (const [k, v] of Object.entries(s.categories).sort((a, b) => b[1] - a[1])) push(`| ${k} | ${formatMs(v)} |`);
    push('', '| self | hottest functions |', '|---:|---|');
    for (const [k, v] of s.selfTop) push(`| ${formatMs(v)} | \`${k}\` |`);
    if (s.ours.length) {
      push('', '| inclusive | nx-dvc function |', '|---:|---|');
      for (const [k, v] of s.ours) push(`| ${formatMs(v)} | \`${k}\` |`);
    }
  }
  return lines.join('\n') + '\n';
}

function renderReport(sizes) {
  const ours = SIDES.filter((id) => id !== BASELINE);
  const lines = [
    SHAPE === 'fanout' ? '# Fan-out of trivial stages (foreach): nx-dvc vs nx:run-commands' : '# Chain of trivial stages: nx-dvc vs nx:run-commands',
    '',
    `${machine.date.slice(0, 10)}, ${machine.cores}-core ${machine.cpuModel}, ${machine.ramGiB.toFixed(1)} GiB, Node ${machine.node}; \`--parallel=${PARALLEL}\`; medians; ratios against ${BASELINE}.`,
    'Peak RSS: largest single process (GNU time) / whole process tree (sampled every 100 ms), the highest of the runs.',
    '',
    `| stages | run | runs | ${ours.map((id) => `${id} | ratio`).join(' | ')} | ${BASELINE} | ${SIDES.map((id) => `${id} peak RSS`).join(' | ')} |`,
    `|---:|---|---:|${ours.map(() => '---:|---:').join('|')}|---:|${SIDES.map(() => '---:').join('|')}|`,
  ];
  const labels = { full: 'full run', noop: 'no-op', repeat: 'repeat no-op' };
  for (const { stages, medians, samples } of sizes) {
    for (const kind of ['full', 'noop', 'repeat']) {
      const base = medians[BASELINE][kind];
      const cells = ours.map((id) => (medians[id]?.[kind] ? `${formatMs(medians[id][kind].ms)} | ${(medians[id][kind].ms / base.ms).toFixed(2)}×` : 'n/a | n/a'));
      const rss = SIDES.map((id) => (medians[id]?.[kind] ? `${formatKiB(medians[id][kind].maxRssKiB)} / ${formatKiB(medians[id][kind].treeRssKiB)}` : 'n/a'));
      lines.push(`| ${stages} | ${labels[kind]} | ${samples[kind]} | ${cells.join(' | ')} | ${formatMs(base.ms)} | ${rss.join(' | ')} |`);
    }
  }
  for (const { stages, peakConcurrency } of sizes) {
    if (peakConcurrency) lines.push('', `Peak number of stages running at once (${stages} stages, full runs): ${Object.entries(peakConcurrency).map(([id, n]) => `${id} ${n}`).join(', ')}.`);
  }
  lines.push('', `Generated by \`node --import tsx tools/bench/chain.mjs\` in ${formatMs(performance.now() - started)}.`);
  return lines.join('\n') + '\n';
}

function log(message) {
  console.error(`[bench:chain ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`);
}

await main();

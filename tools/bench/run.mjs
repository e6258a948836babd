#!/usr/bin/env node
// The benchmark suite: `npm run bench` (builds the plugin, then runs this with tsx). Runs each
// benchmark of tools/bench in turn, at sizes that fit about ten minutes on a 2-core machine, and
// writes tools/bench/REPORT.md: every figure next to its baseline measured in the same run, the
// issue's goals (met or not; a slow figure never fails the suite), peak memory, and growth with size.
//
//   npm run bench [-- --budget-s 560] [-- --quick]   (--quick: tiny sizes, writes report-quick.md)
//   npm run bench -- --only fanout,chain   (those benchmarks only, writes report-only.md)
//
// Order: hashing, graph, remote cache, real DVC's baselines, the fan-out, then the chain of stages,
// which gets whatever is left of the budget (it skips repeat rounds and its profile pass rather than overrun),
// then data at DVC scale (1 to 10 GiB outputs, about 15 more minutes; `--only data` runs it alone).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { installedNodeModules } from '../support/workspace.ts';
import { describeMachine, formatMs, killGroup, parseArgs } from './measure.mjs';
import { renderReport } from './suite-report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const args = parseArgs(process.argv.slice(2));
const ONLY = args.only ? String(args.only).split(',') : undefined;
const reportPath = join(here, ONLY ? 'report-only.md' : args.quick ? 'report-quick.md' : 'REPORT.md');
const BUDGET_S = Number(args['budget-s'] ?? 560);
const started = performance.now();
const scratch = mkdtempSync(join(os.tmpdir(), 'nx-dvc-bench-suite-'));
/**
 * Each benchmark gets this run's scratch folder as its TMPDIR, so that everything it leaves behind
 * (and every process still working there) is this run's own: other runs on a shared machine are
 * never touched. The installed plugin stays shared.
 */
const CHILD_ENV = { ...process.env, TMPDIR: scratch, NX_DVC_E2E_BASE: join(os.tmpdir(), 'nx-dvc-e2e') };
let currentChild;

process.on('SIGINT', () => {
  if (currentChild) killGroup(currentChild.pid);
  cleanUp();
  process.exit(130);
});

/**
 * Full sizes fit about ten minutes on 2 cores; --quick is the suite's smoke test (tools/bench/bench.spec.ts):
 * the smallest sizes and fewest samples at which every benchmark still runs its checks and every row
 * and growth step renders (each `nx` run costs seconds whatever its size). It leaves out the chain's
 * traced profile pass and the data benchmark's "today's path" column (about ten `nx` runs, which the
 * suite's 15 minutes cannot spare): `npm run bench` runs both.
 * Real DVC's side of the chain (one full run, about a minute at 200 stages) and the fan-out cost
 * about two minutes; to pay for them, the chain's 50 and 100 stage sizes take one repeat no-op
 * each instead of three (the 200-stage size keeps three).
 */
const SIZES = args.quick
  ? { hash: ['--runs', '1', '--mib', '64', '--files', '500'], graph: ['--sizes', '20,40', '--runs', '1', '--no-warmup'], remote: ['--mib', '1'], dvc: ['--mib', '1', '--stages', '20', '--runs', '1'], fanout: ['--sizes', '4', '--runs', '1', '--repeats', '1'], chain: ['--sizes', '3,5', '--runs', '1', '--repeats', '1', '--growth-repeats', '1', '--dvc'], data: ['--mib', '1', '--only', 'run,push,restore,clone'] }
  : { hash: ['--runs', '3', '--mib', '1024', '--files', '10000'], graph: ['--sizes', '100,1000,10000', '--runs', '3'], remote: ['--mib', '1024'], dvc: ['--mib', '1024', '--stages', '1000', '--runs', '3'], fanout: ['--sizes', '200', '--runs', '3'], chain: ['--sizes', '50,100,200', '--runs', '3', '--growth-repeats', '1', '--profile', '10', '--dvc'], data: ['--mib', '1024', '--restore-mib', '10240', '--clone-mib', '5120', '--runs', '3'] };
const STEPS = [
  { id: 'hash', script: 'hash.mjs', args: () => SIZES.hash, timeoutS: 180 },
  { id: 'graph', script: 'graph.mjs', args: (nm) => [...SIZES.graph, '--configs', 'cold,warm', '--no-profile', '--no-build', '--node-modules', nm], timeoutS: 240 },
  { id: 'remote', script: 'remote-cache.mjs', args: () => SIZES.remote, timeoutS: 240 },
  { id: 'dvc', script: 'dvc-baselines.ts', args: () => SIZES.dvc, timeoutS: 300 },
  { id: 'fanout', script: 'chain.mjs', args: () => [...SIZES.fanout, '--shape', 'fanout', '--parallel', '2'], timeoutS: 180 },
  // the chain saves its figures after every round: past its time limit it is stopped, and what it measured is kept
  { id: 'chain', script: 'chain.mjs', args: (_nm, budgetS) => [...SIZES.chain, '--growth-runs', '1', '--parallel', '2', '--budget-s', String(Math.round(budgetS - 15))], timeoutS: (budgetS) => budgetS + 15 },
  // data at DVC scale (1, 5, 10 GiB outputs) runs outside the budget: its sizes are the issue's, not the clock's;
  // its restore and fetch pairs are repeated (--runs) at every size, 10 GiB included, with a `sync` before each side
  { id: 'data', script: 'data.mjs', args: () => SIZES.data, timeoutS: 3600 },
];

try {
  const machine = describeMachine();
  const nodeModules = installedNodeModules();
  const versions = versionsOf(nodeModules);
  log(`suite: ${machine.cores}-core ${machine.cpuModel}, ${machine.ramGiB.toFixed(1)} GiB, Node ${machine.node}, Nx ${versions.nx}, nx-dvc ${versions.nxDvc} (${versions.commit})`);
  const results = {};
  for (const step of STEPS.filter((s) => !ONLY || ONLY.includes(s.id))) {
    const budgetLeftS = BUDGET_S - (performance.now() - started) / 1000;
    results[step.id] = await runStep(step, nodeModules, budgetLeftS);
  }
  machine.loadavgEnd = os.loadavg();
  const report = renderReport({ machine, versions, results, totalMs: performance.now() - started });
  writeFileSync(reportPath, report);
  console.log('\n' + report);
  log(`wrote ${reportPath} in ${formatMs(performance.now() - started)}`);
} finally {
  cleanUp();
}

/** One benchmark as a child process in its own process group; its JSON result, or its failure. */
async function runStep(step, nodeModules, budgetLeftS) {
  const jsonPath = join(scratch, `${step.id}.json`);
  const stepArgs = step.args(nodeModules, budgetLeftS);
  const argv = ['--import', 'tsx', join(here, step.script), ...stepArgs, '--json', jsonPath];
  log(`${step.id}: node ${argv.slice(2).join(' ').replace(scratch, '<tmp>')}`);
  const stepStart = performance.now();
  const timeoutS = typeof step.timeoutS === 'function' ? step.timeoutS(budgetLeftS) : step.timeoutS;
  const { code, tail } = await runChild(argv, timeoutS * 1000);
  const ms = performance.now() - stepStart;
  const why = code === 137 ? `stopped after its time limit of ${timeoutS.toFixed(0)} s` : `exit ${code}`;
  log(`${step.id}: done in ${formatMs(ms)}${code === 0 ? '' : ` (${why})`}`);
  const data = existsSync(jsonPath) ? JSON.parse(readFileSync(jsonPath, 'utf8')) : undefined;
  if (code === 0 && data) return { ok: true, ms, data };
  if (data?.partial && data.sizes.length) return { ok: true, ms, data, incomplete: `${why}; the figures are those of the rounds it finished` };
  return { ok: false, ms, error: `${why}\n${tail}` };
}

function runChild(argv, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { cwd: repo, env: CHILD_ENV, stdio: ['ignore', 'inherit', 'pipe'], detached: true });
    currentChild = child;
    let tail = '';
    child.stderr.on('data', (d) => {
      process.stderr.write(d);
      tail = (tail + d).slice(-3000);
    });
    const timer = setTimeout(() => killGroup(child.pid), timeoutMs);
    // whatever the benchmark left running in its process group goes with it
    child.on('exit', () => killGroup(child.pid));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      currentChild = undefined;
      resolve({ code: code ?? (signal === 'SIGKILL' ? 137 : 1), tail });
    });
  });
}

function versionsOf(nodeModules) {
  const version = (pkg) => JSON.parse(readFileSync(join(nodeModules, pkg, 'package.json'), 'utf8')).version;
  const git = (...a) => spawnSync('git', a, { cwd: repo, encoding: 'utf8' }).stdout?.trim() ?? '';
  const dirty = git('status', '--porcelain', '--', 'packages/nx-dvc') ? ', with uncommitted changes in packages/nx-dvc' : '';
  return { nx: version('nx'), nxDvc: version('nx-dvc'), commit: `${git('rev-parse', '--short', 'HEAD') || 'unknown commit'}${dirty}` };
}

/** Removes this run's scratch folder (every benchmark's temp folders are inside), with the processes still working in it. */
function cleanUp() {
  killProcessesIn([scratch]);
  rmSync(scratch, { recursive: true, force: true });
}

/** Nx starts its plugin workers in their own sessions, out of reach of a group kill: find them by working directory. */
function killProcessesIn(dirs) {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let cwd;
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      continue;
    }
    if (dirs.some((dir) => cwd === dir || cwd.startsWith(`${dir}/`))) {
      log(`stopping leftover process ${pid} in ${cwd}`);
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
  }
}

function log(message) {
  console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`);
}

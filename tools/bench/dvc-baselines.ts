// Real DVC as the baseline, measured in the same run as nx-dvc, on the same files:
//  (a) `dvc status` of an unchanged one-stage pipeline whose dep is a large file (default 1 GiB),
//      against `nx run pipe:dvc-status` (both after a first run has hashed the file once);
//  (b) DVC's graph on the synthetic many-stage workspace (`dvc dag --dot`: collect, resolve,
//      build the graph, print), against Nx computing its project graph from nx-dvc's inference
//      (`nx show projects`, cold: no project-graph cache, no daemon). The suite takes 1000 stages:
//      at 10 000, `dvc dag --dot` ran for over 6 minutes of CPU on a 2-core machine without finishing.
// Skipped, with one line saying why, where real DVC is not set up (tools/real-dvc).
//
//   node --import tsx tools/bench/dvc-baselines.ts [--mib 1024] [--stages 1000] [--runs 3] [--json out.json]
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { ensureRealDvc } from '../real-dvc/setup.mjs';
import { createWorkspace, NX_ENV, type Workspace } from '../support/workspace';
import { formatKiB, formatMs, median, parseArgs, timedCommandOk, writeJsonResult } from './measure.mjs';
import { writeSyntheticPipelines } from './synthetic-workspace.mjs';

interface Timing {
  ms: number;
  treeRssKiB: number;
}

interface Side {
  median: Timing;
  runs: Timing[];
}

const args = parseArgs(process.argv.slice(2));
const MIB = Number(args.mib ?? 1024);
const STAGES = Number(args.stages ?? 1000);
const RUNS = Number(args.runs ?? 3);

const real = ensureRealDvc((line: string) => console.error(line));
const DVC: string = real.dvc ?? '';

type Result = { mib: number; stages: number; runs: number; status: Comparison; graph: Comparison };
type Comparison = { dvc: Side; nx: Side; ratio: number };

async function main(): Promise<void> {
  if (!real.dvc) {
    console.error(`dvc-baselines: skipped, real DVC is not available (${real.reason})`);
    writeJsonResult(args.json, { skipped: real.reason });
    return;
  }
  const status = await measureStatus();
  const graph = await measureGraph();
  const result: Result = { mib: MIB, stages: STAGES, runs: RUNS, status, graph };
  writeJsonResult(args.json, result);
  console.log(report(result));
}

async function measureStatus(): Promise<Comparison> {
  const workspace = dvcWorkspace({
    'pipe/dvc.yaml': 'stages:\n  count:\n    cmd: wc -c < big.bin > count.txt\n    deps:\n    - big.bin\n    outs:\n    - count.txt\n',
    // large data stays out of git, as `dvc add` would leave it (else Nx itself reads it for its file map)
    'pipe/.gitignore': '/big.bin\n',
  });
  try {
    writeRandomFile(workspace.path('pipe/big.bin'), MIB);
    workspace.nxOk(['run', 'pipe:repro']);
    const dvc = await repeat(() => timedCommandOk(DVC, ['status'], { cwd: workspace.path('pipe'), env: { ...process.env, ...NX_ENV } }));
    const nx = await repeat(() => timedCommandOk(nxBin(workspace), ['run', 'pipe:dvc-status'], { cwd: workspace.root, env: { ...process.env, ...NX_ENV } }));
    return { dvc, nx, ratio: nx.median.ms / dvc.median.ms };
  } finally {
    rmSync(workspace.root, { recursive: true, force: true });
  }
}

async function measureGraph(): Promise<Comparison> {
  const workspace = dvcWorkspace({});
  try {
    writeSyntheticPipelines(workspace.root, { files: Math.ceil(STAGES / 20), stagesPerFile: 20 });
    const env = { ...process.env, ...NX_ENV, NX_CACHE_PROJECT_GRAPH: 'false' };
    const dvc = await repeat(() => timedCommandOk(DVC, ['dag', '--dot'], { cwd: workspace.root, env }));
    const nx = await repeat(() => timedCommandOk(nxBin(workspace), ['show', 'projects'], { cwd: workspace.root, env }));
    return { dvc, nx, ratio: nx.median.ms / dvc.median.ms };
  } finally {
    rmSync(workspace.root, { recursive: true, force: true });
  }
}

/** An Nx workspace with nx-dvc and `dvc init` done, committed. */
function dvcWorkspace(files: Record<string, string>): Workspace {
  const workspace = createWorkspace({ files });
  const init = spawnSync(DVC, ['init', '-q'], { cwd: workspace.root, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`dvc init failed: ${init.stderr}`);
  workspace.commitAll('dvc init');
  return workspace;
}

function nxBin(workspace: Workspace): string {
  return workspace.path('node_modules/.bin/nx');
}

/** Random bytes written 8 MiB at a time: the file never sits in memory whole. */
function writeRandomFile(path: string, mib: number): void {
  const fd = openSync(path, 'w');
  try {
    const chunk = randomBytes(8 << 20);
    for (let written = 0; written < mib; written += 8) writeSync(fd, chunk, 0, Math.min(8, mib - written) << 20);
  } finally {
    closeSync(fd);
  }
}

async function repeat(measure: () => Promise<Timing>): Promise<Side> {
  const runs: Timing[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { ms, treeRssKiB } = await measure();
    runs.push({ ms, treeRssKiB });
  }
  return { median: { ms: median(runs.map((r) => r.ms)), treeRssKiB: median(runs.map((r) => r.treeRssKiB)) }, runs };
}

function report(r: Result): string {
  const row = (what: string, nx: Side, dvc: Side, ratio: number) =>
    `| ${what} | ${formatMs(nx.median.ms)} (${formatKiB(nx.median.treeRssKiB)}) | ${formatMs(dvc.median.ms)} (${formatKiB(dvc.median.treeRssKiB)}) | ${ratio.toFixed(2)}× |`;
  return [
    `# nx-dvc against real DVC (median of ${r.runs}; peak RSS of the process tree)`,
    '',
    '| figure | nx-dvc | real DVC 3.64 | ratio |',
    '|---|---|---|---|',
    row(`status of an unchanged stage with a ${r.mib} MiB dep (\`nx run pipe:dvc-status\` / \`dvc status\`)`, r.status.nx, r.status.dvc, r.status.ratio),
    row(`graph of ${r.stages} stages (\`nx show projects\`, cold / \`dvc dag --dot\`)`, r.graph.nx, r.graph.dvc, r.graph.ratio),
  ].join('\n');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

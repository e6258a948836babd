#!/usr/bin/env node
// How large a single stage output can travel through Nx's self-hosted remote cache, and how fast a
// fresh clone restores it, against `tar -xzf` of the same artifact in the same run. Writes
// tools/bench/report-remote-cache.md (gitignored). It never fails on a slow result.
//
//   npm run build && node --import tsx tools/bench/remote-cache.mjs [--mib 256,1024,2048] [--json out.json]
//
// For each size: workspace A runs a one-stage pipeline writing that many MiB of random bytes and
// uploads it to a real cache server on 127.0.0.1 (the one the e2e tests use); a `git clone` B with
// its own Nx cache restores it. Peak RSS is the largest process of each command (GNU time) and,
// in the JSON result, the whole process tree sampled every 100 ms (measure.mjs).
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RemoteCacheServer } from '../support/remote-cache-server.ts';
import { cloneWorkspace, createWorkspace } from '../support/workspace.ts';
import { describeMachine, parseArgs, timedCommand, writeJsonResult } from './measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const reportPath = join(here, 'report-remote-cache.md');
const args = parseArgs(process.argv.slice(2));
const sizes = String(args.mib ?? '256,1024,2048').split(',').map(Number);
const machine = describeMachine();

const rows = [];
for (const mib of sizes) rows.push(await measure(mib));
const report = renderReport(rows);
writeFileSync(reportPath, report);
writeJsonResult(args.json, { machine, sizes: rows.map(({ restore, fill, ...row }) => ({ ...row, fill: withoutOutput(fill), restore: withoutOutput(restore) })) });
console.log(report);

function withoutOutput({ output, ...rest }) {
  return rest;
}

async function measure(mib) {
  const scratch = mkdtempSync(join(os.tmpdir(), 'nx-dvc-bench-remote-'));
  const server = new RemoteCacheServer(join(scratch, 'storage'), 'token');
  const url = await server.start();
  const a = createWorkspace({
    files: {
      'pipe/dvc.yaml': `stages:\n  big:\n    cmd: head -c ${mib * 1024 * 1024} /dev/urandom > big.bin\n    outs: [big.bin]\n`,
    },
  });
  const b0 = { fill: undefined, restore: undefined };
  try {
    const env = (root) => ({ NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 'token', NX_CACHE_DIRECTORY: join(root, '.nx/cache') });
    b0.fill = await timedNx(a.root, ['run', 'pipe:repro'], env(a.root));
    a.commitAll('first run');
    const b = cloneWorkspace(a);
    try {
      b0.restore = await timedNx(b.root, ['run', 'pipe:repro', '--output-style=static'], env(b.root));
      const restored = /\[remote cache\]/.test(b0.restore.output);
      const same = restored && (await md5(a.path('pipe/big.bin'))) === (await md5(b.path('pipe/big.bin')));
      const artifacts = readdirSync(join(scratch, 'storage')).map((f) => join(scratch, 'storage', f));
      const artifact = artifacts.sort((x, y) => statSync(y).size - statSync(x).size)[0];
      const tar = artifact ? await timedTar(artifact, scratch) : undefined;
      return { mib, fill: b0.fill, restore: b0.restore, restored: same, artifactMib: artifact ? statSync(artifact).size / 2 ** 20 : 0, tar };
    } finally {
      b.cleanup();
    }
  } finally {
    a.cleanup();
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** An `nx` command: wall seconds, peak RSS (MiB) of its largest process and of its process tree, output. */
async function timedNx(cwd, argv, env) {
  // asynchronous: the cache server answers from this very process
  const result = await timedCommand(join(cwd, 'node_modules/.bin/nx'), argv, {
    cwd,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true', FORCE_COLOR: '0', ...env },
  });
  return { seconds: result.ms / 1000, rssMib: result.maxRssKiB / 1024, treeRssMib: result.treeRssKiB / 1024, code: result.code, output: result.stdout + result.stderr };
}

async function timedTar(artifact, scratch) {
  const into = mkdtempSync(join(scratch, 'untar-'));
  const result = await timedCommand('tar', ['-xzf', artifact, '-C', into]);
  rmSync(into, { recursive: true, force: true });
  if (result.code !== 0) return undefined;
  return { seconds: result.ms / 1000, rssMib: result.maxRssKiB / 1024, treeRssMib: result.treeRssKiB / 1024 };
}

function md5(file) {
  return new Promise((resolve, reject) => {
    const hash = createHash('md5');
    createReadStream(file).on('data', (d) => hash.update(d)).on('end', () => resolve(hash.digest('hex'))).on('error', reject);
  });
}

function renderReport(results) {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    '# Remote cache: one large stage output',
    '',
    `${new Date().toISOString().slice(0, 10)}, ${os.cpus().length}-core ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}.`,
    'A: run the stage and upload; B: fresh clone, restore from the server. Baseline: `tar -xzf` of the stored artifact.',
    '',
    '| output | artifact | A: run + upload | A peak RSS | B: restore | B peak RSS | tar -xzf | B / tar | restored intact |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|:---:|',
  ];
  for (const r of results) {
    const ratio = r.tar ? `${(r.restore.seconds / r.tar.seconds).toFixed(2)}×` : 'n/a';
    lines.push(
      `| ${r.mib} MiB | ${r.artifactMib.toFixed(0)} MiB | ${r.fill.seconds.toFixed(1)} s | ${r.fill.rssMib.toFixed(0)} MiB | ${r.restore.seconds.toFixed(1)} s | ${r.restore.rssMib.toFixed(0)} MiB | ${r.tar ? `${r.tar.seconds.toFixed(1)} s` : 'n/a'} | ${ratio} | ${r.restored ? 'yes' : 'NO'} |`,
    );
  }
  for (const r of results.filter((x) => !x.restored)) {
    lines.push('', `${r.mib} MiB was not restored from the remote cache. Nx said:`, '', '```', ...r.restore.output.split('\n').slice(-15), '```');
  }
  return lines.join('\n') + '\n';
}
